package scan

import (
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ttcproject/ttc/internal/detect"
	"github.com/ttcproject/ttc/internal/jsonscan"
	"github.com/ttcproject/ttc/internal/ruleset"
)

// recordOf returns what a note keeps of record pos, as rule r matched it
// (m): its place, time, digest and flags, its eventTime as written when
// that is not the form the time prints in, and, for a record of a stream
// (not compact), its finding (which holds its eventTime: the flags do not
// say recTimeText). h is the record's header as the scan read
// it: whole, or, for a streamed scan (rh), the fields it needed.
func (w *worker) recordOf(r *ruleset.Rule, m detect.Match, raw []byte, h *header, rh *rawHeader, at time.Time, pos RecordRef) (corrRecord, string, *Finding) {
	p := w.p
	rec := corrRecord{ordinal: pos.Ordinal, line: pos.Line, offset: pos.Offset, at: at.UnixNano()}
	var f *Finding
	if w.compact && rh != nil {
		// A compact note of a streamed scan's record takes its digest from
		// the header the scan read, as the findings of the record would: no
		// finding is made of it.
		digest, hasID := w.recordDigest(nil, rh, true)
		rec.digest = digest
		if hasID {
			rec.flags |= recHasID
		}
	} else {
		full := h
		if rh != nil {
			// A streamed scan's header holds only what the scan needed:
			// a finding kept whole is made from the record again, sharing
			// strings between the findings kept.
			if p.corrStrs == nil {
				p.corrStrs = newInterner()
			}
			whole := headerOfTops(raw, w.tops, p.corrStrs)
			full = &whole
		}
		fs := newFindings(nil, full, at, m, r, w.s.describe, pos)
		f = &fs[0]
		f.Matched = nil // a correlation's finding has its own
		rec.digest = findingDigest(w.s.seed, f)
		if f.EventID != "" {
			rec.flags |= recHasID
		}
	}
	if h.failed() {
		rec.flags |= recAttempt
	}
	// The eventTime text is kept when it is not the form the time prints
	// in (an offset, a fraction written out): findings quote it as
	// written. A record kept whole has it in its finding, but the entry it
	// spills needs it, for the compact note a partition pass keeps of it.
	written := h.EventTime
	if f != nil {
		written = f.EventTime
	}
	var text string
	w.stamp = at.UTC().AppendFormat(w.stamp[:0], time.RFC3339Nano)
	if written != string(w.stamp) {
		text = clipField(written)
		rec.flags |= recTimeText
	}
	if !w.compact {
		rec.flags = rec.flags&^recTimeText | recFull
	}
	return rec, text, f
}

// keepNotes keeps record pos, rec, for the pending notes (see
// pendingNotes), as counted[0] matched it, or counts it as not kept. text
// is its eventTime as written, when rec.flags says so, f its finding, for
// a record kept whole, and st where its text is in a spill, for a stream's
// record in a partition pass; extra is what its notes past the first and
// its lists cost beside the record (the groups it opens are charged by
// correlator.take).
func (w *worker) keepNotes(counted []*ruleset.Rule, rec corrRecord, text string, f *Finding, st spilledText, pos RecordRef, extra int) {
	r := counted[0]
	c, p := w.s.corr, w.p
	ri := slices.Index(p.corrRules, r)
	if ri < 0 && len(p.corrRules) > math.MaxUint16 {
		w.lose(pos) // past what corrRecord.rule numbers: never so many rules
		return
	}
	size := compactNoteBytes
	if rec.flags&recTimeText != 0 {
		size += len(text) + 48 // and its entry in corrTimes
	}
	if rec.flags&recSpilled != 0 {
		size += spilledTextBytes
	}
	asked := size
	if rec.flags&recFull != 0 {
		size = findingBytes(f)
		// A partition pass would keep a compact note of it: what passes
		// are planned from says so (see correlator.demand).
		asked = compactNoteBytes + spilledTextBytes
		if text != "" {
			asked += len(text) + 48
		}
	}
	if c.part == nil {
		// What the groups ask, kept or not, in the worker's own sample
		// (merged into correlator.askedGroups when the reading ends).
		for i := range w.pending {
			p.corrSample.add(w.pending[i].hash, len(w.pending[i].key)+groupBytes)
		}
	}
	if !c.take(w.pending, size, asked, extra, w.compact, counted) {
		w.lose(pos)
		return
	}
	if n := len(p.corrFiles); n == 0 || p.corrFiles[n-1] != pos.File {
		p.corrFiles = append(p.corrFiles, pos.File)
		p.corrInfos = append(p.corrInfos, w.fileInfo)
		var spill *os.File
		if w.again != nil && len(w.again.segs) > 0 {
			spill = w.again.segs[0].f // a worker spilled the file whole
		}
		p.corrSpills = append(p.corrSpills, spill)
	}
	rec.file = int32(len(p.corrFiles) - 1)
	if ri < 0 {
		ri = len(p.corrRules)
		p.corrRules = append(p.corrRules, r)
	}
	rec.rule = uint16(ri) // a rule set has far fewer rules that correlations count
	i := int32(p.corrRecords.add(rec))
	if rec.flags&recTimeText != 0 {
		if p.corrTimes == nil {
			p.corrTimes = map[int32]string{}
		}
		p.corrTimes[i] = text
	}
	if rec.flags&recFull != 0 {
		if p.corrFull == nil {
			p.corrFull = map[int32]*Finding{}
		}
		p.corrFull[i] = f
	}
	if rec.flags&recSpilled != 0 {
		st.rec = i
		p.corrTexts.add(st) // in the order of the records: textOf searches it
	}
	w.addNotes(i)
}

// addNotes adds the pending notes of record rec, kept: correlator.take
// numbered their groups.
func (w *worker) addNotes(rec int32) {
	p := w.p
	for _, pn := range w.pending {
		pn.note.rec = rec
		switch n := len(pn.hashes); {
		case n == 1:
			pn.note.value, pn.note.hasValue = pn.hashes[0], true
		case n > 1:
			// As Event.SetValues writes a list: its length, then its values.
			pn.note.value, pn.note.list = uint64(p.corrLists.add(uint64(n))), true
			for _, h := range pn.hashes {
				p.corrLists.add(h)
			}
		}
		p.corrNotes.add(pn.note)
	}
}

// pendingNote is one correlation's note of the record being noted, made
// before the record is kept.
type pendingNote struct {
	note  corrNote
	corr  int    // in correlator.rules
	key   []byte // its group's key, in worker.keys or the entry read back
	isNew bool   // its record opens its group (see correlator.take)
	// hash, in a first reading, hashes its group for correlator.askedGroups.
	hash   uint64
	hashes []uint64 // its values' hashes
}

// groupBytes is what a group costs beside its key: its entries in the
// scan's map and list of groups (see correlator.take), and in the tables
// the evaluation makes of all of them.
const groupBytes = 224

// listValueBytes is what one value of a counted field that holds a list
// costs: its hash in the worker's list (8 bytes) and in the table the
// evaluation makes of all lists (8), and its entry in a window's count of
// distinct values, a map that took 24 to 40 bytes an entry as it grew
// (measured with Go 1.26). A record is charged for each distinct value of
// its list, and its length as one more, so that a list of a thousand
// names takes the room of a few hundred compact notes rather than of one;
// a field's only value travels in the note, at no charge of its own.
const listValueBytes = 56

// noteCorrelations notes record raw for the correlations that counted
// feed, the rules correlations count that matched it (m is the first's
// match). The groups it opens, and the values of the lists it counts, are
// charged with the record, so that a rule whose every record opens a group
// (one for each role session) or counts a long list is bounded by its
// share of bytes as much as of records. In a scan's first reading, what
// it read is spilled too, for partition passes (see notespill.go): of a
// stream's record, its text as well.
func (w *worker) noteCorrelations(counted []*ruleset.Rule, m detect.Match, raw []byte, idx *jsonscan.Index,
	h *header, rh *rawHeader, at time.Time, pos RecordRef) {
	if !w.readGroups(counted, raw, idx) {
		return
	}
	extra := w.pendingNotes()
	if len(w.pending) == 0 {
		return // another pass's groups
	}
	rec, text, f := w.recordOf(counted[0], m, raw, h, rh, at, pos)
	if w.s.corr.part == nil {
		w.spillNote(counted, rec, text, raw, pos.File)
	}
	w.keepNotes(counted, rec, text, f, spilledText{}, pos, extra)
}

// readGroups reads, into w.note, the group key and the counted values of
// record raw for each correlation that counted feed, and reports whether
// there were any.
func (w *worker) readGroups(counted []*ruleset.Rule, raw []byte, idx *jsonscan.Index) bool {
	c, en := w.s.corr, &w.note
	en.notes, w.keys, w.hashes = en.notes[:0], w.keys[:0], w.hashes[:0]
	for _, r := range counted {
		for _, cr := range r.Feeds {
			i, ok := c.index[cr]
			if !ok || slices.ContainsFunc(en.notes, func(n entryNote) bool { return n.corr == i }) {
				continue
			}
			vals, err := c.readers[i].Read(w.fields[:0], raw, w.tops, idx)
			w.fields = vals
			if err != nil {
				continue // the matcher read the record; its fields cannot be worse
			}
			corr := cr.Correlation
			n := entryNote{corr: i}
			if corr.Field != "" {
				lo := len(w.hashes)
				w.hashes = vals[len(vals)-1].AppendHashes(w.hashes, w.s.seed)
				n.hashes = w.hashes[lo:len(w.hashes):len(w.hashes)]
			}
			// Later appends leave the bytes of a key taken before where
			// they are: in the array it was taken from.
			lo := len(w.keys)
			w.keys = appendGroupKey(w.keys, vals[:len(corr.GroupBy)])
			n.key = w.keys[lo:len(w.keys):len(w.keys)]
			en.notes = append(en.notes, n)
		}
	}
	return len(en.notes) > 0
}

// pendingNotes makes, in w.pending, the notes of the record read into
// w.note for the groups the scan notes (during a partition pass, those of
// the pass), and returns what they cost beside the record: their values
// when a list, and each note past the first. The groups the notes open
// are not in it: correlator.take, which knows which groups are open,
// charges them. During a partition pass, it adds each note to what its
// group asked of the pass; in a first reading, its group's keyHash to
// the sum the passes' seed is drawn from (part.corrKeySum).
func (w *worker) pendingNotes() (extra int) {
	c, p := w.s.corr, w.p
	w.pending = w.pending[:0]
	for _, n := range w.note.notes {
		lists := 0
		if k := len(n.hashes); k > 1 {
			lists = (k + 1) * listValueBytes
		}
		// Every list of the record is charged, whichever pass holds its
		// group: a pass is charged a little more than it keeps, on the
		// safe side of the bounds.
		extra += lists
		if c.part != nil {
			w.offered = true
			if !c.part.holds(n.corr, n.key) {
				continue // another pass's group
			}
			// What the group asks of the pass, kept or not: the same
			// whatever the workers.
			p.askedBy(n.corr, n.key, compactNoteBytes+lists)
		}
		pn := pendingNote{corr: n.corr, key: n.key, hashes: n.hashes}
		if c.part == nil {
			pn.hash = keyHash(n.corr, n.key)
			p.corrKeySum += pn.hash
		}
		w.pending = append(w.pending, pn)
	}
	if len(w.pending) > 0 {
		extra += (len(w.pending) - 1) * noteBytes
	}
	return extra
}

// appendGroupKey appends the key groupKey makes of vals to b.
func appendGroupKey(b []byte, vals []detect.FieldValue) []byte {
	for _, v := range vals {
		if v.Null {
			b = append(b, 0)
			continue
		}
		text := GroupKey(v.Text)
		b = append(b, 1)
		b = strconv.AppendInt(b, int64(len(text)), 10)
		b = append(b, ':')
		b = append(b, text...)
	}
	return b
}

// groupValues reads the values of a group, as findings show them, back
// from its key (see appendGroupKey); fields are the correlation's group-by
// fields.
func groupValues(fields []string, key string) []GroupValue {
	out := make([]GroupValue, 0, len(fields))
	for _, f := range fields {
		if key == "" {
			break // not a key appendGroupKey made: never
		}
		if key[0] == 0 {
			out = append(out, GroupValue{Field: f, Null: true})
			key = key[1:]
			continue
		}
		colon := strings.IndexByte(key, ':')
		n, err := strconv.Atoi(key[1:max(colon, 1)])
		if colon < 0 || err != nil || colon+1+n > len(key) {
			break
		}
		out = append(out, GroupValue{Field: f, Value: key[colon+1 : colon+1+n]})
		key = key[colon+1+n:]
	}
	return out
}
