package view

import (
	"html"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// TestMarkdownEscapeRendered renders escaped log values with cmark-gfm,
// GitHub's Markdown renderer, with its table, autolink and strikethrough
// extensions: each value must come out as its own text, and none as a
// link or markup. It skips when cmark-gfm is missing (fails instead with
// TTC_REQUIRE_CMARK=1, as in CI).
func TestMarkdownEscapeRendered(t *testing.T) {
	values := []string{
		"bob@evil.example", "mailto:bob@evil.example", "xmpp:bob@evil.example/x", "bob&#64;evil.example",
		"mailto:bob&#x40;evil.example", "https://evil.example/x", "HTTP://EVIL.EXAMPLE", "ftp://evil.example",
		"www.evil.example", "wWw.evil.example/p", "&#x77;ww.evil.example", "http&#58;//evil.example",
		"x&amp;y", "~~struck~~", "~one~", "a|b", "`code`", "<img src=x onerror=alert(1)>", "<!-- c -->", "a --> b",
		"*b* _i_ [l](http://x) ![i](y)", `\*`, "arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Admin_0a1b/alice@example.com",
		"Mozilla/5.0 (see https://evil.example?a=b&c=d)",
	}
	cells := renderCells(t, values, MarkdownEscape)
	comment := regexp.MustCompile(`<!--.*?-->`)
	for i, c := range cells {
		cell := comment.ReplaceAllString(c[1], "")
		if strings.Contains(cell, "<") {
			t.Errorf("value %q rendered with markup: %s", values[i], c[1])
			continue
		}
		if got := html.UnescapeString(cell); got != values[i] {
			t.Errorf("value %q rendered as %q", values[i], got)
		}
	}
}

// TestCodeSpanRendered renders values as CodeSpan writes them in a table
// cell with cmark-gfm: each must come out as one code span holding the
// value exactly (a path to copy to ttc record), whatever backticks, pipes,
// spaces or markup it holds.
func TestCodeSpanRendered(t *testing.T) {
	values := []string{
		"logs/111122223333_CloudTrail_us-east-1_x.json.gz:1 #11", "a|b|c", "`tick`", "a``b`c", "` lead", "trail `",
		" spaced ", "<script>alert(1)</script>", "www.evil.example/x", "bob@evil.example", "*b* _i_ [l](http://x)", `back\slash`, "x&amp;y",
	}
	cells := renderCells(t, values, CodeSpan)
	for i, c := range cells {
		code, ok := strings.CutPrefix(c[1], "<code>")
		code, ok2 := strings.CutSuffix(code, "</code>")
		if !ok || !ok2 || strings.Contains(code, "<") {
			t.Errorf("value %q not rendered as one code span: %s", values[i], c[1])
			continue
		}
		if got := html.UnescapeString(code); got != values[i] {
			t.Errorf("value %q rendered as %q", values[i], got)
		}
	}
}

// renderCells writes each value, as cell writes it, in a row of a one
// column table, renders the table with cmark-gfm, GitHub's Markdown
// renderer, with its table, autolink and strikethrough extensions, and
// returns each row's cell, as submatch 1. It skips when cmark-gfm is
// missing (fails instead with TTC_REQUIRE_CMARK=1, as in CI).
func renderCells(t *testing.T, values []string, cell func(string) string) [][]string {
	t.Helper()
	render := cmarkGFM(t)
	var md strings.Builder
	md.WriteString("| value |\n| --- |\n")
	for _, v := range values {
		md.WriteString("| " + cell(v) + " |\n")
	}
	out := render(t, md.String())
	cells := regexp.MustCompile(`(?s)<td>(.*?)</td>`).FindAllStringSubmatch(out, -1)
	if len(cells) != len(values) {
		t.Fatalf("rendered %d cells for %d values:\n%s", len(cells), len(values), out)
	}
	return cells
}

// cmarkGFM returns a renderer of Markdown to HTML by cmark-gfm, GitHub's
// Markdown renderer, with its table, autolink and strikethrough extensions
// and the flags given (--unsafe writes raw HTML through, as a renderer
// that does not filter it would, where cmark-gfm writes a comment in its
// place by default); the renderer fails the test it is given when
// cmark-gfm does. It skips the test when cmark-gfm is missing (fails
// instead with TTC_REQUIRE_CMARK=1, as in CI).
func cmarkGFM(t *testing.T, flags ...string) func(t *testing.T, md string) string {
	t.Helper()
	bin, err := exec.LookPath("cmark-gfm")
	if err != nil {
		if os.Getenv("TTC_REQUIRE_CMARK") == "1" {
			t.Fatalf("TTC_REQUIRE_CMARK=1 but cmark-gfm is missing: %v", err)
		}
		t.Skip("cmark-gfm not installed (Debian package cmark-gfm)")
	}
	return func(t *testing.T, md string) string {
		t.Helper()
		cmd := exec.Command(bin, append([]string{"--extension", "table", "--extension", "autolink", "--extension", "strikethrough"}, flags...)...)
		cmd.Stdin = strings.NewReader(md)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("cmark-gfm: %v", err)
		}
		return string(out)
	}
}
