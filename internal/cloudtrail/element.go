package cloudtrail

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/ttcproject/ttc/internal/jsonscan"
)

// element reads the next item of an array, or the array's end.
func (r *Reader) element() (*Record, error) {
	for {
		b := r.data()
		i := skipWS(b, r.idx(r.pos))
		if i < len(b) && b[i] == ']' {
			at := r.abs(i)
			if r.resyncable() && r.closedEarly(at) {
				if err, ok := r.resyncSeparator(at); ok {
					if err != nil {
						return nil, err
					}
					continue
				}
			}
			i = r.idx(at)
			r.setPos(i + 1)
			r.reopened = false // the array ends here after all
			r.mode = modeTop
			if r.inCont {
				r.mode = modeObject
			}
			return nil, nil
		}
		if i < len(b) && !r.arrFirst {
			if b[i] != ',' {
				if r.reopened && bytes.IndexByte(b[r.idx(r.pos):i], '\n') < 0 {
					// Records after a stray ']' on one line, with no
					// commas: not a next document's one to a line.
					r.reopened = false
				}
				broken := r.fileErr(r.abs(i), fmt.Errorf("%w: ',' or ']' expected in array", ErrSyntax))
				if err, ok := r.resyncSeparator(r.abs(i)); ok {
					if err != nil {
						return nil, err
					}
					continue
				}
				return nil, broken
			}
			r.reopened = false // records with commas between are the array's own
			i = skipWS(b, i+1)
			if i < len(b) && b[i] == ']' {
				return nil, r.fileErr(r.abs(i), fmt.Errorf("%w: value expected in array", ErrSyntax))
			}
		}
		if i >= len(b) {
			if r.fill() {
				continue
			}
			if r.reopened && r.readErr == nil && !r.tooLarge && lastNonBlank(r.data()[r.idx(r.pos):], 0) != ',' {
				// The records after a stray ']' were read to the input's
				// end: a join of two files (a document, then records one
				// to a line), whose bracket alone was rejected. A comma
				// last says the input was cut.
				r.setPos(len(r.data())) // (fill may have moved the buffer)
				r.mode, r.inCont = modeTop, false
				return nil, nil
			}
			return nil, r.endErr(r.pos)
		}
		var e int
		r.sc.dup = 0
		if b[i] == '{' {
			e = r.sc.object(b, i, &r.keys)
		} else {
			e = r.sc.value(b, i, 1)
		}
		if e == more {
			start := r.abs(i)
			if !r.fill() {
				if r.tooLarge {
					if r.resyncable() {
						return nil, r.oversized(start)
					}
					return nil, r.skipItem(start, "")
				}
				return nil, r.endErr(r.pos)
			}
			continue
		}
		if e == fail {
			return nil, r.elementSyntax(i)
		}
		r.arrFirst = false
		r.keepHere(e)
		r.dupAt = 0
		if r.sc.dup != 0 {
			r.dupAt = r.abs(r.sc.dup)
		}
		var top []jsonscan.Member
		var idx *jsonscan.Index
		if b[i] == '{' {
			top, idx = r.sc.members, r.sc.listed()
		}
		return r.item(b[i:e], r.abs(i), r.contShape, top, idx)
	}
}

// elementSyntax handles an array item that is not valid JSON: when its
// brackets still balance it is rejected and reading goes on after it. In
// an array of records, an item that cannot go on (see damageScan) is
// rejected up to the next record, and reading goes on there. Otherwise the
// container is broken.
func (r *Reader) elementSyntax(i int) error {
	at, msg, kind := r.abs(r.sc.errAt), r.sc.explain(r.data()), r.sc.failure()
	start := r.abs(i)
	r.keep = start
	// All made before a resync moves the buffer past them.
	broken := r.fileErr(at, fmt.Errorf("%w: %s", ErrSyntax, msg))
	reason := fmt.Sprintf("%s: %s at line %d", kind, msg, r.lineAt(at))
	pos := r.position(start, r.stats.Read+1)
	if r.resyncable() {
		held, ok, err := r.passDamaged(pos, start, func(int64, damage) string { return reason })
		if ok {
			return err
		}
		return withHolds(broken, held)
	}
	for {
		b := r.data()
		var e int
		e, r.stack = structural(b, r.idx(start), r.stack)
		if e == fail || (e == more && !r.fill() && !r.tooLarge) {
			return broken
		}
		if e == more {
			if r.tooLarge {
				return r.skipItem(start, reason)
			}
			continue
		}
		return r.rejectDamaged(pos, r.abs(e), false, reason)
	}
}

// rejectDamaged rejects the damaged array item at pos, which ends at end,
// and goes on there: at a record as at an array's first item when resumed
// is set, else after the item.
func (r *Reader) rejectDamaged(pos Position, end int64, resumed bool, reason string) error {
	// A damaged item that runs over several lines (a pretty-printed file,
	// where no record can be found until its brackets balance again) may
	// take whole records with it: the lines it passed over say which.
	if last := r.lastLineBefore(end); last > pos.Line {
		reason = fmt.Sprintf("%s; lines %d-%d passed over", reason, pos.Line, last)
	}
	r.keepHere(r.idx(end))
	r.arrFirst, r.first = resumed, false
	r.stats.Read++
	r.stats.Rejected++
	if resumed {
		reason = fmt.Sprintf("%s; reading resumed at the next record, offset %d", reason, end)
	}
	return &RecordError{Pos: pos, Reason: reason}
}

// lastLineBefore returns the line of the last byte before offset end
// that is not white space: in the buffer, or else the last one the passing
// of the damage let go of (r.passedLine); 0 when there is none.
func (r *Reader) lastLineBefore(end int64) int64 {
	b := r.data()
	i := r.idx(end) - 1
	for i >= 0 && jsonscan.IsSpace(b[i]) {
		i--
	}
	if i < 0 {
		return r.passedLine
	}
	return r.lineAt(r.abs(i))
}

// resyncSeparator handles what stands where an array of records needs a
// ',' or ']', at offset at. When the next record begins right there (the
// comma is missing), reading goes on and the file is noted
// (Stats.Unseparated). Other bytes before the next record are a damaged
// item, rejected as one, and reading goes on at the record: they may be
// the end of the record before them, closed early (a stray '}'), whose
// fields they would have held. It reports false when there is no record
// to go on at; err is nil when reading goes on with nothing rejected.
func (r *Reader) resyncSeparator(at int64) (err error, ok bool) {
	if !r.resyncable() {
		return nil, false
	}
	r.keep = at
	line := r.lineAt(at)
	pos := r.position(at, r.stats.Read+1)
	for r.n-r.idx(at) < 16 && r.fill() { // the same bytes quoted whatever the buffer
	}
	b := r.data()
	found := `"` + string(head(b[r.idx(at):])) + `"`
	closing := b[r.idx(at)] == ']' // (b is let go of as the next record is looked for)
	r.passedLine = 0
	next, brace, ok := r.nextRecord(at)
	if !ok {
		return nil, false
	}
	if next == at && r.reopened {
		// One to a line after a stray ']': a next document's records.
		r.keepHere(r.idx(next))
		r.arrFirst = true
		return nil, true
	}
	if next == at {
		if r.stats.Unseparated == 0 {
			r.stats.UnseparatedAt, r.stats.UnseparatedLine = at, line
		}
		r.stats.Unseparated++
		r.keepHere(r.idx(next))
		r.arrFirst = true
		return nil, true
	}
	reason := fmt.Sprintf("invalid JSON: ',' or ']' expected in array, found %s at line %d", found, line)
	if closing {
		r.reopened = true
		reason = fmt.Sprintf("invalid JSON: the array of records is closed early by %s at line %d, and records follow", found, line)
	}
	if !brace {
		what := fmt.Sprintf("%d bytes that are", next-at)
		if next-at == 1 {
			what = "a byte that is"
		}
		reason += ": " + what + " no record, and may be the end of the record before, closed early"
	}
	return r.rejectDamaged(pos, next, true, reason), true
}

// closedEarly reports whether the ']' at offset at, which would close the
// array of records, is damage in the array rather than its end: a record
// follows it, past closing brackets, braces, commas and blanks only, and
// those are not what a valid end would be followed by (a stray "]" or
// "]}," between two records, as a tool that joins files may leave). A
// document after the first is not damage: records one to a line after a
// bare array's "]" are read as a next document, and a Records document
// after the first begins with no record's key.
//
// It looks at most maxPeek bytes past the ']', and holds a whole record
// mark past them, so that its answer does not depend on the buffer (which
// holds at least MinValueSize bytes).
func (r *Reader) closedEarly(at int64) bool {
	r.keep = at
	for r.n-r.idx(at) < maxPeek+maxMark && r.fill() {
	}
	b := r.data()
	i := r.idx(at)
	closing := false // a bracket, brace or comma stands between the ']' and the record
	for j := i + 1; j < min(len(b), i+maxPeek); j++ {
		switch c := b[j]; {
		case c == ']' || c == '}' || c == ',':
			closing = true
		case jsonscan.IsSpace(c):
		default:
			if mark, _ := markAt(b[j:]); !mark {
				return false
			}
			// Records one to a line may follow a bare array's end, and
			// are read so; after a Records array nothing but its object's
			// end may stand, and records after that are refused as a
			// mixed shape anyway: they are read, as the array's.
			return r.inCont || closing
		}
	}
	return false
}

// maxPeek bounds what closedEarly reads past a ']'; with a mark after it,
// it fits the smallest buffer (MinValueSize).
const maxPeek = 64

// resyncable reports whether the current array holds records, where
// reading may go on at the next one after damage. In an array of
// envelopes, a record found so would be one an envelope holds.
func (r *Reader) resyncable() bool {
	return r.contShape == ShapeRecords || r.contShape == ShapeArray && r.stats.Shapes&(ShapeEventBridge|ShapeCloudWatch|ShapeLookup) == 0
}

func (k *itemKeys) wrapper() bool {
	return k.cloudTrailEvent.ok() || (k.message.ok() && k.logEvent) || (k.detail.ok() && k.envelope)
}

// item turns one array item or lone top-level object, it at offset off,
// into a record, unwrapping envelopes and string containers; r.keys holds
// its top-level keys when it is an object, top its members and idx its
// nested objects (nil when they were not listed).
func (r *Reader) item(it []byte, off int64, shape Shape, top []jsonscan.Member, idx *jsonscan.Index) (*Record, error) {
	if r.control && !r.topArray && r.inCont {
		r.stats.Skipped++
		return nil, nil
	}
	first := r.first
	r.first = false
	if first && (shape == ShapeArray || shape == ShapeObjects) && (it[0] != '{' || (!r.keys.recordish && !r.keys.wrapper())) {
		return nil, r.fileErr(off, fmt.Errorf("%w: first item is %s", ErrUnknownShape, describe(it, &r.keys)))
	}
	r.stats.Read++
	pos := r.position(off, r.stats.Read)
	if r.dupAt != 0 {
		r.stats.Rejected++
		return nil, &RecordError{Pos: pos, Reason: "duplicate key " + r.dupWhere(), Raw: it}
	}
	raw, inner, reason := r.unwrap(it, shape)
	if reason != "" {
		r.stats.Rejected++
		return nil, &RecordError{Pos: pos, Reason: reason, Raw: it}
	}
	if k := &r.keys; k.folded != "" && raw != nil {
		r.stats.Rejected++
		return nil, &RecordError{Pos: pos, Raw: it, Reason: otherCase(k.folded, k.foldsTo, "record")}
	}
	if raw == nil { // an EventBridge event of another service (see detail)
		r.stats.Read--
		r.stats.OtherEvents++
		r.stats.Shapes |= inner
		return nil, nil
	}
	if len(raw) != len(it) {
		// unwrapped from an envelope: unwrap scanned it again
		top, idx = r.sc.members, r.sc.listed()
	}
	if top != nil {
		if msg := foldedIdentity(raw, top, idx); msg != "" {
			r.stats.Rejected++
			return nil, &RecordError{Pos: pos, Reason: msg, Raw: raw}
		}
	}
	shape = inner
	r.stats.Produced++
	r.stats.Shapes |= shape
	if top == nil {
		idx = nil
	}
	r.rec = Record{Raw: raw, Shape: shape, Pos: pos, Top: top, Index: idx}
	k := &r.keys
	if k.eventType.ok() && bytes.Equal(raw[k.eventType.s:k.eventType.e], insightType) {
		r.rec.Kind = KindInsight
		r.stats.Insights++
	}
	r.rec.EventSource = stringAt(raw, k.eventSource)
	r.rec.EventName = stringAt(raw, k.eventName)
	r.rec.NamesEvent = len(r.rec.EventSource) > 0 && len(r.rec.EventName) > 0
	return &r.rec, nil
}

func stringAt(raw []byte, p span) []byte {
	if !p.ok() || raw[p.s] != '"' {
		return nil
	}
	return raw[p.s+1 : p.e-1]
}

// describe names what an item is, for error messages.
func describe(it []byte, k *itemKeys) string {
	switch it[0] {
	case '{':
		if k.digest {
			return "a digest object"
		}
		if k.container {
			return "a nested container"
		}
		return "an object without CloudTrail record fields"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

// unwrap finds the record in an item: the item itself, the detail of an
// EventBridge envelope, or the JSON string of a CloudWatch Logs event or a
// LookupEvents entry. Items of a Records container need no record fields;
// elsewhere an object without them is rejected. On return r.keys describes
// the record.
func (r *Reader) unwrap(it []byte, shape Shape) ([]byte, Shape, string) {
	k := &r.keys
	switch {
	case it[0] != '{':
		return nil, 0, "record is " + describe(it, k) + ", not an object"
	case k.recordish:
		return it, shape, ""
	case k.cloudTrailEvent.ok():
		return r.decode(it, k.cloudTrailEvent, "CloudTrailEvent", ShapeLookup)
	case k.message.ok() && k.logEvent:
		return r.decode(it, k.message, "message", ShapeCloudWatch)
	case k.detail.ok() && k.envelope:
		return r.detail(it)
	case k.digest || k.container || shape != ShapeRecords:
		return nil, 0, "record is " + describe(it, k)
	}
	return it, shape, ""
}

// detail returns the detail of the EventBridge envelope env, whose keys
// r.keys holds; on return r.keys holds the detail's keys. A detail without
// CloudTrail record fields is another service's event (a GuardDuty
// finding, an EC2 state change) that an archive or a rule's target holds
// beside CloudTrail's: detail returns no record and no reason for it, and
// it is set aside, not read as a record.
func (r *Reader) detail(env []byte) ([]byte, Shape, string) {
	d := env[r.keys.detail.s:r.keys.detail.e]
	if d[0] != '{' {
		return nil, 0, "EventBridge detail is not an object"
	}
	if k := &r.keys; k.envFolded != "" {
		return nil, 0, "EventBridge " + otherCase(k.envFolded, k.envFoldsTo, "event")
	}
	// CloudTrail's own detail types ("AWS API Call via CloudTrail") name
	// a record, which a detail without record fields lost on the way (an
	// input transformer, a damaged copy): that is a broken record.
	fromCloudTrail := viaCloudTrailType(stringAt(env, r.keys.detailType))
	r.sc.object(d, 0, &r.keys) // valid already: this only collects its keys
	switch {
	case !r.keys.recordish && fromCloudTrail:
		return nil, 0, "EventBridge event of CloudTrail whose detail holds no record fields"
	case !r.keys.recordish:
		return nil, ShapeEventBridge, ""
	}
	return d, ShapeEventBridge, ""
}

// viaCloudTrailType reports whether the content of a detail-type string
// (escapes included) names one of the events CloudTrail sends to
// EventBridge ("AWS API Call via CloudTrail"), in any letter case and
// spacing.
func viaCloudTrailType(raw []byte) bool {
	words := strings.Fields(string(jsonscan.Unescape(nil, raw)))
	n := len(words)
	return n >= 2 && strings.EqualFold(words[n-2], "via") && strings.EqualFold(words[n-1], "CloudTrail")
}

// decode reads the record held as a JSON string in the item's field name:
// a record, or an EventBridge envelope around one, as when a rule writes
// to a log group. Anything else is no record and is rejected, lest it be
// handed on and counted as an unmatched event.
func (r *Reader) decode(it []byte, p span, name string, shape Shape) ([]byte, Shape, string) {
	v := it[p.s:p.e]
	if v[0] != '"' {
		return nil, 0, name + " is not a string"
	}
	r.scratch = jsonscan.Unescape(r.scratch[:0], v[1:len(v)-1])
	d := r.scratch
	i := skipWS(d, 0)
	if i >= len(d) || d[i] != '{' {
		return nil, 0, name + " does not hold a JSON object"
	}
	e := r.sc.object(d, i, &r.keys)
	switch {
	case e == more:
		return nil, 0, name + " holds truncated JSON"
	case e == fail:
		if r.sc.limit {
			return nil, 0, fmt.Sprintf("%s refused: %s at offset %d", name, r.sc.explain(d), r.sc.errAt)
		}
		return nil, 0, fmt.Sprintf("%s holds invalid JSON: %s at offset %d", name, r.sc.explain(d), r.sc.errAt)
	case skipWS(d, e) != len(d):
		return nil, 0, name + " holds more than one JSON value"
	case r.sc.dup != 0:
		k := keyName(d, r.sc.dup)
		return nil, 0, fmt.Sprintf("%s holds a duplicate key %s at offset %d", name, k, r.sc.dup)
	}
	d, k := d[i:e], &r.keys
	switch {
	case k.recordish:
		return d, shape, ""
	case k.detail.ok() && k.envelope:
		raw, inner, reason := r.detail(d)
		if reason == "" {
			r.stats.Shapes |= shape
		}
		return raw, inner, reason
	case k.container || k.digest:
		return nil, 0, fmt.Sprintf("%s holds %s, no CloudTrail record", name, describe(d, k))
	}
	return nil, 0, name + " holds no CloudTrail record"
}
