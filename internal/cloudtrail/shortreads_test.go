package cloudtrail

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// TestShortReads reads a record with a 1 MiB value one byte per Read, as a
// multipart upload or a slow pipe can deliver it. The record must come out
// whole; a reader that rescanned the value after every short read would not
// finish this in any reasonable time.
func TestShortReads(t *testing.T) {
	val := strings.Repeat("x", 1<<20)
	in := `{"Records":[{"eventSource":"s3.amazonaws.com","eventName":"GetObject","requestParameters":{"key":"` + val + `"}},{"eventSource":"s3.amazonaws.com","eventName":"ListBuckets"}]}`
	r := NewReader(Options{})
	r.Reset(iotest.OneByteReader(bytes.NewReader([]byte(in))), "short.json")
	var sizes []int
	for {
		rec, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, len(rec.Raw))
	}
	if len(sizes) != 2 || sizes[0] < 1<<20 {
		t.Errorf("records of %v bytes, want two, the first over 1 MiB", sizes)
	}
}
