package scan

import (
	"encoding/json"
	"testing"
)

// TestBlankJSON checks that a message read from a record's text, escapes
// and all, is blank exactly when its decoded value is (see Blank).
func TestBlankJSON(t *testing.T) {
	for _, s := range []string{"", " ", "\t", " \t\n\r\f ", "\v", "\u00a0", "\u2028", "x", " x ", "abc", "Access Denied",
		`"`, `\`, "é", "\u0000", " \\t "} {
		raw, _ := json.Marshal(s)
		if got, want := blankJSON(raw[1:len(raw)-1]), Blank(s); got != want {
			t.Errorf("blankJSON(%s) = %v, want %v", raw, got, want)
		}
	}
	// Escapes JSON allows that json.Marshal does not write.
	for raw, want := range map[string]bool{`\u0020\t`: true, `\u0009`: true, `\u00a0`: false, `\/`: false, `\u0041`: false} {
		if got := blankJSON([]byte(raw)); got != want {
			t.Errorf("blankJSON(%s) = %v, want %v", raw, got, want)
		}
	}
}
