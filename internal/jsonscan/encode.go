package jsonscan

import (
	"encoding/binary"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

const hexDigits = "0123456789abcdef"

// AppendString appends s as a JSON string, escaped as encoding/json
// escapes it (quotes, backslashes and control characters; '<', '>' and
// '&'; U+2028 and U+2029; invalid UTF-8 becomes U+FFFD), and with every
// character AppendShown escapes written as a \u escape too: a string from
// a log must not reorder or hide the text around it where the JSON is
// read. The result is AppendShown of encoding/json's. Strings that need
// none of this, most of them, are checked eight bytes at a time and copied
// whole.
func AppendString(b []byte, s string) []byte {
	if plainString(s) {
		b = append(b, '"')
		b = append(b, s...)
		return append(b, '"')
	}
	return appendEscaped(b, s)
}

// AppendBytes is AppendString for text held in a byte slice.
func AppendBytes(b []byte, s []byte) []byte {
	if Plain(s) {
		b = append(b, '"')
		b = append(b, s...)
		return append(b, '"')
	}
	return appendEscaped(b, s)
}

// appendEscaped appends s as a JSON string, escaping what needs it.
func appendEscaped[S ~string | ~[]byte](b []byte, s S) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if plainByte[c] {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		// At most four bytes: the conversion stays on the stack.
		r, size := utf8.DecodeRuneInString(string(s[i:min(i+utf8.UTFMax, len(s))]))
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if hidden(r) { // U+2028 and U+2029 among them
			b = append(b, s[start:i]...)
			b = appendRune(b, r)
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// Plain reports whether AppendBytes writes s as it is, between quotes:
// no byte of it needs escaping.
func Plain(s []byte) bool {
	n := len(s)
	if n < 8 {
		for _, c := range s {
			if !plainByte[c] {
				return false
			}
		}
		return true
	}
	for i := 0; i+8 <= n; i += 8 {
		if !plain8(binary.LittleEndian.Uint64(s[i:])) {
			return false
		}
	}
	return plain8(binary.LittleEndian.Uint64(s[n-8:])) // the tail, overlapping the last whole word
}

// plainString is Plain for a string. (Separate functions, not one generic
// one: a generic body builds each word from eight byte loads.)
func plainString(s string) bool {
	n := len(s)
	if n < 8 {
		for i := range n {
			if !plainByte[s[i]] {
				return false
			}
		}
		return true
	}
	for i := 0; i+8 <= n; i += 8 {
		if !plain8(load8(s, i)) {
			return false
		}
	}
	return plain8(load8(s, n-8))
}

// plainByte marks the bytes that are written as they are.
var plainByte = func() (t [256]bool) {
	for c := 0x20; c < 0x7f; c++ { // not DEL, which a terminal drops
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()

// load8 reads s[i:i+8] as a little-endian word, which the compiler makes
// one load.
func load8(s string, i int) uint64 {
	_ = s[i+7]
	return uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
		uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
}

// plain8 reports whether none of the eight bytes of w needs escaping: all
// are ASCII, none is a control character, DEL, a quote, a backslash, '<',
// '>' or '&'.
func plain8(w uint64) bool {
	// With every byte below 0x80, subtracting 0x20 from each borrows into
	// the high bit exactly for the bytes below 0x20. Setting bit 2 turns
	// '"' (0x22) into '&' (0x26), and no other byte; setting bit 1 turns
	// '<' (0x3c) into '>' (0x3e), and no other byte: one test finds each
	// pair.
	ctl := (w - 0x20*LSB) &^ w
	bad := zeroBytes((w|0x04*LSB)^('&'*LSB)) | zeroBytes((w|0x02*LSB)^('>'*LSB)) | zeroBytes(w^('\\'*LSB))
	// Adding one to each byte carries into the high bit exactly for DEL
	// (0x7f), and out of a byte only from one at 0x80 or above, which w's
	// own high bit already refuses.
	del := w + LSB
	return (w|ctl|bad|del)&MSB == 0
}

// ASCII reports whether every byte of b is below 0x80, eight at a time.
func ASCII(b []byte) bool {
	i := 0
	for ; i+8 <= len(b); i += 8 {
		if binary.LittleEndian.Uint64(b[i:])&MSB != 0 {
			return false
		}
	}
	for ; i < len(b); i++ {
		if b[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// AppendShown appends the JSON text b, which must be valid JSON, with each
// character that a terminal or viewer could act on or hide written as a
// \u escape: DEL and the C1 controls, format characters (bidirectional
// overrides, zero-width characters), the line and paragraph separators,
// private-use and unassigned code points, and Blank characters. Invalid
// UTF-8 becomes \ufffd. Outside strings valid JSON is ASCII, so only
// strings change, and each still means what it did (bar invalid bytes).
func AppendShown(dst, b []byte) []byte {
	start := 0
	for i := 0; i < len(b); {
		if b[i] < utf8.RuneSelf && b[i] != 0x7f { // DEL, which a terminal drops, can only be in a string
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if (r != utf8.RuneError || n > 1) && !hidden(r) { // a U+FFFD that is written stays
			i += n
			continue
		}
		dst = appendRune(append(dst, b[start:i]...), r)
		i += n
		start = i
	}
	return append(dst, b[start:]...)
}

// hidden reports whether r, DEL or a character past ASCII, is one
// AppendShown escapes: any that is not graphic (DEL, C1 controls, format
// characters, line and paragraph separators, private-use and unassigned
// code points), and the Blank ones.
func hidden(r rune) bool { return !unicode.IsGraphic(r) || Blank(r) }

// Blank reports whether r shows as nothing, or as empty space, without
// being the ASCII space, though Unicode counts it as graphic: the other
// spaces (no-break, en, em, thin, ideographic...), the Hangul fillers, the
// combining grapheme joiner, variation selectors, the Mongolian free
// variation selectors, the Khmer inherent vowels and the blank Braille
// pattern. A name padded with one looks like the name without it, so
// displays escape them. (An emoji's variation selector is escaped too:
// precision over looks, in a tool that shows evidence.)
func Blank(r rune) bool {
	switch {
	case r < 0xa0:
		return false
	case unicode.Is(unicode.Zs, r),
		0xfe00 <= r && r <= 0xfe0f, 0xe0100 <= r && r <= 0xe01ef, 0x180b <= r && r <= 0x180f:
		return true
	}
	switch r {
	case '\u034f', '\u115f', '\u1160', '\u17b4', '\u17b5', '\u2800', '\u3164', '\uffa0':
		return true
	}
	return false
}

// appendRune appends r as a \u escape, or two for a pair of surrogates.
func appendRune(dst []byte, r rune) []byte {
	if r1, r2 := utf16.EncodeRune(r); r1 != unicode.ReplacementChar {
		return appendU(appendU(dst, r1), r2)
	}
	return appendU(dst, r)
}

// appendU appends r, a rune of the Basic Multilingual Plane or half of a
// surrogate pair, as a \uXXXX escape.
func appendU(dst []byte, r rune) []byte {
	return append(dst, '\\', 'u', hexDigits[r>>12&0xf], hexDigits[r>>8&0xf], hexDigits[r>>4&0xf], hexDigits[r&0xf])
}
