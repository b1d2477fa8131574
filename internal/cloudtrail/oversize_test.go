package cloudtrail

import (
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"
)

// testCap is the MaxValueSize of the oversize tests, small so that their
// inputs stay small.
const testCap = 1024

// TestTooLarge checks that a record over MaxValueSize is rejected on its
// own, with its position and size, and that reading goes on after it in
// every container.
func TestTooLarge(t *testing.T) {
	x := strings.Repeat("x", 5000)
	big := `{"eventName":"` + x + `"}`
	deep := `{"eventName":"deep","a":` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `}`
	envelope := `{"detail-type":"x","source":"aws.s3","detail":` + big + "}"
	tricky := `{"eventName":"` + strings.Repeat(`\\\"}],{[\u0022`, 300) + `"}`
	tests := []struct {
		name     string
		in       string
		names    []string // eventName of each record produced
		rejected []string // substrings of each rejection reason, in order
		rejAt    []string // each rejected record starts where this first occurs in in
		rejLines []int64
		skipped  int64
		err      error
	}{
		{name: "records", in: `{"Records":[` + recA + "," + big + "," + recB + `]}`, names: []string{"A", "B"},
			rejected: []string{"record of 5016 bytes is larger than the limit of 1024 bytes"}, rejAt: []string{big}, rejLines: []int64{1}},
		{name: "array", in: "[\n" + recA + ",\n" + big + " ,\n" + recB + "\n]", names: []string{"A", "B"},
			rejected: []string{"record of 5016 bytes"}, rejAt: []string{big}, rejLines: []int64{3}},
		{name: "ndjson", in: recA + "\n" + big + "\n" + recB + "\n", names: []string{"A", "B"},
			rejected: []string{"record of 5016 bytes"}, rejAt: []string{big}, rejLines: []int64{2}},
		{name: "ndjson first", in: big + "\n" + recA, names: []string{"A"},
			rejected: []string{"record of 5016 bytes"}, rejAt: []string{big}, rejLines: []int64{1}},
		{name: "ndjson last", in: recA + "\n\n" + big, names: []string{"A"},
			rejected: []string{"record of 5016 bytes"}, rejAt: []string{big}, rejLines: []int64{3}},
		{name: "ndjson two in a row", in: recA + "\n" + big + "\n" + big + "\n" + recB, names: []string{"A", "B"},
			rejected: []string{"5016 bytes", "5016 bytes"}, rejLines: []int64{2, 3}},
		{name: "deep", in: `{"Records":[` + recA + "," + deep + "," + recB + `]}`, names: []string{"A", "B"},
			rejected: []string{fmt.Sprintf("record of %d bytes", len(deep))}, rejAt: []string{deep}},
		{name: "escapes and brackets in strings", in: "[" + recA + "," + tricky + "," + recB + "]", names: []string{"A", "B"},
			rejected: []string{fmt.Sprintf("record of %d bytes", len(tricky))}, rejAt: []string{tricky}},
		{name: "string item", in: "[" + recA + `,"` + x + `",` + recB + "]", names: []string{"A", "B"},
			rejected: []string{"record of 5002 bytes"}, rejAt: []string{`"x`}},
		{name: "number item", in: "[" + recA + ",1" + strings.Repeat("0", 5000) + "," + recB + "]", names: []string{"A", "B"},
			rejected: []string{"record of 5001 bytes"}, rejAt: []string{"10"}},
		{name: "invalid item", in: "[" + recA + `,{"eventName":"x" "y":"` + x + `"},` + recB + "]", names: []string{"A", "B"},
			rejected: []string{"invalid JSON: ',' or '}' expected in object"}, rejAt: []string{`{"eventName":"x" "y"`}},
		{name: "lookup", in: `{"Events":[{"CloudTrailEvent":` + quote(big) + `},{"CloudTrailEvent":` + quote(recB) + `}]}`,
			names: []string{"B"}, rejected: []string{"larger than the limit"}, rejAt: []string{`{"CloudTrailEvent"`}},
		{name: "eventbridge", in: envelope + "\n" + recA, names: []string{"A"},
			rejected: []string{fmt.Sprintf("record of %d bytes", len(envelope))}, rejLines: []int64{1}},
		{name: "cloudwatch control message", in: `{"messageType":"CONTROL_MESSAGE","logEvents":[{"id":"1","message":"` + x +
			`"},{"id":"2","message":"x"}]}`, skipped: 2},
		{name: "cloudwatch control message after a large member", in: `{"messageType":"CONTROL_MESSAGE","pad":"` + x +
			`","logEvents":[{"id":"1","message":"x"}]}`, skipped: 1},
		{name: "large member before records", in: `{"pad":"` + x + `","Records":[` + recA + "," + recB + "]}", names: []string{"A", "B"}},
		{name: "large member after records", in: `{"Records":[` + recA + `],"pad":[{"a":"` + x + `"}]}`, names: []string{"A"}},
		{name: "large key", in: `{"` + x + `":1,"eventName":"x"}` + "\n" + recB, names: []string{"B"},
			rejected: []string{"record of 5022 bytes"}, rejLines: []int64{1}},
		{name: "large line with a string left open", in: recA + "\n" + `{"eventName":"` + x + "\n" + recB, names: []string{"A", "B"},
			rejected: []string{"invalid JSON: control character in string"}, rejLines: []int64{2}},
		// A large line that leaves a bracket open costs that line only.
		{name: "large line with a bracket left open", in: recA + "\n" + `{"eventName":["` + x + `"` + "\n" + recB, names: []string{"A", "B"},
			rejected: []string{"object still open at end of input"}, rejLines: []int64{2}},
		{name: "truncated in a large item", in: `{"Records":[` + recA + "," + big[:3000], names: []string{"A"}, err: ErrTruncated},
		// In an array of records, a large item that is not valid JSON but
		// whose brackets balance costs itself only, as a small one does.
		{name: "control character in a large item", in: `{"Records":[` + recA + `,{"eventName":"` + x + "\n\"}," + recB + "]}",
			names: []string{"A", "B"}, rejected: []string{"larger than the limit"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, opts := range []Options{{BufferSize: 64, MaxValueSize: testCap}, {MaxValueSize: testCap}, {BufferSize: 5, MaxValueSize: testCap}} {
				res := read(t, strings.NewReader(tt.in), "in", opts)
				if !errors.Is(res.err, tt.err) || (tt.err == nil) != (res.err == nil) {
					t.Fatalf("error = %v, want %v", res.err, tt.err)
				}
				if names := eventNames(t, res.raws); fmt.Sprint(names) != fmt.Sprint(tt.names) {
					t.Errorf("records %v, want %v", names, tt.names)
				}
				if res.stats.Skipped != tt.skipped {
					t.Errorf("skipped %d, want %d", res.stats.Skipped, tt.skipped)
				}
				if len(res.rejects) != len(tt.rejected) {
					t.Fatalf("rejects %v, want %d", res.rejects, len(tt.rejected))
				}
				for i, re := range res.rejects {
					if !strings.Contains(re.Reason, tt.rejected[i]) {
						t.Errorf("reject %d: %q does not say %q", i, re.Reason, tt.rejected[i])
					}
					if tt.rejAt != nil && re.Pos.Offset != int64(strings.Index(tt.in, tt.rejAt[i])) {
						t.Errorf("reject %d at offset %d, want %d", i, re.Pos.Offset, strings.Index(tt.in, tt.rejAt[i]))
					}
					if tt.rejLines != nil && re.Pos.Line != tt.rejLines[i] {
						t.Errorf("reject %d at line %d, want %d", i, re.Pos.Line, tt.rejLines[i])
					}
					if re.Pos.File != "in" || re.Pos.Ordinal == 0 {
						t.Errorf("reject %d: position %+v", i, re.Pos)
					}
				}
			}
		})
	}
}

// repeatReader streams head, n copies of body, then tail, without
// allocating, so that a test can measure the reader's allocations alone.
type repeatReader struct {
	head, body, tail []byte
	n                int
	part             []byte
}

func (s *repeatReader) Read(p []byte) (int, error) {
	for len(s.part) == 0 {
		switch {
		case s.head != nil:
			s.part, s.head = s.head, nil
		case s.n > 0:
			s.part = s.body
			s.n--
		case s.tail != nil:
			s.part, s.tail = s.tail, nil
		default:
			return 0, io.EOF
		}
	}
	n := copy(p, s.part)
	s.part = s.part[n:]
	return n, nil
}

// TestTooLargeMemoryFlat skips 40 MB of records 16 times over the limit,
// deeply nested or one long string, and checks that the records between
// them are read while the reader's buffer and allocations stay small.
func TestTooLargeMemoryFlat(t *testing.T) {
	const limit, n = 4096, 300
	deep := `{"eventName":"deep","a":` + strings.Repeat("[", 1<<15) + strings.Repeat("]", 1<<15) + `}`
	long := `{"eventName":"long","a":"` + strings.Repeat(`x\"`, 1<<15) + `"}`
	for _, c := range []struct {
		name, open, sep, close string
	}{
		{"records", `{"Records":[`, ",", "]}"},
		{"array", "[", ",\n", "]"},
		{"ndjson", "", "\n", "\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			src := &repeatReader{head: []byte(c.open + recA), body: []byte(c.sep + deep + c.sep + recA + c.sep + long + c.sep + recB),
				tail: []byte(c.close), n: n}
			r := NewReader(Options{BufferSize: 1024, MaxValueSize: limit})
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			r.Reset(src, c.name)
			var produced, rejected int
			for {
				_, err := r.Next()
				var re *RecordError
				if errors.As(err, &re) {
					rejected++
					continue
				}
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				produced++
			}
			runtime.ReadMemStats(&after)
			st := r.Stats()
			if produced != 2*n+1 || rejected != 2*n || st.Bytes < int64(n*(len(deep)+len(long))) {
				t.Errorf("%d records and %d rejected in %d bytes, want %d and %d", produced, rejected, st.Bytes, 2*n+1, 2*n)
			}
			if len(r.buf) > limit {
				t.Errorf("buffer grew to %d bytes, limit %d", len(r.buf), limit)
			}
			// Holding each large record would allocate 64 KB for every one of
			// them; what is left is the buffers (the scanner's stack grows with
			// the nesting it sees, up to the limit) and the rejections.
			if got := after.TotalAlloc - before.TotalAlloc; got > 1<<20 {
				t.Errorf("allocated %d bytes to read %d", got, st.Bytes)
			}
		})
	}
}

// TestLargeDigest checks that a digest too large to hold (a busy trail's
// hour of log files) is still recognised, by its keys before the list,
// and set aside rather than rejected as a record too large.
func TestLargeDigest(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"awsAccountId":"111111111111","digestStartTime":"2026-03-01T09:00:00Z","digestEndTime":"2026-03-01T10:00:00Z",` +
		`"digestS3Bucket":"b","digestS3Object":"AWSLogs/111111111111/CloudTrail-Digest/x.json.gz","logFiles":[`)
	for i := range 2000 {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"s3Bucket":"b","s3Object":"AWSLogs/111111111111/CloudTrail/eu-west-1/2026/03/01/f%d.json.gz","hashValue":"00","hashAlgorithm":"SHA-256","newestEventTime":"2026-03-01T09:59:00Z","oldestEventTime":"2026-03-01T09:00:10Z"}`, i)
	}
	b.WriteString("]}\n")
	for _, o := range []Options{{MaxValueSize: 64 << 10}, {MaxValueSize: 64 << 10, BufferSize: 7}} {
		res := read(t, strings.NewReader(b.String()), "digest.json", o)
		if !errors.Is(res.err, ErrDigest) || len(res.raws) != 0 || len(res.rejects) != 0 {
			t.Errorf("%+v: %d records, %d rejected, %v; want the digest set aside", o, len(res.raws), len(res.rejects), res.err)
		}
	}
}

// TestDigestKeysWithMore checks that an object with digest keys is set
// aside as a digest only when nothing follows it: records after it, after
// many blanks, in a container, or after it too large to hold, are read.
func TestDigestKeysWithMore(t *testing.T) {
	rec := `{"eventVersion":"1.08","eventName":"A","eventSource":"s3.amazonaws.com"}`
	big := `{"digestS3Bucket":"x","pad":"` + strings.Repeat("A", 100<<10) + `"}`
	for _, tt := range []struct {
		name, in string
		reason   string
	}{
		{"too large, then a record", big + "\n" + rec + "\n", "larger than the limit"},
		{"many blanks, then a record", `{"digestS3Bucket":"x"}` + strings.Repeat(" ", 1100) + "\n" + rec + "\n", "digest object followed by more values"},
		{"then a container", `{"digestS3Object":"x"}` + "\n" + `{"Records":[` + rec + `]}`, "digest object followed by more values"},
		{"too large, then a container", big + "\n" + `{"Records":[` + rec + `]}`, "larger than the limit"},
	} {
		for _, o := range []Options{{MaxValueSize: 64 << 10}, {MaxValueSize: 64 << 10, BufferSize: 7}} {
			res := read(t, strings.NewReader(tt.in), "in", o)
			if len(res.raws) != 1 || len(res.rejects) != 1 || !strings.Contains(res.rejects[0].Reason, tt.reason) || res.err != nil {
				t.Errorf("%s, %+v: %d records, rejections %v, %v; want the record, and the first value rejected", tt.name, o, len(res.raws), res.rejects, res.err)
			}
		}
	}
}

// TestDigestThenBlanks checks that a digest followed by nothing but blanks
// and byte order marks, more of them than the buffer holds, is still set
// aside: they are passed over without being held.
func TestDigestThenBlanks(t *testing.T) {
	digest := `{"awsAccountId":"111111111111","digestStartTime":"2026-03-01T09:00:00Z","digestS3Object":"x","logFiles":[]}`
	for _, tail := range []string{strings.Repeat(" ", 200<<10), "\n\xef\xbb\xbf\n", strings.Repeat("\n", 100<<10) + "\xef\xbb\xbf"} {
		for _, o := range []Options{{MaxValueSize: 64 << 10}, {MaxValueSize: 64 << 10, BufferSize: 7}} {
			res := read(t, strings.NewReader(digest+tail), "digest.json", o)
			if !errors.Is(res.err, ErrDigest) || len(res.raws) != 0 || len(res.rejects) != 0 {
				t.Errorf("%d bytes after, %+v: %d records, %d rejected, %v; want the digest set aside", len(tail), o, len(res.raws), len(res.rejects), res.err)
			}
			var fe *FileError
			if errors.As(res.err, &fe) && fe.Pos.Line != 1 {
				t.Errorf("%d bytes after, %+v: digest at line %d, want 1", len(tail), o, fe.Pos.Line)
			}
		}
	}
}

// TestTooMuchSpaceBetweenItems checks that white space between the items
// of a container, past what the buffer may hold, is named as such when the
// file fails there: no value is too large.
func TestTooMuchSpaceBetweenItems(t *testing.T) {
	in := `{"Records":[` + recA + "," + strings.Repeat(" ", 4096) + recB + `]}`
	res := read(t, strings.NewReader(in), "spaced.json", Options{MaxValueSize: 1024, BufferSize: 256})
	if res.err == nil || !strings.Contains(res.err.Error(), "bytes of white space between values") {
		t.Errorf("error %v, want one naming the white space", res.err)
	}
	if len(res.raws) != 1 {
		t.Errorf("%d records before the space, want 1", len(res.raws))
	}
}
