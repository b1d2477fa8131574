package cloudtrail

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestGzip(t *testing.T) {
	records, err := os.ReadFile(filepath.Join("testdata", "records.json"))
	if err != nil {
		t.Fatal(err)
	}
	lines, err := os.ReadFile(filepath.Join("testdata", "lines.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	whole := gz(t, records)
	tests := []struct {
		name     string
		in       []byte
		produced int
		err      error // errors.Is target; io.ErrUnexpectedEOF for a cut stream
		msg      string
	}{
		{name: "whole", in: whole, produced: 3},
		{name: "concatenated members", in: append(gz(t, lines[:len(lines)/2]), gz(t, lines[len(lines)/2:])...), produced: 3},
		{name: "concatenated files", in: append(gz(t, records), whole...), produced: 6},
		{name: "cut in the middle", in: whole[:len(whole)/2], err: io.ErrUnexpectedEOF},
		{name: "cut before trailer", in: whole[:len(whole)-4], produced: 3, err: io.ErrUnexpectedEOF},
		{name: "bad checksum", in: append(bytes.Clone(whole[:len(whole)-8]), 0, 0, 0, 0, 0, 0, 0, 0), produced: 3, err: errAny},
		{name: "header only", in: whole[:5], err: io.ErrUnexpectedEOF},
		{name: "7 bytes after the data", in: append(bytes.Clone(whole), "garbage"...), produced: 3, err: ErrTrailingData, msg: ": 7 bytes to the end of the file"},
		{name: "a line after the data", in: append(bytes.Clone(whole), strings.Repeat("x", 100)+"\n"...), produced: 3, err: ErrTrailingData, msg: ": 101 bytes to the end"},
		{name: "zero padding", in: append(bytes.Clone(whole), make([]byte, 512)...), produced: 3, err: ErrTrailingData, msg: ": 512 bytes to the end"},
		{name: "one byte after the data", in: append(bytes.Clone(whole), 0x1f), produced: 3, err: ErrTrailingData, msg: ": 1 byte to the end"},
		{name: "empty member between", in: append(append(gz(t, records), gz(t, nil)...), whole...), produced: 6},
		{name: "garbage between members", in: append(append(bytes.Clone(whole), "junk"...), whole...), produced: 3, err: ErrTrailingData, msg: "not read"},
		{name: "cut second member", in: append(bytes.Clone(whole), whole[:len(whole)/2]...), produced: 3, err: io.ErrUnexpectedEOF},
	}
	for _, tt := range tests {
		for _, impl := range []Gzip{GzipFast, GzipStd} {
			t.Run(tt.name, func(t *testing.T) {
				res := read(t, bytes.NewReader(tt.in), "in.json.gz", Options{Gzip: impl, BufferSize: 512})
				if len(res.raws) != tt.produced {
					t.Errorf("produced %d, want %d", len(res.raws), tt.produced)
				}
				switch {
				case tt.err == nil && res.err != nil:
					t.Errorf("unexpected error %v", res.err)
				case tt.err == errAny && res.err == nil:
					t.Errorf("no error")
				case tt.err != nil && tt.err != errAny && !errors.Is(res.err, tt.err):
					t.Errorf("error %v, want %v", res.err, tt.err)
				}
				if res.err != nil && !strings.Contains(res.err.Error(), tt.msg) {
					t.Errorf("error %q does not say %q", res.err, tt.msg)
				}
				var fe *FileError
				if res.err != nil && (!errors.As(res.err, &fe) || fe.Pos.Ordinal != int64(tt.produced)) {
					t.Errorf("error %#v does not report %d records read", res.err, tt.produced)
				}
			})
		}
	}
}

var errAny = errors.New("any error")

func TestOpenStdin(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "lines.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range [][]byte{data, gz(t, data)} {
		rc, err := Open("-", bytes.NewReader(in))
		if err != nil {
			t.Fatal(err)
		}
		res := read(t, rc, "-", Options{})
		if res.err != nil || len(res.raws) != 3 || res.pos[2].File != "-" || res.pos[2].Line != 3 {
			t.Errorf("stdin: %d records, error %v, positions %+v", len(res.raws), res.err, res.pos)
		}
		if err := rc.Close(); err != nil {
			t.Error(err)
		}
	}
	if _, err := Open(filepath.Join(t.TempDir(), "missing.json"), nil); err == nil {
		t.Error("opening a missing file did not fail")
	}
}

// TestPositions checks ordinals, offsets and lines against the input text.
func TestPositions(t *testing.T) {
	for _, file := range []string{"records-pretty.json", "lines.jsonl", "array.json", "lookup.json"} {
		t.Run(file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", file))
			if err != nil {
				t.Fatal(err)
			}
			for _, opts := range []Options{{}, {BufferSize: 3}} {
				res := read(t, bytes.NewReader(data), file, opts)
				if len(res.pos) != 3 {
					t.Fatalf("%d records", len(res.pos))
				}
				for i, p := range res.pos {
					if p.Ordinal != int64(i+1) {
						t.Errorf("record %d: ordinal %d", i, p.Ordinal)
					}
					if c := data[p.Offset]; c != '{' {
						t.Errorf("record %d: offset %d holds %q", i, p.Offset, c)
					}
					if want := int64(strings.Count(string(data[:p.Offset]), "\n") + 1); p.Line != want {
						t.Errorf("record %d: line %d, want %d", i, p.Line, want)
					}
				}
			}
		})
	}
}

// TestReaderReuse reads several files with one reader, as a scanner worker does.
func TestReaderReuse(t *testing.T) {
	r := NewReader(Options{})
	for _, file := range []string{"records.json", "digest.json", "lines.jsonl", "cloudwatch.json"} {
		f, err := os.Open(filepath.Join("testdata", file))
		if err != nil {
			t.Fatal(err)
		}
		r.Reset(f, file)
		n := 0
		for {
			_, err := r.Next()
			if err != nil {
				break
			}
			n++
		}
		f.Close()
		if want := map[bool]int{true: 0, false: 3}[file == "digest.json"]; n != want || r.Stats().Produced != int64(want) {
			t.Errorf("%s: %d records, stats %+v", file, n, r.Stats())
		}
	}
	if _, err := NewReader(Options{}).Next(); err != io.EOF {
		t.Errorf("Next before Reset: %v, want io.EOF", err)
	}
}
