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
