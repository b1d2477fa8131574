package cloudtrail

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

// resumeCase is one input of the tests on where reading resumes after a
// line that is no record; every value read must end produced or rejected.
type resumeCase struct {
	name     string
	in       string
	opts     []Options
	names    []string // eventName of each record produced
	rejected []string // substrings of each rejection reason, in order
	rejLines []int64
}

func runResume(t *testing.T, tests []resumeCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := tt.opts
			if opts == nil {
				opts = []Options{{}, {BufferSize: 5}}
			}
			for _, o := range opts {
				res := read(t, strings.NewReader(tt.in), "in", o)
				if res.err != nil {
					t.Fatalf("%+v: error %v", o, res.err)
				}
				if names := eventNames(t, res.raws); fmt.Sprint(names) != fmt.Sprint(tt.names) {
					t.Errorf("%+v: records %v, want %v", o, names, tt.names)
				}
				wantRejects(t, res.rejects, tt.rejected)
				for i, re := range res.rejects {
					if i < len(tt.rejLines) && re.Pos.Line != tt.rejLines[i] {
						t.Errorf("%+v: reject %d at line %d, want %d", o, i, re.Pos.Line, tt.rejLines[i])
					}
				}
			}
		})
	}
}

// TestOpenLineResumes checks that a lone line that leaves a bracket open,
// whether it is passed over as a stray container or for its size, costs
// that line only: reading resumes at the next line that starts an object.
func TestOpenLineResumes(t *testing.T) {
	tail := recA + "\n" + recB + "\n"
	runResume(t, []resumeCase{
		{name: "stray container left open", in: recA + "\n" + `{"Records":[` + "\n" + tail,
			names: []string{"A", "A", "B"}, rejected: []string{"still open"}, rejLines: []int64{2}},
		{name: "stray container left open with an item", in: recA + "\n" + `{"logEvents":[{"id":"1"},` + "\n" + tail,
			names: []string{"A", "A", "B"}, rejected: []string{"still open"}, rejLines: []int64{2}},
		{name: "stray container with a control character after", in: recA + "\n" + `{"Records":[` + "\n" +
			"{\"eventName\":\"a\tb\"}\n" + tail,
			names: []string{"A", "A", "B"}, rejected: []string{"still open", "control character"}, rejLines: []int64{2, 3}},
		{name: "pretty stray container still one record", in: recA + "\n{\n  \"Records\": [\n    " + recB + "\n  ]\n}\n" + recB,
			names: []string{"A", "B"}, rejected: []string{`a "Records" container`}, rejLines: []int64{2}},
		{name: "stray container closed on later lines", in: recA + "\n" + `{"Records":[` + "\n" + recB + "\n]}\n" + recB,
			names: []string{"A", "B"}, rejected: []string{`a "Records" container`}, rejLines: []int64{2}},
		// The second open line runs to the failure the first met, and is
		// not scanned again: it resumes at the indented record all the same.
		{name: "indented open lines", in: " " + recA + "\n " + `{"Records":[` + "\n " + `{"Records":[` + "\n " + recB + "\n",
			names: []string{"A", "B"}, rejected: []string{"still open", "still open"}, rejLines: []int64{2, 3}},
	})
}

// TestLargeOpenLineResumes checks the same for a lone line larger than
// MaxValueSize, passed over for its size, whether the input ends while it
// is open or the lines after it outgrow the buffer.
func TestLargeOpenLineResumes(t *testing.T) {
	small := []Options{{MaxValueSize: MinValueSize}, {BufferSize: 5, MaxValueSize: MinValueSize}}
	open := `{"eventName":"X","pad":[` + strings.Repeat("1,", 200) + "1\n"
	many := strings.Repeat(recB+"\n", 10) // more than MinValueSize after the open line
	names := append([]string{"A"}, strings.Split(strings.Repeat("B,", 10)+"A", ",")...)
	runResume(t, []resumeCase{
		{name: "open to the end", in: recA + "\n" + open + recB + "\n", opts: small,
			names: []string{"A", "B"}, rejected: []string{"still open at end of input"}, rejLines: []int64{2}},
		{name: "open past the buffer", in: recA + "\n" + open + many + recA + "\n", opts: small,
			names: names, rejected: []string{"still open at the start of line 3"}, rejLines: []int64{2}},
		{name: "open first", in: open + recB + "\n", opts: small,
			names: []string{"B"}, rejected: []string{"still open"}, rejLines: []int64{1}},
		{name: "stamped line after", in: recA + "\n" + open + "2026-03-01T10:00:00.000Z " + recB + "\n", opts: small,
			names: []string{"A", "B"}, rejected: []string{"still open"}, rejLines: []int64{2}},
		{name: "indented records, one open", in: "  " + recA + "\n  " + open + "  " + recB + "\n  " + recA + "\n", opts: small,
			names: []string{"A", "B", "A"}, rejected: []string{"still open"}, rejLines: []int64{2}},
		{name: "indented records, one open past the buffer", in: "  " + recA + "\n  " + open + "  " + strings.ReplaceAll(many, "\n", "\n  ") + recA + "\n", opts: small,
			names: names, rejected: []string{"still open at the start of line 3"}, rejLines: []int64{2}},
		{name: "pretty large record", in: recA + "\n{\n  \"eventName\": \"X\",\n  \"pad\": [\n" +
			strings.Repeat("    {\"a\": 1},\n", 20) + "    {}\n  ]\n}\n" + recB + "\n", opts: small,
			names: []string{"A", "B"}, rejected: []string{"larger than the limit"}, rejLines: []int64{2}},
	})
}

// TestSameLineAfterFirst checks that the values on the line of a first
// value that is no record are read, not passed over with that line.
func TestSameLineAfterFirst(t *testing.T) {
	no := "without CloudTrail record fields"
	runResume(t, []resumeCase{
		{name: "record after an empty object", in: "{} " + recA + "\n" + recB + "\n",
			names: []string{"A", "B"}, rejected: []string{no}, rejLines: []int64{1}},
		{name: "records after a foreign object", in: `{"comment":1} ` + recA + " " + recA + "\n" + recB,
			names: []string{"A", "A", "B"}, rejected: []string{no}, rejLines: []int64{1}},
		{name: "record after two foreign objects", in: `{}{"x":1}` + recA,
			names: []string{"A"}, rejected: []string{no, no}, rejLines: []int64{1, 1}},
		{name: "text after an empty object", in: "{} trailing words\n" + recA,
			names: []string{"A"}, rejected: []string{no, `no JSON object or array, starts with "trailing words"`}, rejLines: []int64{1, 1}},
		{name: "stamped line after", in: "{}\n2026-03-01T10:00:00.000Z " + recA,
			names: []string{"A"}, rejected: []string{no}, rejLines: []int64{1}},
	})
}

// TestResyncAtEndOfBuffer checks that resynchronising does not pass over a
// line it put off for more input when the input turns out to end there,
// whatever the buffer size.
func TestResyncAtEndOfBuffer(t *testing.T) {
	var opts []Options
	for size := range 48 {
		opts = append(opts, Options{BufferSize: size})
	}
	const short = `{"eventName":"B"}`
	runResume(t, []resumeCase{
		{name: "digits then a record", in: recA + "\n{\n0000000\n" + short + "\n", opts: opts,
			names: []string{"A", "B"}, rejected: []string{"object key expected"}, rejLines: []int64{2}},
		{name: "digits then a stamped record", in: recA + "\n{\n0000000\n2026-03-01T10:00:00Z " + short, opts: opts,
			names: []string{"A", "B"}, rejected: []string{"object key expected"}, rejLines: []int64{2}},
		{name: "digits then an open object", in: "{\n000\n{", opts: opts,
			rejected: []string{"object key expected", "still open at end of input"}, rejLines: []int64{1, 3}},
	})
}

// TestNestedObjectsNotRecords checks that an object resync finds inside a
// broken record, which a ']' or '}' follows (or a ',' when it is joined to
// the object before it), is rejected with that record's remains rather
// than read as a record, and that reading resumes after it.
func TestNestedObjectsNotRecords(t *testing.T) {
	broken := `{"eventName":"X","resources":[{"ARN":"a"}`
	runResume(t, []resumeCase{
		{name: "joined item of a broken record", in: recA + "\n" + broken + recB + "]}\n" + recA + "\n",
			names: []string{"A", "A"}, rejected: []string{"expected in array", "followed by ']'"}, rejLines: []int64{2, 2}},
		{name: "joined item with a comma after", in: recA + "\n" + broken + recB + `,{"ARN":"b"}]}` + "\n" + recA + "\n",
			names: []string{"A", "A"}, rejected: []string{"expected in array", "followed by ','"}, rejLines: []int64{2, 2}},
		{name: "item on its own line", in: "    " + recA + "\n" + `{"eventName": "X" "resources": [` + "\n  " + recB + "\n]}\n    " + recA + "\n",
			names: []string{"A", "A"}, rejected: []string{"expected in object", "not read as a record; lines 3-4 passed over"}, rejLines: []int64{2, 3}},
		// A record that a comma follows on its own line is still read:
		// records one per line with commas, the array's head lost.
		{name: "records with commas after a broken line", in: recA + "\n" + `{"a":[` + "\n" + recB + ",\n" + recA + "\n",
			names: []string{"A", "B", "A"}, rejected: []string{"still open", `starts with ","`}, rejLines: []int64{2, 3}},
		// Blanks that outgrow the buffer while resync looks for a line's
		// first byte are passed over, not taken as the end of the input.
		{name: "blanks past the buffer before an item", in: recA + "\n{\n  \"eventName\": \"X\"\n  \"resources\": [\n" +
			strings.Repeat(" ", 300) + recB + "\n  ]\n}\n" + recA + "\n",
			opts:  []Options{{MaxValueSize: 128}, {MaxValueSize: 128, BufferSize: 5}},
			names: []string{"A", "A"}, rejected: []string{"lines 2-7 passed over, up to the next object"}, rejLines: []int64{2}},
		// Text opens no bracket: the record after a comma line is read,
		// whatever follows it.
		{name: "array whose head is lost", in: recA + ",\n" + recB + ",\n" + recA + "\n]\n",
			names: []string{"A", "B", "A"}, rejected: []string{`starts with ","`, `starts with ","`, `starts with "]"`}, rejLines: []int64{1, 2, 4}},
		{name: "line whose head is lost", in: recA + "\n" + `"awsRegion":"x"},{"eventVersion":"1.08","eventName":"A"},{"eventVersion":"1.08","eventName":"B"}]}` + "\n" + recA + "\n",
			names: []string{"A", "A", "B", "A"}, rejected: []string{`starts with ""awsRegion`, `starts with ",{`, `starts with "]}"`}, rejLines: []int64{2, 2, 2}},
		// Joined records, as Firehose writes them, are read after a broken one.
		{name: "joined records after a broken one", in: recA + "\n" + `{"eventName":"X",}` + recB + recA + "\n",
			names: []string{"A", "B", "A"}, rejected: []string{"object key expected"}, rejLines: []int64{2}},
	})
}

// failingReader gives its text, then fails as a cut gzip file does.
type failingReader struct{ s *strings.Reader }

func (f failingReader) Read(p []byte) (int, error) {
	if f.s.Len() == 0 {
		return 0, io.ErrUnexpectedEOF
	}
	return f.s.Read(p)
}

// TestOpenLineThenReadError checks that input that fails while a line is
// still open (a cut gzip file) keeps the records read after that line:
// the line is rejected, they are read, and the failure ends the file.
func TestOpenLineThenReadError(t *testing.T) {
	// Items of an array, each line an object then a comma: the commas are
	// rejected as text, as they are when the input ends well.
	in := recA + "\n" + `{"eventName":"X","a":[` + "\n" + strings.Repeat(recB+",\n", 50) + `{"eventName":"cut`
	for _, o := range []Options{{}, {BufferSize: 7}, {MaxValueSize: 128}} {
		res := read(t, failingReader{strings.NewReader(in)}, "in", o)
		if names := eventNames(t, res.raws); len(names) != 51 || names[0] != "A" || names[50] != "B" {
			t.Errorf("%+v: %d records %v, want A and 50 B", o, len(names), names)
		}
		if len(res.rejects) != 51 || !strings.Contains(res.rejects[0].Reason, "still open") {
			t.Errorf("%+v: rejections %v, want the open line", o, res.rejects)
		}
		var fe *FileError
		if !errors.As(res.err, &fe) || !errors.Is(res.err, io.ErrUnexpectedEOF) {
			t.Errorf("%+v: error %v, want the read error to end the file", o, res.err)
		}
	}
	// The same for a line passed over for its size when the input fails.
	in = recA + "\n" + `{"eventName":"X","a":["` + strings.Repeat("x", 200) + `",` + "\n" + recB + ",\n" + `{"eventName":"cut`
	res := read(t, failingReader{strings.NewReader(in)}, "in", Options{MaxValueSize: 128})
	if names := eventNames(t, res.raws); fmt.Sprint(names) != "[A B]" || !errors.Is(res.err, io.ErrUnexpectedEOF) {
		t.Errorf("records %v, error %v; want [A B] and the read error", names, res.err)
	}
}
