package view

import (
	"html"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// TestProseText checks that the terminal reflows catalog prose but shows
// fenced code as written, four columns in, its control characters
// escaped.
func TestProseText(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"prose reflowed", "one\ntwo", "  one two"},
		{"code kept", "run:\n```bash\naws s3 ls \\\n    --recursive  x\n\n- not a list\n```\nthen",
			"  run:\n\n    aws s3 ls \\\n        --recursive  x\n\n    - not a list\n\n  then"},
		{"tabs to stops of four", "```\n\tx\ty\n```", "        x   y"},
		{"controls escaped", "```\na\x1b[2Jb\n```", `    a\x1b[2Jb`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := proseText(c.in, 100); got != c.want {
				t.Errorf("proseText(%q)\n got %q\nwant %q", c.in, got, c.want)
			}
		})
	}
}

// TestProseMarkdownRendered renders catalog prose holding fenced code, as
// ttc show -o markdown writes it, with cmark-gfm: each block must come out
// as one pre element holding the code exactly, whatever fences, markup or
// HTML it holds, and the prose around it as paragraphs. It skips when
// cmark-gfm is missing (fails instead with TTC_REQUIRE_CMARK=1, as in CI).
func TestProseMarkdownRendered(t *testing.T) {
	bin, err := exec.LookPath("cmark-gfm")
	if err != nil {
		if os.Getenv("TTC_REQUIRE_CMARK") == "1" {
			t.Fatalf("TTC_REQUIRE_CMARK=1 but cmark-gfm is missing: %v", err)
		}
		t.Skip("cmark-gfm not installed (Debian package cmark-gfm)")
	}
	codes := []string{
		`if [ "$b" != "<b>" ] && true; then echo '**x** [l](https://evil.example) <!-- c -->'; fi`,
		"</code></pre><script>alert(1)</script>\n&amp; &lt; www.evil.example bob@evil.example",
		"```\n````\nstill code",
		"  indented\n\n- not a list\n# not a heading",
	}
	for _, code := range codes {
		t.Run("", func(t *testing.T) {
			src := "Before.\n~~~~sh\n" + code + "\n~~~~\nAfter."
			cmd := exec.Command(bin, "--extension", "table", "--extension", "autolink", "--extension", "strikethrough")
			cmd.Stdin = strings.NewReader(proseMarkdown(src) + "\n")
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("cmark-gfm: %v", err)
			}
			m := regexp.MustCompile(`(?s)^<p>Before.</p>\n<pre><code class="language-sh">(.*)\n</code></pre>\n<p>After.</p>\n$`).FindStringSubmatch(string(out))
			if m == nil || strings.Contains(m[1], "<") || html.UnescapeString(m[1]) != code {
				t.Errorf("code %q rendered as:\n%s", code, out)
			}
		})
	}
}

// TestNeutraliseHTML checks that prose for Markdown writes < and > as
// entities outside code spans, and leaves them inside a span that opens
// and closes on one line, where a renderer shows an entity as written.
func TestNeutraliseHTML(t *testing.T) {
	cases := []struct{ in, want string }{
		{"portal (`https://<name>.awsapps.com/start`)", "portal (`https://<name>.awsapps.com/start`)"},
		{"a <b>bold</b>", "a &lt;b&gt;bold&lt;/b&gt;"},
		{"``a`<b>`` then <i>", "``a`<b>`` then &lt;i&gt;"},
		{"a `x\n<b>` y", "a `x\n&lt;b&gt;` y"},     // a span does not run over lines here
		{"- a `x\n- <b>`", "- a `x\n- &lt;b&gt;`"}, // nor from one list item into the next
		{"\\`<b>`", "\\`&lt;b&gt;`"},               // an escaped backtick opens none
		{"\\\\`<b>`", "\\\\`<b>`"},                 // an escaped backslash before one does
		{"``` `<b>` ``", "``` `<b>` ``"},           // no run of three closes: the single ones do
		{"unclosed `<b>", "unclosed `&lt;b&gt;"},
	}
	for _, c := range cases {
		if got := neutraliseHTML(c.in); got != c.want {
			t.Errorf("neutraliseHTML(%q)\n got %q\nwant %q", c.in, got, c.want)
		}
	}
}

// TestProseCodeSpansRendered renders prose with code spans and HTML through
// cmark-gfm, as ttc show -o markdown writes it: a code span shows its text
// as written (one level of escaping in the HTML), and no tag of the prose
// reaches the HTML as a tag, whatever backticks surround it.
func TestProseCodeSpansRendered(t *testing.T) {
	bin, err := exec.LookPath("cmark-gfm")
	if err != nil {
		if os.Getenv("TTC_REQUIRE_CMARK") == "1" {
			t.Fatalf("TTC_REQUIRE_CMARK=1 but cmark-gfm is missing: %v", err)
		}
		t.Skip("cmark-gfm not installed (Debian package cmark-gfm)")
	}
	render := func(src string) string {
		cmd := exec.Command(bin, "--extension", "table", "--extension", "autolink", "--extension", "strikethrough")
		cmd.Stdin = strings.NewReader(proseMarkdown(src) + "\n")
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("cmark-gfm: %v", err)
		}
		return string(out)
	}
	if out := render("The portal (`https://<name>.awsapps.com/start`) asks."); !strings.Contains(out, "<code>https://&lt;name&gt;.awsapps.com/start</code>") {
		t.Errorf("the code span is not shown as written:\n%s", out)
	}
	for _, src := range []string{
		"a `x\n<b>` y <script>alert(1)</script>",
		"- a `x\n- <b>` y",
		"\\`<img src=x onerror=alert(1)>`",
		"``a`<b>`` then <i>x</i>",
		"one `\n\n<b>` two",
	} {
		out := render(src)
		// Tags cmark-gfm itself writes for the Markdown are fine; one of the
		// prose's own is not.
		if regexp.MustCompile(`<(b|i|script|img)[ >]`).MatchString(out) {
			t.Errorf("%q rendered a tag of its own:\n%s", src, out)
		}
	}
}
