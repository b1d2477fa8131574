package detect

import (
	"bytes"
	"testing"
)

// TestAppendLower compares the word-at-a-time lowering with a plain loop
// over every ASCII byte in every position of a word.
func TestAppendLower(t *testing.T) {
	for c := 0; c < 128; c++ {
		for pos := 0; pos < 11; pos++ {
			src := bytes.Repeat([]byte{'a'}, 11)
			src[pos] = byte(c)
			want := bytes.ToLower(src)
			if got := appendLower(nil, src); !bytes.Equal(got, want) {
				t.Fatalf("appendLower(%q) = %q, want %q", src, got, want)
			}
			if needsLower(src) != !bytes.Equal(src, want) {
				t.Fatalf("needsLower(%q) = %v", src, needsLower(src))
			}
		}
	}
	mixed := []byte("ABCDEFGHÉ\xffIJKLMNOP")
	if got := appendLower(nil, mixed); string(got) != "abcdefghé\xffijklmnop" {
		t.Errorf("appendLower(%q) = %q", mixed, got)
	}
}
