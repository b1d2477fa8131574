package stix

import (
	"strings"
	"testing"
)

// TestDecodeSyntaxErrors checks that a broken document is described by
// line, column and the byte found, named plainly, with no Go escape for a
// display to escape again.
func TestDecodeSyntaxErrors(t *testing.T) {
	for in, want := range map[string]string{
		"{\"type\":\"bundle\",\"objects\":[{\"id\":\"a\x1b\"}]}": "invalid JSON at line 1, column 37: found byte 0x1b",
		"{\"type\":\"bundle\",\n \"objects\":[}":                 "invalid JSON at line 2, column 13: found '}'",
		`{"type":"bundle"`:                                       "invalid JSON: unexpected end of input",
	} {
		_, err := Decode(strings.NewReader(in))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Decode(%q) = %v, want an error saying %q", in, err, want)
		}
	}
}
