package cloudtrail

import (
	"errors"
	"fmt"
)

// errControl reports a raw control character inside a string met while
// skipping a value: the value is not JSON, and the line it sits on is broken.
var errControl = errors.New("control character in string")

// skipValue streams through the input from offset from without holding it,
// for a value or member too large to hold, up to the first ',', '}' or ']'
// outside strings and outside the brackets it opened. It follows strings,
// escapes and a nesting count only: memory stays flat however large or deep
// the value is, and the rest of the grammar goes unchecked. It returns the
// offset of that byte and the offset after the last non-blank byte before
// it. On errControl, end is the offset of the control character.
func (r *Reader) skipValue(from int64) (end, last int64, err error) {
	r.keepHere(r.idx(from))
	last = from
	var depth int64
	inStr, esc := false, false
	for {
		b := r.data()
		i := r.idx(r.pos)
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
					return r.abs(i), last, errControl
				}
				i++
				continue
			}
			switch b[i] {
			case ' ', '\t', '\n', '\r':
				i++
				continue
			case '"':
				inStr = true
			case '{', '[':
				depth++
			case '}', ']':
				if depth == 0 {
					return r.abs(i), last, nil
				}
				depth--
			case ',':
				if depth == 0 {
					return r.abs(i), last, nil
				}
			}
			i++
			last = r.abs(i)
		}
		r.keepHere(len(b))
		if !r.fill() {
			if r.readErr != nil {
				return r.abs(r.n), last, fmt.Errorf("read input: %w", r.readErr)
			}
			return r.abs(r.n), last, ErrTruncated
		}
	}
}

// tooLargeReason is the reason given for a record skipped for its size.
func (r *Reader) tooLargeReason(size int64) string {
	const msg = "record of %d bytes is larger than the limit of %d bytes"
	return fmt.Sprintf(msg, size, r.opts.MaxValueSize)
}

// skipItem rejects the array item at offset start, which does not fit in
// the buffer, and streams past it. invalid, when not empty, says why the
// item is not valid JSON either.
func (r *Reader) skipItem(start int64, invalid string) error {
	pos := r.position(start, r.stats.Read+1)
	end, last, err := r.skipValue(start)
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
	end, _, err := r.skipValue(start)
	switch {
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
