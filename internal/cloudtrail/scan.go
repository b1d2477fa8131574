package cloudtrail

import (
	"encoding/binary"
	"fmt"
	"math/bits"

	"github.com/ttcproject/ttc/internal/jsonscan"
)

// maxDepth matches encoding/json's nesting limit, so that the scanner and
// json.Valid agree on every input within maxKeys (the fuzz test checks
// this).
const maxDepth = 10000

// maxKeys bounds the keys the scanner holds at once, in two counts: those
// of a record's top-level object, and those of the objects open inside
// one of its values. Each costs it 16 to 80 bytes until its object
// closes, and a record that fits the size limit could otherwise make it
// hold millions and take gigabytes. CloudTrail records hold hundreds; one
// with more is refused.
const maxKeys = 1 << 18

// maxListed bounds the members the index lists for one record; past it the
// record goes without an index, and its readers scan it instead.
const maxListed = 1 << 16

// more is the index the scanner returns when the input ended inside a value;
// the caller reads more data and scans the value again from its start.
const more = -1

// fail is the index the scanner returns on a syntax error; scanner.errAt and
// scanner.errMsg say where and why.
const fail = -2

// scanner validates JSON values over a byte slice without allocating. It
// keeps the open containers on a reusable stack, so one scanner serves a
// whole file. It also finds objects that repeat a key: dup is where the
// first such key starts in the scanned slice (0 for none), and the caller
// resets it.
type scanner struct {
	stack []byte   // open containers, '{' or '['
	cur   frame    // the innermost open object
	objs  []frame  // the open objects around it
	keys  []keyRef // keys of the open objects
	top   []keyRef // keys of the object scanned by object
	// members are the members of the object scanned by object, relative
	// to its '{'.
	members []jsonscan.Member
	// index lists the members of the objects nested in the object scanned
	// by object, relative to its '{' (base); value fills it only while
	// indexing is set.
	index    jsonscan.Index
	base     int
	indexing bool
	overflow bool // the index stopped at maxListed
	arrays   int  // open arrays: objects inside them are not listed
	dup      int
	errAt    int
	errMsg   string
	limit    bool // the last failure is a limit reached, not a syntax error

	tmp, tmp2 []byte // decoded keys
	names     []byte // the key name decoded last
}

// explain describes the last syntax error in b, the slice that was scanned,
// or the limit reached.
func (s *scanner) explain(b []byte) string {
	if s.limit {
		return s.errMsg
	}
	if s.errAt < len(b) {
		return s.errMsg + ", " + found(b, s.errAt)
	}
	return s.errMsg
}

// found names the byte at b[i]: a printable ASCII one in quotes, any other
// (and the backslash) by its value in hex, so that the reason holds no
// escape for the terminal's escaping to double. (Not the character it
// starts: whether all of that is in b depends on where the read buffer
// ends, and a reason must not.)
func found(b []byte, i int) string {
	if c := b[i]; c < ' ' || c >= 0x7f || c == '\\' {
		return fmt.Sprintf("found byte 0x%02x", c)
	}
	return fmt.Sprintf("found '%c'", b[i])
}

func (s *scanner) syntax(at int, msg string) int {
	s.errAt, s.errMsg, s.limit = at, msg, false
	return fail
}

// refuse fails the scan on valid JSON that goes past one of the
// scanner's limits.
func (s *scanner) refuse(at int, msg string) int {
	s.errAt, s.errMsg, s.limit = at, msg, true
	return fail
}

// failure names the kind of the last failure, for a rejection's reason.
func (s *scanner) failure() string {
	if s.limit {
		return "refused"
	}
	return "invalid JSON"
}

// skipWS returns the index of the first byte at or after i that is not
// JSON whitespace.
func skipWS(b []byte, i int) int {
	for i < len(b) && b[i] <= ' ' { // records are mostly compact: one comparison
		switch b[i] {
		case ' ', '\n', '\r', '\t':
			i++
		default:
			return i
		}
	}
	return i
}

const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

// special flags, in the top bit of each byte, the bytes of x that end the
// fast path inside a string: '"', '\\' and control characters. The lowest
// flagged byte is exact; flags above it may be false positives.
//
// Flipping bit 1 of every byte turns '"' (0x22) into 0x20 and keeps control
// characters below 0x20 and every other byte at 0x21 or above, so one
// "less than 0x21" test finds both; a second finds the backslash.
func special(x uint64) uint64 {
	y := x ^ (lsb * 0x02)
	e := x ^ (lsb * '\\')
	return (((y - lsb*0x21) &^ y) | ((e - lsb) &^ e)) & msb
}

// str scans the string starting at b[i] == '"' and returns the index after
// its closing quote.
func (s *scanner) str(b []byte, i int) int {
	i++
	for {
		i = stopByte(b, i)
		if i >= len(b) {
			return more
		}
		switch c := b[i]; {
		case c == '"':
			return i + 1
		case c == '\\':
			n := s.escape(b, i)
			if n < 0 {
				return n
			}
			i = n
		default:
			return s.syntax(i, "control character in string")
		}
	}
}

// stopByte returns the index of the first '"', '\\' or control byte at or
// after b[i], or len(b).
func stopByte(b []byte, i int) int {
	for i+8 <= len(b) {
		if m := special(binary.LittleEndian.Uint64(b[i:])); m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
		i += 8
	}
	for i < len(b) && b[i] != '"' && b[i] != '\\' && b[i] >= 0x20 {
		i++
	}
	return i
}

// escape checks the escape sequence at b[i] == '\\' and returns the index
// after it.
func (s *scanner) escape(b []byte, i int) int {
	if i+1 >= len(b) {
		return more
	}
	switch b[i+1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return i + 2
	case 'u':
		for j := i + 2; j < i+6; j++ {
			if j >= len(b) {
				return more
			}
			if !isHex(b[j]) {
				return s.syntax(j, "invalid \\u escape in string")
			}
		}
		return i + 6
	}
	return s.syntax(i+1, "invalid escape in string")
}

func isHex(c byte) bool {
	return c-'0' < 10 || (c|0x20)-'a' < 6
}

func isDigit(c byte) bool { return c-'0' < 10 }

// number scans the number starting at b[i]. A number that reaches the end of
// b may go on, so it asks for more.
func (s *scanner) number(b []byte, i int) int {
	if b[i] == '-' {
		i++
	}
	if i >= len(b) {
		return more
	}
	switch {
	case b[i] == '0':
		i++
	case isDigit(b[i]):
		for i < len(b) && isDigit(b[i]) {
			i++
		}
	default:
		return s.syntax(i, "invalid number")
	}
	if i < len(b) && b[i] == '.' {
		i++
		if i >= len(b) {
			return more
		}
		if !isDigit(b[i]) {
			return s.syntax(i, "invalid number")
		}
		for i < len(b) && isDigit(b[i]) {
			i++
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) {
			return more
		}
		if !isDigit(b[i]) {
			return s.syntax(i, "invalid number")
		}
		for i < len(b) && isDigit(b[i]) {
			i++
		}
	}
	if i >= len(b) {
		return more
	}
	return i
}

// literal scans true, false or null at b[i].
func (s *scanner) literal(b []byte, i int) int {
	var want string
	switch b[i] {
	case 't':
		want = "true"
	case 'f':
		want = "false"
	default:
		want = "null"
	}
	for j := 0; j < len(want); j++ {
		if i+j >= len(b) {
			return more
		}
		if b[i+j] != want[j] {
			return s.syntax(i+j, "invalid literal")
		}
	}
	return i + len(want)
}

// keyColon scans `"key" :` at b[i], a key of the innermost open object,
// and returns the index after the colon.
func (s *scanner) keyColon(b []byte, i int) int {
	if i >= len(b) {
		return more
	}
	if b[i] != '"' {
		return s.syntax(i, "object key expected")
	}
	q := i
	i, fp, esc := s.keyScan(b, i)
	if i < 0 {
		return i
	}
	if seen(&s.cur.mask, fp) {
		s.collide(s.keys[s.cur.first:], b, q, i, fp)
	}
	if len(s.keys) >= maxKeys {
		return s.refuse(q, fmt.Sprintf("more than %d keys in open objects (CloudTrail records hold hundreds)", maxKeys))
	}
	e := i
	i = skipWS(b, i)
	if i >= len(b) {
		return more
	}
	if b[i] != ':' {
		return s.syntax(i, "':' expected after object key")
	}
	i = skipWS(b, i+1)
	s.keys = append(s.keys, keyRef{fp: fp, q: int32(q), e: int32(e), vs: int32(i), esc: esc})
	return i
}

// ended notes that the value of the innermost open object's last key ends
// at b[i], and is the listed object obj (0 for none).
func (s *scanner) ended(i int, obj int32) {
	if n := len(s.stack); n > 0 && s.stack[n-1] == '{' {
		k := &s.keys[len(s.keys)-1]
		k.ve, k.obj = int32(i), obj
	}
}

// list adds the keys of the object that closes, with their values, to the
// index and returns its Obj number; 0 when not indexing, or when the object
// is inside an array, where no member can name it.
func (s *scanner) list(keys []keyRef) int32 {
	if !s.indexing || s.arrays > 0 {
		return 0
	}
	x := &s.index
	if len(x.Members)+len(keys) > maxListed {
		s.indexing, s.overflow = false, true
		return 0
	}
	first := len(x.Members)
	o := int32(s.base)
	for _, k := range keys {
		x.Members = append(x.Members, jsonscan.Member{KStart: int(k.q - o), KEnd: int(k.e - o),
			VStart: int(k.vs - o), VEnd: int(k.ve - o), KEsc: k.esc, Obj: k.obj})
	}
	x.Objects = append(x.Objects, jsonscan.Object{First: int32(first), N: int32(len(keys))})
	return int32(len(x.Objects))
}

// value scans the JSON value at or after b[i] (leading whitespace allowed)
// and returns the index after it. depth is the nesting depth of the value's
// parent.
func (s *scanner) value(b []byte, i, depth int) int {
	if len(s.stack) > 0 { // left over from a scan that failed
		s.stack, s.objs, s.keys = s.stack[:0], s.objs[:0], s.keys[:0]
		s.arrays = 0
	}
	for {
		i = skipWS(b, i)
		if i >= len(b) {
			return more
		}
		switch c := b[i]; {
		case c == '"':
			i = s.str(b, i)
		case c == '{' || c == '[':
			if depth+len(s.stack)+1 > maxDepth {
				return s.refuse(i, fmt.Sprintf("nesting deeper than %d levels", maxDepth))
			}
			j := skipWS(b, i+1)
			if j >= len(b) {
				return more
			}
			if (c == '{' && b[j] == '}') || (c == '[' && b[j] == ']') {
				i = j + 1
				break
			}
			s.stack = append(s.stack, c)
			if c == '[' {
				s.arrays++
				i = j
				continue
			}
			s.objs = append(s.objs, s.cur)
			s.cur = frame{first: int32(len(s.keys))}
			if i = s.keyColon(b, j); i < 0 {
				return i
			}
			continue
		case c == '-' || isDigit(c):
			i = s.number(b, i)
		case c == 't' || c == 'f' || c == 'n':
			i = s.literal(b, i)
		default:
			return s.syntax(i, "value expected")
		}
		if i < 0 {
			return i
		}
		if i = s.close(b, i); i < 0 || len(s.stack) == 0 {
			return i
		}
	}
}

// close consumes the separators and closing brackets after a value. It
// returns the index of the next value (after a comma and, in an object, the
// next key), or the end of the outermost value once the stack is empty.
func (s *scanner) close(b []byte, i int) int {
	s.ended(i, 0)
	for len(s.stack) > 0 {
		i = skipWS(b, i)
		if i >= len(b) {
			return more
		}
		top := s.stack[len(s.stack)-1]
		switch c := b[i]; {
		case c == ',':
			if top == '[' {
				return i + 1
			}
			return s.keyColon(b, skipWS(b, i+1))
		case c == '}' && top == '{':
			obj := s.list(s.keys[s.cur.first:]) // before closeKeys sorts them
			if len(s.keys)-int(s.cur.first) > linearKeys {
				s.repeat(s.closeKeys(b, s.keys[s.cur.first:]))
			}
			s.keys = s.keys[:s.cur.first]
			s.cur = s.objs[len(s.objs)-1]
			s.objs = s.objs[:len(s.objs)-1]
			s.stack = s.stack[:len(s.stack)-1]
			i++
			s.ended(i, obj)
		case c == ']' && top == '[':
			s.stack = s.stack[:len(s.stack)-1]
			s.arrays--
			i++
			s.ended(i, 0)
		case top == '{':
			return s.syntax(i, "',' or '}' expected in object")
		default:
			return s.syntax(i, "',' or ']' expected in array")
		}
	}
	return i
}
