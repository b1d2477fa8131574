// Package jsonscan walks raw JSON without building values: it finds where
// strings, values, object members and array elements end, eight bytes at a
// time where it can, and decodes and encodes strings. The CloudTrail reader
// describes records with its Member, and the Sigma matcher and the
// scanner's finding header read records through it, so that they skip what
// they do not need at memory speed.
package jsonscan

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// The functions below are lenient about what they do not need (a bare literal such as `tru` is taken
// as a scalar token) but never read out of bounds: every function returns -1
// when the input ends or is not shaped like JSON where it must be.

// IsSpace reports whether c is JSON white space.
func IsSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\r' || c == '\t' }

// SkipSpace returns the index of the first byte at or after b[i] that is not
// whitespace, or len(b).
func SkipSpace(b []byte, i int) int {
	for i < len(b) && IsSpace(b[i]) {
		i++
	}
	return i
}

// LSB and MSB are SWAR constants: the scanners test eight bytes at a time for the bytes
// they stop at.
const (
	LSB = 0x0101010101010101
	MSB = 0x8080808080808080
)

// zeroBytes has the high bit set in the lowest byte of w that is zero (and
// possibly in higher ones; only the lowest set bit is exact).
func zeroBytes(w uint64) uint64 { return (w - LSB) &^ w & MSB }

// StringEnd returns the index just past the closing quote of the string
// whose opening quote is at b[i], or -1.
func StringEnd(b []byte, i int) int {
	return stringRest(b, i+1)
}

// stringRest returns the index just past the closing quote of a string
// whose content starts at b[i], or -1.
func stringRest(b []byte, i int) int {
	for {
		// Eight bytes at a time up to the first quote or backslash.
		for i+8 <= len(b) {
			w := binary.LittleEndian.Uint64(b[i:])
			if hit := zeroBytes(w^('"'*LSB)) | zeroBytes(w^('\\'*LSB)); hit != 0 {
				i += bits.TrailingZeros64(hit) >> 3
				break
			}
			i += 8
		}
		for i < len(b) && b[i] != '"' && b[i] != '\\' {
			i++
		}
		if i >= len(b) {
			return -1
		}
		if b[i] == '"' {
			return i + 1
		}
		i += 2 // a backslash and the byte it escapes
	}
}

// ValueEnd returns the index just past the JSON value starting at b[i]
// (no leading space).
func ValueEnd(b []byte, i int) int {
	if i >= len(b) {
		return -1
	}
	switch b[i] {
	case '"':
		return StringEnd(b, i)
	case '{', '[':
		return containerEnd(b, i)
	case '}', ']', ',', ':':
		return -1
	}
	// Scalar token: number, true, false, null.
	j := i
	for j < len(b) && !delim[b[j]] {
		j++
	}
	return j
}

// delim marks the bytes that end a scalar token.
var delim = [256]bool{',': true, '}': true, ']': true, ':': true, '"': true,
	' ': true, '\n': true, '\r': true, '\t': true}

// Byte classes for containerEnd.
const (
	cOther uint8 = iota
	cQuote
	cOpen
	cClose
)

var class = [256]uint8{'"': cQuote, '{': cOpen, '[': cOpen, '}': cClose, ']': cClose}

// containerEnd skips an object or array by counting brackets outside
// strings. Mismatched bracket kinds are not detected here.
func containerEnd(b []byte, i int) int {
	depth := 0
	for i < len(b) {
		c := class[b[i]]
		i++
		switch c {
		case cQuote:
			if i = stringRest(b, i); i < 0 {
				return -1
			}
		case cOpen:
			depth++
		case cClose:
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

// Member is one key/value pair of a JSON object, as byte offsets.
type Member struct {
	KStart, KEnd int // key including quotes
	VStart, VEnd int
	KEsc         bool
	// Obj is set when the value is an object listed in an Index: it is
	// 1 + the object's place in Index.Objects. 0 says nothing: the value is
	// no object, or an empty one, or was not listed.
	Obj int32
}

// NextMember reads the member at b[i] (after '{' or ','), returning it and
// the index after the following ',' or at the closing '}'. done is true when
// the object closes; ok is false on malformed input.
func NextMember(b []byte, i int) (m Member, next int, done, ok bool) {
	i = SkipSpace(b, i)
	if i >= len(b) {
		return m, -1, false, false
	}
	if b[i] == '}' {
		return m, i + 1, true, true
	}
	if b[i] != '"' {
		return m, -1, false, false
	}
	ke := StringEnd(b, i)
	if ke < 0 {
		return m, -1, false, false
	}
	m.KStart, m.KEnd = i, ke
	m.KEsc = bytes.IndexByte(b[i+1:ke-1], '\\') >= 0
	i = SkipSpace(b, ke)
	if i >= len(b) || b[i] != ':' {
		return m, -1, false, false
	}
	i = SkipSpace(b, i+1)
	ve := ValueEnd(b, i)
	if ve < 0 || ve == i {
		return m, -1, false, false
	}
	m.VStart, m.VEnd = i, ve
	i = SkipSpace(b, ve)
	if i >= len(b) {
		return m, -1, false, false
	}
	switch b[i] {
	case ',':
		return m, i + 1, false, true
	case '}':
		return m, i, false, true
	}
	return m, -1, false, false
}

// NextElem reads the array element at b[i] (after '[' or ','), like
// NextMember.
func NextElem(b []byte, i int) (start, end, next int, done, ok bool) {
	i = SkipSpace(b, i)
	if i >= len(b) {
		return 0, 0, -1, false, false
	}
	if b[i] == ']' {
		return 0, 0, i + 1, true, true
	}
	ve := ValueEnd(b, i)
	if ve < 0 || ve == i {
		return 0, 0, -1, false, false
	}
	j := SkipSpace(b, ve)
	if j >= len(b) {
		return 0, 0, -1, false, false
	}
	switch b[j] {
	case ',':
		return i, ve, j + 1, false, true
	case ']':
		return i, ve, j, false, true
	}
	return 0, 0, -1, false, false
}

// DecodeString appends the decoded content of the JSON string b (with its
// quotes) to dst. Invalid escapes are kept as written; lone surrogates
// become U+FFFD, as encoding/json does.
func DecodeString(dst, b []byte) []byte { return Unescape(dst, b[1:len(b)-1]) }

// Unescape is DecodeString for the content of a string, without its quotes.
func Unescape(dst, s []byte) []byte {
	for {
		j := bytes.IndexByte(s, '\\')
		if j < 0 || j+1 >= len(s) {
			return append(dst, s...)
		}
		dst = append(dst, s[:j]...)
		s = s[j:]
		switch e := s[1]; e {
		case '"', '\\', '/':
			dst = append(dst, e)
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r, n := decodeU(s)
			if n == 0 {
				dst = append(dst, s[:2]...)
				break
			}
			dst = utf8.AppendRune(dst, r)
			s = s[n:]
			continue
		default:
			dst = append(dst, s[:2]...)
		}
		s = s[2:]
	}
}

// decodeU decodes a \uXXXX escape (and a following low surrogate) at the
// start of b, returning the rune and the bytes consumed (0 if invalid).
func decodeU(b []byte) (rune, int) {
	hex := func(b []byte) (rune, bool) {
		if len(b) < 6 || b[0] != '\\' || b[1] != 'u' {
			return 0, false
		}
		v, err := strconv.ParseUint(string(b[2:6]), 16, 16)
		return rune(v), err == nil
	}
	r, ok := hex(b)
	if !ok {
		return 0, 0
	}
	if !utf16.IsSurrogate(r) {
		return r, 6
	}
	if r2, ok := hex(b[6:]); ok {
		if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
			return d, 12
		}
	}
	return utf8.RuneError, 6
}

// AppendMembers appends the members of the object that b holds (with
// nothing but space around it) to dst; ok is false when b is not one
// object. dst comes back non-nil when ok, even for an empty object.
func AppendMembers(dst []Member, b []byte) (_ []Member, ok bool) {
	i := SkipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return dst, false
	}
	if dst == nil {
		dst = make([]Member, 0, 32)
	}
	for i++; ; {
		m, next, done, ok := NextMember(b, i)
		if !ok {
			return dst, false
		}
		if done {
			return dst, SkipSpace(b, next) == len(b)
		}
		dst = append(dst, m)
		i = next
	}
}
