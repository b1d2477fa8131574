package stix

import (
	"strings"
	"testing"
)

// TestDecodeSyntaxErrors checks that a broken document is described by
// line, column and the byte found, named plainly, with no Go escape for a
// display to escape again.
func TestDecodeSyntaxErrors(t *testing.T) {
	for in, want := range map[string]string{
		"{\"type\":\"bundle\",\"objects\":[{\"id\":\"a\x1b\"}]}":           "invalid JSON at line 1, column 37: found byte 0x1b",
		"{\"type\":\"bundle\",\n \"objects\":[}":                           "invalid JSON at line 2, column 13: found '}'",
		`{"type":"bundle"`:                                                 "invalid JSON: unexpected end of input after line 1, column 16",
		"{\"type\":\"bundle\",\n  \"objects\": [\n":                        "unexpected end of input after line 2, column 14",
		"\xef\xbb\xbf{\"type\":\"bundle\"}":                                "the file starts with a byte order mark",
		`[{"type":"bundle"}]`:                                              "the document is a JSON array, not an object",
		`{"type":1,"id":"x"}`:                                              "field type is a JSON number, where STIX has a string",
		`{"type":"bundle","objects":{}}`:                                   "field objects is a JSON object, where STIX has an array",
		`{"type":"bundle","objects":[{"type":"attack-pattern","name":5}]}`: "decode stix object 1 of bundle: field name is a JSON number, where STIX has a string",
	} {
		_, err := Decode(strings.NewReader(in))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Decode(%q) = %v, want an error saying %q", in, err, want)
		}
	}
}
