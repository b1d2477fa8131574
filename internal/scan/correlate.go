package scan

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ttcproject/ttc/internal/cloudtrail"
	"github.com/ttcproject/ttc/internal/detect"
	"github.com/ttcproject/ttc/internal/jsonscan"
	"github.com/ttcproject/ttc/internal/ruleset"
	"github.com/ttcproject/ttc/internal/view"
)

// Correlation is what a correlation rule's finding counted: the events
// (event_count), or the distinct values of a field (value_count), that
// the rules it names matched within its timespan, for one group of
// events that agree on its group-by fields. The finding's record is the
// last event of that window.
type Correlation struct {
	Type  string `json:"type"`
	Count int64  `json:"count"`
	// Field is the field whose distinct values a value_count counted.
	Field     string `json:"field,omitempty"`
	Condition string `json:"condition"` // as the rule states it: "gte 10"
	Timespan  string `json:"timespan"`  // as the rule writes it: "10m"
	// FirstTime and LastTime are the eventTime of the window's first and
	// last events.
	FirstTime string      `json:"first_time"`
	LastTime  string      `json:"last_time"`
	Group     GroupValues `json:"group"`
	// Records locate the window's first events, up to MaxCorrelationRecords.
	Records []RecordRef `json:"records"`
}

// MaxCorrelationRecords bounds the records a correlation finding lists.
const MaxCorrelationRecords = 10

// GroupValue is the value of one group-by field that a correlation's
// events share; Null when the field is missing or null in them.
type GroupValue struct {
	Field string
	Value string
	Null  bool
}

// GroupValues are the group-by values of a correlation finding. They are
// written in JSON as one object, field to value (null when missing), in
// the order the rule lists its fields.
type GroupValues []GroupValue

// MarshalJSON writes the values as one JSON object.
func (g GroupValues) MarshalJSON() ([]byte, error) { return appendGroup(nil, g), nil }

func appendGroup(b []byte, g GroupValues) []byte {
	b = append(b, '{')
	for i, v := range g {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, v.Field)
		b = append(b, ':')
		if v.Null {
			b = append(b, "null"...)
		} else {
			b = appendString(b, v.Value)
		}
	}
	return append(b, '}')
}

// Span is how long the window's events took, from the first to the last.
func (c *Correlation) Span() time.Duration {
	first, last := parseTime(c.FirstTime), parseTime(c.LastTime)
	if first.IsZero() || last.IsZero() {
		return 0
	}
	return last.Sub(first)
}

// Summary says what the correlation counted, for reports that show it
// among the matched fields: "12 distinct requestParameters.secretId in
// 3m10s (10m at most)".
func (c *Correlation) Summary() string {
	what := strconv.FormatInt(c.Count, 10) + " events"
	if c.Type == detect.CountValues {
		what = strconv.FormatInt(c.Count, 10) + " distinct " + c.Field
	}
	return fmt.Sprintf("%s in %s (%s at most)", what, c.Span(), c.Timespan)
}

// Evidence is what reports show as the finding's matched fields: for a
// correlation finding, what it counted, then the values its events share,
// as JSON writes them (a text quoted), so that a field the events lack
// (null) and the text "null" read apart.
func (f Finding) Evidence() []MatchedField {
	c := f.Correlation
	if c == nil {
		return f.Matched
	}
	out := make([]MatchedField, 0, 1+len(c.Group))
	out = append(out, MatchedField{Field: "correlation", Value: c.Summary()})
	for _, g := range c.Group {
		v := "null"
		if !g.Null {
			v = string(appendString(nil, g.Value))
		}
		out = append(out, MatchedField{Field: g.Field, Value: v})
	}
	return out
}

// Bounds of what a scan keeps for its correlations at once (variables for
// tests), all workers together: the records the rules they name matched
// and the bytes those hold. Past either, later records are not kept. The
// scan then drops what it kept and counts the records again, from what it
// spilled of them to disk, in partition passes, each noting the records
// of a part of the groups within the compact bounds (see partition.go and
// notespill.go): its findings are complete, and the same from run to run
// and whatever the workers, but for a group that holds more than the
// bounds on its own, and for a pass that still does not fit once split
// twice, which keep what they can, the same records from run to run and
// whatever the workers too (see partition.go). A pass that cannot keep all its records counts
// those it could not keep (Summary.CorrelationNotKept), as does a scan of
// streams, which cannot be read again, whose spill could not be made: a
// correlation can then miss a burst, or count one short.
//
// A record of a stream (standard input, an upload) is kept with what a
// finding reports of it, about 1.1 KiB: maxCorrelationNotes and
// maxCorrelationBytes bound those, in the first reading; a partition pass
// keeps a compact note of it, and where its text lies in the spill
// (spilledTextBytes more). A record of a file, which the scan can
// read again, is kept as a compact note (its place, eventTime and
// duplicate digest: compactNoteBytes, measured with the notes' share of
// evaluating them), and the finding of a burst is made again from its
// file: maxCompactNotes and maxCompactBytes bound those: 262,144 records
// in 46 MiB, and 64 MiB with the groups they open, each once whatever
// the workers that count its records (a full finding each would take
// 280 MiB), which keeps a scan's peak under 256 MiB beside its
// other work even when every record opens a group of its own. The values
// of a counted list are charged to its record, in either form
// (listValueBytes each), within the same bytes.
var (
	maxCorrelationNotes int64 = 1 << 16
	maxCorrelationBytes int64 = 64 << 20
	maxCompactNotes     int64 = 1 << 18
	maxCompactBytes     int64 = 64 << 20
)

// compactNoteBytes is what one compact note costs at the peak of the
// scan's correlations: the record's place, time and digest (48 bytes),
// one correlation's note of it (24), its event (32) and its numbers in
// the sort (8), and the allocator's and the sort's spare room. A record
// that more correlations count is charged for their notes and events
// too (noteBytes each), and the values of a counted list apart
// (listValueBytes). TestCorrelationNoteBytes measured 111 to 166 bytes on
// two trees.
const compactNoteBytes = 176

// noteBytes is what a further correlation's note of a record costs, its
// note (24 bytes) and its event (32), in either form of the record.
const noteBytes = 56

// correlator holds what a scan needs to evaluate its correlation rules.
type correlator struct {
	rules   []*ruleset.Rule
	index   map[*ruleset.Rule]int
	readers []*detect.FieldReader // each rule's group-by fields, then its counted field
	// bases numbers the rules the correlations count, and kept holds what
	// each has kept, in records and bytes. Half the bounds is shared out
	// between them, an equal part each, and the other half goes to
	// whichever needs more (pool holds what it gave), so that one busy
	// rule (every S3 deletion, every secret read) cannot take all the room
	// of the others (failed sign-ins). See room.
	bases map[*ruleset.Rule]int
	// baseRules are the rules of bases, by number.
	baseRules []*ruleset.Rule
	mu        sync.Mutex
	kept      []share // by bases' number
	pool      share
	// groups numbers the groups the workers opened, all of them together,
	// and shown lists them by number: a group is opened, and charged, once
	// however many workers count its records, so that what a reading
	// charges, and whether it fits, does not depend on how the workers
	// shared the inputs (see take). groupsMu guards them; a worker that
	// holds it may take mu, not the other way round.
	groupsMu sync.RWMutex
	groups   map[corrGroup]int32
	shown    []corrGroup
	// asked is what the records offered to the first reading asked for,
	// kept or not, each as the compact note a partition pass would keep
	// (the groups apart: see askedGroups), from which a scan that ran out
	// of room plans its partition passes (see passesFor).
	asked share
	// askedGroups estimates what the groups of those records cost, each
	// counted once (see groupSample).
	askedGroups groupSample
	// part, during a partition pass, names the groups whose records are
	// noted: the others are left to other passes. whole says that the
	// pass takes room from the whole bounds, without shares: a pass that
	// does not fit is read again, so none of its records is lost to
	// another rule's.
	part  *partition
	whole bool
}

// share is what one part of the bounds holds: records, and their bytes
// (their groups' included).
type share struct{ n, bytes int64 }

func newCorrelator(rs *ruleset.Set) *correlator {
	corrs := rs.Correlations()
	if len(corrs) == 0 {
		return nil
	}
	c := &correlator{rules: corrs, index: map[*ruleset.Rule]int{}}
	for i, r := range corrs {
		c.index[r] = i
		paths := slices.Clone(r.Correlation.GroupBy)
		if r.Correlation.Field != "" {
			paths = append(paths, r.Correlation.Field)
		}
		c.readers = append(c.readers, detect.NewFieldReader(paths))
	}
	c.bases = map[*ruleset.Rule]int{}
	for _, r := range corrs {
		for _, b := range r.Bases {
			if _, ok := c.bases[b]; !ok {
				c.bases[b] = len(c.bases)
				c.baseRules = append(c.baseRules, b)
			}
		}
	}
	c.restart(nil, false)
	return c
}

// restart empties the bounds for a pass that notes the groups of part
// (all of them when nil), from the whole bounds when whole.
func (c *correlator) restart(part *partition, whole bool) {
	c.kept = make([]share, len(c.bases))
	c.pool = share{}
	c.groups, c.shown = nil, nil
	c.asked, c.askedGroups = share{}, groupSample{}
	c.part, c.whole = part, whole
}

// take takes room for one more record, whose notes are pending, and opens
// the groups they are the first of: the record costs n bytes, as kept,
// and extra beside for its notes past the first and its lists; each group
// it opens costs its key and groupBytes more. It reports whether there was
// room, and gives each pending note its group's number. In a first
// reading, it adds the record to what was asked for (see demand), as
// costing asked bytes, its compact note's, and extra: kept or not, as
// each record is offered once whatever the workers.
//
// The groups are the workers' together, and a group is opened under
// their lock, held from its look-up until the room is taken: it is
// charged once, by the first record of it that was kept, whichever
// worker read it. So a pass that takes room from the
// whole bounds refuses a record if, and only if, what its records and
// groups cost together passes the bounds, however the workers took
// turns, and what it holds at its peak is what it was charged: the
// workers hold no copies of the groups.
func (c *correlator) take(pending []pendingNote, n, asked, extra int, compact bool, bases []*ruleset.Rule) bool {
	// The groups met before are looked up under a read lock, which the
	// workers share: only a record that opens a group holds the lock
	// alone, from the look-up to the opening.
	c.groupsMu.RLock()
	opens := c.lookUp(pending)
	c.groupsMu.RUnlock()
	if opens {
		c.groupsMu.Lock()
		defer c.groupsMu.Unlock()
		opens = c.lookUp(pending) // another worker may have opened them since
	}
	cost := n + extra
	for i := range pending {
		if pending[i].isNew {
			cost += len(pending[i].key) + groupBytes
		}
	}
	c.mu.Lock()
	if c.part == nil {
		c.asked.n++
		c.asked.bytes += int64(asked + extra)
		for i := range pending {
			c.askedGroups.add(pending[i].hash, len(pending[i].key)+groupBytes)
		}
	}
	ok := c.room(cost, compact, bases)
	c.mu.Unlock()
	if !ok || !opens {
		return ok
	}
	for i := range pending {
		if pn := &pending[i]; pn.isNew {
			if c.groups == nil {
				c.groups = map[corrGroup]int32{}
			}
			g := corrGroup{pn.corr, string(pn.key)}
			pn.note.group = int32(len(c.shown))
			c.groups[g] = pn.note.group
			c.shown = append(c.shown, g)
		}
	}
	return true
}

// lookUp gives each pending note whose group is open its number, marks the
// others as new, and reports whether there were any; c.groupsMu is held.
func (c *correlator) lookUp(pending []pendingNote) (opens bool) {
	for i := range pending {
		pn := &pending[i]
		id, ok := c.groups[corrGroup{pn.corr, string(pn.key)}]
		pn.isNew = !ok
		if ok {
			pn.note.group = id
		}
		opens = opens || !ok
	}
	return opens
}

// room takes room for one more record of n bytes (with the groups it
// opens), kept whole or as a compact note, and reports whether there was
// some; c.mu is held. Half the bounds, on records and on bytes, is shared
// out in equal parts between the rules correlations count, the other half
// pooled: the record takes room in the part of the first of bases (the
// counted rules that matched it) with room left, else in the pool.
func (c *correlator) room(n int, compact bool, bases []*ruleset.Rule) bool {
	most, mostBytes := maxCorrelationNotes, maxCorrelationBytes
	if compact {
		most, mostBytes = maxCompactNotes, maxCompactBytes
	}
	own, ownBytes := c.own(most, mostBytes, c.whole)
	for _, b := range bases {
		i, ok := c.bases[b]
		if !ok {
			continue
		}
		if k := &c.kept[i]; k.n+1 <= own && k.bytes+int64(n) <= ownBytes {
			k.n++
			k.bytes += int64(n)
			return true
		}
	}
	nb := int64(len(c.bases))
	if p := &c.pool; p.n+1 <= most-own*nb && p.bytes+int64(n) <= mostBytes-ownBytes*nb {
		p.n++
		p.bytes += int64(n)
		return true
	}
	return false
}

// maxSampledGroups bounds the groups a groupSample holds.
const maxSampledGroups = 1 << 14

// groupSample estimates what distinct groups cost together, each counted
// once however often, and by however many workers, it is met, in bounded
// memory: it holds the groups whose hash's lowest shift bits are 0, and
// raises shift when it holds more than maxSampledGroups. What it holds at
// the end, and so its estimate, depends only on which groups were met,
// not on their order: it is exact while it held every group (shift 0),
// and otherwise the cost of about one group in 1<<shift, scaled up. A
// hash that two groups share (one chance in 2^64 a pair) counts one of
// them.
type groupSample struct {
	cost  map[uint64]int32 // by hash
	shift uint
	bytes int64 // the cost of those held
}

// add notes a group of hash h that costs n bytes.
func (gs *groupSample) add(h uint64, n int) {
	if h&(1<<gs.shift-1) != 0 {
		return
	}
	if _, ok := gs.cost[h]; ok {
		return
	}
	if gs.cost == nil {
		gs.cost = map[uint64]int32{}
	}
	v := int32(min(n, math.MaxInt32))
	gs.cost[h] = v
	gs.bytes += int64(v)
	for len(gs.cost) > maxSampledGroups {
		gs.shift++
		for k, v := range gs.cost {
			if k&(1<<gs.shift-1) != 0 {
				delete(gs.cost, k)
				gs.bytes -= int64(v)
			}
		}
	}
}

// estimate returns what the groups met cost together, about.
func (gs *groupSample) estimate() int64 { return gs.bytes << gs.shift }

// own returns the part of the bounds most and mostBytes that each rule
// correlations count has of its own: none when whole.
func (c *correlator) own(most, mostBytes int64, whole bool) (int64, int64) {
	if whole {
		return 0, 0
	}
	parts := int64(2 * max(len(c.bases), 1))
	return most / parts, mostBytes / parts
}

// corrGroup names one group of one correlation rule. Its values, as
// findings show them, are read back from its key (groupValues) for the
// groups that have a burst: a scan can note tens of thousands of groups (a
// group for each role session), and keeping the values apart from the key
// would double them.
type corrGroup struct {
	rule  int // in correlator.rules
	group string
}

// corrNote is one record a correlation counts, as one worker noted it.
type corrNote struct {
	rec   int32 // in part.corrRecords
	group int32 // in part.corrShown
	// value is the hash of the counted field's value, when hasValue; when
	// list, where its list is in part.corrLists (see detect.Event).
	value    uint64
	hasValue bool
	list     bool
}

// corrRecord is a record noted for correlations. For a record of a file,
// which the scan can read again, it is a compact note (its place, time and
// duplicate digest), and the finding of a correlation that names it is
// made again from the file; for a record of a stream, its finding, as its
// matched rule would report it, is kept too (part.corrFull), but in a
// partition pass, which keeps a compact note of it and where its text is
// in the spill of notes (part.corrTexts), to make the finding from.
type corrRecord struct {
	ordinal, line, offset int64
	at                    int64  // its eventTime in Unix nanoseconds
	digest                uint64 // see findingDigest: copies of one event share it
	file                  int32  // in part.corrFiles
	rule                  uint16 // in part.corrRules: the rule that matched it
	flags                 uint8
}

// corrRecord.flags
const (
	recHasID    = 1 << iota // the record has an eventID
	recTimeText             // its eventTime text is in part.corrTimes
	recFull                 // its finding is in part.corrFull
	recAttempt              // it was refused or failed: its finding is an attempt
	recSpilled              // its text is in a spill of notes, where part.corrTexts says
)

// spilledText is where the text of record rec, a stream's, lies in the
// spill of notes that holds its file's run (part.corrSpills): n bytes
// from off.
type spilledText struct {
	rec, n int32
	off    int64
}

// spilledTextBytes is what a partition pass's compact note of a stream's
// record costs beside compactNoteBytes: its entry in part.corrTexts (16
// bytes), and a margin for the piece that list grows by.
// TestCorrelationStreamNoteBytes measured 183 bytes for such a note, 14
// more than TestCorrelationNoteBytes did for a compact note alone.
const spilledTextBytes = 24

// pieces is a list of values kept in pieces of pieceLen: a list of a
// million notes grows without copying them, nor leaving room unused
// but in its last piece.
type pieces[T any] struct {
	p [][]T
	n int
}

const pieceLen = 4096

// add appends v and returns its number.
func (l *pieces[T]) add(v T) int {
	if l.n%pieceLen == 0 {
		l.p = append(l.p, make([]T, 0, pieceLen))
	}
	last := &l.p[len(l.p)-1]
	*last = append(*last, v)
	l.n++
	return l.n - 1
}

// at returns value i.
func (l *pieces[T]) at(i int) *T { return &l.p[i/pieceLen][i%pieceLen] }

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
// the pass), and returns what they cost beside the record: the groups
// they open, their values when a list, and each note past the first.
// During a partition pass, it adds each note to what its group asked of
// the pass. The groups the notes open are charged when the record is
// kept (see correlator.take).
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
			pn.hash = StableHash(uint64(n.corr)*0x9e3779b97f4a7c15, n.key)
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

// corrSet is the records the workers noted, numbered in the order of the
// parts.
type corrSet struct {
	parts  []*part
	firsts []int // the number of each part's first record
}

// at returns record g and its part.
func (cs *corrSet) at(g int) (*part, *corrRecord) {
	pi, ok := slices.BinarySearch(cs.firsts, g)
	if !ok {
		pi--
	}
	for cs.parts[pi].corrRecords.n == 0 { // parts without records share their first
		pi++
	}
	p := cs.parts[pi]
	return p, p.corrRecords.at(g - cs.firsts[pi])
}

// corrRef is a noted record, as a burst names it.
type corrRef struct {
	p *part
	r *corrRecord
	i int32 // in p.corrRecords
}

func (cs *corrSet) ref(g int) corrRef {
	p, r := cs.at(g)
	return corrRef{p, r, int32(g - cs.firsts[slices.Index(cs.parts, p)])}
}

// place returns where the record is.
func (r corrRef) place() RecordRef {
	return RecordRef{File: r.p.corrFiles[r.r.file], Ordinal: r.r.ordinal, Line: r.r.line, Offset: r.r.offset}
}

// time returns the record's eventTime as the record writes it.
func (r corrRef) time() string {
	if r.r.flags&recFull != 0 {
		return r.p.corrFull[r.i].EventTime
	}
	if r.r.flags&recTimeText != 0 {
		return r.p.corrTimes[r.i]
	}
	return time.Unix(0, r.r.at).UTC().Format(time.RFC3339Nano)
}

// correlate evaluates the correlations over what the workers noted and
// returns their findings, ordered by rule and group; groups, when not nil,
// receives the group of each. Warnings about files whose records could not
// be read again go to warn.
func (s *Scanner) correlate(parts []*part, warn *part, groups *[]corrGroup) []Finding {
	c := s.corr
	if c == nil {
		return nil
	}
	// The records of all parts, numbered in the order of their files and
	// places: which copy of an event is counted, and which record a
	// finding names, do not depend on which worker read which file.
	cs := &corrSet{parts: parts}
	total := 0
	for _, p := range parts {
		cs.firsts = append(cs.firsts, total)
		total += p.corrRecords.n
	}
	order := make([]int32, total) // by place: the records' numbers
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int {
		pa, ra := cs.at(int(a))
		pb, rb := cs.at(int(b))
		if c := strings.Compare(pa.corrFiles[ra.file], pb.corrFiles[rb.file]); c != 0 {
			return c
		}
		return cmp.Compare(ra.ordinal, rb.ordinal)
	})
	rank := make([]int32, total)
	for n, i := range order {
		rank[i] = int32(n)
	}
	// The groups, which the workers numbered together (see
	// correlator.take), and their events, one run per group.
	shown := c.shown
	c.groups = nil // let the map go: the groups are read by number now
	starts := make([]int, len(shown)+1)
	for _, p := range parts {
		for _, piece := range p.corrNotes.p {
			for _, n := range piece {
				starts[n.group+1]++
			}
		}
	}
	for i := 1; i < len(starts); i++ {
		starts[i] += starts[i-1]
	}
	events := make([]detect.Event, starts[len(shown)])
	// The values of the lists of all parts, one after the other: a note's
	// list is at its part's base.
	bases := make([]uint64, len(parts))
	nlists := 0
	for pi, p := range parts {
		bases[pi] = uint64(nlists)
		nlists += p.corrLists.n
	}
	lists := make([]uint64, 0, nlists)
	if peakHook != nil {
		peakHook() // the records, their notes, their lists and their events are all held now
	}
	next := slices.Clone(starts[:len(shown)])
	for pi, p := range parts {
		for j, piece := range p.corrNotes.p {
			for _, n := range piece {
				g := n.group
				r := p.corrRecords.at(int(n.rec))
				e := detect.Event{Time: r.at, Value: n.value, HasValue: n.hasValue, List: n.list,
					Key: r.digest, HasKey: r.flags&recHasID != 0, Ref: rank[cs.firsts[pi]+int(n.rec)]}
				if e.List {
					e.Value += bases[pi]
				}
				events[next[g]] = e
				next[g]++
			}
			p.corrNotes.p[j] = nil // let each piece go once its events are made
		}
		for j, piece := range p.corrLists.p {
			lists = append(lists, piece...)
			p.corrLists.p[j] = nil
		}
		p.corrNotes, p.corrLists, p.corrStrs = pieces[corrNote]{}, pieces[uint64]{}, nil
	}
	rank, next = nil, nil
	keys := make([]int, len(shown))
	for i := range keys {
		keys[i] = i
	}
	slices.SortFunc(keys, func(a, b int) int {
		ga, gb := shown[a], shown[b]
		if ga.rule != gb.rule {
			return ga.rule - gb.rule
		}
		return strings.Compare(ga.group, gb.group)
	})
	type found struct {
		g      int
		window []detect.Event
		count  int64
	}
	var all []found
	// The compact records that findings name, to read again: from their
	// files, or, a stream's, from the spill of notes.
	var again, spilled []corrRef
	for _, g := range keys {
		evs, bursts := c.rules[shown[g].rule].Correlation.Bursts(events[starts[g]:starts[g+1]], lists)
		for _, b := range bursts {
			window := evs[b.First : b.Last+1]
			all = append(all, found{g, window, b.Count})
			switch last := cs.ref(int(order[window[len(window)-1].Ref])); {
			case last.r.flags&recSpilled != 0:
				spilled = append(spilled, last)
			case last.r.flags&recFull == 0:
				again = append(again, last)
			}
		}
	}
	made := s.readAgain(again, warn)
	made = s.readSpilled(spilled, made)
	var out []Finding
	for _, f := range all {
		r := c.rules[shown[f.g].rule]
		out = s.burstFindings(out, r, groupValues(r.Correlation.GroupBy, shown[f.g].group), cs, order, f.window, f.count, made)
		for groups != nil && len(*groups) < len(out) {
			*groups = append(*groups, shown[f.g])
		}
	}
	for _, p := range parts {
		p.corrRecords, p.corrFiles, p.corrInfos, p.corrRules, p.corrFull, p.corrTimes = pieces[corrRecord]{}, nil, nil, nil, nil, nil
		p.corrTexts, p.corrSpills = pieces[spilledText]{}, nil
	}
	c.shown = nil
	return out
}

// Hooks for tests: rereadHook runs before a scan reads records of its
// files again, peakHook when correlate holds the most, passHook before
// each partition pass.
var rereadHook, peakHook, passHook func()

// readAgain reads the records of recs, compact notes of records of files,
// from their files, and returns the findings made of them. A record that
// cannot be read again, or that is not the record noted (the file
// changed), has no finding; a warning about its file is logged and noted
// in p.
func (s *Scanner) readAgain(recs []corrRef, p *part) map[*corrRecord]*Finding {
	if len(recs) == 0 {
		return nil
	}
	if rereadHook != nil {
		rereadHook()
	}
	byFile := map[string][]corrRef{}
	var files []string
	for _, r := range recs {
		name := r.place().File
		if _, ok := byFile[name]; !ok {
			files = append(files, name)
		}
		byFile[name] = append(byFile[name], r)
	}
	slices.Sort(files)
	done := s.pickAll(files, byFile)
	made := map[*corrRecord]*Finding{}
	for i, name := range files {
		for r, f := range done[i].made {
			made[r] = f
		}
		lost := done[i].lost
		if lost == 0 {
			continue
		}
		reason := fmt.Sprintf("%s that correlation findings name could not be read again from the file, which changed since it was read: "+
			"those findings give only the record's place, time and outcome, and what their group-by values say",
			view.Count(int64(lost), "record", "records"))
		if err := done[i].err; err != nil {
			reason += " (" + err.Error() + ")"
		}
		s.opts.Log.Warn(reason, "file", name)
		p.sum.Warnings++
		p.warnings = keepFirst(p.warnings, Rejection{File: name, Reason: reason, Whole: true})
	}
	return made
}

// readSpilled reads the texts of recs, compact notes of records of
// streams, back from the spill of notes, makes their findings as noting
// the records whole made them, and adds them to made (made when nil). A
// text that cannot be read back, or is not the record noted, stops the
// scan with an error, as a damaged run of notes does: a finding made of
// what the note kept alone would differ from the scan's with room.
func (s *Scanner) readSpilled(recs []corrRef, made map[*corrRecord]*Finding) map[*corrRecord]*Finding {
	if len(recs) > 0 && made == nil {
		made = map[*corrRecord]*Finding{}
	}
	var buf []byte
	for _, r := range recs {
		st, spill := r.p.textOf(r.i), r.p.corrSpills[r.r.file]
		buf = slices.Grow(buf[:0], int(st.n))[:st.n]
		var f *Finding
		err := fmt.Errorf("%w: no text for record %d", errNotesCorrupt, r.r.ordinal) // never
		if spill != nil && st.n > 0 {
			_, err = spill.ReadAt(buf, st.off)
		}
		if err == nil {
			if f = s.findingAgain(r, cloudtrail.Picked{Raw: buf}); f == nil {
				err = fmt.Errorf("%w: the text of record %d is not the record noted", errNotesCorrupt, r.r.ordinal)
			}
		}
		if err != nil {
			s.fail(fmt.Errorf("read back the correlation notes of %s: %w", r.place().File, err))
			return made
		}
		made[r.r] = f
	}
	return made
}

// textOf returns where the text of record i, a stream's that a partition
// pass noted, lies in the spill; n is 0 when it is not known (never).
func (p *part) textOf(i int32) spilledText {
	l := &p.corrTexts
	k := sort.Search(l.n, func(k int) bool { return l.at(k).rec >= i })
	if k == l.n || l.at(k).rec != i {
		return spilledText{}
	}
	return *l.at(k)
}

// pickedFile is what reading one file again gave: the findings of its
// records that could be made again, and why some could not.
type pickedFile struct {
	made map[*corrRecord]*Finding
	lost int // the references to records that could not be made again
	err  error
}

// pickAll reads the records byFile names again, from files, several files
// at once as the scan read them (this happens after the scan, while
// nothing else runs), and makes their findings as it goes, so that no
// more than one record text per worker is held at a time.
func (s *Scanner) pickAll(files []string, byFile map[string][]corrRef) []pickedFile {
	out := make([]pickedFile, len(files))
	opts := cloudtrail.Options{Gzip: s.opts.Gzip, MaxInputBytes: s.opts.MaxInputBytes}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(s.opts.Workers, len(files)) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < len(files); i = int(next.Add(1) - 1) {
				rs := byFile[files[i]]
				var want []int64
				seen := map[int64]bool{}
				for _, r := range rs {
					if !seen[r.r.ordinal] {
						seen[r.r.ordinal] = true
						want = append(want, r.r.ordinal)
					}
				}
				picked, err := pickFrom(files[i], rs[0].p.corrInfos[rs[0].r.file], want, opts)
				pf := pickedFile{made: map[*corrRecord]*Finding{}, err: err}
				for _, r := range rs {
					if f := s.findingAgain(r, picked[r.r.ordinal]); f != nil {
						pf.made[r.r] = f
					} else {
						pf.lost++
					}
				}
				out[i] = pf
			}
		})
	}
	wg.Wait()
	return out
}

// pickFrom reads the records numbered want from the regular file name.
func pickFrom(name string, was os.FileInfo, want []int64, opts cloudtrail.Options) (map[int64]cloudtrail.Picked, error) {
	f, err := openAgain(name, was)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return cloudtrail.PickPrefix(f, name, want, opts)
}

// openAgain opens the regular file name, which the scan read, again: it
// must be the file was describes (when not nil).
func openAgain(name string, was os.FileInfo) (*os.File, error) {
	errIrregular := errors.New("not a regular file")
	if fi, err := os.Stat(name); err != nil {
		return nil, err
	} else if !fi.Mode().IsRegular() {
		return nil, errIrregular // a FIFO would hang the read
	}
	f, err := os.OpenFile(name, os.O_RDONLY|openNoWait, 0)
	if err != nil {
		return nil, err
	}
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		f.Close()
		return nil, errIrregular
	} else if was != nil && !os.SameFile(fi, was) {
		// Another file under the name (replaced, or a link pointed
		// elsewhere, out of the folder scanned perhaps).
		f.Close()
		return nil, errors.New("another file now has this name")
	}
	return f, nil
}

// findingAgain makes the finding of compact note r from its record read
// again, p, as recordOf and keepNotes made it of the record when first
// read; nil when p is not that record.
func (s *Scanner) findingAgain(r corrRef, p cloudtrail.Picked) *Finding {
	if p.Raw == nil || p.Reason != "" {
		return nil
	}
	tops, ok := jsonscan.AppendMembers(nil, p.Raw)
	if !ok {
		tops = nil
	}
	h := headerOfTops(p.Raw, tops, nil)
	at := parseTime(h.EventTime)
	if at.IsZero() || at.UnixNano() != r.r.at {
		return nil
	}
	fs := newFindings(nil, &h, at, detect.Match{}, r.p.corrRules[r.r.rule], s.describe, r.place())
	f := &fs[0]
	f.Matched = nil
	// The digest covers a record without an event ID too (see
	// worker.recordDigest).
	hasID := r.r.flags&recHasID != 0
	if f.EventTime != r.time() || (f.EventID != "") != hasID || findingDigest(s.seed, f) != r.r.digest {
		return nil
	}
	return f
}

// burstFindings appends the findings of one burst of correlation rule r
// in the group of values group: window holds its events, in time order,
// each naming its record by its place in order. made holds the findings
// of the compact notes read again.
func (s *Scanner) burstFindings(dst []Finding, r *ruleset.Rule, group []GroupValue, cs *corrSet, order []int32, window []detect.Event, count int64,
	made map[*corrRecord]*Finding) []Finding {
	first, last := cs.ref(int(order[window[0].Ref])), cs.ref(int(order[window[len(window)-1].Ref]))
	corr := r.Correlation
	cf := &Correlation{Type: corr.Type, Count: count, Field: corr.Field, Condition: corr.Condition(), Timespan: corr.Span,
		FirstTime: first.time(), LastTime: last.time(), Group: group}
	for _, e := range window[:min(len(window), MaxCorrelationRecords)] {
		cf.Records = append(cf.Records, cs.ref(int(order[e.Ref])).place())
	}
	matched := make([]MatchedField, 0, len(cf.Group))
	for _, g := range cf.Group {
		v := g.Value
		if g.Null {
			v = "null"
		}
		matched = append(matched, MatchedField{Field: g.Field, Value: v})
	}
	var base Finding
	switch f := made[last.r]; {
	case last.r.flags&recFull != 0:
		base = *last.p.corrFull[last.i]
	case f != nil:
		base = *f
	default:
		// The record could not be read again: its place and time, and
		// whether it was an attempt, which the note kept.
		h := header{EventTime: last.time()}
		base = newFindings(nil, &h, time.Unix(0, last.r.at).UTC(), detect.Match{}, last.p.corrRules[last.r.rule], s.describe, last.place())[0]
		if last.r.flags&recAttempt != 0 {
			base.Outcome = "attempt"
		}
		fromGroup(&base, group)
	}
	base.Rule = RuleRef{ID: r.ID, Title: r.Title, Level: r.Level, Origin: string(r.Origin), File: r.File, ATTACK: r.Unmapped}
	base.Matched = matched
	base.Correlation = cf
	base.frag = nil
	return appendTechniques(dst, base, r, s.describe)
}

// fromGroup fills what a finding made without its record says of the
// caller and the event from the values its correlation's events share:
// the group-by fields that name them.
func fromGroup(f *Finding, group []GroupValue) {
	into := map[string]*string{
		"userIdentity.type": &f.Actor.Type, "userIdentity.arn": &f.Actor.ARN, "userIdentity.principalId": &f.Actor.PrincipalID,
		"userIdentity.accountId": &f.Actor.AccountID, "userIdentity.userName": &f.Actor.UserName,
		"userIdentity.accessKeyId": &f.Actor.AccessKeyID, "userIdentity.invokedBy": &f.Actor.InvokedBy,
		"sourceIPAddress": &f.Actor.SourceIP, "eventSource": &f.EventSource, "eventName": &f.EventName,
		"awsRegion": &f.AWSRegion, "recipientAccountId": &f.RecipientAccountID,
	}
	for _, g := range group {
		if p := into[g.Field]; p != nil && !g.Null {
			*p = g.Value
		}
	}
	// A user of the account the logs are of, named by its name (failed
	// sign-ins), is the user Actor.Key names by its ARN, as its other
	// findings are. (A role session's ARN does not give its role's, whose
	// path it leaves out: such a finding stays under the session.)
	if f.Actor.AccountID == "" && f.Actor.ARN == "" && (f.Actor.Type == "IAMUser" || f.Actor.Type == "Root") {
		f.Actor.AccountID = f.RecipientAccountID
	}
}

// emitCorrelations hands a streamed scan's correlation findings on, as
// the workers hand on theirs.
func (s *Scanner) emitCorrelations(fs []Finding) {
	if len(fs) == 0 {
		return
	}
	w := s.newWorker(&part{})
	for i := range fs {
		w.emit(fs[i:i+1], nil)
	}
	w.flush()
}
