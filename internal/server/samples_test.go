package server

import (
	"net/http"
	"strings"
	"testing"
)

// TestTechniqueSamples checks the sample records a technique page lists:
// each with its label and the rules that flag it, as the matcher finds
// them when the server starts.
func TestTechniqueSamples(t *testing.T) {
	h := newServer(t, fixture(t), nil).Handler()
	page := do(t, h, http.MethodGet, "/techniques/T1078.A001", nil).Body.String()
	for _, want := range []string{
		`<li><a href="#samples">Sample records</a></li>`,
		`<li id="sample-match-user_token.json">`,
		`<code>user_token.json</code> · to flag · flagged by <a href="#rule-sts_session_token_from_user.yml">`,
		`<code>caller_identity.json</code> · near miss · flagged by no rule</summary>`,
		// The record, indented.
		"{\n  &#34;eventVersion&#34;",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("technique page lacks %q", want)
		}
	}
	if strings.Contains(page, "not as labelled") {
		t.Errorf("a fixture sample is marked as not as labelled")
	}
	// A technique without samples has no such section.
	page = do(t, h, http.MethodGet, "/techniques/T1078", nil).Body.String()
	if strings.Contains(page, `id="samples"`) {
		t.Errorf("T1078 has no samples but its page lists some")
	}
}

// TestTechniqueSamplesHostile serves an overlay whose samples hold markup
// and a bidirectional override, and whose records are labelled against
// what its rule does: the page shows both, as text.
func TestTechniqueSamplesHostile(t *testing.T) {
	h := newServer(t, fixture(t, "testdata/hostile"), nil).Handler()
	page := do(t, h, http.MethodGet, "/techniques/AT9001", nil).Body.String()
	assertInert(t, page)
	for _, want := range []string{
		// s1 carries the rule's user agent, so the rule flags it; its
		// title is markup, shown as text.
		`<code>s1.json</code> · to flag · flagged by <a href="#rule-evil.yml">&lt;script&gt;alert(&#39;rule&#39;)&lt;/script&gt;</a>`,
		`&lt;script&gt;alert(&#39;ua&#39;)&lt;/script&gt;\u202egnp.exe`,
		// s2 lacks it: a record to flag that no rule flags.
		`<li id="sample-match-s2.json" class="astray">`,
		`<li id="sample-nomatch-s2.json">`,
		// A name's space is no part of an id.
		`<li id="sample-nomatch-s-3.json">`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("technique page lacks %q", want)
		}
	}
	if strings.Contains(page, "\u202e") {
		t.Errorf("technique page holds a raw U+202E")
	}
}
