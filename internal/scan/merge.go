package scan

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/ttcproject/ttc/internal/view"
)

// heldWarning is how many findings a scan that keeps them may hold before
// it warns that memory grows with them (a variable for tests).
var heldWarning int64 = 1_000_000

// noteHeld counts findings kept in memory and warns once when there are
// many: a scan that keeps its findings uses memory in proportion to them.
func (s *Scanner) noteHeld(n int64) {
	if now := s.held.Add(n); now >= heldWarning && now-n < heldWarning {
		s.opts.Log.Warn("this scan holds many findings in memory, and memory grows with them; "+
			"-o jsonl streams findings instead, and --min-level leaves noisy low-level rules out", "findings", now)
	}
}

// describe returns a technique's name and tactics from the catalog.
func (s *Scanner) describe(id string) (string, []string) {
	if t, ok := s.cat.Technique(id); ok {
		return t.Name, t.Tactics
	}
	return "", nil
}

// merge adds up the workers' parts, drops duplicate and filtered findings and
// sorts what is left by time. It sorts pointers to the findings where the
// workers left them and copies each finding kept once, into a slice of the
// exact size: findings are large, and copying them is most of the cost.
func (s *Scanner) merge(parts []*part) (*Result, error) {
	res := &Result{Rejections: []Rejection{}, Skipped: []Rejection{}}
	sum := &res.Summary
	total, spilled := 0, false
	for _, p := range parts {
		total += p.findings.len()
		spilled = spilled || len(p.runs) > 0
	}
	if spilled {
		total = 0 // the findings held go to a run too
	}
	all := make([]*Finding, 0, total)
	for _, p := range parts {
		sum.Files += p.sum.Files
		sum.FilesSkipped += p.sum.FilesSkipped
		sum.FilesEmpty += p.sum.FilesEmpty
		sum.InputsWithoutLogs += p.sum.InputsWithoutLogs
		sum.FilesFailed += p.sum.FilesFailed
		sum.Read += p.sum.Read
		sum.Matched += p.sum.Matched
		sum.Unmatched += p.sum.Unmatched
		sum.Rejected += p.sum.Rejected
		sum.MatchedRejected += p.sum.MatchedRejected
		sum.Insights += p.sum.Insights
		sum.ControlItems += p.sum.ControlItems
		sum.OtherEvents += p.sum.OtherEvents
		sum.Warnings += p.sum.Warnings
		sum.Bytes += p.sum.Bytes
		sum.SessionsNotKept += p.sum.SessionsNotKept
		sum.CorrelationNotKept += p.sum.CorrelationNotKept
		if res.Sessions == nil {
			res.Sessions, p.sessions = p.sessions, nil // the first worker's, not a copy
		}
		for _, o := range p.sessions {
			claim(res.Sessions, o, true) // the workers kept to the bound together
		}
		if !spilled {
			for _, c := range p.findings {
				for i := range c {
					all = append(all, &c[i])
				}
			}
		}
		res.Rejections = append(res.Rejections, p.rejections...)
		res.Skipped = append(res.Skipped, p.skipped...)
		res.Warnings = append(res.Warnings, p.warnings...)
	}
	if sum.CorrelationNotKept > 0 {
		// Said once, at the first record not kept: the rest follow it in
		// the files' order or were read at the same time by other workers.
		var all part
		for _, p := range parts {
			all.takeLost(p)
		}
		first := all.corrLost
		reason := fmt.Sprintf("correlation rules could not keep %s that the rules they count matched, from record %d (line %d) of this file on: they are not counted, and a burst among them may be missed (correlation_records_not_kept)",
			view.Count(sum.CorrelationNotKept, "record", "records"), first.Ordinal, first.Line)
		again := "the files were read again"
		if s.corrSpilled {
			again = "their notes, spilled to disk, were read again"
		}
		if s.corrPasses > 0 {
			reason += fmt.Sprintf("; %s %s, each time for a part of the groups, and a part still held more than a scan keeps: one group too busy on its own, or more groups than %d passes hold",
				again, view.Count(int64(s.corrPasses), "time", "times"), maxPasses)
		} else {
			could := fmt.Sprintf("the scan could not spill them (%v)", s.corrNoSpill)
			if errors.Is(s.corrNoSpill, errNoteSpillCap) {
				could = fmt.Sprintf("their notes passed the %d MiB a scan may spill", maxNoteSpill>>20)
			}
			reason += "; the records of standard input and uploads are counted again from what the scan spilled of them to disk, " +
				"for a part of the groups at a time, but " + could + ": save the input to a file and scan the file"
		}
		res.Warnings = append(res.Warnings, Rejection{File: first.File, Ordinal: first.Ordinal, Line: first.Line, Offset: first.Offset, Reason: reason})
		sum.Warnings++
	}
	for _, p := range parts {
		sum.CorrelationNotKept += p.corrLeftOut
	}
	// Each worker kept at least the first MaxRejections of each list.
	slices.SortStableFunc(res.Warnings, byPlace)
	slices.SortStableFunc(res.Skipped, byPlace)
	slices.SortStableFunc(res.Rejections, byPlace)
	res.Rejections = firstListed(res.Rejections)
	res.Skipped = firstListed(res.Skipped)
	res.Warnings = firstListed(res.Warnings)
	sum.Unlisted = Unlisted{
		Rejections: max(0, sum.Rejected+sum.FilesFailed-int64(len(res.Rejections))),
		Skipped:    max(0, sum.FilesSkipped-int64(len(res.Skipped))),
		Warnings:   max(0, sum.Warnings-int64(len(res.Warnings))),
	}
	sum.Rules = len(s.rules.Rules())
	if spilled {
		return res, s.mergeSpilled(res, parts)
	}
	sortFindings(all)

	// Decide what stays first, so that the result is allocated once.
	seen := make(map[uint64]struct{}, len(all))
	kept := 0
	for i, f := range all {
		if f.EventID != "" {
			key := dupHash(s.seed, findingDigest(s.seed, f), &f.Rule, f.TechniqueID)
			if _, dup := seen[key]; dup {
				sum.Duplicates++
				all[i] = nil
				continue
			}
			seen[key] = struct{}{}
		}
		if !s.keep(f) {
			sum.Filtered++
			all[i] = nil
			continue
		}
		kept++
	}
	res.Findings = make([]Finding, 0, kept)
	for _, f := range all {
		if f != nil {
			res.Findings = append(res.Findings, *f)
		}
	}
	for _, p := range parts {
		p.findings = nil // the workers' copies can go now
	}
	sum.Findings = len(res.Findings)
	if s.streams() {
		sum.Findings = int(s.streamed.Findings)
		sum.Duplicates += s.streamed.Duplicates
		sum.Forgotten = s.emitted.forgot
		if sum.Forgotten > 0 {
			s.opts.Log.Warn("the duplicate check ran out of the memory it may use; later copies of some events may be reported again",
				"keys_forgotten", sum.Forgotten)
		}
		sum.Filtered += s.streamed.Filtered
	}
	return res, nil
}

// sortFindings sorts findings as Finding.Compare orders them, keeping the
// order of equal ones.
func sortFindings(fs []*Finding) {
	type ref struct {
		f *Finding
		i int
	}
	refs := make([]ref, len(fs))
	for i, f := range fs {
		refs[i] = ref{f, i}
	}
	slices.SortFunc(refs, func(a, b ref) int {
		if c := cmpFinding(a.f, b.f); c != 0 {
			return c
		}
		return cmp.Compare(a.i, b.i)
	})
	for i, r := range refs {
		fs[i] = r.f
	}
}

// Compare orders findings as reports list them: by time, then by event
// ID, technique and rule, then by file and position. It returns a negative
// number when f comes before g, a positive one when after, and 0 for
// findings of one rule on one record.
//
// What identifies the event and the finding comes before where the record
// lies, so that where a finding stands does not depend on which copy of
// its event was kept: a scan that streams its findings keeps the copy it
// reads first, which varies from run to run.
func (f *Finding) Compare(g *Finding) int { return cmpFinding(f, g) }

func cmpFinding(a, b *Finding) int {
	if c := a.time.Compare(b.time); c != 0 {
		return c
	}
	if c := strings.Compare(a.EventID, b.EventID); c != 0 {
		return c
	}
	if c := strings.Compare(a.TechniqueID, b.TechniqueID); c != 0 {
		return c
	}
	if c := strings.Compare(a.Rule.ID, b.Rule.ID); c != 0 {
		return c
	}
	if c := strings.Compare(a.Rule.File, b.Rule.File); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Rule.Line, b.Rule.Line); c != 0 {
		return c
	}
	if c := strings.Compare(a.Record.File, b.Record.File); c != 0 {
		return c
	}
	return cmp.Compare(a.Record.Ordinal, b.Record.Ordinal)
}

// keep applies the output filters.
func (s *Scanner) keep(f *Finding) bool {
	o := s.opts
	if !o.Since.IsZero() && (f.time.IsZero() || f.time.Before(o.Since)) {
		return false
	}
	if !o.Until.IsZero() && (f.time.IsZero() || !f.time.Before(o.Until)) {
		return false
	}
	if len(o.Techniques) > 0 {
		ok := false
		for _, id := range o.Techniques {
			ok = ok || within(f.TechniqueID, id)
			for _, a := range f.Rule.ATTACK { // the rule's ATT&CK tags the catalog lacks
				ok = ok || within(a, id)
			}
		}
		if !ok {
			return false
		}
	}
	if len(o.Tactics) > 0 {
		ok := false
		for _, ta := range o.Tactics {
			for _, ft := range f.Tactics {
				ok = ok || ft == ta
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// within reports whether technique t is id or one of its sub-techniques.
func within(t, id string) bool { return t == id || strings.HasPrefix(t, id+".") }
