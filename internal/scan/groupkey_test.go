package scan

import (
	"strings"
	"testing"
)

// TestCutGroupKey checks that CutGroupKey finds the mark of a key GroupKey
// cut, and only there: a key short enough to keep whole is never read as
// cut, whatever it holds.
func TestCutGroupKey(t *testing.T) {
	long := "arn:aws:iam::111122223333:user/" + strings.Repeat("é", 800)
	cases := []struct {
		key  string
		kept string
		cut  bool
	}{
		{GroupKey(long), long[:len("arn:aws:iam::111122223333:user/")+2*496], true},
		{"arn:aws:iam::111122223333:user/mallory…#0123456789abcdef", "arn:aws:iam::111122223333:user/mallory…#0123456789abcdef", false},
		{strings.Repeat("x", maxGroupKey), strings.Repeat("x", maxGroupKey), false},
		{"", "", false},
	}
	for _, c := range cases {
		kept, hash, cut := CutGroupKey(c.key)
		if kept != c.kept || cut != c.cut || cut && len(hash) != 16 {
			t.Errorf("CutGroupKey(%.40q…) = %.40q…, %q, %v; want %.40q…, cut %v", c.key, kept, hash, cut, c.kept, c.cut)
		}
	}
}
