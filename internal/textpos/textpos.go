// Package textpos places a byte offset of a file's text as a line and a
// column, and back, as the problems the catalog and rule checks report
// name them, and reads the line out of the YAML library's messages.
package textpos

import (
	"bytes"
	"regexp"
	"strconv"
	"unicode/utf8"
)

// Place turns a byte offset of data into a line and a column (in
// characters), both from 1.
func Place(data []byte, off int) (line, col int) {
	before := data[:off]
	line = 1 + bytes.Count(before, []byte("\n"))
	if i := bytes.LastIndexByte(before, '\n'); i >= 0 {
		before = before[i+1:]
	}
	return line, 1 + utf8.RuneCount(before)
}

// Offset is Place the other way: the byte offset of line and column
// (both from 1, the column in characters) in data, or -1 when data holds
// fewer lines. A column past its line's end gives the line's end.
func Offset(data []byte, line, col int) int {
	off := 0
	for l := 1; l < line; l++ {
		i := bytes.IndexByte(data[off:], '\n')
		if i < 0 {
			return -1
		}
		off += i + 1
	}
	for c := 1; c < col && off < len(data) && data[off] != '\n'; c++ {
		_, n := utf8.DecodeRune(data[off:])
		off += n
	}
	return off
}

// YAMLError splits a message of the YAML library (yaml.v3), "yaml: line
// 12: did not find expected key", into the line it names (0 for none) and
// what it says without the library's prefixes.
func YAMLError(msg string) (line int, what string) {
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
	}
	return line, yamlPrefixRE.ReplaceAllString(msg, "")
}

var (
	yamlLineRE   = regexp.MustCompile(`line ([0-9]+)`)
	yamlPrefixRE = regexp.MustCompile(`^(yaml: )?(line [0-9]+: )?`)
)

// InvalidUTF8 returns the offset of the first byte of data that is not
// part of valid UTF-8, or len(data).
func InvalidUTF8(data []byte) int {
	for i := 0; i < len(data); {
		r, n := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return len(data)
}
