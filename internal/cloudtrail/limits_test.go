package cloudtrail

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

// manyKeys returns a Records file of one record whose requestParameters
// holds n objects of one key each (2n keys in that value).
func manyKeys(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"Records":[{"eventVersion":"1.08","eventName":"X","eventSource":"s3.amazonaws.com","requestParameters":{`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"k%d":{"a":1}`, i)
	}
	b.WriteString(`}}]}`)
	return b.Bytes()
}

// TestIndexLimit checks that a record with more nested members than the
// index lists is still read whole, with its top-level members, and goes
// without an index rather than with a partial one.
func TestIndexLimit(t *testing.T) {
	for _, tc := range []struct {
		n       int
		indexed bool
	}{{10, true}, {maxListed / 2, true}, {maxListed/2 + 1, false}} {
		r := NewReader(Options{})
		r.Reset(bytes.NewReader(manyKeys(tc.n)), "many.json")
		rec, err := r.Next()
		if err != nil {
			t.Fatalf("%d objects: %v", tc.n, err)
		}
		if rec.Top == nil || (rec.Index != nil) != tc.indexed {
			t.Errorf("%d objects: top listed %v, index %v, want index %v", tc.n, rec.Top != nil, rec.Index != nil, tc.indexed)
		}
		if err := checkListed(rec.Raw, 0, rec.Top, rec.Index, 0); err != nil {
			t.Errorf("%d objects: %v", tc.n, err)
		}
	}
}

// TestKeyLimit checks that a record whose open objects hold more keys than
// maxKeys is rejected with that reason, and reading goes on after it; a
// record with as many keys in closed objects is read.
func TestKeyLimit(t *testing.T) {
	r := NewReader(Options{})
	r.Reset(bytes.NewReader(manyKeys(maxKeys/2)), "closed.json") // maxKeys keys, half of them open at most
	if _, err := r.Next(); err != nil {
		t.Fatalf("%d keys, half in closed objects: %v", maxKeys, err)
	}
	var b bytes.Buffer
	b.WriteString(`{"Records":[{"eventName":"X","eventSource":"s3.amazonaws.com","requestParameters":{"big":{`)
	for i := range maxKeys {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"k%d":1`, i)
	}
	b.WriteString(`}}},{"eventName":"Y","eventSource":"s3.amazonaws.com"}]}`)
	data := b.Bytes()
	r.Reset(bytes.NewReader(data), "huge.json")
	_, err := r.Next()
	re, ok := err.(*RecordError)
	if !ok || !strings.HasPrefix(re.Reason, "refused: more than") || !strings.Contains(re.Reason, "keys in open objects") {
		t.Fatalf("first record: %v, want it rejected for its keys", err)
	}
	rec, err := r.Next()
	if err != nil || string(rec.EventName) != "Y" {
		t.Fatalf("second record: %v, %v", rec, err)
	}
	if _, err := r.Next(); err != io.EOF {
		t.Fatalf("after the records: %v, want EOF", err)
	}
}

// TestLoneRecordKeyLimit checks the key limit on a record read on its own
// line, where the reader lists its top-level keys itself: the record is
// refused with that reason and the next line is read.
func TestLoneRecordKeyLimit(t *testing.T) {
	var b bytes.Buffer
	b.WriteString(`{"eventName":"X","eventSource":"s3.amazonaws.com"}` + "\n")
	b.WriteString(`{"eventName":"X"`)
	for i := range maxKeys {
		fmt.Fprintf(&b, `,"k%d":1`, i)
	}
	b.WriteString("}\n" + `{"eventName":"Y","eventSource":"s3.amazonaws.com"}` + "\n")
	res := read(t, bytes.NewReader(b.Bytes()), "lines.json", Options{})
	if res.err != nil || len(res.raws) != 2 || len(res.rejects) != 1 {
		t.Fatalf("%d records, %d rejected, error %v; want 2, 1, none", len(res.raws), len(res.rejects), res.err)
	}
	if r := res.rejects[0].Reason; !strings.HasPrefix(r, "refused: more than") {
		t.Errorf("reason %q, want the key limit, not invalid JSON", r)
	}
}

// TestArrayObjectsNotListed checks that objects inside arrays, which no
// member can name, take no room in the index.
func TestArrayObjectsNotListed(t *testing.T) {
	top, idx, ok := Listed([]byte(`{"r":[{"a":1},[{"b":{"c":2}}]],"u":{"t":{"x":1}}}`))
	if !ok || idx == nil {
		t.Fatal("not listed")
	}
	if len(idx.Objects) != 2 || len(idx.Members) != 2 {
		t.Errorf("index holds %d objects and %d members, want u and u.t only: %+v", len(idx.Objects), len(idx.Members), idx)
	}
	if top[0].Obj != 0 || top[1].Obj == 0 {
		t.Errorf("top members name objects %d and %d, want 0 and u's", top[0].Obj, top[1].Obj)
	}
}

// TestMaxInputBytes checks that an input of exactly MaxInputBytes is read
// in full, and that input longer than it ends the file with
// ErrInputTooLarge after the records before the limit.
func TestMaxInputBytes(t *testing.T) {
	in := strings.Repeat(recA+"\n", 100)
	for _, size := range []int{0, 5} {
		res := read(t, strings.NewReader(in), "in", Options{BufferSize: size, MaxInputBytes: int64(len(in))})
		if len(res.raws) != 100 || res.err != nil {
			t.Errorf("buffer %d, exactly at the limit: %d records, %v", size, len(res.raws), res.err)
		}
		// Two bytes short: the last record loses its closing brace.
		res = read(t, strings.NewReader(in), "in", Options{BufferSize: size, MaxInputBytes: int64(len(in) - 2)})
		if len(res.raws) != 99 || !errors.Is(res.err, ErrInputTooLarge) || res.stats.Bytes != int64(len(in)-2) {
			t.Errorf("buffer %d, one byte over: %d records, %d bytes, %v", size, len(res.raws), res.stats.Bytes, res.err)
		}
	}
	// The message says the limit is on the decompressed size, in its unit.
	for limit, want := range map[int64]string{1 << 30: "more than 1 GiB once decompressed", 3 << 20: "more than 3 MiB once decompressed",
		1000: "more than 1000 bytes once decompressed"} {
		if got := fmt.Sprintf("more than %s once decompressed", sizeText(limit)); got != want {
			t.Errorf("limit %d: %q, want %q", limit, got, want)
		}
	}
	res := read(t, strings.NewReader(in), "in", Options{MaxInputBytes: 1 << 10})
	if res.err == nil || !strings.Contains(res.err.Error(), "more than 1024 bytes once decompressed; the rest is not read") {
		t.Errorf("error %v does not say the limit is on the decompressed size", res.err)
	}
}

// TestMaxTotalInputBytes checks that MaxTotalInputBytes bounds the inputs
// of one Reader together: each input gets what those before it left, the
// one that reaches the bound ends with ErrInputTooLarge after the records
// before it and says the bound is shared, and those after it give nothing.
func TestMaxTotalInputBytes(t *testing.T) {
	in := strings.Repeat(recA+"\n", 10)
	n := int64(len(in))
	for _, tc := range []struct {
		name    string
		total   int64
		perFile int64
		records []int // per input
		cut     []bool
	}{
		{"room for all", 3 * n, 0, []int{10, 10, 10}, []bool{false, false, false}},
		{"the second reaches it", n + n/2, 0, []int{10, 5, 0}, []bool{false, true, true}},
		{"the per-input bound comes first", 3 * n, n - 2, []int{9, 9, 9}, []bool{true, true, true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := NewReader(Options{MaxTotalInputBytes: tc.total, MaxInputBytes: tc.perFile})
			for i := range tc.records {
				name := fmt.Sprintf("in%d", i)
				r.Reset(strings.NewReader(in), name)
				recs, err := 0, error(nil)
				for {
					_, e := r.Next()
					if e != nil {
						if !errors.Is(e, io.EOF) {
							err = e
						}
						break
					}
					recs++
				}
				if recs != tc.records[i] || errors.Is(err, ErrInputTooLarge) != tc.cut[i] {
					t.Errorf("%s: %d records, %v; want %d, cut %v", name, recs, err, tc.records[i], tc.cut[i])
				}
				shared := err != nil && strings.Contains(err.Error(), "inputs read so far are more than")
				if tc.cut[i] && shared != (tc.perFile == 0) {
					t.Errorf("%s: %v: says the bound is shared: %v", name, err, shared)
				}
			}
		})
	}
}
