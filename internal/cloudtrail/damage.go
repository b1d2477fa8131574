package cloudtrail

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/ttcproject/ttc/internal/jsonscan"
)

// Reading goes on after a damaged record in an array of records (a record
// cut short and joined to the next, a corrupted byte) at the next record,
// which begins as CloudTrail writes every record, {"eventVersion", or as
// one whose keys were sorted (jq -S) does: markAt. A record pretty-printed
// ({ then a line break) is not found so.

// recordKeys are the keys a record's JSON text begins with: eventVersion,
// which CloudTrail writes first, and the first of a record's keys in
// sorted order (awsRegion, which every record has, or the two optional
// keys before it).
var recordKeys = []string{"eventVersion", "additionalEventData", "apiVersion", "awsRegion"}

// maxMark is the length of the longest record mark.
const maxMark = len(`{"additionalEventData"`)

// markAt reports whether b begins with a record mark: '{', a quote, one of
// recordKeys and its closing quote. cut is true when b ends before that
// can be told.
func markAt(b []byte) (mark, cut bool) {
	if len(b) < 2 {
		return false, true
	}
	if b[0] != '{' || b[1] != '"' {
		return false, false
	}
	rest := b[2:]
	for _, k := range recordKeys {
		switch {
		case len(rest) > len(k) && string(rest[:len(k)]) == k && rest[len(k)] == '"':
			return true, false
		case len(rest) <= len(k) && k[:len(rest)] == string(rest):
			cut = true
		}
	}
	return false, cut
}

// indexMark returns the index in b of the first record mark, or -1.
func indexMark(b []byte) int {
	for j := 0; ; {
		m := bytes.Index(b[j:], []byte(`{"`))
		if m < 0 {
			return -1
		}
		if mark, _ := markAt(b[j+m:]); mark {
			return j + m
		}
		j += m + 1
	}
}

// damage says how damageScan found a damaged array item to end.
type damage int

const (
	damageClosed   damage = iota // its brackets balance: it ends at end
	damageRecord                 // it cannot go on where a record begins, at end
	damageMismatch               // its brackets do not match at end
	damageEOF                    // the input ended first
)

// damageScan follows the damaged array item at offset start by brackets
// and strings alone, as structural does, through any length of input (it
// holds only what it has not passed), and watches for records. A record
// that begins where valid JSON cannot have one ends the item there:
//   - inside what the scan takes for a string: a string cannot hold an
//     unescaped '"', so the scan's quotes are out of step with the
//     input's, the item cut inside a string;
//   - in an object where a key is due, after '{' or ',' (cut there);
//   - after a value in an array, or after the item's end (cut, or joined).
//
// A record-like object that is a member's value (after ':') or an array's
// item (after '[' or ',') is the item's own, and passed: a record can hold
// such objects, and reading must not take them for records.
//
// It holds the kinds of at most maxDepth open containers, past which it
// counts them: a damaged item deeper than any the reader accepts is
// followed by its depth alone, so that a run of brackets costs no memory
// (the kinds checked are the outer ones).
//
// inner counts the record-like objects passed so, and at is where the
// first begins (a record cut short where a member's value is due takes the
// record after it as that value: it is lost with the damaged one, and the
// rejection says so).
func (r *Reader) damageScan(start int64) (end int64, how damage, inner int, at int64) {
	stack := r.stack[:0]
	defer func() { r.stack = stack[:0] }()
	r.passedLine = 0
	inStr, esc, final := false, false, false
	var deeper int64 // open containers past maxDepth, not in stack
	var last byte    // the last byte outside strings that is not a blank
	p := start
	for {
		b := r.data()
		i, short := r.idx(p), false
		for ; i < len(b); i++ {
			r.steps++
			c := b[i]
			if c == '{' && r.abs(i) != start {
				mark, cut := markAt(b[i:])
				if cut && !final {
					short = true // a mark may be cut short: read more first
					break
				}
				if mark {
					if inStr || !nested(stack, last) {
						return r.abs(i), damageRecord, inner, at
					}
					if inner++; inner == 1 {
						at = r.abs(i)
					}
				}
			}
			if inStr {
				switch {
				case esc:
					esc = false
				case c == '\\':
					esc = true
				case c == '"':
					inStr, last = false, '"'
				}
				continue
			}
			if jsonscan.IsSpace(c) {
				continue
			}
			switch c {
			case '"':
				inStr = true
			case '{', '[':
				if len(stack) < maxDepth {
					stack = append(stack, c)
				} else {
					deeper++
				}
			case '}', ']':
				if deeper > 0 {
					deeper--
					break
				}
				if len(stack) == 0 {
					return r.abs(i), damageClosed, inner, at // a scalar ended by its container
				}
				if stack[len(stack)-1] != c-2 { // '{'+2 == '}', '['+2 == ']'
					return r.abs(i), damageMismatch, inner, at
				}
				stack = stack[:len(stack)-1]
				if len(stack) == 0 {
					return r.abs(i + 1), damageClosed, inner, at
				}
			case ',':
				if len(stack) == 0 {
					return r.abs(i), damageClosed, inner, at
				}
			}
			last = c
		}
		// Let go of what was passed; keep a '{' that may begin a mark.
		r.notePassed(b, r.idx(p), i)
		p = r.abs(i)
		r.keep, r.pos = p, p
		if !r.fill() {
			if short && !final {
				final = true // what is left cannot hold a whole mark
				continue
			}
			return p, damageEOF, inner, at
		}
	}
}

// nested reports whether an object may begin, in valid JSON, after last
// (the last byte outside strings) inside the open containers stack: as a
// member's value, or as an array's item.
func nested(stack []byte, last byte) bool {
	if len(stack) == 0 {
		return false
	}
	if stack[len(stack)-1] == '{' {
		return last == ':'
	}
	return last == '[' || last == ','
}

// nextRecord finds the next record at or after offset from by its mark,
// not after a ':' (an object that is a member's value), passing over and
// letting go of the input before it. brace says whether a '{' stood before
// it. ok is false when the input ends first.
func (r *Reader) nextRecord(from int64) (next int64, brace, ok bool) {
	var last byte // the last byte before the search window that is not a blank
	for {
		b := r.data()
		i := r.idx(from)
		seen := i // b[i:seen] is looked through for a '{' already
		for j := i; ; {
			m := indexMark(b[j:])
			if m < 0 {
				break
			}
			q := j + m
			brace = brace || bytes.IndexByte(b[seen:q], '{') >= 0
			seen = q
			if lastNonBlank(b[i:q], last) != ':' {
				r.steps += int64(q - i)
				return r.abs(q), brace, true
			}
			j = q + 1
		}
		// Let go of what holds no mark, keeping what may begin one.
		keep := max(i, len(b)-(maxMark-1))
		r.notePassed(b, i, keep)
		brace = brace || bytes.IndexByte(b[min(seen, keep):keep], '{') >= 0 // a short mark may lie past keep
		last = lastNonBlank(b[i:keep], last)
		r.steps += int64(len(b) - i)
		from = r.abs(keep)
		r.keep, r.pos = from, from
		if !r.fill() {
			return 0, brace, false
		}
	}
}

// notePassed notes in r.passedLine the line of the last byte of b[from:to]
// that is not a blank, before that part of the buffer is let go of.
func (r *Reader) notePassed(b []byte, from, to int) {
	for j := to - 1; j >= from; j-- {
		if !jsonscan.IsSpace(b[j]) {
			r.passedLine = r.lineAt(r.abs(j))
			return
		}
	}
}

// lastNonBlank returns the last byte of b that is not JSON white space, or
// or when there is none.
func lastNonBlank(b []byte, or byte) byte {
	for k := len(b) - 1; k >= 0; k-- {
		if !jsonscan.IsSpace(b[k]) {
			return b[k]
		}
	}
	return or
}

// passDamaged follows the damaged array item at start, whose rejection is
// placed at pos, to its end (damageScan) and rejects it, with the reason
// the end and how it was found give; reading goes on after it, or at the
// record that ends it or follows its brackets' mismatch. ok is false when
// the input ends first; held then says what objects that begin as records
// do the item took with it (see holds), for the caller's file error.
func (r *Reader) passDamaged(pos Position, start int64, reason func(end int64, how damage) string) (held string, ok bool, err error) {
	end, how, inner, at := r.damageScan(start)
	why := func() string {
		if held := holds(inner, at); held != "" {
			return reason(end, how) + "; it holds " + held
		}
		return reason(end, how)
	}
	switch how {
	case damageClosed:
		return "", true, r.rejectDamaged(pos, end, false, why())
	case damageRecord:
		return "", true, r.rejectDamaged(pos, end, true, why())
	case damageMismatch:
		if next, _, ok := r.nextRecord(end); ok {
			return "", true, r.rejectDamaged(pos, next, true, why())
		}
	}
	return holds(inner, at), false, nil
}

// oversized passes over an item larger than the size limit in an array of
// records, as skipItem does elsewhere, but by damageScan: an item that is
// a record cut short inside a string, with no quote in what follows for
// longer than the limit, then costs itself only.
func (r *Reader) oversized(start int64) error {
	pos := r.position(start, r.stats.Read+1)
	held, ok, err := r.passDamaged(pos, start, func(end int64, how damage) string {
		if how == damageMismatch {
			return r.tooLargeReason(end-start) + "; its brackets do not match"
		}
		return r.tooLargeReason(end - start)
	})
	if ok {
		return err
	}
	pos.Ordinal = r.stats.Read
	if r.readErr != nil {
		return withHolds(&FileError{Pos: pos, Err: fmt.Errorf("read input: %w", r.readErr)}, held)
	}
	return withHolds(&FileError{Pos: pos, Err: ErrTruncated}, held)
}

// holds says how many objects that begin as records do a damaged item
// passed over (damageScan's inner), and where the first is; "" for none.
func holds(inner int, at int64) string {
	switch {
	case inner == 1:
		return fmt.Sprintf("an object that begins as a record does, at offset %d, not read as one", at)
	case inner > 1:
		return fmt.Sprintf("%d objects that begin as records do, the first at offset %d, not read as records", inner, at)
	}
	return ""
}

// withHolds adds to a file error what the damaged item it ends at held
// (passDamaged's held): objects that begin as records do, lost with the
// rest of the file, which the error says.
func withHolds(err error, held string) error {
	var fe *FileError
	if held != "" && errors.As(err, &fe) {
		return &FileError{Pos: fe.Pos, Err: fmt.Errorf("%w; the damaged record there holds %s", fe.Err, held)}
	}
	return err
}
