package cloudtrail

import (
	"errors"
	"fmt"
)

// errControl reports a raw control character inside a string met while
// skipping a value: the value is not JSON, and the line it sits on is broken.
var errControl = errors.New("control character in string")

// errOpenLine reports a lone object skipped past the line held in
// r.resume until the buffer filled: it leaves a bracket open.
var errOpenLine = errors.New("object left open")

// skipValue streams through the input from offset from without holding it,
// for a value or member too large to hold, up to the first ',', '}' or ']'
// outside strings and outside the brackets it opened. It follows strings,
// escapes and a nesting count only: memory stays flat however large or deep
// the value is, and the rest of the grammar goes unchecked. It returns the
// offset of that byte and the offset after the last non-blank byte before
// it. On errControl, end is the offset of the control character.
//
// lone says the value is in a lone top-level object, where a line may be
// broken: skipping holds the input from the first later line that starts
// with a digit in its first column, or with '{' no further indented than
// resync would resume at (the newline before it goes in r.resume, -1 for
// none), so that a line that leaves a bracket open can be rejected and
// reading resume there instead of at the end of input. The lines of a
// pretty-printed value are indented further and hold nothing. When the
// held input fills the buffer, skipping ends with errOpenLine.
func (r *Reader) skipValue(from int64, lone bool) (end, last int64, err error) {
	r.keepHere(r.idx(from))
	r.resume = -1
	if lone {
		if f := r.skipFailure(from); f != nil {
			return r.skipKnown(from, f) // runs to a failure met already: not skipped again
		}
	}
	last = from
	var depth int64
	inStr, esc, lineStart := false, false, false
	// A line may start with blanks before its '{': lineCol counts them
	// (up to a bound, past which the line is not one to resume at), and
	// nl is the newline before them.
	bound := r.resumeCol()
	lineCol, nl := 0, int64(-1)
	for {
		b := r.data()
		i := r.idx(r.pos)
		start := i
		for i < len(b) {
			if inStr {
				if esc {
					esc = false
					i++
					continue
				}
				if i = stopByte(b, i); i >= len(b) {
					break
				}
				switch b[i] {
				case '"':
					inStr = false
					last = r.abs(i + 1)
				case '\\':
					esc = true
				default:
					r.steps += int64(i - start)
					return r.abs(i), last, errControl
				}
				i++
				continue
			}
			if lineStart {
				switch c := b[i]; {
				case (c == ' ' || c == '\t') && lineCol < bound:
					lineCol++
				case c == '\n' || c == '\r':
				default:
					lineStart = false
					if lone && r.resume < 0 && (c == '{' || isDigit(c) && lineCol == 0) {
						r.resume = nl
					}
				}
			}
			switch b[i] {
			case '\n':
				lineStart, lineCol, nl = true, 0, r.abs(i)
				i++
				continue
			case ' ', '\t', '\r':
				i++
				continue
			case '"':
				inStr = true
			case '{', '[':
				depth++
			case '}', ']':
				if depth == 0 {
					r.steps += int64(i - start)
					return r.abs(i), last, nil
				}
				depth--
			case ',':
				if depth == 0 {
					r.steps += int64(i - start)
					return r.abs(i), last, nil
				}
			}
			i++
			last = r.abs(i)
		}
		r.steps += int64(len(b) - start)
		r.keepHere(len(b))
		switch {
		case r.resume >= 0:
			r.keep = r.resume
		case lone && lineStart:
			r.keep = nl // from the newline, in case the next line is one to resume at
		}
		if !r.fill() {
			switch {
			case r.readErr != nil:
				return r.abs(r.n), last, fmt.Errorf("read input: %w", r.readErr)
			case r.tooLarge:
				return r.abs(r.n), last, errOpenLine
			}
			return r.abs(r.n), last, ErrTruncated
		}
	}
}

// tooLargeReason is the reason given for a record skipped for its size.
func (r *Reader) tooLargeReason(size int64) string {
	if size <= int64(r.opts.MaxValueSize) {
		// In an array the byte after an item must fit beside it: an item
		// of exactly the limit does not.
		const atLimit = "record of %d bytes does not fit the limit of %d bytes with the separator after it"
		return fmt.Sprintf(atLimit, size, r.opts.MaxValueSize)
	}
	const msg = "record of %d bytes is larger than the limit of %d bytes"
	return fmt.Sprintf(msg, size, r.opts.MaxValueSize)
}

// skipItem rejects the array item at offset start, which does not fit in
// the buffer, and streams past it. invalid, when not empty, says why the
// item is not valid JSON either.
func (r *Reader) skipItem(start int64, invalid string) error {
	pos := r.position(start, r.stats.Read+1)
	end, last, err := r.skipValue(start, false)
	if err != nil {
		pos.Ordinal = r.stats.Read
		if err == errControl {
			err = fmt.Errorf("%w: %v at offset %d", ErrSyntax, err, end)
		}
		return &FileError{Pos: pos, Err: err}
	}
	r.arrFirst, r.first = false, false
	r.keepHere(r.idx(end))
	if r.control && !r.topArray && r.inCont {
		r.stats.Skipped++
		return nil
	}
	r.stats.Read++
	r.stats.Rejected++
	reason := r.tooLargeReason(last - start)
	if invalid != "" {
		reason = invalid + "; " + reason
	}
	return &RecordError{Pos: pos, Reason: reason}
}

// skipMember streams past the member of a top-level object at offset start,
// which does not fit in the buffer. Unless the object turns out to be a
// container it is no longer held either: it is rejected at its end.
// Skipping stops at a ',' or '}' only, so blanks past the limit before a
// container's key take the container with them, as one large record; no
// log writer pads its output like that.
func (r *Reader) skipMember(start int64) error {
	if !r.inCont && !r.overflow {
		r.controlFromKeys()
		r.objLine = r.lineAt(r.objStart)
		r.overflow = true
	}
	lone := !r.inCont && r.cat != catContainer
	end, _, err := r.skipValue(start, lone)
	if lone && r.resume >= 0 && (err == ErrTruncated || err == errControl) {
		kind := knownEOF
		if err == errControl {
			kind = knownControl
		}
		r.remember(&r.skipFail, kind, r.resume, end, "")
	}
	switch {
	case err == errOpenLine || err == errControl && r.resume >= 0:
		return r.openLine()
	case lone && r.resume >= 0 && r.readErr != nil:
		// The input failed (a cut gzip file) while the open line was
		// skipped: the lines read after it are read as ever, and the
		// failure ends the file where they do.
		return r.openLine()
	case err == errControl && !r.inCont:
		return r.objectSyntaxFrom(r.idx(end), err.Error(), end)
	case err == ErrTruncated && !r.inCont:
		return r.objectEOF()
	case err == errControl:
		return r.fileErr(end, fmt.Errorf("%w: %v", ErrSyntax, err))
	case err != nil:
		return r.fileErr(end, err)
	}
	r.objFirst = false
	r.keepHere(r.idx(end))
	return nil
}

// openLine rejects the lone top-level object being skipped, which is still
// open on the line after r.resume, and resumes at the first line that
// starts an object from there on.
func (r *Reader) openLine() error {
	pos := r.position(r.objStart, r.stats.Read+1)
	next := r.lineAt(r.resume + 1)
	_, note := r.resyncNote(r.resume, pos)
	return r.rejectObject(pos, fmt.Sprintf("invalid JSON: object still open at the start of line %d%s", next, note))
}
