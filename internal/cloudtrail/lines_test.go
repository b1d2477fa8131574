package cloudtrail

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// TestLineStream checks that in one record per line a line that is no
// record costs that line only, the first line included when a record
// follows it, while a file that is no line stream of records still fails
// as a whole.
func TestLineStream(t *testing.T) {
	const stamp = "2026-03-01T10:00:00.000Z "
	pkg := "{\n  \"name\": \"tool\",\n  \"version\": \"1.0.0\",\n  \"dependencies\": {}\n}\n"
	tests := []struct {
		name     string
		in       string
		names    []string // eventName of each record produced
		rejected []string // substrings of each rejection reason, in order
		rejLines []int64
		err      error
		errLine  int64 // line of a file error before any record, 1 when 0
	}{
		{name: "empty object first", in: "{}\n" + recA + "\n" + recB + "\n", names: []string{"A", "B"},
			rejected: []string{"object without CloudTrail record fields"}, rejLines: []int64{1}},
		{name: "other object first", in: `{"foo":1}` + "\n" + recA, names: []string{"A"},
			rejected: []string{"object without CloudTrail record fields"}, rejLines: []int64{1}},
		{name: "comment first", in: "# exported by hand\n" + recA + "\n" + recB, names: []string{"A", "B"},
			rejected: []string{`no JSON object or array, starts with "# exported by ha"`}, rejLines: []int64{1}},
		{name: "text first", in: "not json\n" + recA, names: []string{"A"},
			rejected: []string{`no JSON object or array, starts with "not json"`}, rejLines: []int64{1}},
		{name: "blank lines after the first", in: "{}\n\n  \n" + recA, names: []string{"A"},
			rejected: []string{"without CloudTrail record fields"}, rejLines: []int64{1}},
		{name: "stamped empty object first", in: stamp + "{}\n" + stamp + recA + "\n", names: []string{"A"},
			rejected: []string{"without CloudTrail record fields"}, rejLines: []int64{1}},
		{name: "envelope after the first", in: "{}\n" + envelope(recA), names: []string{"A"},
			rejected: []string{"without CloudTrail record fields"}},
		{name: "pretty record after the first", in: "# header\n{\n  \"eventName\": \"A\"\n}\n" + recB, names: []string{"A", "B"},
			rejected: []string{"no JSON object or array"}},
		{name: "package.json", in: pkg, err: ErrUnknownShape},
		{name: "package.json then text", in: pkg + "done\n", err: ErrUnknownShape},
		{name: "non-records first", in: "{}\n{\"foo\":1}\n\n{\"region\":\"x\"}\n" + recA, names: []string{"A"},
			rejected: []string{"without CloudTrail record fields", "without CloudTrail record fields",
				"without CloudTrail record fields"}, rejLines: []int64{1, 2, 4}},
		{name: "pretty non-records first", in: "{\n  \"a\": 1\n}\n{\n  \"b\": {}\n}\n" + recA, names: []string{"A"},
			rejected: []string{"without CloudTrail", "without CloudTrail"}, rejLines: []int64{1, 4}},
		{name: "record too far", in: strings.Repeat("{}\n", lookAhead+1) + recA, err: ErrUnknownShape},
		{name: "record just in reach", in: strings.Repeat("{}\n", lookAhead) + recA, names: []string{"A"},
			rejected: strings.Split(strings.Repeat("without CloudTrail,", lookAhead-1)+"without CloudTrail", ",")},
		{name: "text between", in: "{}\n# note\n" + recA, err: ErrUnknownShape},
		{name: "text lines first", in: "# one\n# two\n" + recA, err: ErrUnknownShape},
		{name: "stream of something else", in: "{\"level\":\"info\"}\n{\"level\":\"warn\"}\n", err: ErrUnknownShape},
		{name: "text only", in: "hello\nworld\n", err: ErrUnknownShape},
		{name: "text then broken object", in: "# header\n{\"eventName\" 1}\n" + recA, err: ErrUnknownShape},
		{name: "text then cut object", in: "# header\n{\"eventName\":\"A\"", err: ErrUnknownShape},
		{name: "text then container", in: "# header\n{\"Records\":[" + recA + "]}", err: ErrUnknownShape},
		// A digest with records after it is no digest file: the records
		// are read, not set aside with it.
		{name: "digest first", in: `{"digestS3Object":"x"}` + "\n" + recA, names: []string{"A"},
			rejected: []string{"digest object followed by more values"}, rejLines: []int64{1}},
		{name: "digest alone", in: `{"digestS3Object":"x"}` + "\n\n", err: ErrDigest},
		{name: "empty container between lines", in: recA + "\n" + `{"Records":[]}` + "\n" + recB + "\n", names: []string{"A", "B"},
			rejected: []string{`a "Records" container among lone records`}, rejLines: []int64{2}},
		{name: "container between lines", in: recA + "\n" + `{"Records":[` + recB + `],"x":{"y":[1]}}` + "\n" + recB,
			names: []string{"A", "B"}, rejected: []string{"its items are not read"}, rejLines: []int64{2}},
		{name: "pretty container between lines", in: recA + "\n{\n  \"logEvents\": [\n    {\"id\":\"1\",\"message\":\"x\"}\n  ]\n}\n" + recB,
			names: []string{"A", "B"}, rejected: []string{`a "logEvents" container`}, rejLines: []int64{2}},
		{name: "container open at the end", in: recA + "\n" + `{"Records":[` + recB, names: []string{"A"},
			rejected: []string{"object still open at end of input"}, rejLines: []int64{2}},
		{name: "container with a control character", in: recA + "\n{\"Records\":[\"a\tb\"]}\n" + recB, names: []string{"A", "B"},
			rejected: []string{"control character"}, rejLines: []int64{2}},
		{name: "container key not an array between lines", in: recA + "\n" + `{"Records":null}` + "\n" + recB,
			names: []string{"A", "B"}, rejected: []string{"nested container"}, rejLines: []int64{2}},
		{name: "empty container, then no record first", in: `{"Records":[]}` + "\n{}\n" + recA, err: ErrUnknownShape,
			errLine: 2},
		{name: "empty container, then text first", in: `{"Records":[]}` + "\n# x\n" + recA, err: ErrUnknownShape,
			errLine: 2},
		{name: "container first, record after", in: `{"Records":[` + recA + `]}` + "\n" + recB, names: []string{"A"},
			err: ErrMixedShapes},
		// Text between records costs one rejection, which names the lines
		// passed over with it up to the next record.
		{name: "broken lines between", in: recA + "\njunk\n  \"x\": 1\n\n" + recB, names: []string{"A", "B"},
			rejected: []string{`starts with "junk"; lines 2-4 passed over, up to the next object`}, rejLines: []int64{2}},
		{name: "broken lines at the end", in: recA + "\nmore\n  tail\n" + strings.Repeat("  x\n", 3000), names: []string{"A"},
			rejected: []string{`starts with "more"; lines 2-3003 passed over, to the end of the input`}, rejLines: []int64{2}},
		{name: "broken lines to an unended last line", in: recA + "\nmore\n  tail", names: []string{"A"},
			rejected: []string{`lines 2-3 passed over, to the end of the input`}, rejLines: []int64{2}},
		{name: "invalid record and its lines", in: recA + "\n{\"eventName\": broken\n  \"x\": 1\n" + recB, names: []string{"A", "B"},
			rejected: []string{`value expected, found 'b' at line 2; lines 2-3 passed over, up to the next object`}, rejLines: []int64{2}},
		{name: "object left open by a line", in: recA + "\n{\"eventName\":\"C\", \"o\": {\n  \"x\": 1\n" + recB, names: []string{"A", "B"},
			rejected: []string{`found '{' at line 4; lines 2-3 passed over`}, rejLines: []int64{2}},
		{name: "object open to the end", in: recA + "\n{\"eventName\":\"C\", \"o\": [\n  1,\n", names: []string{"A"},
			rejected: []string{`object still open at end of input (line 3); lines 2-3 passed over, to the end of the input`}, rejLines: []int64{2}},
		{name: "invalid one-line record", in: recA + "\n{\"eventName\" 1}\n" + recB, names: []string{"A", "B"},
			rejected: []string{`':' expected after object key, found '1' at line 2`}, rejLines: []int64{2}},
		// Reading resumes at an object no further indented than the broken
		// record: the objects nested in it are not records.
		{name: "objects nested in a broken record", in: recA + "\n{\"eventName\": \"X\" \"eventID\": \"broken\",\n  \"resources\": [\n    {\"eventName\": \"Inner\", \"eventID\": \"inner\"}\n  ]}\n" + recB,
			names: []string{"A", "B"}, rejected: []string{`lines 2-5 passed over, up to the next object`}, rejLines: []int64{2}},
		{name: "broken pretty-printed record", in: recA + "\n{\n  \"eventName\": \"X\"\n  \"resources\": [\n    {\n      \"eventName\": \"Inner\"\n    }\n  ]\n}\n" + recB,
			names: []string{"A", "B"}, rejected: []string{`lines 2-9 passed over`}, rejLines: []int64{2}},
		{name: "indented records, one broken", in: "  " + recA + "\n  {\"eventName\" 1,\n    {\"eventName\":\"Inner\"}\n  " + recB,
			names: []string{"A", "B"}, rejected: []string{`lines 2-3 passed over`}, rejLines: []int64{2}},
		{name: "broken record found by resync, then a broken pretty one", in: recA + "\n{\"eventName\": oops}\n{\n  \"eventName\": \"X\"\n  \"resources\": [\n    {\"eventName\": \"Inner\"}\n  ]\n}\n" + recB,
			names: []string{"A", "B"}, rejected: []string{"at line 2", "lines 3-8 passed over"}, rejLines: []int64{2, 3}},
		{name: "broken record at the margin among indented ones", in: "    " + recA + "\n{\"eventName\" 1,\n    " + recB + "\n    " + recA,
			names: []string{"A", "B", "A"}, rejected: []string{"at line 2"}, rejLines: []int64{2}},
		{name: "byte order mark, blank line", in: "\xef\xbb\xbf\n" + recA + "\n" + recB, names: []string{"A", "B"}},
		{name: "byte order mark of a file joined to another", in: "\xef\xbb\xbf" + recA + "\n\xef\xbb\xbf" + recB + "\n", names: []string{"A", "B"}},
		{name: "byte order mark, spaces", in: "\xef\xbb\xbf  " + recA + "\n" + recB, names: []string{"A", "B"}},
		{name: "byte order mark, broken tab-indented record", in: "\xef\xbb\xbf" + recA + "\n{\n\t\"eventName\": \"X\"\n\t\"resources\": [\n\t\t{\"eventName\": \"Inner\"}\n\t]\n}\n" + recB,
			names: []string{"A", "B"}, rejected: []string{"lines 2-7 passed over"}, rejLines: []int64{2}},
		// Records joined with no newline (as Firehose writes them): reading
		// resumes at the next one after a broken one, on the same line too.
		{name: "joined records, one broken", in: recA + "{\"eventName\" 1}" + recB + " " + recA + "\n", names: []string{"A", "B", "A"},
			rejected: []string{"':' expected after object key"}, rejLines: []int64{1}},
		{name: "joined pretty records, one broken", in: "{\n  \"eventName\": \"A\"\n}{\n  \"eventName\": \"X\"\n  \"resources\": [{\"eventName\": \"Inner\"}]\n}{\n  \"eventName\": \"B\"\n}\n",
			names: []string{"A", "B"}, rejected: []string{"lines 3-5 passed over, up to the next object"}, rejLines: []int64{3}},
		// "}{" then a quote ends a string here: what follows is read and
		// rejected, never taken for a record.
		{name: "joined-looking text in a broken record", in: recA + "\n{\"eventName\": \"X\" \"userAgent\": \"a}{\", \"eventSource\": \"s\"}\n" + recB,
			names: []string{"A", "B"}, rejected: []string{"at line 2", "at line 2"}, rejLines: []int64{2, 2}},
		{name: "many broken lines between", in: recA + "\n" + strings.Repeat("junk\n", 5000) + recB, names: []string{"A", "B"},
			rejected: []string{`lines 2-5001 passed over`}, rejLines: []int64{2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			readBothBuffers(t, tt.in, tt.err, func(_ Options, res result) {
				var fe *FileError
				if errors.As(res.err, &fe) && (fe.Pos.Ordinal != res.stats.Read || res.stats.Read == 0 && fe.Pos.Line != max(tt.errLine, 1)) {
					t.Errorf("file error at %+v after %d records, want line 1", fe.Pos, res.stats.Read)
				}
				if names := eventNames(t, res.raws); fmt.Sprint(names) != fmt.Sprint(tt.names) {
					t.Errorf("records %v, want %v", names, tt.names)
				}
				wantRejects(t, res.rejects, tt.rejected)
				for i, re := range res.rejects {
					if tt.rejLines != nil && re.Pos.Line != tt.rejLines[i] {
						t.Errorf("reject %d at line %d, want %d", i, re.Pos.Line, tt.rejLines[i])
					}
				}
			})
		})
	}
}

// TestOneBrokenLine checks that a rejected line followed by a record, or
// last, says nothing of lines passed over: there are none.
func TestOneBrokenLine(t *testing.T) {
	const text = `no JSON object or array, starts with "junk"`
	const invalid = `invalid JSON: ':' expected after object key, found '1' at line 2`
	for in, want := range map[string]string{
		recA + "\njunk\n" + recB:              text,
		recA + "\njunk\n":                     text,
		recA + "\njunk":                       text,
		recA + "\n{\"eventName\" 1}\n" + recB: invalid,
		recA + "\n{\"eventName\" 1}\n":        invalid,
		"  " + recA + "\njunk\n  " + recB:     text, // indented records, text at the margin
	} {
		readBothBuffers(t, in, nil, func(_ Options, res result) {
			if len(res.rejects) != 1 || res.rejects[0].Reason != want {
				t.Errorf("%q: rejections %+v, want one: %s", in, res.rejects, want)
			}
		})
	}
}

// TestByteOrderMarkAcrossBuffers checks that byte order marks, at the start
// and where files were joined, are passed over whatever buffer cuts them.
func TestByteOrderMarkAcrossBuffers(t *testing.T) {
	const bom = "\xef\xbb\xbf"
	for pad := range 12 {
		in := []byte(bom + recA + "\n" + strings.Repeat(" ", pad) + bom + recB + "\n" + bom)
		for size := 1; size < 24; size++ {
			got := sameForBuffers(t, in, Options{}, Options{BufferSize: size})
			if len(got.Raws) != 2 || got.Stats.Rejected != 0 {
				t.Fatalf("pad %d, buffer %d: %d records, %d rejected", pad, size, len(got.Raws), got.Stats.Rejected)
			}
		}
	}
}

// TestJoinedAcrossBuffers checks that records joined with no newline are
// found again after a broken one whatever buffer cuts the join.
func TestJoinedAcrossBuffers(t *testing.T) {
	for _, in := range []string{
		recA + "{\"eventName\" 1}" + recB + recA,
		recA + "{\"eventName\" 1}  \t" + recB + "{\n  \n\t" + recA[1:],
	} {
		for size := 1; size < 48; size++ {
			got := sameForBuffers(t, []byte(in), Options{}, Options{BufferSize: size})
			if len(got.Raws) != 3 || got.Stats.Rejected != 1 {
				t.Fatalf("%q, buffer %d: %d records, %d rejected", in, size, len(got.Raws), got.Stats.Rejected)
			}
		}
	}
}

// TestByteOrderMarkAfterBrokenRecord checks that a record that a byte
// order mark starts (a file joined to another with cat) is found again
// after a broken record, on its own line or joined to it, after a header
// line, and after two marks, whatever buffer cuts the mark.
func TestByteOrderMarkAfterBrokenRecord(t *testing.T) {
	const bom, stamp = "\xef\xbb\xbf", "2026-01-01T00:00:00.000Z "
	for _, tt := range []struct {
		in                string
		records, rejected int
	}{
		{recA + "\n{\"eventName\" 1}\n" + bom + recB + "\n", 2, 1},
		{recA + "\n{\"eventName\" 1}" + bom + recB + "\n", 2, 1},
		{"# header\n" + bom + recA + "\n" + recB + "\n", 2, 1},
		{bom + bom + recA + "\n" + recB + "\n", 2, 0},
		{recA + "\n" + bom + bom + recB + "\n", 2, 0},
		// Several marks, blanks after one, a CloudWatch export timestamp
		// after one: in resync and in the look-ahead after a bad first line.
		{recA + "\n{\"eventName\" 1}\n" + bom + bom + recB + "\n", 2, 1},
		{"  " + recA + "\n  {\"eventName\" 1}\n" + bom + "  " + recB + "\n", 2, 1},
		{`{"hello":"world"}` + "\n" + bom + bom + recA + "\n" + recB + "\n", 2, 1},
		{stamp + recA + "\nsome text\n" + bom + stamp + recB + "\n", 2, 1},
		{"# header\n" + bom + stamp + recA + "\n" + stamp + recB + "\n", 2, 1},
	} {
		for size := 1; size < 40; size++ {
			got := sameForBuffers(t, []byte(tt.in), Options{}, Options{BufferSize: size})
			if len(got.Raws) != tt.records || got.Stats.Rejected != int64(tt.rejected) {
				t.Fatalf("%q, buffer %d: %d records, %d rejected; want %d and %d", tt.in, size, len(got.Raws), got.Stats.Rejected, tt.records, tt.rejected)
			}
		}
	}
}

// TestRecordMarkAfterCutRecord checks that a record cut short and followed
// on its line by another record (a cut file joined to the next with cat)
// costs that record only: the next is found by how CloudTrail records
// begin, whatever buffer cuts it, and an object that begins so but sits
// inside the broken record is not read.
func TestRecordMarkAfterCutRecord(t *testing.T) {
	vA := `{"eventVersion":"1.08","eventName":"A","eventSource":"s3.amazonaws.com"}`
	vB := `{"eventVersion":"1.08","eventName":"B","eventSource":"s3.amazonaws.com"}`
	sB := `{"awsRegion":"us-east-1","eventName":"B","eventSource":"s3.amazonaws.com","eventVersion":"1.08"}` // keys sorted (jq -S)
	arn := `{"eventVersion":"1.08","eventName":"X","userIdentity":{"arn":"arn:aws:iam::111122223333:`
	for _, tt := range []struct {
		in                string
		records, rejected int
	}{
		{vA + "\n" + `{"eventName":"X","eventSo` + vB + "\n" + vA + "\n", 3, 1},
		{vA + "\n" + `{"eventName":"X","eventSource":"s3.amazonaws.com","eventID":"1` + vB + vB + "\n", 3, 1},
		{vA + "\n" + `{"eventName":"X" "r":[` + vB + "]}\n" + vA + "\n", 2, 2},
		// Each object found inside is rejected in its turn.
		{vA + "\n" + `{"eventName":"X" "r":[` + vB + "," + vB + "]}\n" + vA + "\n", 2, 3},
		// A record that is a member's value (an EventBridge envelope's
		// detail) is the broken line's own: one rejection, no record read
		// from inside it.
		{vA + "\n" + strings.TrimSuffix(envelope(vB), "}") + "\n" + vA + "\n", 2, 1},
		{vA + "\n" + `{"eventName":"X","requestParameters":{"inner":` + vB + "\n" + vA + "\n", 2, 1},
		// A record with sorted keys, or an EventBridge envelope, joined to
		// a line cut short (after a ':' of an ARN, which follows no key).
		{vA + "\n" + `{"awsRegion":"us-east-1","eventName":"X","eventSo` + sB + "\n" + vA + "\n", 3, 1},
		{vA + "\n" + arn + envelope(vB) + "\n" + vA + "\n", 3, 1},
		{vA + "\n" + arn + sB + "\n" + vA + "\n", 3, 1},
	} {
		for size := 1; size < 90; size += 3 {
			got := sameForBuffers(t, []byte(tt.in), Options{}, Options{BufferSize: size})
			if len(got.Raws) != tt.records || got.Stats.Rejected != int64(tt.rejected) {
				t.Fatalf("%q, buffer %d: %d records, %d rejected; want %d and %d", tt.in, size, len(got.Raws), got.Stats.Rejected, tt.records, tt.rejected)
			}
		}
	}
}

// TestManyJoinedBrokenObjects checks that a line of broken objects joined
// end to end (each a rejected record) is read to its end, each object
// rejected once, and the records around it read. BenchmarkJoinedBroken
// measures it: looking for the next object used to read the rest of the
// line for each, which made such a line quadratic.
func TestManyJoinedBrokenObjects(t *testing.T) {
	const n = 300
	in := recA + "\n" + strings.Repeat(`{"a":[}{"eventName":`, n) + "\n" + recB + "\n"
	readBothBuffers(t, in, nil, func(_ Options, res result) {
		if names := eventNames(t, res.raws); fmt.Sprint(names) != "[A B]" {
			t.Errorf("records %v, want [A B]", names)
		}
		// Each fragment is two objects: {"a":[} and {"eventName":, which
		// the next fragment's first object is the value of, broken again.
		if got, want := len(res.rejects), n+1; got != want {
			t.Errorf("%d rejected, want %d", got, want)
		}
		if res.stats.Read != int64(len(res.raws)+len(res.rejects)) {
			t.Errorf("read %d = %d records + %d rejected does not add up", res.stats.Read, len(res.raws), len(res.rejects))
		}
	})
}
