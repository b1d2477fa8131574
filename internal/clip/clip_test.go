package clip

import (
	"testing"
	"unicode/utf8"
)

func TestString(t *testing.T) {
	for _, tt := range []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"exactly10!", 10, "exactly10!"},
		{"eleven long", 10, "eleven lon…"},
		// Never inside a character: é is two bytes.
		{"aaaaaaaaaé", 10, "aaaaaaaaa…"},
		{"日本語", 4, "日…"},
		{"abc", 0, "…"},
	} {
		got := String(tt.in, tt.n)
		if got != tt.want || !utf8.ValidString(got) {
			t.Errorf("String(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}
