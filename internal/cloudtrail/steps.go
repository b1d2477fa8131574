package cloudtrail

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/ttcproject/ttc/internal/jsonscan"
)

var insightType = []byte(`"AwsCloudTrailInsight"`)

// top starts the next top-level value, or ends the file.
func (r *Reader) top() error {
	// The column of r.pos in its line: known at the start of the input and
	// where resync stopped, then once a newline is met; -1 when not (the
	// value follows another on its line).
	col := -1
	switch r.pos {
	case 0:
		col = 0
	case r.resyncAt:
		col = r.resyncCol
	}
	for {
		b := r.data()
		start := r.idx(r.pos)
		// past moves the column over the blanks b[start:i].
		past := func(i int) {
			if k := bytes.LastIndexByte(b[start:i], '\n'); k >= 0 {
				col = i - (start + k) - 1
			} else if col >= 0 {
				col += i - start
			}
		}
		i := skipWS(b, start)
		for bomAt(b, i) > 0 {
			// A UTF-8 byte order mark, which takes no column: at the start
			// of the input, or of a file joined to another (cat a b).
			past(i)
			start = i + 3
			i = skipWS(b, start)
		}
		past(i)
		r.startCol = col
		r.keepHere(i)
		if i >= len(b) || (len(b)-i < 3 && b[i] == 0xef && !r.eof) { // a byte order mark may be cut
			if r.fill() {
				continue
			}
			if r.readErr != nil {
				return r.endErr(r.pos)
			}
			if i >= len(b) {
				return io.EOF
			}
		}
		switch b[i] {
		case '{':
			if r.atStart() {
				switch yes, short := lambdaKey(b[i:]); {
				case yes:
					return r.unwrapLambda(i)
				case short && r.fill():
					continue
				}
			}
			r.mode, r.objStart, r.objFirst, r.inCont, r.control = modeObject, r.pos, true, false, false
			r.overflow, r.dupAt, r.objKeys, r.objMask, r.stray = false, 0, r.objKeys[:0], 0, ""
			r.conts = r.conts[:0]
			r.objMembers = r.objMembers[:0]
			r.keys = itemKeys{}
			r.pos++
			return nil
		case '[':
			if err := r.setCat(catItems, r.pos); err != nil {
				return err
			}
			r.stats.Shapes |= ShapeArray
			r.mode, r.arrFirst, r.contShape, r.topArray = modeArray, true, ShapeArray, true
			r.pos++
			return nil
		case '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
			if j := stampedLine(b[i:]); j > 0 {
				r.pos += int64(j)                  // a CloudWatch Logs export line: "<timestamp> {record}"
				r.resyncAt, r.resyncCol = r.pos, 0 // its record stands for the line
				r.stats.Shapes |= ShapeCloudWatch
				return nil
			}
			if !r.eof && len(b)-i < 64 && r.fill() {
				continue
			}
		case 0x1f:
			if len(b)-i < 2 && !r.eof && r.fill() {
				continue // the byte that tells is not read yet
			}
			if i+1 < len(b) && b[i+1] == 0x8b {
				return r.fileErr(r.pos, fmt.Errorf("%w: gzip inside gzip (only one layer is decompressed)", ErrUnknownShape))
			}
		case 0xff, 0xfe:
			if len(b)-i < 4 && !r.eof && r.fill() {
				continue // the bytes that tell UTF-16 from UTF-32 are not read yet
			}
			// Windows PowerShell 5 writes redirected output as UTF-16.
			if i+1 < len(b) && (b[i] == 0xff && b[i+1] == 0xfe || b[i] == 0xfe && b[i+1] == 0xff) {
				enc := "UTF-16"
				if len(b)-i >= 4 && b[i] == 0xff && b[i+2] == 0 && b[i+3] == 0 {
					enc = "UTF-32"
				}
				return r.fileErr(r.pos, fmt.Errorf("%w: %s text (it starts with %s's byte order mark); "+
					"ttc reads UTF-8: convert it first, e.g. iconv -f %s -t UTF-8", ErrUnknownShape, enc, enc, enc))
			}
		}
		if !r.first && r.cat != catContainer {
			return r.rejectText()
		}
		for r.n-r.idx(r.pos) < 16 && r.fill() {
		}
		b, i = r.data(), r.idx(r.pos)
		if r.cat == catContainer && b[i] == ',' {
			for r.n-r.idx(r.pos) < 64 && r.fill() {
			}
			b, i = r.data(), r.idx(r.pos)
			if mark, _ := markAt(b[skipWS(b, i+1):]); mark {
				// Damage before made the container look closed: the
				// records after it are not read, and the reason says why.
				return r.fileErr(r.pos, fmt.Errorf("%w: records follow the end of the container: damaged data before "+
					"closed it early, and the records after it are not read", ErrUnknownShape))
			}
		}
		if name, undo := compressedAs(b[i:]); name != "" {
			return r.fileErr(r.pos, fmt.Errorf("%w: %s data; ttc decompresses gzip only: decompress it first, e.g. %s",
				ErrUnknownShape, name, undo))
		}
		err := r.fileErr(r.pos, fmt.Errorf(`%w: no JSON object or array, starts with "%s"`, ErrUnknownShape, head(b[i:])))
		return r.firstNotRecord(r.pos, r.pos, err, fmt.Sprintf(`no JSON object or array, starts with "%s"`, r.textHead()))
	}
}

// member reads one member of a top-level object, or its end. A member
// holding a container array switches to reading the array's items.
func (r *Reader) member() (*Record, error) {
	for {
		b := r.data()
		i := skipWS(b, r.idx(r.pos))
		if i < len(b) && (b[i] == '}' || !r.objFirst) {
			switch b[i] {
			case '}':
				r.setPos(i + 1)
				return r.objectEnd()
			case ',':
				i = skipWS(b, i+1)
			default:
				return nil, r.objectSyntax(i, "',' or '}' expected in object")
			}
		}
		ke, j, fp, esc := r.sc.key(b, i)
		if j == fail {
			return nil, r.objectSyntax(r.sc.errAt, r.sc.explain(b))
		}
		if j == more {
			if err := r.moreMember(i); err != nil {
				return nil, err
			}
			continue
		}
		name := r.sc.name(b, i, ke)
		c := containerName(name)
		if k := foldedContainer(name); c == "" && k != "" {
			return nil, r.fileErr(r.abs(i), fmt.Errorf("%w: %s", ErrUnknownShape, otherCase(string(name), k, "log")))
		}
		if b[j] == '[' && c != "" {
			return nil, r.enterContainer(c, i, ke, j, fp)
		}
		if c != "" && len(r.conts) > 0 {
			r.stats.Repeated++ // {"Records":[…],"Records":null}: others read no records
		}
		r.sc.dup = 0
		var ve int
		if !r.inCont && r.scanFail.opens(r.abs(j)) {
			ve = r.scanKnown() // runs to a failure met already: not scanned again
		} else {
			ve = r.sc.value(b, j, 1)
			r.steps += int64(scanned(ve, len(b), r.sc.errAt) - j)
		}
		if ve == more {
			if err := r.moreMember(i); err != nil {
				return nil, err
			}
			continue
		}
		if ve == fail {
			if !r.inCont {
				kind := knownSyntax
				if r.sc.limit {
					kind = knownRefused
				}
				r.remember(&r.scanFail, kind, r.keep, r.abs(r.sc.errAt), r.sc.errMsg)
			}
			if r.sc.limit {
				return nil, r.objectRefused(r.sc.errAt, r.sc.explain(b))
			}
			return nil, r.objectSyntax(r.sc.errAt, r.sc.explain(b))
		}
		if !r.inCont && !r.overflow {
			if len(r.objKeys) >= maxKeys {
				return nil, r.objectRefused(i, fmt.Sprintf("more than %d keys in one object (CloudTrail records hold hundreds)", maxKeys))
			}
			o := r.idx(r.objStart)
			r.keys.set(name, span{j - o, ve - o})
			if r.sc.dup != 0 {
				r.noteDup(r.abs(r.sc.dup))
			}
			if seen(&r.objMask, fp) {
				r.collide(b, i, ke, fp)
			}
			r.objKeys = append(r.objKeys, keyRef{fp: fp, q: int32(i - o), e: int32(ke - o)})
			r.objMembers = append(r.objMembers, member(o, i, ke, j, ve, esc))
		} else if string(name) == "messageType" {
			r.control = string(b[j:ve]) == `"CONTROL_MESSAGE"`
		}
		r.objFirst = false
		r.setPos(ve)
		if r.inCont || r.overflow {
			r.keep = r.pos
		}
	}
}

// containerName returns the decoded key name when it names a container's
// array, and "" otherwise.
func containerName(name []byte) string {
	switch string(name) {
	case "Records":
		return "Records"
	case "Events":
		return "Events"
	case "logEvents":
		return "logEvents"
	case "events":
		return "events"
	}
	return ""
}

// enterContainer starts reading the array at b[j], the value of the key
// b[i:ke] (named name), as the items of a container object.
func (r *Reader) enterContainer(name string, i, ke, j int, fp uint64) error {
	if r.cat == catItems {
		return r.strayContainer(name, j)
	}
	r.cat = catContainer
	if !r.inCont && !r.overflow {
		b, o := r.data(), r.idx(r.objStart)
		if seen(&r.objMask, fp) {
			r.collide(b, i, ke, fp)
		}
		r.objKeys = append(r.objKeys, keyRef{fp: fp, q: int32(i - o), e: int32(ke - o)})
		r.closeObjKeys()
		if r.dupAt != 0 {
			return r.fileErr(r.objStart, fmt.Errorf("%w: %s", ErrDuplicateKey, r.dupWhere()))
		}
	}
	if len(r.conts) > 0 {
		r.stats.Repeated++ // read all the same: see Stats.Repeated
	}
	if !slices.Contains(r.conts, name) {
		r.conts = append(r.conts, name)
	}
	switch name {
	case "Records":
		r.contShape = ShapeRecords
		r.stats.Shapes |= ShapeRecords
	case "Events":
		r.contShape = ShapeLookup
	default:
		r.contShape = ShapeCloudWatch
	}
	if !r.inCont && !r.overflow {
		r.controlFromKeys()
	}
	r.inCont, r.objFirst = true, false
	r.mode, r.arrFirst, r.topArray = modeArray, true, false
	r.keepHere(j + 1)
	return nil
}

// controlFromKeys tells a CloudWatch Logs control message by the
// messageType among the keys of the top-level object read so far.
func (r *Reader) controlFromKeys() {
	if p := r.keys.messageType; p.ok() {
		o := r.idx(r.objStart)
		r.control = string(r.buf[o+p.s:o+p.e]) == `"CONTROL_MESSAGE"`
	}
}

// objectEnd finishes a top-level object; one that held no container is an
// item of its own (a record, an envelope, a digest).
func (r *Reader) objectEnd() (*Record, error) {
	r.mode = modeTop
	if r.inCont {
		return nil, nil
	}
	if r.overflow {
		pos := r.position(r.objStart, r.stats.Read+1)
		if r.keys.digest && r.first {
			// A digest too large to hold (a busy trail's hour of log
			// files), alone in its file: its keys before the list still
			// say what it is. With more after it, it is a value too large,
			// and what follows is read whatever its shape.
			return nil, r.digestEnd(pos, r.tooLargeReason(r.pos-r.objStart))
		}
		if err := r.setCat(catItems, r.objStart); err != nil {
			return nil, err
		}
		reason := r.tooLargeReason(r.pos - r.objStart)
		if r.stray != "" {
			reason = fmt.Sprintf("a %q container among lone records: its items are not read", r.stray)
		}
		return nil, r.rejectObject(pos, reason)
	}
	if r.objStart+1 == r.resyncObj {
		r.resyncObj = 0
		if c, nested := r.nestedAfter(r.objStart == r.resyncAt && r.resyncCol < 0); nested {
			pos := r.position(r.objStart, r.stats.Read+1)
			_, note := r.resyncNote(r.pos, pos)
			return nil, r.rejectObject(pos, fmt.Sprintf(
				"object followed by %q: it sits inside the broken value before it, and is not read as a record%s", c, note))
		}
	}
	b := r.data()
	it := b[r.idx(r.objStart):r.idx(r.pos)]
	r.closeObjKeys()
	if r.keys.container && r.first {
		return nil, r.fileErr(r.objStart, fmt.Errorf("%w: container key whose value is not an array", ErrUnknownShape))
	}
	if r.keys.digest && r.first {
		// A digest with more after it is no file CloudTrail writes: the
		// digest is one rejected value, and what follows is read, not set
		// aside with it, whatever shape it has.
		return nil, r.digestEnd(r.position(r.objStart, r.stats.Read+1),
			"a CloudTrail digest object followed by more values: not a digest file, and no record")
	}
	if !r.keys.recordish && !r.keys.wrapper() && r.first {
		err := r.fileErr(r.objStart, fmt.Errorf("%w: top-level object with neither records nor record fields", ErrUnknownShape))
		return nil, r.firstNotRecord(r.objStart, r.pos, err, "record is "+describe(it, &r.keys))
	}
	if err := r.setCat(catItems, r.objStart); err != nil {
		return nil, err
	}
	r.stats.Shapes |= ShapeObjects
	if r.startCol >= 0 {
		r.recCol = r.startCol // a whole object: records start at this column
	}
	var top []jsonscan.Member
	if !r.overflow {
		top = r.objMembers
	}
	return r.item(it, r.objStart, ShapeObjects, top, nil)
}

// objectSyntax handles invalid JSON in a top-level object. Inside a
// container the file cannot be resynchronised; a lone object is rejected
// and reading resumes at the next line that starts with '{', which suits
// one record per line.
func (r *Reader) objectSyntax(at int, msg string) error {
	return r.objectSyntaxFrom(at, msg, max(r.objStart+1, r.keep))
}

// objectSyntaxFrom is objectSyntax resuming at the first line that starts
// an object after offset from.
func (r *Reader) objectSyntaxFrom(at int, msg string, from int64) error {
	if at < r.n && !strings.Contains(msg, "found") {
		msg = msg + ", " + found(r.buf[:r.n], at)
	}
	if r.inCont {
		return r.fileErr(r.abs(at), fmt.Errorf("%w: %s", ErrSyntax, msg))
	}
	return r.rejectAt(at, "invalid JSON: "+msg, from)
}

// objectRefused is objectSyntax for a lone object that is valid JSON but
// goes past one of the scanner's limits.
func (r *Reader) objectRefused(at int, msg string) error {
	if r.inCont {
		return r.fileErr(r.abs(at), errors.New(msg))
	}
	return r.rejectAt(at, "refused: "+msg, max(r.objStart+1, r.keep))
}

// rejectAt rejects the lone object being read, for reason, found at b[at],
// and resumes at the first line that starts an object after offset from.
func (r *Reader) rejectAt(at int, reason string, from int64) error {
	pos := r.position(r.objStart, r.stats.Read+1)
	errLine := r.lineAt(r.abs(at))
	_, note := r.resyncNote(from, pos)
	return r.rejectObject(pos, fmt.Sprintf("%s at line %d%s", reason, errLine, note))
}

// moreMember reads more input inside the member of a top-level object that
// starts at b[i]; a member too large to hold is skipped.
func (r *Reader) moreMember(i int) error {
	start := r.abs(i)
	if r.fill() {
		return nil
	}
	if r.tooLarge {
		return r.skipMember(start)
	}
	if r.inCont {
		return r.endErr(r.anchor())
	}
	r.remember(&r.scanFail, knownEOF, r.keep, r.abs(r.n), "")
	return r.objectEOF()
}

// scanned returns where a scan that returned e stopped in b: at e, at the
// end of b for more, at the error for fail.
func scanned(e, n, errAt int) int {
	switch e {
	case more:
		return n
	case fail:
		return errAt
	}
	return e
}

// objectEOF handles input that ends, or fails (a cut gzip file), inside a
// lone top-level object. In one record per line, a broken line that leaves
// a bracket open or a value out takes the lines after it into its object,
// up to the end of input: when a later line starts an object, the open one
// is rejected and reading resumes there, a failure of the input then
// ending the file where the lines read before it do. Without such a line,
// a failure ends the file here, a file whose first value is cut short ends
// with ErrTruncated, and a later value cut short is a rejected record.
func (r *Reader) objectEOF() error {
	pos := r.position(r.objStart, r.stats.Read+1)
	end := r.lineAtEnd(r.abs(max(r.n-1, r.idx(r.keep))))
	found, note := r.resyncNote(max(r.objStart+1, r.keep), pos)
	where := "at end of input"
	switch {
	case r.readErr != nil && !found:
		return r.endErr(r.objStart)
	case r.readErr != nil:
		where = "where reading the input failed"
	case !found && r.first:
		return r.fileErr(r.objStart, ErrTruncated)
	}
	return r.rejectObject(pos, fmt.Sprintf("invalid JSON: object still open %s (line %d)%s", where, end, note))
}

// digestEnd ends the file as a digest (ErrDigest) when nothing but blanks
// follows the digest object just read, and else rejects the object at pos
// for reason, reading going on after it.
func (r *Reader) digestEnd(pos Position, reason string) error {
	digest := r.fileErr(r.objStart, ErrDigest) // before what follows moves the buffer past the object
	if !r.aloneInFile() {
		return r.rejectObject(pos, reason)
	}
	r.stats.Shapes |= ShapeDigest
	return digest
}

// lineAtEnd is lineAt for offset p at the end of input (the last byte, or
// just past it), which does not move: it is counted once, not once for each
// object left open there.
func (r *Reader) lineAtEnd(p int64) int64 {
	if r.endLine == 0 || r.endAt != p {
		r.endLine, r.endAt = r.lineAt(p), p
	}
	return r.endLine
}

// rejectObject rejects the lone top-level object at pos; the caller has
// moved past it.
func (r *Reader) rejectObject(pos Position, reason string) error {
	r.mode = modeTop
	r.stats.Read++
	r.stats.Rejected++
	r.first = false
	return &RecordError{Pos: pos, Reason: reason}
}

// compressedAs names the compression format other than gzip that b starts
// with, by its magic bytes, and a command that undoes it; "" for none.
func compressedAs(b []byte) (name, undo string) {
	switch {
	case bytes.HasPrefix(b, []byte("\x28\xb5\x2f\xfd")):
		return "zstd-compressed", "zstd -d"
	case len(b) >= 4 && bytes.HasPrefix(b, []byte("BZh")) && b[3] >= '1' && b[3] <= '9':
		return "bzip2-compressed", "bunzip2"
	case bytes.HasPrefix(b, []byte("\xfd7zXZ\x00")):
		return "xz-compressed", "unxz"
	case bytes.HasPrefix(b, []byte("PK\x03\x04")):
		return "a zip archive's", "unzip"
	case len(b) >= 2 && b[0] == 0x78 && bytes.IndexByte([]byte{0x01, 0x5e, 0x9c, 0xda}, b[1]) >= 0:
		return "zlib-compressed", "pigz -dz"
	}
	return "", ""
}

// head returns the start of b for a message: up to 16 bytes, cut between
// characters.
func head(b []byte) []byte {
	if len(b) <= 16 {
		return b
	}
	i := 16
	for i > 0 && !utf8.RuneStart(b[i]) {
		i--
	}
	return b[:i]
}
