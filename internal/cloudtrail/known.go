package cloudtrail

import (
	"bytes"
	"slices"
)

// A lone object that fails takes in the lines after it up to where it
// fails (the end of input, a syntax error, a limit), and reading resumes at
// the next line after its start that starts an object. That line is often
// inside the failed object: a line that leaves a bracket open takes in the
// next, which does the same, and so on. Read again from each such line, the
// same bytes would be scanned again up to the same failure, once per line:
// quadratic in the input, minutes for a few megabytes of "{\"a\":[" lines.
//
// So a failure is remembered: the brackets of the scanned bytes still open
// where it happened. A value that starts at one of them runs up to that
// failure too, and fails the same way; it is not scanned again. The
// scanner's failures and the skipper's (skipValue, which follows strings
// and brackets only) are kept apart: a value that the scanner found valid
// up to a syntax error is skipped past it, while bytes only skipped may
// hold a syntax error the scanner would find before the skipper's failure.

// knownKind is how a remembered scan failed.
type knownKind uint8

const (
	knownNone    knownKind = iota
	knownEOF               // the input ended
	knownSyntax            // scanner: invalid JSON at at
	knownRefused           // scanner: a limit reached at at
	knownControl           // skipper: a control character in a string at at
)

// maxKnownOpen bounds the open brackets remembered of one failure; the
// scanner's are bounded by maxDepth already, the skipper's are not.
// Brackets past it are not known to be open, and values that start there
// are scanned again, each such scan remembering the next ones.
const maxKnownOpen = 1 << 16

// knownFailure is one remembered failure.
type knownFailure struct {
	kind     knownKind
	from, at int64   // the bytes scanned, [from, at); the failure is at at
	open     []int32 // brackets in them still open at at, relative to from, ascending
	upto     int64   // brackets from here on are not known
	msg      string  // the scanner's message, for knownSyntax and knownRefused
}

// opens reports whether the bracket at offset p is one that f knows to be
// still open at its failure.
func (f *knownFailure) opens(p int64) bool {
	if f.kind == knownNone || p <= f.from || p >= f.upto {
		return false
	}
	_, ok := slices.BinarySearch(f.open, int32(p-f.from))
	return ok
}

// remember records into f that the scan of the bytes from offset from,
// which starts outside any string, failed at offset at for kind (with the
// scanner's message msg); those bytes are in the buffer. A failure that f
// already covers (a value inside the one remembered, running to the same
// failure, that starts where f knows the brackets) is not recorded again,
// so that it costs nothing.
func (r *Reader) remember(f *knownFailure, kind knownKind, from, at int64, msg string) {
	if f.kind == kind && f.at == at && f.from <= from && from < f.upto && f.msg == msg {
		return
	}
	b := r.buf[r.idx(from):r.idx(at)]
	r.steps += int64(len(b))
	f.kind, f.from, f.at, f.upto, f.msg = kind, from, at, at, msg
	f.open = f.open[:0]
	over := 0 // brackets opened past maxKnownOpen and still open
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '"':
			for i++; i < len(b) && b[i] != '"'; i++ {
				if b[i] == '\\' {
					i++
				}
			}
		case '{', '[':
			if over > 0 || len(f.open) == maxKnownOpen {
				if over == 0 {
					f.upto = from + int64(i)
				}
				over++
				continue
			}
			f.open = append(f.open, int32(i))
		case '}', ']':
			switch {
			case over > 0:
				if over--; over == 0 {
					f.upto = at
				}
			case len(f.open) > 0:
				f.open = f.open[:len(f.open)-1]
			}
		}
	}
}

// forget drops what is remembered, for a new file.
func (f *knownFailure) forget() {
	f.kind = knownNone
	if cap(f.open) > maxKeptKeys {
		f.open = nil
	}
}

// scanKnown is the scanner's result for a member value that
// runs to the remembered failure r.scanFail: more at the end of input,
// otherwise fail with the scanner's error set as it was.
func (r *Reader) scanKnown() int {
	f := &r.scanFail
	if f.kind == knownEOF {
		return more
	}
	r.sc.errAt, r.sc.errMsg, r.sc.limit = r.idx(f.at), f.msg, f.kind == knownRefused
	return fail
}

// skipFailure returns the remembered failure that skipping the value at
// offset from would run to, nil for none: the end of input, remembered by
// the scanner or the skipper, or a control character the skipper found.
func (r *Reader) skipFailure(from int64) *knownFailure {
	if f := &r.scanFail; f.kind == knownEOF && f.opens(from) {
		return f
	}
	if f := &r.skipFail; f.opens(from) {
		return f
	}
	return nil
}

// skipKnown is skipValue(from, true) for a value that runs to the
// remembered failure f, without going through it again: it finds where a
// lone object left open resumes and leaves the reader where skipValue
// would.
func (r *Reader) skipKnown(from int64, f *knownFailure) (end, last int64, err error) {
	b := r.buf[:r.idx(f.at)]
	bound := r.resumeCol()
	for i := r.idx(from); ; {
		j := bytes.IndexByte(b[i:], '\n')
		if j < 0 || i+j+1 >= len(b) {
			r.steps += int64(len(b) - i)
			break
		}
		r.steps += int64(j + 1)
		i += j + 1
		k, col := i, 0
		for k < len(b) && (b[k] == ' ' || b[k] == '\t') && col < bound {
			k++
			col++
		}
		if k < len(b) && (b[k] == '{' || isDigit(b[k]) && col == 0) {
			r.resume = r.abs(i - 1)
			break
		}
	}
	if f.kind == knownControl {
		return f.at, from, errControl
	}
	r.keepHere(r.n)
	switch {
	case r.resume >= 0:
		r.keep = r.resume
	case r.buf[r.n-1] == '\n':
		r.keep-- // the newline, as skipValue keeps it
	}
	return r.abs(r.n), from, ErrTruncated
}
