package ruleset

import (
	"bytes"
	"hash/maphash"
	"slices"
	"strconv"

	"github.com/ttcproject/ttc/internal/cloudtrail"
	"github.com/ttcproject/ttc/internal/detect"
)

// Correlate runs correlation rules over a few records held in memory (a
// sample of a burst), matched with m, and returns the rules that find a
// burst in them, in the order given. It is the scan's evaluation without
// its bounds, for samples; ttc scan counts records as they stream.
func Correlate(m *detect.Matcher, corrs []*Rule, records [][]byte) []*Rule {
	seed := maphash.MakeSeed()
	var out []*Rule
	for _, c := range corrs {
		corr := c.Correlation
		paths := append(slices.Clone(corr.GroupBy), "eventTime", "eventID")
		if corr.Field != "" {
			paths = append(paths, corr.Field)
		}
		fr := detect.NewFieldReader(paths)
		groups := map[string][]detect.Event{}
		var lists, hashes []uint64
		for i, raw := range records {
			ms, err := m.Match(raw)
			if err != nil || !slices.ContainsFunc(ms, func(mt detect.Match) bool { return feeds(c, mt.Rule) }) {
				continue
			}
			vals, err := fr.Read(nil, raw, nil, nil)
			if err != nil {
				continue
			}
			g := len(corr.GroupBy)
			at, ok := cloudtrail.TimeOf(vals[g].Text)
			if !ok || !detect.Countable(at) {
				continue // the scan rejects a matched record it cannot place in time
			}
			ev := detect.Event{Time: at.UnixNano(), Ref: int32(i)}
			if id := vals[g+1]; !id.Null {
				ev.Key, ev.HasKey = maphash.String(seed, id.Text), true
			}
			if corr.Field != "" {
				hashes = vals[g+2].AppendHashes(hashes[:0], seed)
				lists = ev.SetValues(lists, hashes)
			}
			var key []byte
			for _, v := range vals[:g] {
				if v.Null {
					key = append(key, 'n')
					continue
				}
				key = strconv.AppendInt(append(key, 's'), int64(len(v.Text)), 10)
				key = append(append(key, ':'), v.Text...)
			}
			groups[string(key)] = append(groups[string(key)], ev)
		}
		for _, evs := range groups {
			if _, bursts := corr.Bursts(evs, lists); len(bursts) > 0 {
				out = append(out, c)
				break
			}
		}
	}
	return out
}

// feeds reports whether correlation c counts the matches of rule r.
func feeds(c *Rule, r *detect.Rule) bool {
	return slices.ContainsFunc(c.Bases, func(b *Rule) bool { return b.Rule == r })
}

// Records returns the records of data, a log or a sample, as ttc scan
// reads them, and stops at the first it would reject.
func Records(data []byte) [][]byte {
	r := cloudtrail.NewReader(cloudtrail.Options{})
	r.Reset(bytes.NewReader(data), "")
	var out [][]byte
	for {
		rec, err := r.Next()
		if err != nil {
			return out
		}
		out = append(out, slices.Clone(rec.Raw))
	}
}

// Flags returns the matches a sample gets from the set: from its
// correlation rules when it holds several records, else from its rules
// that report their own findings.
func (s *Set) Flags(data []byte) ([]detect.Match, error) {
	if records := Records(data); len(records) > 1 {
		var out []detect.Match
		for _, r := range Correlate(s.Matcher, s.corrs, records) {
			out = append(out, detect.Match{Rule: r.Rule})
		}
		return out, nil
	}
	ms, err := s.Matcher.Match(data)
	return slices.DeleteFunc(ms, func(m detect.Match) bool {
		r := s.byRule[m.Rule]
		return r != nil && r.Silent
	}), err
}
