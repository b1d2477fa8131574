package view

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestWriteTableFits(t *testing.T) {
	g := Grid{Headers: []string{"ID", "NAME", "SERVICES"}, Flex: 1, Rows: [][]string{
		{"T1486.A001", "Data Encrypted for Impact: S3 Encryption - SSE-C Key Encryption", "s3"},
		{"T1562", "Impair Defenses", "cloudtrail,guardduty,ec2,vpc,config,logs,s3,network-firewall,wafv2"},
		{"T9999", "line\nbreak and \x1b[2J escape", "x"},
	}}
	for _, width := range []int{40, 60, 100} {
		var b bytes.Buffer
		if err := WriteTable(&b, g, Options{Width: width}); err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimRight(b.String(), "\n"), "\n")
		if len(lines) != 4 {
			t.Errorf("width %d: %d lines, want a header and 3 rows (a value with a line break must stay on its row)", width, len(lines))
		}
		for _, l := range lines {
			if n := utf8.RuneCountInString(l); n > width {
				t.Errorf("width %d: line of %d runes: %q", width, n, l)
			}
			if strings.Contains(l, "\x1b") {
				t.Errorf("escape sequence reached the table: %q", l)
			}
		}
	}
}

func TestWrap(t *testing.T) {
	got := Wrap("one two three four five six\n\nseven", 12, "  - ")
	want := "  - one two\n    three\n    four\n    five six\n\n    seven"
	if got != want {
		t.Errorf("Wrap:\n%s\nwant:\n%s", got, want)
	}
}

func TestMarkdownEscape(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"a|b *c* <script> [x](y)", `a\|b \*c\* &lt;script&gt; \[x\](y)`},
		// GitHub's autolinks: URLs, www. hosts and email addresses.
		{"curl/8.0 https://evil.example/x", `curl/8.0 https\://evil.example/x`},
		{"see www.evil.example or WWW.EVIL.EXAMPLE or wWw.x.y", `see www\.evil.example or WWW\.EVIL.EXAMPLE or wWw\.x.y`},
		{"www.", `www\.`},
		{"ww.www", "ww.www"},
		{"AROAEXAMPLE:alice@example.com", `AROAEXAMPLE:alice@<!-- -->example.com`},
		{"a&#64;b ~~s~~", `a&amp;#64;b \~\~s\~\~`},
		{"arn:aws:iam::111122223333:user/a_b", `arn:aws:iam::111122223333:user/a\_b`},
	} {
		if got := MarkdownEscape(tc.in); got != tc.want {
			t.Errorf("MarkdownEscape(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
