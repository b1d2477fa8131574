package scan

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/ttcproject/ttc/internal/detect"
	"github.com/ttcproject/ttc/internal/ruleset"
)

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
		g        int
		window   []detect.Event
		evidence []detect.Event // the events the finding lists
		count    int64
	}
	var all []found
	// The compact records that findings name, to read again: from their
	// files, or, a stream's, from the spill of notes.
	var again, spilled []corrRef
	for _, g := range keys {
		corr := c.rules[shown[g].rule].Correlation
		evs, bursts := corr.Bursts(events[starts[g]:starts[g+1]], lists)
		for _, b := range bursts {
			window := evs[b.First : b.Last+1]
			all = append(all, found{g, window, corr.Evidence(window, lists, MaxCorrelationRecords), b.Count})
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
		out = s.burstFindings(out, r, groupValues(r.Correlation.GroupBy, shown[f.g].group), cs, order, f.window, f.evidence, f.count, made)
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

// burstFindings appends the findings of one burst of correlation rule r
// in the group of values group: window holds its events, in time order,
// each naming its record by its place in order, and evidence those of
// them the findings list (see detect.Correlation.Evidence). made holds
// the findings of the compact notes read again.
func (s *Scanner) burstFindings(dst []Finding, r *ruleset.Rule, group []GroupValue, cs *corrSet, order []int32, window, evidence []detect.Event, count int64,
	made map[*corrRecord]*Finding) []Finding {
	first, last := cs.ref(int(order[window[0].Ref])), cs.ref(int(order[window[len(window)-1].Ref]))
	corr := r.Correlation
	cf := &Correlation{Type: corr.Type, Count: count, Field: corr.Field, Condition: corr.Condition(), Timespan: corr.Span,
		FirstTime: first.time(), LastTime: last.time(), Group: group}
	for _, e := range evidence {
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
	base.Rule = RuleRef{ID: r.ID, Title: r.Title, Level: r.Level, Origin: string(r.Origin), File: r.File, Line: r.BundleLine(),
		ATTACK: r.Unmapped}
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
