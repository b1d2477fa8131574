// Package textpos places a byte offset of a file's text as a line and a
// column, as the problems the catalog and rule checks report name them.
package textpos

import (
	"bytes"
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
