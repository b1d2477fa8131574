package scan

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/ttcproject/ttc/internal/detect"
	"github.com/ttcproject/ttc/internal/ruleset"
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
	// Records locate up to MaxCorrelationRecords of the window's events: its
	// first, or, for a value_count, the first to bring each value.
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
// correlation finding, what it counted, then the values its events share
// as GroupValue.Shown writes them, so that a field the events lack (null)
// and the text "null" read apart.
func (f Finding) Evidence() []MatchedField {
	c := f.Correlation
	if c == nil {
		return f.Matched
	}
	out := make([]MatchedField, 0, 1+len(c.Group))
	out = append(out, MatchedField{Field: "correlation", Value: c.Summary()})
	for _, g := range c.Group {
		out = append(out, MatchedField{Field: g.Field, Value: g.Shown()})
	}
	return out
}

// Shown writes v as reports show it: null for a field the events lack,
// else the value quoted by QuoteValue, and a value too long to keep whole
// (see GroupKey) as the part kept, quoted, then ttc's note outside the
// quotes, where no value can put text.
func (v GroupValue) Shown() string {
	kept, hash, cut := CutGroupKey(v.Value)
	switch {
	case v.Null:
		return "null"
	case cut:
		return QuoteValue(kept) + " [cut by ttc; key hash " + hash + "]"
	}
	return QuoteValue(v.Value)
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
	// counted once (see groupSample): the workers' samples (part.corrSample),
	// merged when the first reading ends.
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
	own, ownBytes := c.own(most, mostBytes)
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
// them. The hash is keyHash, which anyone can compute: keys chosen so
// that their hashes' low bits are 0 are all held, and scaled up as if
// they were one in 1<<shift. So the estimate is never more than what
// every note offered would cost if each opened a group of its own
// (offered): the most the groups can cost, whatever their keys.
type groupSample struct {
	cost    map[uint64]int32 // by hash
	shift   uint
	bytes   int64 // the cost of those held
	offered int64 // the cost of a group for each note offered
}

// add notes a group of hash h that costs n bytes.
func (gs *groupSample) add(h uint64, n int) {
	gs.offered += int64(n)
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
	gs.raise(gs.shift)
}

// merge adds what o met to gs, as if gs had met it too: the result holds
// the hashes, of all met, whose low shift bits are 0 for the least shift
// that keeps them within maxSampledGroups, whichever order the groups
// were met in and however they were shared out, so the workers each keep
// a sample of their own, out of their shared lock, and the scan merges
// them.
func (gs *groupSample) merge(o *groupSample) {
	gs.offered += o.offered
	gs.raise(max(gs.shift, o.shift))
	for h, v := range o.cost {
		if h&(1<<gs.shift-1) != 0 {
			continue
		}
		if _, ok := gs.cost[h]; ok {
			continue
		}
		if gs.cost == nil {
			gs.cost = map[uint64]int32{}
		}
		gs.cost[h] = v
		gs.bytes += int64(v)
	}
	gs.raise(gs.shift)
}

// raise sets the shift to at least s, and further while the sample holds
// more than maxSampledGroups, dropping the hashes it no longer keeps.
func (gs *groupSample) raise(s uint) {
	for gs.shift < s || len(gs.cost) > maxSampledGroups {
		gs.shift = max(gs.shift+1, s)
		for k, v := range gs.cost {
			if k&(1<<gs.shift-1) != 0 {
				delete(gs.cost, k)
				gs.bytes -= int64(v)
			}
		}
	}
}

// estimate returns what the groups met cost together, about.
func (gs *groupSample) estimate() int64 { return min(gs.bytes<<gs.shift, gs.offered) }

// own returns the part of the bounds most and mostBytes that each rule
// correlations count has of its own: none when the reading takes room
// from the whole bounds (c.whole).
func (c *correlator) own(most, mostBytes int64) (int64, int64) {
	if c.whole {
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
	group int32 // in correlator.shown
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
