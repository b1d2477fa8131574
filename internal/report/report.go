// Package report renders scan results: terminal tables, JSON documents,
// JSON Lines, Markdown and a self-contained HTML report. Record content is
// attacker-controlled, so every format escapes it for its medium.
package report

import (
	"bufio"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ttcproject/ttc/internal/catalog"
	"github.com/ttcproject/ttc/internal/clip"
	"github.com/ttcproject/ttc/internal/jsonscan"
	"github.com/ttcproject/ttc/internal/ruleset"
	"github.com/ttcproject/ttc/internal/scan"
	"github.com/ttcproject/ttc/internal/view"
)

// Options shape a report.
type Options struct {
	View view.Options
	// GroupByActor adds a timeline per identity or access key.
	GroupByActor bool
}

// TechniqueCount is how often one technique was seen.
type TechniqueCount struct {
	TechniqueID   string   `json:"technique_id"`
	TechniqueName string   `json:"technique_name"`
	Tactics       []string `json:"tactics"`
	Findings      int      `json:"findings"`
	Attempts      int      `json:"attempts"`
	Actors        int      `json:"actors"`
	// ActorsApproximate says that Actors is an estimate (within about
	// 1%), as it is past 65,536 actors.
	ActorsApproximate bool `json:"actors_approximate,omitempty"`
	// Level is the highest Sigma level of the rules that found the
	// technique: where triage starts.
	Level string `json:"level,omitempty"`
	First string `json:"first_seen"`
	Last  string `json:"last_seen"`
	// RuleID and RuleFile name the rule of a row that counts the findings
	// of a rule with no catalog technique (TechniqueID empty).
	RuleID   string `json:"rule_id,omitempty"`
	RuleFile string `json:"rule_file,omitempty"`
	// attack is such a rule's ATT&CK tags, for the tables' TECHNIQUE cell
	// (TechniqueName lists them for JSON).
	attack []string
}

// Cell is the row's TECHNIQUE cell in tables and the HTML report: the
// technique, or the ATT&CK tags of a rule that names no catalog technique
// (see techniqueCell).
func (c TechniqueCount) Cell() string { return techniqueCell(c.TechniqueID, c.attack) }

// ActorTimeline is what one identity did, in time order.
type ActorTimeline struct {
	Actor     string   `json:"actor"`
	Type      string   `json:"type"`
	AccessKey []string `json:"access_key_ids"`
	SourceIPs []string `json:"source_ips"`
	UserAgent []string `json:"user_agents"`
	First     string   `json:"first_seen"`
	Last      string   `json:"last_seen"`
	// The lists hold the first MaxListed distinct values each; these are
	// set when the actor used others as well.
	MoreAccessKeys bool `json:"more_access_key_ids,omitempty"`
	MoreSourceIPs  bool `json:"more_source_ips,omitempty"`
	MoreUserAgents bool `json:"more_user_agents,omitempty"`
	// Account is the actor's own account (userIdentity.accountId), and
	// IntoAccounts the other accounts whose logs record its calls: an
	// actor of another account, or one that reached into another, which a
	// responder looks at first. Both are left out when every call was
	// made in the actor's own account.
	Account      string   `json:"account_id,omitempty"`
	IntoAccounts []string `json:"into_accounts,omitempty"`
	MoreInto     bool     `json:"more_into_accounts,omitempty"`
	// Sessions says who obtained the temporary keys among AccessKey whose
	// issuing call the logs hold (ttc scan --group-by actor reads them):
	// a role's calls name the role, the call that made the session names
	// who assumed it.
	Sessions []scan.SessionOrigin `json:"sessions,omitempty"`
	Findings []scan.Finding       `json:"findings"`
	// first and last are First and Last as times, zero when the record's
	// text was no time: tables show them as they show findings' times.
	first, last time.Time
	// cut holds the whole length of each listed value cutListed cut.
	cut map[string]int
}

// MaxListed bounds the access keys, source IPs and user agents a timeline
// lists: an actor behind NAT gateways or a fleet may use thousands, and
// every finding lists its own. A listed value is cut at MaxListedBytes
// (its findings have it whole): a report holds every actor's lists at
// once.
const (
	MaxListed      = 50
	MaxListedBytes = 512
)

// Document is the JSON form of a scan.
type Document struct {
	SchemaVersion string           `json:"schema_version"`
	Kind          string           `json:"kind"`
	Summary       scan.Summary     `json:"summary"`
	Techniques    []TechniqueCount `json:"techniques"`
	Actors        []ActorTimeline  `json:"actors,omitempty"`
	Findings      []scan.Finding   `json:"findings"`
	Rejections    []scan.Rejection `json:"rejections"`
	Skipped       []scan.Rejection `json:"skipped_files"`
}

// raiseLevel makes level the row's level when it ranks above it. A level
// Sigma does not define ranks below all others.
func (c *TechniqueCount) raiseLevel(level string) {
	if level == c.Level { // most findings of a row: ranking it again for each is work on every finding
		return
	}
	if level = strings.ToLower(level); c.Level == "" || ruleset.LevelRank(level) > ruleset.LevelRank(c.Level) {
		c.Level = level
	}
}

// techniqueCounter sums findings per technique, one finding at a time.
type techniqueCounter struct {
	by     map[string]*TechniqueCount
	actors map[string]*ActorSet
	order  []string
}

func newTechniqueCounter() *techniqueCounter {
	return &techniqueCounter{by: map[string]*TechniqueCount{}, actors: map[string]*ActorSet{}}
}

// countKey names the row a finding counts in: its technique, or for a
// finding with none, its rule (by id, file and line, as Sigma's id is
// optional and a file may hold several rules).
func countKey(f *scan.Finding) string {
	if f.TechniqueID == "" {
		return "rule:" + f.Rule.ID + "\x00" + f.Rule.File + "\x00" + strconv.Itoa(f.Rule.Line)
	}
	return f.TechniqueID
}

// newCount starts the row of a finding's technique, or rule, with it.
func newCount(f *scan.Finding) *TechniqueCount {
	name := f.TechniqueName
	if f.TechniqueID == "" {
		name = "(no catalog technique) " + f.Rule.Title
		if len(f.Rule.ATTACK) > 0 {
			name = "(no catalog technique; ATT&CK " + strings.Join(f.Rule.ATTACK, ", ") + ") " + f.Rule.Title
		}
	}
	c := &TechniqueCount{TechniqueID: f.TechniqueID, TechniqueName: name, Tactics: f.Tactics, First: f.EventTime}
	if f.TechniqueID == "" {
		c.RuleID, c.RuleFile, c.attack = f.Rule.ID, f.Rule.File, f.Rule.ATTACK
	}
	return c
}

func (tc *techniqueCounter) add(f *scan.Finding) {
	key := countKey(f)
	c, ok := tc.by[key]
	if !ok {
		c = newCount(f)
		tc.by[key], tc.actors[key] = c, &ActorSet{}
		tc.order = append(tc.order, key)
	}
	c.Findings++
	if f.Outcome == "attempt" {
		c.Attempts++
	}
	c.raiseLevel(f.Rule.Level)
	tc.actors[key].Add(f)
	c.Last = f.EventTime
}

func (tc *techniqueCounter) counts() []TechniqueCount {
	out := make([]TechniqueCount, 0, len(tc.order))
	for _, k := range tc.order {
		c := *tc.by[k]
		c.Actors, c.ActorsApproximate = tc.actors[k].Len(), tc.actors[k].Approximate()
		out = append(out, c)
	}
	// Rows that compare equal keep the order of their first findings.
	slices.SortStableFunc(out, func(a, b TechniqueCount) int { return compareCounts(&a, &b) })
	return out
}

// compareCounts orders technique rows: most findings first, then by
// technique ID.
func compareCounts(a, b *TechniqueCount) int {
	return cmp.Or(cmp.Compare(b.Findings, a.Findings), strings.Compare(a.TechniqueID, b.TechniqueID))
}

// Timelines groups findings by actor, the actor seen first first.
func Timelines(fs []scan.Finding) []ActorTimeline {
	var tb timelineBuilder
	for i := range fs {
		t := tb.add(&fs[i])
		t.Findings = append(t.Findings, fs[i])
	}
	return tb.timelines()
}

// timelineBuilder gathers what a timeline says of its actor, one finding
// at a time, and counts each actor's findings; it keeps no finding.
type timelineBuilder struct {
	by    map[string]int
	out   []ActorTimeline
	count []int
	seen  map[listed]bool
}

// listed is an access key, source IP or user agent (kind k, i or u) listed
// in an actor's timeline.
type listed struct {
	actor string
	kind  byte
	value string
}

// add notes f and returns its actor's timeline.
func (tb *timelineBuilder) add(f *scan.Finding) *ActorTimeline {
	k := ActorKey(f)
	i, ok := tb.by[k]
	if !ok {
		if tb.by == nil {
			tb.by, tb.seen = map[string]int{}, map[listed]bool{}
		}
		i = len(tb.out)
		tb.by[k] = i
		typ := f.Actor.Type
		if k != scan.GroupKey(f.Actor.Key()) {
			typ = "" // a correlation's group, whose callers may be of several types
		}
		tb.out = append(tb.out, ActorTimeline{Actor: k, Type: typ, First: f.EventTime, first: f.Time(),
			AccessKey: []string{}, SourceIPs: []string{}, UserAgent: []string{}})
		tb.count = append(tb.count, 0)
	}
	t := &tb.out[i]
	tb.count[i]++
	t.Last, t.last = f.EventTime, f.Time()
	if own, into := ownAccount(k, f), f.RecipientAccountID; scan.IsAccountID(own) && scan.IsAccountID(into) && own != into {
		if t.Account == "" { // an actor not named by an ARN: the first account its records claim
			t.Account = own
		}
		switch l := (listed{k, 'a', into}); {
		case tb.seen[l]:
		case len(t.IntoAccounts) == MaxListed:
			t.MoreInto = true
		default:
			tb.seen[l] = true
			t.IntoAccounts = append(t.IntoAccounts, into)
		}
	}
	// An actor may use thousands of addresses and user agents: each list
	// is checked in a set, not read through.
	for _, v := range [...]struct {
		list *[]string
		more *bool
		l    listed
	}{{&t.AccessKey, &t.MoreAccessKeys, listed{k, 'k', f.Actor.AccessKeyID}},
		{&t.SourceIPs, &t.MoreSourceIPs, listed{k, 'i', f.Actor.SourceIP}},
		{&t.UserAgent, &t.MoreUserAgents, listed{k, 'u', f.Actor.UserAgent}}} {
		whole := len(v.l.value)
		v.l.value = cutListed(v.l.value)
		switch {
		case v.l.value == "" || tb.seen[v.l]:
		case len(*v.list) == MaxListed:
			*v.more = true // a value not among those listed
		default:
			tb.seen[v.l] = true
			*v.list = append(*v.list, v.l.value)
			if whole > MaxListedBytes {
				if t.cut == nil {
					t.cut = map[string]int{}
				}
				t.cut[v.l.value] = whole
			}
		}
	}
	return t
}

// withSessions sets a's Sessions from the origins a scan kept, for its
// listed keys, in their order.
func (a *ActorTimeline) withSessions(origins map[string]scan.SessionOrigin) {
	for _, k := range a.AccessKey {
		if o, ok := origins[k]; ok {
			a.Sessions = append(a.Sessions, o)
		}
	}
}

// ownAccount is the account of actor k, whose finding f is: the account
// field of the ARN that names it, else the record's userIdentity.accountId.
// An actor named by its ARN keeps the account the ARN gives whatever a
// record claims beside it, so that a forged record cannot mark another
// account's user as calling in from outside.
func ownAccount(k string, f *scan.Finding) string {
	if strings.HasPrefix(k, "arn:") {
		if parts, ok := arnParts(k); ok {
			return parts[4]
		}
		return ""
	}
	return f.Actor.AccountID
}

// arnParts splits an ARN into its six fields (arn, partition, service,
// region, account, resource); ok is false when s is not one.
func arnParts(s string) (parts []string, ok bool) {
	parts = strings.SplitN(s, ":", 6)
	return parts, len(parts) == 6 && parts[0] == "arn"
}

// shownListed writes a listed value of a with esc, the escaping of the
// line it goes on; a value cutListed cut is written without its mark, then
// the mark and the value's whole length after the escaping, so that the
// mark cannot be forged (esc writes … in values as \u2026).
func (a *ActorTimeline) shownListed(v string, esc func(string) string) string {
	n, ok := a.cut[v]
	if !ok {
		return esc(v)
	}
	return fmt.Sprintf("%s%s (%d bytes in all)", esc(strings.TrimSuffix(v, clip.Ellipsis)), clip.Ellipsis, n)
}

// cutListed cuts a listed value at MaxListedBytes, at a character
// boundary, and marks the cut. A cut value is a new string: the whole
// value is not kept.
func cutListed(s string) string { return clip.String(s, MaxListedBytes) }

func (tb *timelineBuilder) timelines() []ActorTimeline {
	if tb.out == nil {
		return []ActorTimeline{}
	}
	return tb.out
}

// WriteJSONL writes one JSON object per line: every finding ("type":"finding"),
// every rejected record or unreadable file ("type":"rejection"), every file set
// aside ("type":"skipped"), then the summary ("type":"summary").
func WriteJSONL(w io.Writer, res *scan.Result) error {
	jw := NewJSONLWriter(w)
	var line []byte
	err := res.Each(func(f *scan.Finding) error {
		line = append(f.AppendJSON(line[:0]), '\n')
		return jw.Lines(line)
	})
	if err != nil {
		return err
	}
	return jw.Close(res)
}

// JSONLWriter writes a scan as JSON Lines while it runs: findings as they
// come (scan.Options.EmitJSON; safe for concurrent use), then the rest when the
// scan is done.
type JSONLWriter struct {
	mu   sync.Mutex
	w    io.Writer
	bw   *bufio.Writer
	line []byte
}

// directWrite is the size from which Lines writes lines unbuffered.
const directWrite = 32 << 10

// NewJSONLWriter returns a writer that buffers its output to w.
func NewJSONLWriter(w io.Writer) *JSONLWriter {
	bw := bufio.NewWriterSize(w, 256<<10)
	return &JSONLWriter{w: w, bw: bw}
}

// Lines writes whole finding lines, as scan.Options.EmitJSON hands them on.
// A scan hands on chunks of tens of kilobytes: those go straight to the
// output, not copied through the buffer first.
func (j *JSONLWriter) Lines(lines []byte) error {
	j.mu.Lock()
	var err error
	if len(lines) >= directWrite {
		if err = j.bw.Flush(); err == nil {
			_, err = j.w.Write(lines)
		}
	} else {
		_, err = j.bw.Write(lines)
	}
	j.mu.Unlock()
	if err != nil {
		return fmt.Errorf("write finding: %w", err)
	}
	return nil
}

// encode writes v as one line of JSON, with the characters a terminal
// could act on or hide escaped, as findings write them.
func (j *JSONLWriter) encode(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	j.line = append(jsonscan.AppendShown(j.line[:0], b), '\n')
	_, err = j.bw.Write(j.line)
	return err
}

// Close writes the rejection, skipped and summary lines of res and flushes.
func (j *JSONLWriter) Close(res *scan.Result) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	for _, group := range []struct {
		typ  string
		list []scan.Rejection
	}{{"rejection", res.Rejections}, {"skipped", res.Skipped}, {"warning", res.Warnings}} {
		for _, r := range group.list {
			line := struct {
				Type string `json:"type"`
				scan.Rejection
			}{group.typ, r}
			if err := j.encode(line); err != nil {
				return fmt.Errorf("write %s: %w", group.typ, err)
			}
		}
	}
	sum := struct {
		Type          string `json:"type"`
		SchemaVersion string `json:"schema_version"`
		scan.Summary
	}{"summary", catalog.SchemaVersion, res.Summary}
	if err := j.encode(sum); err != nil {
		return fmt.Errorf("write summary: %w", err)
	}
	if err := j.bw.Flush(); err != nil {
		return fmt.Errorf("write summary: %w", err)
	}
	return nil
}

// SummaryLine says in one line what was read and how it was classified.
func SummaryLine(s scan.Summary) string {
	// Files counts the files read to the end, FilesFailed the others; the
	// line counts both, and says how many of them were given up.
	size := HumanBytes(s.Bytes)
	if s.FilesFailed > 0 {
		size += fmt.Sprintf("; %d not read to the end", s.FilesFailed)
	}
	line := fmt.Sprintf("%s (%s) in %s: %s read = %d matched + %d unmatched + %d rejected; %s",
		view.Count(s.Files+s.FilesFailed, "file", "files"), size, s.Duration.Round(time.Millisecond),
		view.Count(s.Read, "record", "records"), s.Matched, s.Unmatched, s.Rejected, view.Count(int64(s.Findings), "finding", "findings"))
	var extra []string
	if s.FilesSkipped > 0 {
		extra = append(extra, view.Count(s.FilesSkipped, "file", "files")+" skipped")
	}
	if s.Duplicates > 0 {
		extra = append(extra, view.Count(s.Duplicates, "duplicate finding", "duplicate findings")+" dropped")
	}
	if s.Forgotten > 0 {
		extra = append(extra, fmt.Sprintf("duplicate check out of memory for %s", view.Count(s.Forgotten, "finding", "findings")))
	}
	if s.Filtered > 0 {
		extra = append(extra, view.Count(s.Filtered, "finding", "findings")+" filtered out")
	}
	if s.ControlItems > 0 {
		extra = append(extra, view.Count(s.ControlItems, "CloudWatch control message", "CloudWatch control messages")+" not read")
	}
	if s.OtherEvents > 0 {
		extra = append(extra, view.Count(s.OtherEvents, "EventBridge event", "EventBridge events")+" of other services not read")
	}
	if s.Insights > 0 {
		extra = append(extra, view.Count(s.Insights, "Insights record", "Insights records"))
	}
	if s.Warnings > 0 {
		extra = append(extra, view.Count(s.Warnings, "warning", "warnings"))
	}
	if s.CorrelationNotKept > 0 {
		// Correlations did not count them: a burst among them is missed.
		extra = append(extra, view.Count(s.CorrelationNotKept, "record", "records")+" past what correlations keep, not counted")
	}
	if len(extra) > 0 {
		line += " (" + strings.Join(extra, ", ") + ")"
	}
	return line
}

// HumanBytes writes a byte count in B, KiB, MiB or GiB.
func HumanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
