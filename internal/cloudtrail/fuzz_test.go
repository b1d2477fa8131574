package cloudtrail

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

func addSeeds(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.json*"))
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{
		"", "[]", "{}", `{"Records":[{}]}`, `[1,{"a":"\u00e9\ud83d\ude00"}]`, "\x1f\x8b", `{"Records":[{"a":1},{"b":[}]}`,
		"{\"eventName\":1}\n{\"x\"\n{\"eventName\":2}", `{"Events":[{"CloudTrailEvent":"{\"eventName\":\"x\"}"}]}`,
		`{"messageType":"CONTROL_MESSAGE","logEvents":[{"id":"1","timestamp":1,"message":"x"}]}`,
		`{"detail-type":"x","detail":{"eventName":"y"}}`, `{"digestS3Object":"x"}`, `-1.5e+3`, `[tru]`,
		"{\"eventName\":1}\n{\"eventName\":[\n{\"eventName\":2}", "{\"eventName\":1}}\nx\n{\"eventName\":2}",
		`{"Records":[{"a":"` + strings.Repeat("x", 200) + `"},{"b":[` + strings.Repeat("[", 150) + strings.Repeat("]", 150) + `]},{"c":1}]}`,
		`{"pad":"` + strings.Repeat(`\"`, 100) + `","Records":[{"a":1}]}`,
		"{}\n# x\n{\"eventName\":1}", "# x\n{\"eventName\":1}", "{\"eventName\":1}\n{\"Records\":[{}]}\n{\"eventName\":2}",
		`{"Rec\u006frds":[{}],"Records":[{}]}`, `{"Events":[{"CloudTrailEvent":"{\"source\":\"s\",\"detail\":{\"a\":1}}"}]}`,
		"{\"eventName\":\"" + strings.Repeat("y", 200) + "\"}\n{\"eventName\":\"" + strings.Repeat("z", 200) + "\n{\"eventName\":2}",
		"{\"eventName\":1}\n{\"Records\":[\n{\"eventName\":2}\n{\"eventName\":3}", "{} {\"eventName\":1}\n{\"eventName\":2}",
		"{\"eventName\":1}\n{\"a\":[" + strings.Repeat("1,", 100) + "\n{\"eventName\":2}\n" + strings.Repeat("{\"eventName\":3}\n", 10),
	} {
		f.Add([]byte(s))
	}
	f.Add(lambdaEvent(f, []byte(`{"eventName":1}`)))
	f.Add(lambdaEvent(f, []byte(`{"messageType":"DATA_MESSAGE","logEvents":[{"id":"1","timestamp":1,"message":"{\"eventName\":\"x\"}"}]}`)))
}

// outcome is what reading gave, compared across buffer sizes.
type outcome struct {
	Raws    []string
	Rejects []string
	Err     string
	Stats   Stats
}

func outcomeOf(t *testing.T, data []byte, opts Options) outcome {
	res := read(t, bytes.NewReader(data), "fuzz", opts)
	var o outcome
	for _, raw := range res.raws {
		o.Raws = append(o.Raws, string(raw))
	}
	for _, re := range res.rejects {
		o.Rejects = append(o.Rejects, re.Error())
	}
	if res.err != nil {
		o.Err = res.err.Error()
	}
	o.Stats = res.stats
	return o
}

// FuzzReader checks on arbitrary input that the reader does not panic,
// keeps its accounting, produces only valid JSON objects, and gives the
// same answer whatever its buffer size, with the default size limit and
// with the smallest, which makes it skip values; input shorter than that
// smallest limit reads the same under both.
func FuzzReader(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		big := sameForBuffers(t, data, Options{}, Options{BufferSize: 3})
		capped := sameForBuffers(t, data, Options{MaxValueSize: MinValueSize}, Options{BufferSize: 3, MaxValueSize: MinValueSize})
		if len(data) < MinValueSize && !reflect.DeepEqual(big, capped) {
			t.Fatalf("the size limit changes the outcome of input within it:\nbig    %+v\ncapped %+v", big, capped)
		}
	})
}

// sameForBuffers reads data with two options that differ in buffer size
// only, checks that the outcomes agree, and returns it.
func sameForBuffers(t *testing.T, data []byte, a, b Options) outcome {
	big := outcomeOf(t, data, a)
	for _, raw := range big.Raws {
		if raw[0] != '{' || !json.Valid([]byte(raw)) {
			t.Fatalf("produced a record that is not a valid object: %q", raw)
		}
		if utf8.ValidString(raw) && hasDupKeys([]byte(raw)) {
			t.Fatalf("produced a record with a repeated key: %q", raw)
		}
	}
	small := outcomeOf(t, data, b)
	if big.Err != "" { // reading stops early: how far it read ahead depends on the buffer
		big.Stats.Bytes, small.Stats.Bytes = 0, 0
	}
	if !reflect.DeepEqual(big, small) {
		t.Fatalf("buffer size changes the outcome:\nbig   %+v\nsmall %+v", big, small)
	}
	return big
}

// FuzzScanner checks the validating scanner against json.Valid, and its
// repeated keys against encoding/json's tokens on valid UTF-8 (encoding/json
// turns invalid bytes into U+FFFD, the scanner compares them as they are).
func FuzzScanner(f *testing.F) {
	addSeeds(f)
	for _, s := range []string{`{"a":1,"a":2}`, `{"a":{"b":1,"\u0062":2}}`, `[{"a":1},{"a":1}]`, `{"é":1,"\u00e9":2}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var s scanner
		b := append(bytes.Clone(data), ' ') // a number must not reach the end
		e := s.value(b, 0, 0)
		got := e >= 0 && skipWS(b, e) == len(b)
		if want := json.Valid(data); got != want {
			t.Fatalf("scanner says %v (end %d, %s at %d), json.Valid says %v for %q", got, e, s.errMsg, s.errAt, want, data)
		}
		if got && utf8.Valid(data) && (s.dup != 0) != hasDupKeys(data) {
			t.Fatalf("scanner says repeated key at %d, encoding/json says %v for %q", s.dup, hasDupKeys(data), data)
		}
	})
}

// hasDupKeys reports whether an object in the JSON value data repeats a
// key, from encoding/json's tokens.
func hasDupKeys(data []byte) bool {
	d := json.NewDecoder(bytes.NewReader(data))
	var objs []map[string]bool // nil for an array
	keyNext := false           // the next token in the innermost object is a key
	for {
		tok, err := d.Token()
		if err != nil {
			return false
		}
		if keyNext {
			if k, ok := tok.(string); ok {
				if objs[len(objs)-1][k] {
					return true
				}
				objs[len(objs)-1][k] = true
				keyNext = false
				continue
			}
		}
		switch tok {
		case json.Delim('{'):
			objs = append(objs, map[string]bool{})
			keyNext = true
			continue
		case json.Delim('['):
			objs = append(objs, nil)
			keyNext = false
			continue
		case json.Delim('}'), json.Delim(']'):
			objs = objs[:len(objs)-1]
		}
		keyNext = len(objs) > 0 && objs[len(objs)-1] != nil
	}
}
