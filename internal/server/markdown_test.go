package server

import (
	"regexp"
	"strings"
	"testing"
)

func TestMarkdown(t *testing.T) {
	md := markdown{known: func(id string) bool { return id == "T1562.008" }}
	cases := []struct{ name, in, want string }{
		{"paragraphs", "one\ntwo\n\nthree", "<p>one two</p>\n<p>three</p>\n"},
		{"code", "call `StopLogging` now", "<p>call <code>StopLogging</code> now</p>\n"},
		{"no link in a link", "[see T1562.008](https://example.com/x)", "<p><a href=\"https://example.com/x\" rel=\"noopener noreferrer\">see T1562.008</a></p>\n"},
		{"code escapes", "`<b>`", "<p><code>&lt;b&gt;</code></p>\n"},
		{"bold", "a **b** c", "<p>a <strong>b</strong> c</p>\n"},
		{"unclosed bold", "a ** b", "<p>a ** b</p>\n"},
		{"link", "[AWS](https://aws.amazon.com/x?a=1&b=2)",
			`<p><a href="https://aws.amazon.com/x?a=1&amp;b=2" rel="noopener noreferrer">AWS</a></p>` + "\n"},
		{"link with a title", `[AWS](https://aws.amazon.com/x "AWS docs")`,
			`<p><a href="https://aws.amazon.com/x" rel="noopener noreferrer">AWS</a></p>` + "\n"},
		{"title after a javascript link", `[x](javascript:alert(1) "t")`, "<p>x</p>\n"},
		{"words after a link target", "[x](https://a.example and more)", "<p>x</p>\n"},
		{"javascript link", "[x](javascript:alert(1))", "<p>x</p>\n"},
		{"relative link", "[x](/admin)", "<p>x</p>\n"},
		{"protocol-relative link", "[x](//evil.example)", "<p>x</p>\n"},
		{"data link", "[x](data:text/html,<script>alert(1)</script>)", "<p>x</p>\n"},
		{"empty link text", "[](https://a.example)", `<p><a href="https://a.example" rel="noopener noreferrer">https://a.example</a></p>` + "\n"},
		{"not a link", "[x] and (y)", "<p>[x] and (y)</p>\n"},
		{"raw html", `<img src=x onerror="alert(1)">`, "<p>&lt;img src=x onerror=&#34;alert(1)&#34;&gt;</p>\n"},
		{"bullets", "intro\n- a\n- b\n  more\n\nafter", "<p>intro</p>\n<ul>\n<li>a</li>\n<li>b more</li>\n</ul>\n<p>after</p>\n"},
		{"numbered", "1. a\n2. b", "<ol>\n<li>a</li>\n<li>b</li>\n</ol>\n"},
		{"list kinds", "- a\n1. b", "<ul>\n<li>a</li>\n</ul>\n<ol>\n<li>b</li>\n</ol>\n"},
		{"technique ids", "see T1562.008 and T1485", `<p>see <a href="/techniques/T1562.008">T1562.008</a> and T1485</p>` + "\n"},
		{"crlf", "a\r\n\r\nb", "<p>a</p>\n<p>b</p>\n"},
		{"empty", "", ""},
		// Fenced code is shown as written: escaped, its lines and spaces
		// kept, no markup, link, list or technique link made of it.
		{"fenced code", "run:\n```bash\naws s3 ls  \\\n  --x <b>\n- T1562.008 **b** [l](https://a.example)\n```\nafter",
			"<p>run:</p>\n<pre><code class=\"language-bash\">aws s3 ls  \\\n  --x &lt;b&gt;\n- T1562.008 **b** [l](https://a.example)</code></pre>\n<p>after</p>\n"},
		{"tilde fence, blank lines kept", "~~~\na\n\n\tb & c\n~~~", "<pre><code>a\n\n\tb &amp; c</code></pre>\n"},
		{"closing fence as long", "````\n```\n</code></pre><script>x</script>\n````", "<pre><code>```\n&lt;/code&gt;&lt;/pre&gt;&lt;script&gt;x&lt;/script&gt;</code></pre>\n"},
		{"unclosed fence runs to the end", "a\n```\nb\n\nc", "<p>a</p>\n<pre><code>b\n\nc</code></pre>\n"},
		{"indented fence", "  ```\n  a\n    b\n  ```", "<pre><code>a\n  b</code></pre>\n"},
		{"language not markup", "```x\" onclick=\"y\na\n```", "<pre><code>a</code></pre>\n"},
		{"not a fence", "``` a ` b\nc", "<p>``<code> a </code> b c</p>\n"},
		// Lists as CommonMark reads them: items of a tight list hold their
		// text bare, of a loose one in paragraphs; code stays in its item.
		{"lazy line", "- a\nb", "<ul>\n<li>a b</li>\n</ul>\n"},
		{"loose", "- a\n\n- b", "<ul>\n<li><p>a</p>\n</li>\n<li><p>b</p>\n</li>\n</ul>\n"},
		{"starts at 3", "3) a\n4) b", "<ol start=\"3\">\n<li>a</li>\n<li>b</li>\n</ol>\n"},
		{"nested", "- a\n  1. b\n- c", "<ul>\n<li>a\n<ol>\n<li>b</li>\n</ol>\n</li>\n<li>c</li>\n</ul>\n"},
		{"code in an item", "- run:\n  ```sh\n  aws s3 ls\n    --x <b>\n  ```\n  then T1562.008\n- next",
			"<ul>\n<li>run:\n<pre><code class=\"language-sh\">aws s3 ls\n  --x &lt;b&gt;</code></pre>\nthen <a href=\"/techniques/T1562.008\">T1562.008</a></li>\n<li>next</li>\n</ul>\n"},
		{"code opens an item", "1. ~~~\n   x\n   ~~~", "<ol>\n<li><pre><code>x</code></pre>\n</li>\n</ol>\n"},
		{"fence less indented ends the item", "- a\n```\n- b\n```", "<ul>\n<li>a</li>\n</ul>\n<pre><code>- b</code></pre>\n"},
		{"hostile item", "- <img src=x onerror=alert(1)> [x](javascript:alert(1)) `</li>`",
			"<ul>\n<li>&lt;img src=x onerror=alert(1)&gt; x <code>&lt;/li&gt;</code></li>\n</ul>\n"},
		{"hostile code in an item", "- a\n  ```\n  </code></pre></li></ul><script>x</script>\n  [l](javascript:y) T1562.008\n  ```",
			"<ul>\n<li>a\n<pre><code>&lt;/code&gt;&lt;/pre&gt;&lt;/li&gt;&lt;/ul&gt;&lt;script&gt;x&lt;/script&gt;\n[l](javascript:y) T1562.008</code></pre>\n</li>\n</ul>\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := string(md.Render(tc.in)); got != tc.want {
				t.Errorf("Render(%q)\n got: %q\nwant: %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestHighlight(t *testing.T) {
	cases := []struct {
		terms []string
		in    string
		want  string
	}{
		{nil, "a<b", "a&lt;b"},
		{[]string{"log"}, "Disable Cloud Logs", "Disable Cloud <mark>Log</mark>s"},
		{[]string{"trail", "stop"}, "StopLogging trail", "<mark>Stop</mark>Logging <mark>trail</mark>"},
		{[]string{"ab", "bc"}, "abc", "<mark>abc</mark>"},
		{[]string{"script"}, "<script>", "&lt;<mark>script</mark>&gt;"},
		{[]string{"lt"}, "<", "&lt;"},
		{[]string{"x"}, "none", "none"},
		// A slash may break the line, inside a mark too, never inside a tag.
		{nil, "Unused/Unsupported", "Unused/<wbr>Unsupported"},
		{[]string{"d/u"}, "Unused/Unsupported", "Unuse<mark>d/<wbr>U</mark>nsupported"},
		{[]string{"/"}, "</mark>", "&lt;<mark>/<wbr></mark>mark&gt;"},
	}
	for _, tc := range cases {
		if got := string(highlight(tc.terms, tc.in)); got != tc.want {
			t.Errorf("highlight(%q, %q) = %q, want %q", tc.terms, tc.in, got, tc.want)
		}
	}
}

// allowedTag is every tag the renderer may write, with the only attributes it uses.
var allowedTag = regexp.MustCompile(`^</?(p|ul|ol|li|code|strong|pre)>$|^<ol start="[0-9]+">$|^<code class="language-[A-Za-z0-9+_.#-]+">$|^<a href="(https?://[^"<>]*|/techniques/[A-Z0-9.]+)"( rel="noopener noreferrer")?>$|^</a>$`)

// FuzzMarkdown checks that whatever the input, the output holds only the
// renderer's own tags and every link is http(s) or a technique page.
func FuzzMarkdown(f *testing.F) {
	for _, s := range []string{
		"a **b** `c` [d](https://e.example/?q=\"<x>\")", "<script>alert(1)</script>", "- [x](javascript:1)\n1. **`y`**",
		"[a](https://x.example/\"onmouseover=\"alert(1))", "**[x](https://a.example)**", "T1562.008 AT1001",
		"```sh\n</code></pre><b>x</b>\n```", "~~~a\"b\n<i>\n~~~~", "- a\n  ```\n  </li><b>\n  ```\n 7) b\n\n   - c",
	} {
		f.Add(s)
	}
	md := markdown{known: func(string) bool { return true }}
	tagRE := regexp.MustCompile(`<[^>]*>?`)
	f.Fuzz(func(t *testing.T, s string) {
		out := string(md.Render(s))
		for _, tag := range tagRE.FindAllString(out, -1) {
			if !allowedTag.MatchString(tag) {
				t.Fatalf("input %q produced tag %q", s, tag)
			}
		}
		if strings.Count(out, "<a ") != strings.Count(out, "</a>") {
			t.Fatalf("input %q produced unbalanced links: %s", s, out)
		}
	})
}

func TestHighlightOffsets(t *testing.T) {
	cases := []struct {
		terms      []string
		text, want string
	}{
		{[]string{"bucket"}, "S3 Bucket", "S3 <mark>Bucket</mark>"},
		// The Kelvin sign lowers to a shorter "k"; marks must stay on "bucket".
		{[]string{"bucket"}, "Ⱥébucketé \u212AK bucket", "Ⱥé<mark>bucket</mark>é \u212AK <mark>bucket</mark>"},
		{[]string{"a&b"}, "x a&b y", "x <mark>a&amp;b</mark> y"},
		{[]string{"bad"}, "bad\xffbad", "<mark>bad</mark>\xff<mark>bad</mark>"},
	}
	for _, tc := range cases {
		if got := string(highlight(tc.terms, tc.text)); got != tc.want {
			t.Errorf("highlight(%q, %q) = %q, want %q", tc.terms, tc.text, got, tc.want)
		}
	}
}
