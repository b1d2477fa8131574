package stix

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// TestDecodeRefusesAmbiguousKeys checks that a bundle whose objects repeat
// a key, hold two keys that differ in letter case only, or write a
// property in other letter case is refused: Go's decoder read "NAME" as
// the name, and let the last of two names win, where other STIX tools read
// property names as written.
func TestDecodeRefusesAmbiguousKeys(t *testing.T) {
	obj := func(members string) string {
		return `{"type":"bundle","id":"bundle--1","objects":[{"type":"attack-pattern","id":"attack-pattern--1",` + members + `}]}`
	}
	tests := []struct {
		name, doc, want string
	}{
		{"clean", obj(`"name":"Data Destruction","external_references":[{"source_name":"mitre-attack","external_id":"T1485"}]`), ""},
		{"repeated key", obj(`"name":"Data Destruction","name":"Shadowed"`), `repeats the key "name"`},
		{"keys differing in case", obj(`"name":"Data Destruction","NAME":"Shadowed"`), `"name" and "NAME"`},
		{"property in upper case", `{"TYPE":"bundle","id":"bundle--1","objects":[]}`, `holds the key "TYPE"`},
		{"nested property in other case", obj(`"name":"x","external_references":[{"Source_Name":"mitre-attack","external_id":"T1485"}]`), `"Source_Name"`},
		// Go's decoder folds keys by Unicode's simple folding: "ſ" (the
		// long s) is an s to it, and the Kelvin sign a k.
		{"long s in a property name", `{"type":"bundle","id":"bundle--1","objects":[],"object\u017f":[]}`, `"objectſ"`},
		{"long s beside the property", obj(`"name":"x","external_references":[{"source_name":"mitre-attack","\u017fource_name":"evil"}]`), `"source_name" and "ſource_name"`},
		{"Kelvin sign", obj(`"name":"x","\u212aill_chain_phases":[]`), "kill_chain_phases"},
		// A dictionary's own keys (hashes) are not property names.
		{"dictionary keys", obj(`"name":"x","external_references":[{"source_name":"a","hashes":{"SHA-256":"00"}}]`), ""},
	}
	for _, tt := range tests {
		_, err := Decode(strings.NewReader(tt.doc))
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: error %v, want one saying %s", tt.name, err, tt.want)
		}
	}
}

// TestDecodeSizeBound checks that a document past MaxDocument is refused
// with its reason, before it is decoded.
func TestDecodeSizeBound(t *testing.T) {
	r := io.MultiReader(strings.NewReader(`{"type":"bundle","id":"bundle--1","objects":[`),
		io.LimitReader(repeatReader('x'), MaxDocument))
	if _, err := Decode(r); err == nil || !strings.Contains(err.Error(), "larger than 256 MiB") {
		t.Errorf("error %v, want the size bound", err)
	}
}

// repeatReader reads c without end.
type repeatReader byte

func (c repeatReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(c)
	}
	return len(p), nil
}

// TestReadAtMost checks the bounded read Decode reads a document with, at
// the bound and past it, through a reader that gives a byte at a time.
func TestReadAtMost(t *testing.T) {
	for _, tc := range []struct {
		size, most int
		refused    bool
	}{{0, 4, false}, {4, 4, false}, {5, 4, true}, {3 << 20, 3 << 20, false}, {3<<20 + 1, 3 << 20, true}} {
		src := bytes.Repeat([]byte{'x'}, tc.size)
		got, err := readAtMost(iotest.HalfReader(bytes.NewReader(src)), tc.most)
		switch {
		case err != nil:
			t.Errorf("%d bytes, at most %d: %v", tc.size, tc.most, err)
		case tc.refused != (got == nil):
			t.Errorf("%d bytes, at most %d: refused %v, want %v", tc.size, tc.most, got == nil, tc.refused)
		case !tc.refused && !bytes.Equal(got, src):
			t.Errorf("%d bytes, at most %d: read %d bytes back", tc.size, tc.most, len(got))
		}
	}
	if _, err := readAtMost(iotest.ErrReader(io.ErrClosedPipe), 4); !errors.Is(err, io.ErrClosedPipe) {
		t.Errorf("a failing reader: %v", err)
	}
	// A cut stream (gzip says io.ErrUnexpectedEOF) is an error, not an end.
	cut := io.MultiReader(strings.NewReader("{}"), iotest.ErrReader(io.ErrUnexpectedEOF))
	if _, err := readAtMost(cut, 4); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("a cut stream: %v", err)
	}
	// Data and io.EOF in one call.
	if got, err := readAtMost(iotest.DataErrReader(strings.NewReader("abc")), 4); err != nil || string(got) != "abc" {
		t.Errorf("data with EOF: %q, %v", got, err)
	}
}
