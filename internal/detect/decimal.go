package detect

import (
	"bytes"
	"errors"
	"math"
	"strconv"
)

// maxExactChars bounds the numbers compared exactly: a longer one is
// compared as float64. A log's numbers are the attacker's to write, and a
// decimal's digits are held for the comparison.
const maxExactChars = 100

// decimal is a number as written in decimal, reduced to its sign, its
// significant digits (no leading or trailing zero) and the power of ten
// of the last: digits × 10^exp. Zero has no digits. Two numbers are
// equal exactly when their decimals are, whatever float64 they round to.
type decimal struct {
	neg    bool
	digits []byte
	exp    int64
}

// parseDecimal reads a JSON or YAML number written in decimal (a sign,
// digits with at most one point, an exponent), appending its digits to
// buf. ok is false for anything else (hexadecimal, Inf, NaN) and for a
// number longer than maxExactChars: those are compared as float64.
func parseDecimal(buf []byte, s []byte) (d decimal, ok bool) {
	s = bytes.TrimSpace(s)
	if len(s) == 0 || len(s) > maxExactChars {
		return d, false
	}
	i := 0
	if s[0] == '-' || s[0] == '+' {
		d.neg = s[0] == '-'
		i++
	}
	start := len(buf)
	seenDigit, seenPoint := false, false
	for ; i < len(s) && s[i] != 'e' && s[i] != 'E'; i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			seenDigit = true
			if seenPoint {
				d.exp--
			}
			if c != '0' || len(buf) > start { // leading zeros are dropped
				buf = append(buf, c)
			}
		case c == '.' && !seenPoint:
			seenPoint = true
		default:
			return d, false
		}
	}
	if !seenDigit {
		return d, false
	}
	if i < len(s) {
		e, err := strconv.ParseInt(string(s[i+1:]), 10, 64)
		if err != nil || e > 1<<62 || e < -1<<62 { // past 18 digits: compared as float64
			return d, false
		}
		d.exp += e
	}
	d.digits = buf[start:]
	for n := len(d.digits); n > 0 && d.digits[n-1] == '0'; n-- {
		d.digits, d.exp = d.digits[:n-1], d.exp+1
	}
	if len(d.digits) == 0 {
		return decimal{}, true // zero, of either sign
	}
	return d, true
}

// parseNumber reads a number as float64. One past float64's range reads
// as an infinity, which orders it against every other; its exact value
// (see decimal) tells it from others past the range. NaN is no number: it
// orders against none.
func parseNumber[S ~string | ~[]byte](text S) (float64, bool) {
	f, err := strconv.ParseFloat(string(text), 64)
	if math.IsNaN(f) {
		return 0, false
	}
	return f, err == nil || errors.Is(err, strconv.ErrRange)
}

// cmp compares two decimals: -1, 0 or +1.
func (d decimal) cmp(e decimal) int {
	switch {
	case len(d.digits) == 0 && len(e.digits) == 0:
		return 0
	case len(d.digits) == 0:
		return e.sign() * -1
	case len(e.digits) == 0:
		return d.sign()
	case d.neg != e.neg:
		return d.sign()
	}
	m := d.cmpMagnitude(e)
	if d.neg {
		return -m
	}
	return m
}

func (d decimal) sign() int {
	if d.neg {
		return -1
	}
	return 1
}

// cmpMagnitude compares the absolute values of two non-zero decimals.
func (d decimal) cmpMagnitude(e decimal) int {
	// The power of ten of the leading digit decides, then the digits.
	if a, b := int64(len(d.digits))+d.exp, int64(len(e.digits))+e.exp; a != b {
		if a < b {
			return -1
		}
		return 1
	}
	n := min(len(d.digits), len(e.digits))
	if c := bytes.Compare(d.digits[:n], e.digits[:n]); c != 0 {
		return c
	}
	// One is the other followed by more digits, none of them zero at the
	// end: the longer is larger.
	switch {
	case len(d.digits) < len(e.digits):
		return -1
	case len(d.digits) > len(e.digits):
		return 1
	}
	return 0
}

// ruleNumber is a number a rule compares with: its float64 value, and
// the exact value when it was written in decimal (exactOK).
type ruleNumber struct {
	f       float64
	exact   decimal
	exactOK bool
	short   bool // written in 15 characters or fewer
}

func newRuleNumber(f float64, text string) ruleNumber {
	d, ok := parseDecimal(nil, []byte(text))
	return ruleNumber{f: f, exact: d, exactOK: ok, short: len(text) <= 15}
}

// cmpValue compares the record's number v, which reads as f in float64,
// with n: exactly by its text, or as float64 when the caller decoded it
// to one (its text is then no longer the record's).
func (n *ruleNumber) cmpValue(v *value, f float64) int {
	if v.approx {
		return cmpFloat(f, n.f)
	}
	return n.cmpText(v.text, f)
}

// cmpText compares the number a record writes as text, which reads as f
// in float64, with n: -1, 0 or +1. float64 orders numbers that read
// differently; numbers that read the same are compared exactly, unless
// both are short enough for float64 to tell apart (15 characters, a
// normal finite float64), or either is past maxExactChars.
func (n *ruleNumber) cmpText(text []byte, f float64) int {
	if c := cmpFloat(f, n.f); c != 0 || !n.exactOK || (n.short && len(text) <= 15 && math.Abs(f) >= 0x1p-1022 && !math.IsInf(f, 0)) {
		return c
	}
	var buf [maxExactChars]byte
	d, ok := parseDecimal(buf[:0], text)
	if !ok {
		return 0
	}
	return d.cmp(n.exact)
}
