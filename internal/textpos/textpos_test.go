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
