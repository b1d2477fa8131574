package detect

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode/utf16"
)

// tokKind is the kind of one element of a Sigma string value.
type tokKind uint8

const (
	tLit   tokKind = iota // literal text
	tStar                 // '*': any run of characters, possibly empty
	tQmark                // '?': exactly one character
	tDash                 // one of the windash characters
)

// windashChars are the characters the windash modifier makes interchangeable.
const windashChars = "-/\u2013\u2014\u2015"

// stok is one token of a Sigma string.
type stok struct {
	kind tokKind
	lit  string
}

// sstr is a Sigma string value: literal runs and wildcards.
type sstr []stok

// parseSigmaString splits a plain value into literals and wildcards,
// following the specification's escaping: `\*` and `\?` are literal
// wildcards, `\\` is one backslash, and a backslash before anything else is
// kept as it is.
func parseSigmaString(s string) sstr {
	var out sstr
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			out = append(out, stok{kind: tLit, lit: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s) && (s[i+1] == '*' || s[i+1] == '?' || s[i+1] == '\\'):
			lit.WriteByte(s[i+1])
			i++
		case c == '*':
			flush()
			if len(out) == 0 || out[len(out)-1].kind != tStar {
				out = append(out, stok{kind: tStar})
			}
		case c == '?':
			flush()
			out = append(out, stok{kind: tQmark})
		default:
			lit.WriteByte(c)
		}
	}
	flush()
	return out
}

// literal returns the plain text of s and whether s has no wildcards.
func (s sstr) literal() (string, bool) {
	var b strings.Builder
	for _, t := range s {
		if t.kind != tLit {
			return "", false
		}
		b.WriteString(t.lit)
	}
	return b.String(), true
}

// wrap adds a leading and/or trailing star, merging with existing ones.
func (s sstr) wrap(lead, trail bool) sstr {
	out := make(sstr, 0, len(s)+2)
	if lead && (len(s) == 0 || s[0].kind != tStar) {
		out = append(out, stok{kind: tStar})
	}
	out = append(out, s...)
	if trail && (len(out) == 0 || out[len(out)-1].kind != tStar) {
		out = append(out, stok{kind: tStar})
	}
	return out
}

// windash replaces every dash-like character in literals by a token that
// matches any of them, instead of expanding all permutations.
func (s sstr) windash() sstr {
	var out sstr
	for _, t := range s {
		if t.kind != tLit || !strings.ContainsAny(t.lit, windashChars) {
			out = append(out, t)
			continue
		}
		start := 0
		for i, r := range t.lit {
			if !strings.ContainsRune(windashChars, r) {
				continue
			}
			if i > start {
				out = append(out, stok{kind: tLit, lit: t.lit[start:i]})
			}
			out = append(out, stok{kind: tDash})
			start = i + len(string(r))
		}
		if start < len(t.lit) {
			out = append(out, stok{kind: tLit, lit: t.lit[start:]})
		}
	}
	return out
}

var errEncodeWildcard = errors.New("cannot encode a value that holds wildcards; " +
	"put contains/startswith/endswith after the encoding modifier")

// encode applies an encoding modifier (base64, utf16le, ...) to a literal
// value. Wildcards cannot be encoded.
func (s sstr) encode(mod string) ([]sstr, error) {
	lit, ok := s.literal()
	if !ok {
		return nil, fmt.Errorf("modifier %s: %w", mod, errEncodeWildcard)
	}
	switch mod {
	case "base64":
		return []sstr{litStr(base64.StdEncoding.EncodeToString([]byte(lit)))}, nil
	case "base64offset":
		return base64Offsets(lit), nil
	case "utf16le", "wide":
		return []sstr{litStr(utf16Bytes(lit, false, false))}, nil
	case "utf16be":
		return []sstr{litStr(utf16Bytes(lit, true, false))}, nil
	case "utf16":
		return []sstr{litStr(utf16Bytes(lit, false, true))}, nil
	}
	return nil, fmt.Errorf("unknown encoding \"%s\"", mod)
}

func litStr(s string) sstr {
	if s == "" {
		return sstr{}
	}
	return sstr{{kind: tLit, lit: s}}
}

// base64Offsets returns the three stable cores of the base64 encodings of
// lit when it starts at byte offset 0, 1 or 2 of a longer encoded text.
// Characters influenced by the unknown neighbouring bytes are cut off.
func base64Offsets(lit string) []sstr {
	var out []sstr
	for shift := 0; shift < 3; shift++ {
		enc := base64.StdEncoding.EncodeToString(append(make([]byte, shift), lit...))
		// Leading characters that mix padding bytes with the value.
		start := [3]int{0, 2, 3}[shift]
		// Trailing characters of an incomplete group (and its '=' padding).
		end := len(enc)
		switch (len(lit) + shift) % 3 {
		case 1:
			end -= 3
		case 2:
			end -= 2
		}
		if end > start {
			out = append(out, litStr(enc[start:end]))
		}
	}
	return out
}

// utf16Bytes encodes s as UTF-16 in the given byte order, optionally with a
// little-endian byte order mark (the utf16 modifier).
func utf16Bytes(s string, bigEndian, bom bool) string {
	units := utf16.Encode([]rune(s))
	b := make([]byte, 0, 2*len(units)+2)
	if bom {
		b = append(b, 0xff, 0xfe)
	}
	for _, u := range units {
		if bigEndian {
			b = append(b, byte(u>>8), byte(u))
		} else {
			b = append(b, byte(u), byte(u>>8))
		}
	}
	return string(b)
}

// maxExpansions bounds the values one placeholder expansion may produce.
const maxExpansions = 4096

// expandPlaceholders replaces %name% placeholders in a raw value with every
// combination of the values given for them, and returns the raw values.
// `\%` is a literal percent sign.
func expandPlaceholders(raw string, ph map[string][]string) ([]string, error) {
	outs := []string{""}
	lit := strings.Builder{}
	appendAll := func(parts []string) error {
		next := make([]string, 0, len(outs)*len(parts))
		for _, o := range outs {
			for _, p := range parts {
				next = append(next, o+p)
			}
		}
		if len(next) > maxExpansions {
			return fmt.Errorf("placeholder expansion yields more than %d values", maxExpansions)
		}
		outs = next
		return nil
	}
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c == '\\' && i+1 < len(raw) && raw[i+1] == '%' {
			lit.WriteByte('%')
			i++
			continue
		}
		if c != '%' {
			lit.WriteByte(c)
			continue
		}
		j := strings.IndexByte(raw[i+1:], '%')
		if j < 0 {
			lit.WriteByte(c)
			continue
		}
		name := raw[i+1 : i+1+j]
		vals, ok := ph[name]
		if !ok {
			return nil, fmt.Errorf("%w: placeholder %%%s%% has no values (modifier expand)", ErrUnsupported, name)
		}
		if err := appendAll([]string{lit.String()}); err != nil {
			return nil, err
		}
		lit.Reset()
		if err := appendAll(vals); err != nil {
			return nil, err
		}
		i += j + 1
	}
	if err := appendAll([]string{lit.String()}); err != nil {
		return nil, err
	}
	return outs, nil
}
