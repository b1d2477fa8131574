package detect

import (
	"bytes"
	"encoding/binary"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ttcproject/ttc/internal/jsonscan"
)

// patKind selects the matching strategy of a compiled string pattern.
type patKind uint8

const (
	pExact    patKind = iota // no wildcard
	pPrefix                  // lit*
	pSuffix                  // *lit
	pContains                // *lit*
	pAny                     // only stars: any present value
	pStars                   // literals and stars
	pRunes                   // with '?' or windash tokens: rune by rune
)

// pattern is a compiled Sigma string value. Literals are stored lower-cased
// unless the pattern is cased, and are compared with lower-cased text.
type pattern struct {
	kind  patKind
	cased bool
	lit   []byte     // pExact, pPrefix, pSuffix, pContains
	parts [][]byte   // pStars: literals between stars
	lead  bool       // pStars: starts with a literal
	trail bool       // pStars: ends with a literal
	elems []elem     // pRunes
	src   string     // the value as written, for evidence and debugging
	num   ruleNumber // the number a YAML number value stands for
	isNum bool
}

// elem is one element of a pRunes pattern.
type elem struct {
	kind tokKind
	lit  []byte // one rune's bytes, for tLit
}

func compilePattern(s sstr, cased bool, src string) *pattern {
	p := &pattern{cased: cased, src: src}
	fold := func(l string) []byte {
		if cased {
			return []byte(l)
		}
		return appendLower(nil, []byte(l))
	}
	hasSingle, stars := false, 0
	for _, t := range s {
		switch t.kind {
		case tQmark, tDash:
			hasSingle = true
		case tStar:
			stars++
		}
	}
	switch {
	case hasSingle:
		p.kind = pRunes
		for _, t := range s {
			if t.kind != tLit {
				p.elems = append(p.elems, elem{kind: t.kind})
				continue
			}
			b := fold(t.lit)
			for len(b) > 0 {
				_, n := utf8.DecodeRune(b)
				p.elems = append(p.elems, elem{kind: tLit, lit: b[:n:n]})
				b = b[n:]
			}
		}
	case stars == 0:
		p.kind = pExact
		lit, _ := s.literal()
		p.lit = fold(lit)
	case stars == len(s):
		p.kind = pAny
	case len(s) == 2 && s[1].kind == tStar:
		p.kind, p.lit = pPrefix, fold(s[0].lit)
	case len(s) == 2 && s[0].kind == tStar:
		p.kind, p.lit = pSuffix, fold(s[1].lit)
	case len(s) == 3 && s[0].kind == tStar && s[2].kind == tStar:
		p.kind, p.lit = pContains, fold(s[1].lit)
	default:
		p.kind = pStars
		p.lead = s[0].kind == tLit
		p.trail = s[len(s)-1].kind == tLit
		for _, t := range s {
			if t.kind == tLit {
				p.parts = append(p.parts, fold(t.lit))
			}
		}
	}
	return p
}

// match reports whether text (already lower-cased unless p.cased) matches.
func (p *pattern) match(text []byte) bool {
	switch p.kind {
	case pExact:
		return bytes.Equal(text, p.lit)
	case pPrefix:
		return bytes.HasPrefix(text, p.lit)
	case pSuffix:
		return bytes.HasSuffix(text, p.lit)
	case pContains:
		return bytes.Contains(text, p.lit)
	case pAny:
		return true
	case pStars:
		return p.matchStars(text)
	}
	return matchElems(p.elems, text)
}

func (p *pattern) matchStars(text []byte) bool {
	parts := p.parts
	if p.lead {
		if !bytes.HasPrefix(text, parts[0]) {
			return false
		}
		text, parts = text[len(parts[0]):], parts[1:]
	}
	if p.trail {
		last := parts[len(parts)-1]
		if !bytes.HasSuffix(text, last) {
			return false
		}
		text, parts = text[:len(text)-len(last)], parts[:len(parts)-1]
	}
	for _, part := range parts {
		i := bytes.Index(text, part)
		if i < 0 {
			return false
		}
		text = text[i+len(part):]
	}
	return true
}

// matchElems matches rune-wise with single backtracking on the last star,
// which is exact for patterns made of stars and single-character tokens.
func matchElems(elems []elem, text []byte) bool {
	pi, ti := 0, 0
	starPi, starTi := -1, 0
	for ti < len(text) {
		_, n := utf8.DecodeRune(text[ti:])
		if pi < len(elems) {
			e := elems[pi]
			if e.kind == tStar {
				starPi, starTi = pi, ti
				pi++
				continue
			}
			if e.matches(text[ti : ti+n]) {
				pi++
				ti += n
				continue
			}
		}
		if starPi < 0 {
			return false
		}
		_, sn := utf8.DecodeRune(text[starTi:])
		starTi += sn
		pi, ti = starPi+1, starTi
	}
	for pi < len(elems) && elems[pi].kind == tStar {
		pi++
	}
	return pi == len(elems)
}

func (e elem) matches(r []byte) bool {
	switch e.kind {
	case tQmark:
		return true
	case tDash:
		return strings.Contains(windashChars, string(r))
	}
	return bytes.Equal(e.lit, r)
}

// appendLower appends the lower-case form of src to dst. Invalid UTF-8 bytes
// are copied unchanged. Simple per-rune lowering is used rather than full
// Unicode case folding, the same way for patterns and values.
func appendLower(dst, src []byte) []byte {
	i := 0
	// ASCII eight bytes at a time: add 0x20 to the bytes in 'A'..'Z'.
	for ; i+8 <= len(src); i += 8 {
		w := binary.LittleEndian.Uint64(src[i:])
		if w&jsonscan.MSB != 0 {
			break
		}
		dst = binary.LittleEndian.AppendUint64(dst, w|upperBytes(w)>>2)
	}
	for i < len(src) {
		c := src[i]
		if c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			dst = append(dst, c)
			i++
			continue
		}
		r, n := utf8.DecodeRune(src[i:])
		if r == utf8.RuneError && n == 1 {
			dst = append(dst, c)
		} else {
			dst = utf8.AppendRune(dst, unicode.ToLower(r))
		}
		i += n
	}
	return dst
}

// upperBytes sets the high bit of each byte of the ASCII word w that is an
// upper-case letter.
func upperBytes(w uint64) uint64 {
	geA := w + (0x80-'A')*jsonscan.LSB
	gtZ := w + (0x80-'Z'-1)*jsonscan.LSB
	return (geA &^ gtZ) & jsonscan.MSB
}

// needsLower reports whether appendLower could change b.
func needsLower(b []byte) bool {
	i := 0
	for ; i+8 <= len(b); i += 8 {
		w := binary.LittleEndian.Uint64(b[i:])
		if w&jsonscan.MSB != 0 || upperBytes(w) != 0 {
			return true
		}
	}
	for _, c := range b[i:] {
		if c-'A' < 26 || c >= utf8.RuneSelf {
			return true
		}
	}
	return false
}
