package textpos

import "testing"

func TestPlace(t *testing.T) {
	data := []byte("ab\ncdé\xffg\n")
	for _, tc := range []struct{ off, line, col int }{
		{0, 1, 1}, {2, 1, 3}, {3, 2, 1}, {7, 2, 4}, {8, 2, 5},
	} {
		if l, c := Place(data, tc.off); l != tc.line || c != tc.col {
			t.Errorf("Place(%d) = %d:%d, want %d:%d", tc.off, l, c, tc.line, tc.col)
		}
	}
	if got := InvalidUTF8(data); got != 7 {
		t.Errorf("InvalidUTF8 = %d, want 7 (the \\xff after é)", got)
	}
	if got := InvalidUTF8([]byte("é")); got != 2 {
		t.Errorf("InvalidUTF8 of valid text = %d, want its length 2", got)
	}
}

func TestOffset(t *testing.T) {
	data := []byte("ab\ncdé\xffg\n")
	for _, tc := range []struct{ line, col, off int }{
		{1, 1, 0}, {1, 3, 2}, {2, 1, 3}, {2, 4, 7}, {2, 99, 9}, {3, 1, 10}, {4, 1, -1},
	} {
		if got := Offset(data, tc.line, tc.col); got != tc.off {
			t.Errorf("Offset(%d, %d) = %d, want %d", tc.line, tc.col, got, tc.off)
		}
	}
}

func TestYAMLError(t *testing.T) {
	for _, tc := range []struct {
		msg  string
		line int
		what string
	}{
		{"yaml: line 12: did not find expected key", 12, "did not find expected key"},
		{"line 5: cannot unmarshal !!str `x` into []string", 5, "cannot unmarshal !!str `x` into []string"},
		{"yaml: invalid leading UTF-8 octet", 0, "invalid leading UTF-8 octet"},
	} {
		if line, what := YAMLError(tc.msg); line != tc.line || what != tc.what {
			t.Errorf("YAMLError(%q) = %d, %q; want %d, %q", tc.msg, line, what, tc.line, tc.what)
		}
	}
}
