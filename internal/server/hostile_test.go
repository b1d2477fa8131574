package server

import (
	"net/http"
	"strings"
	"testing"
)

// TestHostileOverlay serves a catalog whose overlay puts markup and event
// handlers into every free-text field, and checks that every page that
// shows them renders them as text.
func TestHostileOverlay(t *testing.T) {
	h := newServer(t, fixture(t, "testdata/hostile"), nil).Handler()
	pages := []string{
		"/", "/matrix", "/matrix?q=script", "/matrix?service=evil", "/techniques", "/techniques?q=alert",
		"/techniques/AT9001", "/tactics/TA0040", "/services", "/services/evil", "/mitigations",
		"/mitigations/hostile-mitigation", "/events/evil:DoEvil", "/techniques/T1485",
	}
	for _, p := range pages {
		t.Run(p, func(t *testing.T) {
			rec := do(t, h, http.MethodGet, p, nil)
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d", rec.Code)
			}
			assertInert(t, rec.Body.String())
		})
	}

	page := do(t, h, http.MethodGet, "/techniques/AT9001", nil).Body.String()
	for _, want := range []string{
		"&lt;script&gt;alert(&#39;name&#39;)&lt;/script&gt;",
		"&lt;img src=x onerror=alert(&#39;desc2&#39;)&gt;",
		// An http link whose URL carries markup keeps its target, escaped.
		`<a href="https://example.com/%22%3E%3Cscript%3Ealert%28%27href%27%29%3C/script%3E" rel="noopener noreferrer">ok</a>`,
		"<code>&lt;code onclick=x&gt;</code>",
		"<strong>&lt;b&gt;bold&lt;/b&gt;</strong>",
		"<li>&lt;script&gt;alert(&#39;item&#39;)&lt;/script&gt;</li>",
		// Code in a list item, and in an item of a list in it, stays in
		// its item, escaped, with no link made of it.
		"<li>an item with code:\n<pre><code>&lt;/code&gt;&lt;/pre&gt;&lt;/li&gt;&lt;/ul&gt;&lt;script&gt;alert(&#39;itemcode&#39;)&lt;/script&gt;\n" +
			"[x](javascript:alert(&#39;codelink&#39;)) &lt;img src=x onerror=alert(&#39;codeimg&#39;)&gt;</code></pre>\n" +
			"and after it &lt;img src=x onerror=alert(&#39;itemafter&#39;)&gt;\n<ol>\n<li>nested <strong>&lt;i&gt;x&lt;/i&gt;</strong>\n" +
			"<pre><code>&lt;/li&gt;&lt;/ol&gt;&lt;svg onload=alert(&#39;nestedcode&#39;)&gt;</code></pre>\n</li>\n</ol>\n</li>\n</ul>",
		// A rule's source shows a hidden character (a value may look for
		// one) as an escape, not raw: U+202E would reverse what follows.
		`userAgent|contains: &#34;\u202egnp.exe&#34;`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("technique page lacks %q", want)
		}
	}
	if strings.Contains(page, "\u202e") {
		t.Errorf("technique page holds a raw U+202E")
	}
}

// Links to javascript:, data: or protocol-relative targets cannot reach a
// page from the catalog: validation refuses them (the catalog's tests), and
// the renderer drops their targets (TestMarkdown).

// TestFilterErrorEscaped: a filter value a page cannot apply is named in
// its notice as the text outputs write request text, its control and
// invisible characters escaped: a crafted link showed a raw ESC and U+202E.
func TestFilterErrorEscaped(t *testing.T) {
	h := newServer(t, fixture(t), nil).Handler()
	const value = "%3Cb%3E%1b%5B31m%E2%80%AEabc"
	for _, p := range []string{"/techniques?service=" + value, "/techniques?tactic=" + value, "/matrix?tactic=" + value, "/matrix?service=" + value} {
		rec := do(t, h, http.MethodGet, p, nil)
		body := rec.Body.String()
		if rec.Code != http.StatusBadRequest || strings.ContainsAny(body, "\x1b\u202e") || !strings.Contains(body, `&lt;b&gt;\x1b[31m\u202eabc`) {
			t.Errorf("%s: status %d, the notice does not name the value escaped:\n%s", p, rec.Code, body)
		}
	}
}
