package golden

import "testing"

func TestFirstDiff(t *testing.T) {
	cases := []struct{ got, want, out string }{
		{"a\nb\nc", "a\nx\nc", "line 2:\n  got:  b\n  want: x"},
		{"a\nb", "a\nb\nc", "line 3:\n  got:  \n  want: c"},
		{"a\r\n", "a\n", "line 1:\n  got:  a\r\n  want: a"},
	}
	for _, tc := range cases {
		if got := FirstDiff(tc.got, tc.want); got != tc.out {
			t.Errorf("FirstDiff(%q, %q) = %q, want %q", tc.got, tc.want, got, tc.out)
		}
	}
}
