package detect

import (
	"bytes"
	"regexp/syntax"
	"strings"
	"unicode"
	"unicode/utf8"
)

// litFilter is a cheap test run before a regular expression: every match of
// the expression contains at least one literal of each set. A text that
// misses every literal of some set cannot match, and the expression is not
// run on it. A nil filter lets everything through.
type litFilter [][][]byte

// pass reports whether text may match: it holds a literal of every set.
func (f litFilter) pass(text []byte) bool {
	for _, set := range f {
		found := false
		for _, lit := range set {
			if bytes.Contains(text, lit) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// size is the number of literals pass may look for: the times it may
// read a text.
func (f litFilter) size() int {
	n := 0
	for _, set := range f {
		n += len(set)
	}
	return n
}

// Limits of the analysis: sets grow by cross products, so they are capped,
// and literals shorter than minLit would let nearly every text through.
const (
	maxLitSet = 16
	minLit    = 3
)

// requiredLiterals works out the literal sets of a litFilter for expr, a
// regular expression in Go syntax. The filter compares bytes as they are,
// so a case-folded literal counts by its spellings (foldings), when they
// are few.
func requiredLiterals(expr string) litFilter {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil
	}
	var f litFilter
	for _, set := range reqSets(re.Simplify(), nil) {
		if usefulSet(set) {
			f = append(f, toBytes(set))
		}
	}
	return f
}

func usefulSet(set []string) bool {
	if len(set) == 0 {
		return false
	}
	for _, s := range set {
		// U+FFFD in an expression also matches any byte that is not UTF-8,
		// which the filter's byte comparison would not find.
		if len(s) < minLit || strings.ContainsRune(s, utf8.RuneError) {
			return false
		}
	}
	return true
}

func toBytes(set []string) [][]byte {
	out := make([][]byte, len(set))
	for i, s := range set {
		out[i] = []byte(s)
	}
	return out
}

// exactSet returns every string re can match when they are few and known
// (a literal, a small character class, an alternation or concatenation of
// those), and ok false otherwise.
func exactSet(re *syntax.Regexp) ([]string, bool) {
	switch re.Op {
	case syntax.OpLiteral:
		if re.Flags&syntax.FoldCase != 0 {
			return foldings(re.Rune)
		}
		return []string{string(re.Rune)}, true
	case syntax.OpEmptyMatch:
		return []string{""}, true
	case syntax.OpCharClass:
		var out []string
		for i := 0; i+1 < len(re.Rune); i += 2 {
			for r := re.Rune[i]; r <= re.Rune[i+1]; r++ {
				if len(out) == maxLitSet {
					return nil, false
				}
				out = append(out, string(r))
			}
		}
		return out, len(out) > 0
	case syntax.OpCapture:
		return exactSet(re.Sub[0])
	case syntax.OpAlternate:
		var out []string
		for _, sub := range re.Sub {
			s, ok := exactSet(sub)
			if !ok || len(out)+len(s) > maxLitSet {
				return nil, false
			}
			out = append(out, s...)
		}
		return out, true
	case syntax.OpConcat:
		out := []string{""}
		for _, sub := range re.Sub {
			s, ok := exactSet(sub)
			if !ok {
				return nil, false
			}
			if out = cross(out, s); out == nil {
				return nil, false
			}
		}
		return out, true
	}
	return nil, false
}

// foldings returns every spelling of a case-folded literal: each rune in
// each form of its case-folding orbit (unicode.SimpleFold, the folding the
// regexp package matches with, which for k holds the Kelvin sign), and ok
// false past maxLitSet spellings.
func foldings(runes []rune) ([]string, bool) {
	out := []string{""}
	for _, r := range runes {
		forms := []string{string(r)}
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			forms = append(forms, string(f))
		}
		if out = cross(out, forms); out == nil {
			return nil, false
		}
	}
	return out, true
}

// cross returns every a+b, or nil when there would be more than maxLitSet.
func cross(a, b []string) []string {
	if len(a)*len(b) > maxLitSet {
		return nil
	}
	out := make([]string, 0, len(a)*len(b))
	for _, x := range a {
		for _, y := range b {
			out = append(out, x+y)
		}
	}
	return out
}

// reqSets appends to acc literal sets such that every match of re contains
// a literal of each set.
func reqSets(re *syntax.Regexp, acc [][]string) [][]string {
	if s, ok := exactSet(re); ok {
		return append(acc, s)
	}
	switch re.Op {
	case syntax.OpCapture, syntax.OpPlus:
		return reqSets(re.Sub[0], acc)
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return reqSets(re.Sub[0], acc)
		}
	case syntax.OpConcat:
		return concatSets(re.Sub, acc)
	case syntax.OpAlternate:
		// Each branch must give a set; any literal of any branch will do.
		var out []string
		for _, sub := range re.Sub {
			best := bestSet(reqSets(sub, nil))
			if best == nil || len(out)+len(best) > maxLitSet {
				return acc
			}
			out = append(out, best...)
		}
		return append(acc, out)
	}
	return acc
}

// concatSets handles a concatenation: runs of adjacent exact parts are
// joined into one set, and every other part adds its own sets.
func concatSets(subs []*syntax.Regexp, acc [][]string) [][]string {
	run := []string{""}
	flush := func() {
		if len(run) > 1 || run[0] != "" {
			acc = append(acc, run)
		}
		run = []string{""}
	}
	for _, sub := range subs {
		if s, ok := exactSet(sub); ok {
			if joined := cross(run, s); joined != nil {
				run = joined
				continue
			}
			flush()
			run = s
			continue
		}
		flush()
		acc = reqSets(sub, acc)
	}
	flush()
	return acc
}

// bestSet picks the set whose shortest literal is longest, or nil.
func bestSet(sets [][]string) []string {
	var best []string
	bestLen := 0
	for _, set := range sets {
		if n := shortest(set); n > bestLen {
			best, bestLen = set, n
		}
	}
	return best
}

func shortest(set []string) int {
	n := -1
	for _, s := range set {
		if n < 0 || len(s) < n {
			n = len(s)
		}
	}
	return max(n, 0)
}
