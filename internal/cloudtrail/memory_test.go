package cloudtrail

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

// recordStream produces n copies of a record in a container without
// holding them: {"Records":[rec,rec,…]}, a bare array, or NDJSON.
type recordStream struct {
	open, sep, close string
	rec              string
	n, done          int
	pending          []byte
}

func (s *recordStream) Read(p []byte) (int, error) {
	for len(s.pending) == 0 {
		switch {
		case s.done == 0 && s.open != "":
			s.pending = []byte(s.open + s.rec)
			s.done++
		case s.done == 0:
			s.pending = []byte(s.rec)
			s.done++
		case s.done < s.n:
			s.pending = []byte(s.sep + s.rec)
			s.done++
		case s.done == s.n:
			s.pending = []byte(s.close)
			s.done++
		default:
			return 0, io.EOF
		}
	}
	n := copy(p, s.pending)
	s.pending = s.pending[n:]
	return n, nil
}

// TestMemoryFlat reads about 100 MB per container shape and checks that the
// buffer never grows past its first size.
func TestMemoryFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 300 MB")
	}
	rec := `{"eventName":"GetObject","eventSource":"s3.amazonaws.com","requestParameters":{"key":"` +
		string(make([]byte, 0)) + `a/b/c.parquet"},"pad":"` + string(repeat('x', 900)) + `"}`
	n := 100 << 20 / len(rec)
	for _, s := range []*recordStream{
		{open: `{"Records":[`, sep: ",", close: "]}"},
		{open: "[", sep: ",\n", close: "]"},
		{sep: "\n", close: "\n"},
	} {
		s.rec, s.n = rec, n
		r := NewReader(Options{BufferSize: 64 << 10})
		r.Reset(s, "stream")
		readAll(t, r)
		if st := r.Stats(); st.Produced != int64(n) || len(r.buf) != 64<<10 {
			t.Errorf("%q: %d records of %d, buffer %d bytes", s.open, st.Produced, n, len(r.buf))
		}
	}
}

// TestDamageDepthFlat checks that a damaged item of millions of open
// brackets is followed in flat memory: its stack holds no more than
// maxDepth kinds, and the brackets past them still count, so that the
// item ends where they all close.
func TestDamageDepthFlat(t *testing.T) {
	const depth = 4 << 20
	for _, tt := range []struct {
		name, in string
		records  int64 // read in all
	}{
		{"unclosed", `{"Records":[` + string(repeat('[', depth)), 0},
		{"closed", `{"Records":[` + string(repeat('[', depth)) + string(repeat(']', depth)) + `,` + recA + `]}`, 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := NewReader(Options{BufferSize: 64 << 10})
			r.Reset(strings.NewReader(tt.in), "deep")
			var re *RecordError
			for {
				if _, err := r.Next(); err != nil && !errors.As(err, &re) {
					break
				}
			}
			if cap(r.stack) > 2*maxDepth {
				t.Errorf("stack grew to %d slots", cap(r.stack))
			}
			if st := r.Stats(); st.Read != tt.records {
				t.Errorf("read %d records, want %d (rejected %d)", st.Read, tt.records, st.Rejected)
			}
		})
	}
}

func repeat(c byte, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = c
	}
	return b
}

// TestResetLetsGo checks that the slots grown for a record with many
// members, lone or in a container, are let go by the next Reset.
func TestResetLetsGo(t *testing.T) {
	const members = 4 * maxKeptKeys
	var rec []byte
	rec = append(rec, `{"eventName":"x"`...)
	for i := range members {
		rec = fmt.Appendf(rec, `,"k%d":1`, i)
	}
	rec = append(rec, '}')
	tests := []struct{ name, in string }{
		{"lone", string(rec)},
		{"records", `{"Records":[` + string(rec) + `]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewReader(Options{})
			r.Reset(strings.NewReader(tt.in), "big")
			readAll(t, r)
			grown := max(cap(r.objMembers), cap(r.sc.members))
			if grown < members {
				t.Fatalf("no slots grown: %d", grown)
			}
			r.Reset(strings.NewReader(recA), "small")
			if _, err := r.Next(); err != nil {
				t.Fatal(err)
			}
			slots := map[string]int{"objMembers": cap(r.objMembers), "sc.members": cap(r.sc.members),
				"objKeys": cap(r.objKeys), "sc.keys": cap(r.sc.keys), "sc.top": cap(r.sc.top)}
			for name, n := range slots {
				if n > maxKeptKeys {
					t.Errorf("%s keeps %d slots after Reset", name, n)
				}
			}
		})
	}
}

// readAll reads r to its end, failing on any error.
func readAll(t *testing.T, r *Reader) {
	t.Helper()
	for {
		_, err := r.Next()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}
