package cloudtrail

import (
	"bytes"
	"fmt"

	"github.com/ttcproject/ttc/internal/jsonscan"
)

// Lone records (one per line, CloudWatch Logs export lines) recover from a
// line that holds no record: it is one rejected record, and reading goes
// on at the next line that starts an object (or object joined to another;
// see resync). This file holds that
// recovery for text, for a bad first line and for a stray container.

// rejectText rejects text that starts no JSON value between the lone
// records of a file (a broken line: a bracket too many, words after a
// record) and resumes at the next line that starts an object.
func (r *Reader) rejectText() error {
	reason := fmt.Sprintf(`no JSON object or array, starts with "%s"`, r.textHead())
	pos := r.position(r.pos, r.stats.Read+1)
	_, note := r.resyncNote(r.pos, pos)
	// Text opens no bracket: the object after it is not inside it, whatever
	// follows that object (records of an array whose head is lost, each
	// line a record and a comma, the last one then ']').
	r.resyncObj = 0
	return r.rejectObject(pos, reason+note)
}

// resyncNote is resync for the rejected lone record at pos. It resumes at
// an object no further indented than the record, or the last whole object,
// was: the objects nested in a broken record written over several lines (a
// pretty-printed one) are not read as records, while records that are all
// indented still are after a line of text. It also returns what the
// rejection's reason ends with when lines after the record's first are
// passed over with it: which lines, so that none goes unmentioned.
func (r *Reader) resyncNote(from int64, pos Position) (found bool, note string) {
	first := pos.Line
	found = r.resync(from, r.resumeCol())
	var last int64
	to := "up to the next object"
	if found {
		last = r.lineAt(r.pos) - 1 // r.pos is on the object's line
	} else {
		to = "to the end of the input"
		last = r.lineAt(r.pos)
		if b := r.data(); r.idx(r.pos) > 0 && b[r.idx(r.pos)-1] == '\n' {
			last-- // the input ends with a newline: no line after it
		}
	}
	if last <= first {
		return found, ""
	}
	return found, fmt.Sprintf("; lines %d-%d passed over, %s", first, last, to)
}

// resumeCol is the column a line's object may start at, at most, for
// reading to resume there after a broken lone record: that of the record,
// or of the last whole one (see resyncNote).
func (r *Reader) resumeCol() int { return max(r.startCol, r.recCol) }

// textHead returns the start of the text at r.pos, for a message: up to
// 16 bytes, not past its line.
func (r *Reader) textHead() []byte {
	for r.n-r.idx(r.pos) < 16 && r.fill() {
	}
	b, i := r.data(), r.idx(r.pos)
	h := head(b[i:])
	if j := bytes.IndexByte(h, '\n'); j >= 0 {
		h = h[:j]
	}
	return bytes.TrimRight(h, " \t\r")
}

// lookAhead is how many lines after a file's first value firstNotRecord
// reads to find a record.
const lookAhead = 8

// firstNotRecord handles a file's first value, from offset at to end, that
// is no record. When one of the next few values holds a lone record, and
// the values before it are all objects, the file is a stream of one record
// per line that starts badly (a comment, a header, empty or foreign
// objects): the value is one rejected record, for reason, and reading goes
// on after it, each value that is no record costing that value (text, the
// rest of its line). Otherwise err, which ends the file, is returned, so
// that a file in another format (a package.json, a text, a stream of
// something else) fails as a whole, as before anything was read ahead.
// After an empty container object the file is a container file, and err
// is returned at once. A first value that is text (at == end) is its
// whole line.
//
// Looking ahead is bounded, so that a large file of something else is not
// read through to prove it: a file whose record comes only after
// lookAhead values, or after a line that starts no object or holds a broken
// one, or whose lines up to the record do not fit in Options.MaxValueSize,
// fails as a whole.
func (r *Reader) firstNotRecord(at, end int64, err error, reason string) error {
	pos := r.position(at, r.stats.Read+1)
	if r.cat == catContainer || !r.recordAhead(end, at == end) {
		return err
	}
	r.cat = catItems
	return r.rejectObject(pos, reason)
}

// recordAhead reports whether a lone record (or an envelope or log event
// around one) is one of the lookAhead values after offset from, each value
// before it being an object; when it is, reading resumes at from, or at
// the line after from's when text, the text there being the first value.
// An object is looked for after each value on the rest of its line, then
// at the start of the next non-blank line, text after an object on its
// line being passed over. The values read ahead are held in the buffer
// and read again.
func (r *Reader) recordAhead(from int64, text bool) bool {
	r.keepHere(r.idx(from))
	var at int64
	var ok bool
	if text {
		at, ok = r.lineAfter(from)
		r.keepHere(r.idx(at)) // without holding the first value
	} else {
		at, ok = r.nextAhead(from)
	}
	if !ok {
		return false
	}
	resume := r.pos
	var k itemKeys
	for range lookAhead {
		e, ok := r.aheadObject(at, &k)
		if !ok {
			return false
		}
		if k.recordish || k.wrapper() {
			r.keepHere(r.idx(resume))
			return true
		}
		if at, ok = r.nextAhead(e); !ok {
			return false
		}
	}
	return false
}

// nextAhead returns where to look for the next object after a value that
// ends at offset at: the object that follows it on its line, else the
// next line; ok is false at the end of input.
func (r *Reader) nextAhead(at int64) (int64, bool) {
	for {
		b := r.data()
		i := r.idx(at)
		for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r') {
			i++
		}
		if i < len(b) {
			if b[i] == '{' {
				return r.abs(i), true
			}
			return r.lineAfter(r.abs(i))
		}
		at = r.abs(i)
		if !r.fill() {
			return 0, false
		}
	}
}

// aheadObject scans the object that starts the first non-blank line at or
// after offset at, maybe after a CloudWatch export timestamp, filling k
// with its keys, and returns its end; ok is false when there is no such
// line, it starts no object, or the object is broken, cut short or too
// large to hold.
func (r *Reader) aheadObject(at int64, k *itemKeys) (end int64, ok bool) {
	for {
		b := r.data()
		i := skipWS(b, r.idx(at))
		at = r.abs(i)
		o, _ := pastMarks(b, i) // files joined to another with cat
		if i >= len(b) || cutShort(b, o) && !r.eof {
			if r.fill() {
				continue
			}
			if i >= len(b) {
				return 0, false
			}
		}
		if o < len(b) && isDigit(b[o]) {
			o += stampedLine(b[o:])
		}
		if o >= len(b) || b[o] != '{' {
			return 0, false
		}
		switch e := r.sc.object(b, o, k); e {
		case more:
			if !r.fill() {
				return 0, false
			}
		case fail:
			return 0, false
		default:
			return r.abs(e), true
		}
	}
}

// lineAfter returns the offset after the first newline at or after offset
// at, holding the buffer from r.keep; ok is false when there is none.
func (r *Reader) lineAfter(at int64) (int64, bool) {
	for {
		b := r.data()
		if j := bytes.IndexByte(b[r.idx(at):], '\n'); j >= 0 {
			return at + int64(j) + 1, true
		}
		at = r.abs(len(b))
		if !r.fill() {
			return 0, false
		}
	}
}

// strayContainer passes over the array at b[j], the value of the container
// key name, in a top-level object among lone records. The object is not
// held from here on and is rejected at its end as one record, and reading
// goes on after it: a stray line (an empty {"Records":[]}, a subscription
// payload) costs that line, not the rest of the file. Its items are not
// read: a container among lone records is no shape any AWS service writes.
func (r *Reader) strayContainer(name string, j int) error {
	r.stray = name
	return r.skipMember(r.abs(j))
}

// resync moves to the next line whose first non-blank byte is '{' at
// column maxCol or before (or that starts with a CloudWatch export
// timestamp), or to an object that starts right where another ends on a
// line (see joined), and reports whether it found one; without one it
// moves to the end of input.
func (r *Reader) resync(from int64, maxCol int) bool {
	r.keep, r.pos = from, from
	var prev [2]byte // the last two bytes that are not blanks before b[i:] on its line
	for {
		b := r.data()
		i := r.idx(r.pos)
		for {
			j := bytes.IndexByte(b[i:], '\n')
			end := len(b)
			if j >= 0 {
				end = i + j
			}
			at, wait := joined(b[i:], end-i, prev)
			if at >= 0 {
				r.keepHere(i + at)
				r.resyncAt, r.resyncCol, r.resyncObj = r.pos, -1, r.pos+1
				return true
			}
			if wait < len(b)-i && !r.eof {
				prev = lastTwo(b[i:i+wait], prev)
				i += wait // from a candidate the buffer cuts, once more is read
				break
			}
			if j < 0 {
				prev = lastTwo(b[i:], prev)
				i = len(b)
				break
			}
			k := skipWS(b, i+j+1)
			o, blanks := pastMarks(b, k)
			if k >= len(b) || cutShort(b, o) && !r.eof {
				// Look again with more input, from the last newline.
				i += j + bytes.LastIndexByte(b[i+j:k], '\n')
				prev = [2]byte{}
				break
			}
			// The column of b[o]: blank lines before its line are skipped
			// too, and byte order marks (files joined with cat) take none.
			col := k - (i + j + bytes.LastIndexByte(b[i+j:k], '\n')) - 1 + blanks
			if o < len(b) && (b[o] == '{' && col <= maxCol || stampedLine(b[o:]) > 0) {
				r.keepHere(k)
				r.resyncAt, r.resyncCol, r.resyncObj = r.pos, col, r.abs(o)+1
				return true
			}
			i, prev = k, [2]byte{}
		}
		r.keepHere(i)
		wasEOF := r.eof
		if !r.fill() {
			if r.tooLarge {
				// What is held from i (blanks before a line's first byte, a
				// candidate cut short) fills the buffer: an object after
				// that many blanks is further indented than any bound, so
				// looking goes on after what is held, not from its start.
				r.keepHere(r.n)
				continue
			}
			if wasEOF || !r.eof || r.readErr != nil {
				r.keepHere(r.n)
				return false
			}
		}
		// The input went on, or it only now turned out to end where it
		// did: a digit put off above may be read as it stands.
	}
}

// stampedLine returns the length of the "<timestamp> " prefix CloudWatch
// Logs puts before each event when it exports a log group to S3, when b
// starts with one followed by '{', and 0 otherwise.
func stampedLine(b []byte) int {
	const date = "0000-00-00T"
	if len(b) < len(date) {
		return 0
	}
	for i := range len(date) {
		if date[i] == '0' && !isDigit(b[i]) || date[i] != '0' && b[i] != date[i] {
			return 0
		}
	}
	for i := len(date); i < len(b) && i < 40; i++ {
		switch c := b[i]; {
		case c == ' ':
			if i+1 < len(b) && b[i+1] == '{' {
				return i + 1
			}
			return 0
		case !isDigit(c) && c != ':' && c != '.' && c != 'Z' && c != '+' && c != '-':
			return 0
		}
	}
	return 0
}

// maxJoinBlanks bounds the blanks joined looks through between two objects
// and before the key.
const maxJoinBlanks = 64

// joined returns the index in s of the '{' of an object that starts where
// another ends on the line s[:line]: "}{" or "} {", then a key's quote,
// on that line or the next ones (pretty-printed records joined so), as
// records concatenated with no newline between them are (Amazon Data
// Firehose writes them so). Inside a string, such bytes can only end it
// ("…}{" then its closing quote), and the object found there is broken and
// rejected; an object found inside a broken record's array or object is
// rejected too, by what follows it (nestedAfter). An object that begins
// as CloudTrail records do ({"eventVersion") is found anywhere on the
// line, but where a member's value is (after a ':'). It returns -1 when there is none, and wait, the index of a
// candidate that runs past the end of s (len(s) when none), for callers
// that can read more.
//
// prev holds the last two bytes that are not blanks before s on its line
// (0 at the line's start), the later one last: what comes before a mark
// found at s's start.
func joined(s []byte, line int, prev [2]byte) (at, wait int) {
	at, wait = joinedBrace(s, line)
	// CloudTrail starts every record with its eventVersion (a record with
	// sorted keys with awsRegion or a key before it, an EventBridge
	// envelope with its version): a record that begins on the line of a
	// record cut short ("{"eventName":"X","ev" then the next record, as cat
	// joins a cut file to the next) is found by that, with no '}' before
	// it. No string holds those bytes unescaped. One right after a key
	// ("detail":) is a member's value (an EventBridge envelope's detail):
	// it is the broken record's own, not a record joined to it. A ':' that
	// follows no key is a string's, cut there (ARNs are full of them).
	// Only a mark before the joined object and before wait can change
	// the answer: looking no further keeps a line of many broken objects
	// joined together linear, each resync passing over one of them.
	end := min(line, wait)
	if at >= 0 {
		end = min(end, at)
	}
	m := -1
	for k := 0; k < end; k++ {
		if s[k] != '{' {
			continue
		}
		mark, cut := lineMarkAt(s[k:])
		if cut && line == len(s) {
			// A mark the buffer cuts short: wait for more, unless one was
			// found before.
			if wait > k && at < 0 && !afterKey(s, k, prev) {
				return -1, k
			}
			break
		}
		if mark && !afterKey(s, k, prev) {
			m = k
			break
		}
	}
	if m >= 0 && (at < 0 || m < at) && m < wait {
		return m, len(s)
	}
	return at, wait
}

// afterKey reports whether s[k] follows a key's closing quote and its ':'
// (blanks between). prev holds the last two bytes that are not blanks
// before s on its line, the later one last.
func afterKey(s []byte, k int, prev [2]byte) bool {
	last := lastTwo(s[:k], prev)
	return last[1] == ':' && last[0] == '"'
}

// lastTwo returns the last two bytes of b that are not blanks, the later
// one last, taking them from prev where b has fewer.
func lastTwo(b []byte, prev [2]byte) [2]byte {
	out, n := prev, 0
	for j := len(b) - 1; j >= 0 && n < 2; j-- {
		if !jsonscan.IsSpace(b[j]) {
			n++
			if n == 1 {
				out[1] = b[j]
			} else {
				out[0] = b[j]
			}
		}
	}
	if n == 1 {
		out[0] = prev[1]
	}
	return out
}

// envelopeMark is how an EventBridge envelope's JSON text begins, as
// EventBridge writes it.
const envelopeMark = `{"version":"0"`

// lineMarkAt is markAt for a line of a stream: a record's mark, or an
// EventBridge envelope's.
func lineMarkAt(b []byte) (mark, cut bool) {
	mark, cut = markAt(b)
	if mark {
		return true, false
	}
	n := min(len(b), len(envelopeMark))
	if string(b[:n]) == envelopeMark[:n] {
		if n == len(envelopeMark) {
			return true, false
		}
		cut = true
	}
	return false, cut
}

// joinedBrace is joined for an object that starts where another ends.
func joinedBrace(s []byte, line int) (at, wait int) {
	blanks := func(p int, newlines bool) int {
		for n := 0; p < len(s) && n < maxJoinBlanks; n++ {
			if c := s[p]; c != ' ' && c != '\t' && (!newlines || c != '\n' && c != '\r') {
				break
			}
			p++
		}
		return p
	}
	for i := 0; i < line; {
		k := bytes.IndexByte(s[i:line], '}')
		if k < 0 {
			break
		}
		c := i + k
		p := blanks(c+1, false)
		if p >= len(s) {
			return -1, c
		}
		if s[p] == 0xef && len(s)-p < 4 {
			return -1, c // a byte order mark, maybe, cut short
		}
		p += bomAt(s, p) // a file joined to another with no newline between
		if s[p] == '{' {
			q := blanks(p+1, true)
			if q >= len(s) {
				return -1, c
			}
			if s[q] == '"' {
				return p, len(s)
			}
		}
		i = c + 1
	}
	return -1, len(s)
}

// nestedAfter reports whether the lone object that resync stopped at, just
// read up to r.pos, sits inside the broken value before it rather than
// starting a record: the first byte after it, past blanks and line ends,
// closes an array or object (']' or '}'), which follows an item or a
// member but never a record in a stream of them (an object left in an
// array of a broken record). An object joined to the end of another
// (joined) is nested when a ',' follows it too: two items with the comma
// between them missing. A ',' after an object that starts a line is let
// be: records written one per line with a comma after each, as in an
// array whose head is lost, are still read. It returns that byte. It may
// read more input, holding the object.
func (r *Reader) nestedAfter(joinedObj bool) (byte, bool) {
	c, ok := r.nextByte()
	return c, ok && (c == ']' || c == '}' || c == ',' && joinedObj)
}

// nextByte returns the first byte after r.pos past blanks and line ends;
// ok is false when there is none, or the blanks outgrow what the buffer may
// hold, or the input fails. It may read more input, holding what is held
// already.
func (r *Reader) nextByte() (c byte, ok bool) {
	at := r.pos
	for {
		b := r.data()
		i := r.idx(at)
		for ; i < len(b); i++ {
			if c := b[i]; !jsonscan.IsSpace(c) {
				return c, true
			}
		}
		at = r.abs(i)
		if !r.fill() {
			return 0, false
		}
	}
}

// pastMarks returns where the byte order marks at b[i] end (files joined
// with cat), each with the blanks after it, and how many blanks those were:
// a mark takes no column, the blanks do.
func pastMarks(b []byte, i int) (o, blanks int) {
	for o = i; bomAt(b, o) > 0; {
		for o += 3; o < len(b) && (b[o] == ' ' || b[o] == '\t'); o++ {
			blanks++
		}
	}
	return o, blanks
}

// cutShort reports whether what starts at b[o] may be cut by the end of
// the buffer in a way that changes what it is: the end itself, a digit
// that may start a CloudWatch export timestamp, or a byte order mark.
func cutShort(b []byte, o int) bool {
	return o >= len(b) || isDigit(b[o]) && len(b)-o < 64 || b[o] == 0xef && len(b)-o < 4
}

// bomAt returns 3 when b holds a UTF-8 byte order mark at i, else 0.
func bomAt(b []byte, i int) int {
	if len(b)-i >= 3 && b[i] == 0xef && b[i+1] == 0xbb && b[i+2] == 0xbf {
		return 3
	}
	return 0
}

// aloneInFile reports whether nothing but blanks and byte order marks
// follows r.pos to the end of input, as after a digest, which is alone in
// its file. It consumes them, holding nothing: the value before r.pos is
// no longer held, however many there are. When it returns false, r.pos is
// at what follows (or where the input failed).
func (r *Reader) aloneInFile() bool {
	for {
		b := r.data()
		i := r.idx(r.pos)
		for cut := false; i < len(b) && !cut; {
			switch c := b[i]; {
			case c == ' ' || c == '\t' || c == '\r' || c == '\n':
				i++
			case bomAt(b, i) > 0:
				i += 3
			case c == 0xef && len(b)-i < 3 && !r.eof:
				cut = true // a mark cut by the buffer: read on
			default:
				r.keepHere(i)
				return false
			}
		}
		r.keepHere(i)
		if !r.fill() {
			return r.readErr == nil && r.pos == r.abs(r.n)
		}
	}
}
