package cloudtrail

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ttcproject/ttc/internal/jsonscan"
)

// result is everything a reader reported for one input.
type result struct {
	raws    [][]byte
	kinds   []Kind
	shapes  []Shape
	pos     []Position
	rejects []*RecordError
	err     error
	stats   Stats
	listed  int   // records whose Top was set (and checked)
	steps   int64 // the reader's work count (Reader.steps)
}

func read(t testing.TB, src io.Reader, name string, opts Options) result {
	t.Helper()
	r := NewReader(opts)
	r.Reset(src, name)
	var res result
	var ordinal int64 // records and rejections are numbered 1, 2, … in the order they come
	for {
		rec, err := r.Next()
		var re *RecordError
		switch {
		case errors.As(err, &re):
			if ordinal++; re.Pos.Ordinal != ordinal || re.Pos.File != name || re.Pos.Line < 1 || re.Reason == "" {
				t.Fatalf("%s: rejection %d: %v", name, ordinal, re)
			}
			res.rejects = append(res.rejects, re)
			continue
		case err == io.EOF:
		case err != nil:
			res.err = err
		default:
			if ordinal++; rec.Pos.Ordinal != ordinal {
				t.Fatalf("%s: record %d comes with ordinal %d", name, ordinal, rec.Pos.Ordinal)
			}
			if rec.Top != nil {
				if err := checkListed(rec.Raw, 0, rec.Top, rec.Index, 0); err != nil {
					t.Fatalf("%s: record %d: %v", name, rec.Pos.Ordinal, err)
				}
				res.listed++
			}
			checkFields(t, name, rec)
			res.raws = append(res.raws, bytes.Clone(rec.Raw))
			res.kinds = append(res.kinds, rec.Kind)
			res.shapes = append(res.shapes, rec.Shape)
			res.pos = append(res.pos, rec.Pos)
			continue
		}
		break
	}
	res.stats, res.steps = r.Stats(), r.steps
	if s := res.stats; s.Read != s.Produced+s.Rejected || int(s.Produced) != len(res.raws) || int(s.Rejected) != len(res.rejects) {
		t.Fatalf("%s: accounting broken: %+v, %d records, %d rejects", name, s, len(res.raws), len(res.rejects))
	}
	return res
}

// readBothBuffers reads in with the default buffer and with one of 5
// bytes, fails the test at once when reading does not end in the error
// want (nil for none), and hands each result to check.
func readBothBuffers(t *testing.T, in string, want error, check func(Options, result)) {
	t.Helper()
	for _, opts := range []Options{{}, {BufferSize: 5}} {
		res := read(t, strings.NewReader(in), "in", opts)
		if !errors.Is(res.err, want) || (want == nil) != (res.err == nil) {
			t.Fatalf("error = %v, want %v", res.err, want)
		}
		check(opts, res)
	}
}

// checkListed checks members, listed by the reader for the object at
// raw[at:] (offsets into raw), against a separate walk of it, and
// the objects the index lists inside it, at every depth: each member whose
// value is a non-empty object must name its listing when idx is set.
func checkListed(raw []byte, at int, members []jsonscan.Member, idx *jsonscan.Index, depth int) error {
	end := jsonscan.ValueEnd(raw, at)
	if end < 0 {
		return fmt.Errorf("no value at %d", at)
	}
	want, ok := jsonscan.AppendMembers(nil, raw[at:end])
	if !ok {
		return fmt.Errorf("no object at %d", at)
	}
	for i := range want {
		w := &want[i]
		w.KStart, w.KEnd, w.VStart, w.VEnd = w.KStart+at, w.KEnd+at, w.VStart+at, w.VEnd+at
	}
	plain := make([]jsonscan.Member, len(members))
	for i, m := range members {
		m.Obj = 0
		plain[i] = m
	}
	if !slices.Equal(plain, want) {
		return fmt.Errorf("object at %d: listed %+v, its members are %+v", at, members, want)
	}
	if idx == nil {
		for _, m := range members {
			if m.Obj != 0 {
				return fmt.Errorf("value at %d names object %d of an index there is not", m.VStart, m.Obj)
			}
		}
		return nil
	}
	for _, m := range members {
		v := raw[m.VStart:m.VEnd]
		nested := v[0] == '{' && len(bytes.TrimSpace(v[1:len(v)-1])) > 0
		switch {
		case nested && m.Obj == 0:
			return fmt.Errorf("object at %d (depth %d) is not listed", m.VStart, depth+1)
		case !nested && m.Obj != 0:
			return fmt.Errorf("value at %d (depth %d) is listed as object %d", m.VStart, depth+1, m.Obj)
		case nested:
			if err := checkListed(raw, m.VStart, idx.Of(m.Obj), idx, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkFields checks a record's shortcut fields against its own top-level
// eventSource and eventName members (keys compared decoded).
func checkFields(t testing.TB, name string, rec *Record) {
	t.Helper()
	members, ok := jsonscan.AppendMembers(nil, rec.Raw)
	if !ok {
		t.Fatalf("%s: record %d is not one object: %s", name, rec.Pos.Ordinal, rec.Raw)
	}
	for _, f := range []struct {
		key string
		got []byte
	}{{"eventSource", rec.EventSource}, {"eventName", rec.EventName}} {
		var want []byte
		for _, m := range members {
			k := jsonscan.DecodeString(nil, rec.Raw[m.KStart:m.KEnd])
			if string(k) == f.key && rec.Raw[m.VStart] == '"' {
				want = rec.Raw[m.VStart+1 : m.VEnd-1]
				break
			}
		}
		if !bytes.Equal(f.got, want) || (f.got == nil) != (want == nil) {
			t.Fatalf("%s: record %d: %s = %q, want %q", name, rec.Pos.Ordinal, f.key, f.got, want)
		}
	}
}

func readFile(t testing.TB, path string, opts Options) result {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return read(t, f, filepath.Base(path), opts)
}

func gz(t testing.TB, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// eventNames decodes each raw record with encoding/json and lists its eventName.
func eventNames(t testing.TB, raws [][]byte) []string {
	t.Helper()
	var names []string
	for _, raw := range raws {
		var rec struct{ EventName string }
		if err := json.Unmarshal(raw, &rec); err != nil {
			t.Fatalf("record is not valid JSON: %v: %s", err, raw)
		}
		names = append(names, rec.EventName)
	}
	return names
}

// eventIDs decodes each raw record with encoding/json and lists its eventID.
func eventIDs(t testing.TB, raws [][]byte) []string {
	t.Helper()
	var ids []string
	for _, raw := range raws {
		var rec struct{ EventID string }
		if err := json.Unmarshal(raw, &rec); err != nil {
			t.Fatalf("record is not valid JSON: %v: %s", err, raw)
		}
		ids = append(ids, rec.EventID)
	}
	return ids
}

var threeIDs = []string{
	"00000000-0000-4000-8000-000000000001",
	"00000000-0000-4000-8000-000000000002",
	"00000000-0000-4000-8000-000000000003",
}

func TestShapes(t *testing.T) {
	tests := []struct {
		file    string
		ids     []string
		shape   Shape // shape of every record
		shapes  Shape // shapes of the file
		skipped int64
		kind    Kind
		err     error
	}{
		{file: "records.json", ids: threeIDs, shape: ShapeRecords, shapes: ShapeRecords},
		{file: "records-pretty.json", ids: threeIDs, shape: ShapeRecords, shapes: ShapeRecords},
		{file: "array.json", ids: threeIDs, shape: ShapeArray, shapes: ShapeArray},
		{file: "lines.jsonl", ids: threeIDs, shape: ShapeObjects, shapes: ShapeObjects},
		{file: "single.json", ids: threeIDs[2:], shape: ShapeObjects, shapes: ShapeObjects},
		{file: "eventbridge.jsonl", ids: threeIDs, shape: ShapeEventBridge, shapes: ShapeObjects | ShapeEventBridge},
		{file: "eventbridge-array.json", ids: threeIDs, shape: ShapeEventBridge, shapes: ShapeArray | ShapeEventBridge},
		{file: "cloudwatch.json", ids: threeIDs, shape: ShapeCloudWatch, shapes: ShapeCloudWatch},
		{file: "cloudwatch-filter.json", ids: threeIDs, shape: ShapeCloudWatch, shapes: ShapeCloudWatch},
		{file: "cloudwatch-control.json", skipped: 1},
		{file: "lookup.json", ids: threeIDs, shape: ShapeLookup, shapes: ShapeLookup},
		{file: "insight.json", ids: []string{"00000000-0000-4000-8000-0000000000a1"}, shape: ShapeRecords,
			shapes: ShapeRecords, kind: KindInsight},
		{file: "digest.json", shapes: ShapeDigest, err: ErrDigest},
	}
	for _, tt := range tests {
		data, err := os.ReadFile(filepath.Join("testdata", tt.file))
		if err != nil {
			t.Fatal(err)
		}
		for _, variant := range []struct {
			name  string
			data  []byte
			extra Shape
			opts  Options
		}{
			{"plain", data, 0, Options{}},
			{"tiny-buffer", data, 0, Options{BufferSize: 7}},
			{"gzip", gz(t, data), ShapeGzip, Options{}},
			{"gzip-std", gz(t, data), ShapeGzip, Options{Gzip: GzipStd}},
		} {
			t.Run(tt.file+"/"+variant.name, func(t *testing.T) {
				res := read(t, bytes.NewReader(variant.data), tt.file, variant.opts)
				if !errors.Is(res.err, tt.err) {
					t.Fatalf("error = %v, want %v", res.err, tt.err)
				}
				if got := strings.Join(eventIDs(t, res.raws), ","); got != strings.Join(tt.ids, ",") {
					t.Errorf("eventIDs = %s, want %s", got, strings.Join(tt.ids, ","))
				}
				if len(res.rejects) != 0 {
					t.Errorf("rejects: %v", res.rejects)
				}
				// Every shape lists its records' members (read checks them).
				if variant.opts.BufferSize == 0 && res.listed != len(res.raws) {
					t.Errorf("%d of %d records list their members", res.listed, len(res.raws))
				}
				for i := range res.raws {
					if res.shapes[i] != tt.shape || res.kinds[i] != tt.kind {
						t.Errorf("record %d: shape %s kind %s, want %s %s", i, res.shapes[i], res.kinds[i], tt.shape, tt.kind)
					}
				}
				if want := tt.shapes | variant.extra; res.stats.Shapes != want {
					t.Errorf("file shapes = %s, want %s", res.stats.Shapes, want)
				}
				if res.stats.Skipped != tt.skipped {
					t.Errorf("skipped = %d, want %d", res.stats.Skipped, tt.skipped)
				}
				if res.stats.Bytes != int64(len(data)) {
					t.Errorf("bytes = %d, want %d", res.stats.Bytes, len(data))
				}
			})
		}
	}
}

// TestRecordFields checks the shortcut fields and that string containers are
// decoded exactly.
func TestRecordFields(t *testing.T) {
	for _, file := range []string{"records.json", "lookup.json", "cloudwatch.json", "eventbridge.jsonl"} {
		t.Run(file, func(t *testing.T) {
			f, err := os.Open(filepath.Join("testdata", file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			r := NewReader(Options{})
			r.Reset(f, file)
			var got []string
			for {
				rec, err := r.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				var want struct{ EventSource, EventName, UserAgent string }
				if err := json.Unmarshal(rec.Raw, &want); err != nil {
					t.Fatal(err)
				}
				if string(rec.EventSource) != want.EventSource || string(rec.EventName) != want.EventName {
					t.Errorf("fields %q %q, want %q %q", rec.EventSource, rec.EventName, want.EventSource, want.EventName)
				}
				got = append(got, want.UserAgent)
			}
			if want := `Boto3/1.34.0 "quoted" \ backé`; len(got) != 3 || got[1] != want {
				t.Errorf("user agents %q, want second %q", got, want)
			}
		})
	}
}

// wantRejects checks that the rejections say, in order, what want lists.
func wantRejects(t *testing.T, got []*RecordError, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("rejects %v, want %d", got, len(want))
	}
	for i, re := range got {
		if !strings.Contains(re.Reason, want[i]) {
			t.Errorf("reject %d: %q does not say %q", i, re.Reason, want[i])
		}
	}
}

// TestStatsBytesWhileReading checks that Stats counts the bytes read while
// a file is being read, not only at its end: progress reports use it.
func TestStatsBytesWhileReading(t *testing.T) {
	in := strings.Repeat(recA+"\n", 10000)
	r := NewReader(Options{BufferSize: 4096})
	r.Reset(strings.NewReader(in), "in")
	for range 5000 {
		if _, err := r.Next(); err != nil {
			t.Fatal(err)
		}
	}
	if b := r.Stats().Bytes; b < int64(len(in)/2) || b >= int64(len(in)) {
		t.Errorf("after half the records, %d bytes counted of %d", b, len(in))
	}
}
