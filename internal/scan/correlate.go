package scan

import (
	"cmp"
	"fmt"
	"hash/maphash"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/ttcproject/ttc/internal/detect"
	"github.com/ttcproject/ttc/internal/jsonscan"
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
// correlation finding, what it counted, then the values its events share.
func (f Finding) Evidence() []MatchedField {
	if f.Correlation == nil {
		return f.Matched
	}
	return append([]MatchedField{{Field: "correlation", Value: f.Correlation.Summary()}}, f.Matched...)
}

// Bounds of what a scan keeps for its correlations (variables for tests), all workers together:
// the records the rules they name matched (each with what a finding
// reports of it) and the bytes those hold. Past either, later records are
// counted (Summary.CorrelationNotKept), not kept: a correlation can then
// miss a burst, or count one short.
var (
	maxCorrelationNotes int64 = 1 << 16
	maxCorrelationBytes int64 = 64 << 20
)

// correlator holds what a scan needs to evaluate its correlation rules.
type correlator struct {
	rules   []*ruleset.Rule
	index   map[*ruleset.Rule]int
	readers []*detect.FieldReader // each rule's group-by fields, then its counted field
	notes   atomic.Int64
	bytes   atomic.Int64
}

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
	return c
}

// room takes room for one more record of n bytes, and reports whether
// there was some.
func (c *correlator) room(n int) bool {
	if c.notes.Add(1) > maxCorrelationNotes || c.bytes.Add(int64(n)) > maxCorrelationBytes {
		return false
	}
	return true
}

// corrGroup names one group of one correlation rule.
type corrGroup struct {
	rule  int // in correlator.rules
	group string
}

// corrNote is one record a correlation counts, as one worker noted it.
type corrNote struct {
	corrGroup
	event detect.Event // Ref numbers the record in part.corrRecords
}

// corrRecord is a record noted for correlations.
type corrRecord struct {
	f      Finding // as its matched rule would report it
	digest uint64  // see findingDigest: copies of one event share it
}

// noting is one record's progress through noteCorrelations.
type noting struct {
	rec   int   // in part.corrRecords, -1 until noted, -2 when not kept
	noted []int // the correlations that counted it already
}

// noteCorrelations notes record raw, matched by rule r (m), for the
// correlations r feeds.
func (w *worker) noteCorrelations(n *noting, r *ruleset.Rule, m detect.Match, raw []byte, idx *jsonscan.Index,
	at time.Time, pos RecordRef) {
	c := w.s.corr
	p := w.p
	if n.rec == -2 {
		return
	}
	if n.rec == -1 {
		// Read again, sharing strings between the records kept: a streamed
		// scan's header was read only in part, and shares nothing.
		if p.corrStrs == nil {
			p.corrStrs = newInterner()
		}
		full := headerOfTops(raw, w.tops, p.corrStrs)
		fs := newFindings(nil, &full, at, m, r, w.s.describe, pos)
		fs[0].Matched = nil // a correlation's finding has its own
		rec := corrRecord{f: fs[0], digest: findingDigest(w.s.seed, &fs[0])}
		if !c.room(findingBytes(&rec.f)) {
			p.sum.CorrelationNotKept++
			n.rec = -2
			return
		}
		n.rec = len(p.corrRecords)
		p.corrRecords = append(p.corrRecords, rec)
	}
	for _, cr := range r.Feeds {
		i, ok := c.index[cr]
		if !ok || slices.Contains(n.noted, i) {
			continue
		}
		n.noted = append(n.noted, i)
		vals, err := c.readers[i].Read(w.fields[:0], raw, w.tops, idx)
		w.fields = vals
		if err != nil {
			continue // the matcher read the record; its fields cannot be worse
		}
		corr := cr.Correlation
		ev := detect.Event{Time: at.UnixNano(), Ref: n.rec}
		rec := &p.corrRecords[n.rec]
		ev.Key, ev.HasKey = rec.digest, rec.f.EventID != ""
		group := vals[:len(corr.GroupBy)]
		if corr.Field != "" {
			v := vals[len(vals)-1]
			ev.Value, ev.HasValue = maphash.String(w.s.seed, v.Text), !v.Null
		}
		key, shown := groupKey(corr.GroupBy, group)
		g := corrGroup{i, key}
		if _, ok := p.corrGroups[g]; !ok {
			if p.corrGroups == nil {
				p.corrGroups = map[corrGroup][]GroupValue{}
			}
			p.corrGroups[g] = shown
			c.bytes.Add(int64(2*len(key) + 64)) // accounted, past the bound too: a group comes with a record kept
		}
		p.corrNotes = append(p.corrNotes, corrNote{corrGroup: g, event: ev})
	}
}

// groupKey makes the key of a group from its values, each cut as actor
// keys are (GroupKey), and the values as findings show them.
func groupKey(fields []string, vals []detect.FieldValue) (string, []GroupValue) {
	var b []byte
	shown := make([]GroupValue, len(vals))
	for i, v := range vals {
		text := GroupKey(v.Text)
		shown[i] = GroupValue{Field: fields[i], Value: text, Null: v.Null}
		if v.Null {
			b = append(b, 0)
			continue
		}
		b = append(b, 1)
		b = strconv.AppendInt(b, int64(len(text)), 10)
		b = append(b, ':')
		b = append(b, text...)
	}
	return string(b), shown
}

// correlate evaluates the correlations over what the workers noted and
// returns their findings.
func (s *Scanner) correlate(parts []*part) []Finding {
	c := s.corr
	if c == nil {
		return nil
	}
	// The records of all parts, numbered in the order of their files and
	// places: which copy of an event is counted, and which record a
	// finding names, do not depend on which worker read which file.
	var records []*corrRecord
	var firsts []int
	for _, p := range parts {
		firsts = append(firsts, len(records))
		for i := range p.corrRecords {
			records = append(records, &p.corrRecords[i])
		}
	}
	order := make([]int, len(records))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		ra, rb := &records[a].f.Record, &records[b].f.Record
		if c := strings.Compare(ra.File, rb.File); c != 0 {
			return c
		}
		return cmp.Compare(ra.Ordinal, rb.Ordinal)
	})
	rank := make([]int, len(records))
	sorted := make([]*corrRecord, len(records))
	for n, i := range order {
		rank[i], sorted[n] = n, records[i]
	}
	records = sorted
	groups := map[corrGroup][]detect.Event{}
	shown := map[corrGroup][]GroupValue{}
	for pi, p := range parts {
		for _, n := range p.corrNotes {
			n.event.Ref = rank[firsts[pi]+n.event.Ref]
			groups[n.corrGroup] = append(groups[n.corrGroup], n.event)
		}
		for g, vals := range p.corrGroups {
			shown[g] = vals
		}
		p.corrNotes, p.corrGroups, p.corrStrs = nil, nil, nil
	}
	keys := make([]corrGroup, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b corrGroup) int {
		if a.rule != b.rule {
			return a.rule - b.rule
		}
		if a.group < b.group {
			return -1
		}
		if a.group > b.group {
			return 1
		}
		return 0
	})
	var out []Finding
	for _, k := range keys {
		r := c.rules[k.rule]
		events, bursts := r.Correlation.Bursts(groups[k])
		for _, b := range bursts {
			out = s.burstFindings(out, r, shown[k], records, events[b.First:b.Last+1], b.Count)
		}
	}
	for _, p := range parts {
		p.corrRecords = nil
	}
	return out
}

// burstFindings appends the findings of one burst of correlation rule r
// in the group of values group: window holds its events, in time order.
func (s *Scanner) burstFindings(dst []Finding, r *ruleset.Rule, group []GroupValue, records []*corrRecord, window []detect.Event, count int64) []Finding {
	first, last := records[window[0].Ref], records[window[len(window)-1].Ref]
	corr := r.Correlation
	cf := &Correlation{Type: corr.Type, Count: count, Field: corr.Field, Condition: corr.Condition(), Timespan: corr.Span,
		FirstTime: first.f.EventTime, LastTime: last.f.EventTime, Group: group}
	for _, e := range window[:min(len(window), MaxCorrelationRecords)] {
		cf.Records = append(cf.Records, records[e.Ref].f.Record)
	}
	matched := make([]MatchedField, 0, len(cf.Group))
	for _, g := range cf.Group {
		v := g.Value
		if g.Null {
			v = "null"
		}
		matched = append(matched, MatchedField{Field: g.Field, Value: v})
	}
	base := last.f
	base.Rule = RuleRef{ID: r.ID, Title: r.Title, Level: r.Level, Origin: string(r.Origin), File: r.File, ATTACK: r.Unmapped}
	base.Matched = matched
	base.Correlation = cf
	base.frag = nil
	return appendTechniques(dst, base, r, s.describe)
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
