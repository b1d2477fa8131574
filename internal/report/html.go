package report

import (
	"bufio"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"iter"
	"slices"
	"strconv"
	"strings"

	"github.com/ttcproject/ttc/internal/clip"
	"github.com/ttcproject/ttc/internal/scan"
	"github.com/ttcproject/ttc/internal/view"
)

//go:embed report.html.tmpl
var htmlTemplate string

var reportTmpl = template.Must(template.New("report").Funcs(template.FuncMap{
	"event":   EventLabel,
	"join":    strings.Join,
	"dash":    orDash,
	"rec":     recordCell,
	"count":   func(n int64, one, many string) string { return view.Count(n, one, many) },
	"claims":  func(n int) string { return view.Count(int64(n), "other record claims", "other records claim") },
	"lower":   strings.ToLower,
	"nw":      nowrap,
	"box":     boxed,
	"tech":    techniqueCell,
	"target":  TargetText,
	"matched": MatchedText,
	"clip":    func(s string) string { return clip.String(s, nowrapMax) },
}).Parse(htmlTemplate))

// nowrapMax is the longest value a cell keeps on one line: the longest
// CloudTrail times, regions, event names and addresses are shorter, and a
// longer one (a forged record's) wraps rather than widen the page.
const nowrapMax = 64

// nowrap returns the class that keeps a cell of value s on one line, or
// nothing when s is too long for one.
func nowrap(s string) string {
	if len(s) > nowrapMax {
		return ""
	}
	return "nw"
}

// boxed returns the class that shows s in a box of its own (see .long in
// the template) when it is longer than n bytes: longer than CloudTrail
// writes such a value (nowrapMax for times, regions, addresses and names;
// more for ARNs, user agents and paths).
func boxed(s string, n int) string {
	if len(s) > n {
		return "long"
	}
	return ""
}

// WriteHTML writes a self-contained HTML report: no scripts, no external
// resources, every record value escaped by html/template. The findings,
// grouped by actor, go into the page as they are read, the first
// MaxTableRows of each actor: a page of hundreds of thousands of rows is
// more than a browser opens, and JSON lists them all.
func WriteHTML(w io.Writer, res *scan.Result, tactics tacticNamer, opts Options) error {
	t, err := tallyOf(res)
	if err != nil {
		return err
	}
	// The page's actors come one at a time as their findings are read,
	// each with its findings to list as the template reaches them.
	var readErr error
	actors := func(yield func(actorView) bool) {
		readErr = ignoreEnough(eachTimeline(res, func(a ActorTimeline, n int, g *scan.Group) error {
			a.Actor, a.Type, a.First, a.Last = shownActor(a.Actor, summaryValue), actorType(a.Type), summaryValue(a.First), summaryValue(a.Last)
			a.AccessKey, a.SourceIPs, a.UserAgent = listItems(&a, a.AccessKey), listItems(&a, a.SourceIPs), a.shownAll(a.UserAgent, view.Line)
			for i, s := range a.Sessions {
				a.Sessions[i] = scan.SessionOrigin{AccessKeyID: summaryValue(s.AccessKeyID), Event: summaryValue(s.Event),
					By: shownActor(s.By, summaryValue), At: summaryValue(stamp(s.Time(), s.At)), SourceIP: summaryValue(s.SourceIP), Others: s.Others}
			}
			var rowErr error
			rows := func(yield func(scan.Finding) bool) {
				listed := 0
				rowErr = ignoreEnough(g.Each(func(f *scan.Finding) error {
					if listed == MaxTableRows || !yield(sanitiseFinding(cellClipped(*f))) {
						return errEnough
					}
					listed++
					return nil
				}))
			}
			if !yield(actorView{ActorTimeline: a, N: int64(n), More: int64(max(n-MaxTableRows, 0)), Rows: rows}) {
				return errEnough
			}
			return rowErr
		}))
	}
	data := struct {
		Techniques []TechniqueCount
		Actors     iter.Seq[actorView]
		Rejections []scan.Rejection
		Skipped    []scan.Rejection
		Warnings   []scan.Rejection
		Unlisted   scan.Unlisted
		Line       string
		Tactics    tacticNamer
	}{sanitiseCounts(t.counts), actors, lineFiles(res.Rejections), lineFiles(res.Skipped), placedFiles(res.Warnings),
		res.Summary.Unlisted, SummaryLine(res.Summary), tactics}
	// The template writes a piece at a time: gather them.
	bw := bufio.NewWriterSize(w, 64<<10)
	err = reportTmpl.Execute(bw, data)
	if err == nil {
		err = bw.Flush()
	}
	if err != nil {
		return fmt.Errorf("write html report: %w", err)
	}
	if readErr != nil {
		return fmt.Errorf("write html report: %w", readErr)
	}
	return nil
}

// actorView is an actor's part of the HTML report: its timeline, how many
// findings it has, and the findings as they are read.
type actorView struct {
	ActorTimeline
	N    int64
	More int64 // findings past the MaxTableRows listed
	Rows iter.Seq[scan.Finding]
}

// listItems passes each value of list through summaryValue, for a report
// to join them with ", ". Joined first, two values ("AKIA1 AKIA2", or "AWS
// Internal", a source address CloudTrail writes) could not be told from
// one, nor could "AKIA1, AKIA2" from two.
func listItems(a *ActorTimeline, list []string) []string {
	return a.shownAll(list, summaryValue)
}

// shownAll is shownListed for each value of list.
func (a *ActorTimeline) shownAll(list []string, esc func(string) string) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = a.shownListed(s, esc)
	}
	return out
}

// summaryValue is view.Line for a value in an actor's summary line, in
// ASCII and with the line's comma escaped, so that a value cannot forge a
// part of the line ("AKIA1 · from 6.6.6.6", "… and more", or the same
// with a look-alike of a separator: the line's own · and … are not
// ASCII), nor spaces enough to push the rest of it onto a line of its
// own. The values it shows (ARNs, keys, addresses, times) are ASCII as
// AWS writes them.
func summaryValue(s string) string {
	return view.ASCII(strings.ReplaceAll(view.SpaceRuns(view.Line(s)), ",", `\x2c`))
}

// shownActor writes actor key k (an actor, or the caller that obtained a
// session) with esc, the escaping of the line it goes on. A key too long
// to keep whole, which scan.GroupKey cut and marked with a hash of the
// whole, is written without that mark, then with a note of ttc's after
// the escaping, the same in every format: a value cannot forge it, as the
// escaping writes a value's own … as \u2026 (or, in Markdown, its [ as \[).
func shownActor(k string, esc func(string) string) string {
	kept, hash, cut := scan.CutGroupKey(k)
	if !cut {
		return esc(k)
	}
	return esc(kept) + "… [cut by ttc; key hash " + hash + "]"
}

// actorType is summaryValue for an identity type, with spaces escaped as
// well: a type never holds one, and the table puts the type two spaces
// after the actor, whose ARN could end in "  IAMUser".
func actorType(s string) string {
	return strings.ReplaceAll(summaryValue(orDash(s)), " ", `\x20`)
}

// sanitiseCounts passes the names in counts through view.Line.
func sanitiseCounts(cs []TechniqueCount) []TechniqueCount {
	out := make([]TechniqueCount, len(cs))
	for i, c := range cs {
		c.TechniqueName = view.Line(c.TechniqueName)
		out[i] = c
	}
	return out
}

// Sanitise returns a copy of res whose record values and file names went
// through view.Line: html/template escapes markup but passes control and
// invisible characters through, and an HTML page should show a forged
// value the way the text outputs do.
func Sanitise(res *scan.Result) *scan.Result {
	out := *res
	out.Findings = SanitiseFindings(res.Findings)
	out.Rejections = lineFiles(res.Rejections)
	out.Skipped = lineFiles(res.Skipped)
	out.Warnings = placedFiles(res.Warnings)
	return &out
}

// maxCell is the most of one value a cell of the report's findings shows:
// CloudTrail's own values are far shorter, and a forged one of megabytes
// would otherwise make its row pages long. The note after the cut gives the
// value's length; JSON and ttc record give it whole.
const maxCell = 512

// cellClipped returns f with each value the findings table shows cut at
// maxCell bytes.
func cellClipped(f scan.Finding) scan.Finding {
	for _, p := range []*string{&f.EventTime, &f.EventSource, &f.EventName, &f.AWSRegion, &f.ErrorCode,
		&f.Actor.ARN, &f.Actor.SourceIP, &f.Actor.UserAgent, &f.TechniqueName, &f.Rule.Title, &f.Record.File} {
		*p = cellClip(*p)
	}
	// The target is shared by the findings of one record, the matched
	// fields by those of one rule: copies are cut.
	f.Target, f.Matched = slices.Clone(f.Target), slices.Clone(f.Matched)
	for i := range f.Target {
		f.Target[i].Value = cellClip(f.Target[i].Value)
	}
	for i := range f.Matched {
		f.Matched[i].Field, f.Matched[i].Value = cellClip(f.Matched[i].Field), cellClip(f.Matched[i].Value)
	}
	if c := f.Correlation; c != nil {
		cp := *c
		cp.Field = cellClip(cp.Field)
		f.Correlation = &cp
	}
	return f
}

// cellClip cuts s at maxCell bytes, and says how long it was.
func cellClip(s string) string {
	if len(s) > maxCell {
		// A value the finding itself cut says how long it was.
		return fmt.Sprintf("%s (%d bytes in all)", clip.String(s, maxCell), scan.WholeLength(s))
	}
	return s
}

// sanitiseFinding returns f with its record values and file name passed
// through view.Line; a blank errorCode, which the report does not show
// (scan.Finding.ShownError), is dropped first, since its escapes are not.
func sanitiseFinding(f scan.Finding) scan.Finding {
	f.ErrorCode, f.ErrorMessage = f.ShownError(), f.ShownMessage()
	for _, p := range []*string{&f.EventID, &f.EventTime, &f.EventSource, &f.EventName, &f.AWSRegion,
		&f.RecipientAccountID, &f.ErrorCode, &f.ErrorMessage, &f.Actor.Type, &f.Actor.ARN, &f.Actor.PrincipalID,
		&f.Actor.AccountID, &f.Actor.UserName, &f.Actor.AccessKeyID, &f.Actor.SessionIssuer, &f.Actor.OnBehalfOfUserID,
		&f.Actor.IdentityStoreARN, &f.Actor.InvokedBy, &f.Actor.SourceIP, &f.Actor.UserAgent, &f.TechniqueName,
		&f.Rule.ID, &f.Rule.Title, &f.Record.File} {
		*p = view.Line(*p)
	}
	// The target is shared by the findings of one record, the matched
	// fields by those of one rule.
	f.Target, f.Matched = escapedParts(f.Target), escapedParts(f.Matched)
	if c := f.Correlation; c != nil {
		// Finding.Evidence writes the counted field's name, from the
		// rule, among the escaped values.
		cp := *c
		cp.Field = view.Separable(view.Line(cp.Field))
		cp.Timespan = view.Separable(view.Line(cp.Timespan))
		// And the group's values, from the records: none may hold the
		// separator MatchedText joins them with.
		cp.Group = slices.Clone(cp.Group)
		for i, g := range cp.Group {
			cp.Group[i].Field = view.Separable(view.Line(g.Field))
			cp.Group[i].Value = scan.EscapeGroupKey(g.Value, func(s string) string { return view.Separable(view.Line(s)) })
		}
		f.Correlation = &cp
	}
	return f
}

// escapedParts returns a copy of fields whose names and values went
// through view.Line, and view.Separable: TargetText and MatchedText join
// them with " · ", which no value may then hold.
func escapedParts(fields []scan.MatchedField) []scan.MatchedField {
	if fields == nil {
		return nil
	}
	out := make([]scan.MatchedField, len(fields))
	for i, m := range fields {
		out[i] = scan.MatchedField{Field: view.Separable(view.Line(m.Field)), Value: view.Separable(view.Line(m.Value))}
	}
	return out
}

// warningPlace names where a skipped file or warning is: its file, and
// the line and column a warning names in it (the place of a broken rule
// in its file), which the lists of whole files otherwise leave out.
func warningPlace(r scan.Rejection) string {
	switch {
	case r.Line > 0 && r.Column > 0:
		return r.File + ":" + strconv.FormatInt(r.Line, 10) + ":" + strconv.FormatInt(r.Column, 10)
	case r.Line > 0:
		return r.File + ":" + strconv.FormatInt(r.Line, 10)
	}
	return r.File
}

// placedFiles is lineFiles for warnings: each file with its place.
func placedFiles(rs []scan.Rejection) []scan.Rejection {
	out := make([]scan.Rejection, len(rs))
	for i, r := range rs {
		r.File = warningPlace(r)
		out[i] = r
	}
	return lineFiles(out)
}

func lineFiles(rs []scan.Rejection) []scan.Rejection {
	out := make([]scan.Rejection, len(rs))
	for i, r := range rs {
		r.File, r.Reason = view.Line(r.File), view.Line(r.Reason)
		out[i] = r
	}
	return out
}
