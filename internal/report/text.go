package report

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ttcproject/ttc/internal/clip"
	"github.com/ttcproject/ttc/internal/scan"
	"github.com/ttcproject/ttc/internal/view"
)

// MaxTableRows bounds the findings a terminal table lists (per actor with
// --group-by actor), and those the HTML report lists per actor; the counts
// above them always cover every finding, and the other formats list them
// all.
const MaxTableRows = 1000

// tacticNamer turns tactic IDs into names for display.
type tacticNamer func(ids []string) string

// WriteTable writes the human report: the accounting, techniques by count,
// then the findings (or one timeline per actor).
func WriteTable(w io.Writer, res *scan.Result, tactics tacticNamer, opts Options) error {
	t, err := tallyOf(res)
	if err != nil {
		return err
	}
	if !opts.GroupByActor {
		var shown []scan.Finding
		err := res.Each(func(f *scan.Finding) error {
			if len(shown) == MaxTableRows {
				return errEnough
			}
			shown = append(shown, *f)
			return nil
		})
		if err := ignoreEnough(err); err != nil {
			return err
		}
		return writeFlatTable(w, res, t.counts, shown, t.total(), tactics, opts)
	}
	var b strings.Builder
	if err := writeTableHead(w, &b, res, t.counts, tactics, opts); err != nil {
		return err
	}
	// Each actor's heading and its first findings are written when its
	// findings end: one pass, with at most MaxTableRows of them held.
	var tb *timelineBuilder
	var shown []scan.Finding
	end := func() error {
		if tb == nil {
			return nil
		}
		a, n := tb.out[0], tb.count[0]
		a.withSessions(res.Sessions)
		writeActorHead(&b, a, n, opts)
		if a.MoreUserAgents {
			b.WriteString("  user agent: … and more\n")
		}
		if err := flush(w, &b, findingGrid(shown, false, showRule(opts), false), opts); err != nil {
			return err
		}
		writeMore(&b, n-len(shown))
		return nil
	}
	err = eachByActor(res, func(string) error {
		err := end()
		tb, shown = &timelineBuilder{}, shown[:0]
		return err
	}, func(f *scan.Finding) error {
		tb.add(f)
		if len(shown) < MaxTableRows {
			shown = append(shown, *f)
		}
		return nil
	})
	if err == nil {
		err = end()
	}
	if err != nil {
		return err
	}
	writeRejections(&b, res, opts)
	_, err = io.WriteString(w, b.String())
	return err
}

// writeActorHead writes the heading of actor a's timeline of n findings:
// one line, or, when that is wider than the terminal, the actor alone on
// its first line and the rest, indented, on the next, or each part of the
// rest on a line of its own. Nothing is cut: an actor, a key or an
// address cut short could name another. The actor itself is never broken,
// however wide: it is what a responder copies into the next query, and a
// terminal folds a long line without adding characters to it.
func writeActorHead(b *strings.Builder, a ActorTimeline, n int, opts Options) {
	// The actor is escaped as the line's other values are: a forged ARN
	// could otherwise hold ", 3 findings, … , keys …" of its own.
	h := a.Heading(n)
	actor := h.Actor
	// Sections start at " · " (or a line), which no value can hold
	// (summaryValue escapes it): a key that reads "from 6.6.6.6" stays a key.
	parts := h.parts()
	width := opts.View.Width
	rest := strings.Join(parts, " · ")
	b.WriteString("\n" + view.Bold(actor, opts.View))
	switch {
	case width == 0 || view.Cells(actor+"  "+rest) <= width:
		b.WriteString("  " + rest + "\n")
	case view.Cells("  "+rest) <= width:
		b.WriteString("\n  " + rest + "\n")
	default:
		// Each part starts a line two columns in; a part's later lines go
		// four in, so that a value broken across lines ("… from 6.6.6.6"
		// in a forged key) cannot start a line where a part would.
		b.WriteString("\n")
		for _, p := range parts {
			writeBroken(b, "  ", "    ", p, width)
		}
	}
	// User agents are written in ASCII with their runs of spaces escaped,
	// as the heading's values are: one holding " · keys AKIA…" or a run of
	// spaces could otherwise pose as a section of the heading above it.
	for _, s := range h.Sessions {
		writeBroken(b, "  session: ", "           ", s, width)
	}
	if h.MoreSessions {
		b.WriteString("  session: … and more, of keys not listed\n")
	}
	for _, ua := range h.UserAgents {
		writeBroken(b, "  user agent: ", "              ", ua, width)
	}
}

// intoText marks an actor of another account with the accounts it calls
// into. Account IDs are twelve digits (scan.IsAccountID): nothing to escape.
func intoText(a ActorTimeline) string {
	return fmt.Sprintf("account %s, calls into %s%s", a.Account, strings.Join(a.IntoAccounts, ", "), andMore(a.MoreInto))
}

// writeActorNotesMarkdown lists, after an actor's n findings in Markdown,
// what the terminal table's heading adds to them: the identity type, the
// count and the time span, the keys and addresses used, the accounts an
// actor of another account calls into, who obtained its session keys, and
// its user agents. Each value is written by mdPart, so that none can start
// a list item or a heading of its own, or pose as two parts of one.
func writeActorNotesMarkdown(b *strings.Builder, a ActorTimeline, n int) {
	md := func(list []string) []string {
		out := make([]string, len(list))
		for i, s := range a.shownAll(list, mdPart) {
			out[i] = strings.ReplaceAll(s, ",", `\x2c`) // the list's own comma
		}
		return out
	}
	// The type is written as the terminal heading writes it (its commas
	// and spaces escaped), after a word, so that it can neither start a
	// heading or a list nor pose as the count after it.
	items := []string{fmt.Sprintf("type %s, %s, %s … %s", view.MarkdownEscape(actorType(a.Type)), view.Count(int64(n), "finding", "findings"),
		mdPart(stamp(a.first, a.First)), mdPart(stamp(a.last, a.Last)))}
	if len(a.AccessKey) > 0 {
		items = append(items, "keys "+strings.Join(md(a.AccessKey), ", ")+andMore(a.MoreAccessKeys))
	}
	if len(a.SourceIPs) > 0 {
		items = append(items, "from "+strings.Join(md(a.SourceIPs), ", ")+andMore(a.MoreSourceIPs))
	}
	if len(a.IntoAccounts) > 0 {
		items = append(items, intoText(a))
	}
	for _, s := range a.Sessions {
		items = append(items, "session "+sessionLine(s, mdPart))
	}
	if len(a.Sessions) > 0 && a.MoreAccessKeys {
		items = append(items, "session … and more, of keys not listed")
	}
	for _, ua := range a.shownAll(a.UserAgent, mdPart) {
		items = append(items, "user agent: "+ua)
	}
	if a.MoreUserAgents {
		items = append(items, "user agent: … and more")
	}
	b.WriteString("\n")
	for _, it := range items {
		b.WriteString("- " + it + "\n")
	}
}

// mdPart is a value in a Markdown line whose parts are separated by " · ":
// escaped for Markdown as table cells are, and written in ASCII as the
// terminal's summaryValue writes it (· as \u00b7), so that no value can
// pose as two parts, with this dot or with one of its look-alikes.
func mdPart(v string) string { return view.MarkdownEscape(view.ASCII(view.SpaceRuns(view.Line(v)))) }

// mdHeading is mdPart for the actor in its Markdown heading, with its #s
// escaped.
func mdHeading(v string) string { return strings.ReplaceAll(mdPart(v), "#", `\#`) }

// sessionText says who obtained a session key, escaped as the heading's
// values are, its parts separated by " · ", which no value can hold
// (summaryValue writes a value's · as \u00b7), and its time in UTC as
// findings show theirs.
func sessionText(s scan.SessionOrigin) string { return sessionLine(s, summaryValue) }

// sessionLine says who obtained a session key, each value written by esc,
// which must leave no " · " in it.
func sessionLine(s scan.SessionOrigin, esc func(string) string) string {
	t := fmt.Sprintf("%s · %s · by %s · at %s", esc(s.AccessKeyID), esc(s.Event), shownActor(s.By, esc), esc(stamp(s.Time(), s.At)))
	if s.SourceIP != "" {
		t += " · from " + esc(s.SourceIP)
	}
	if s.Others > 0 {
		t += " · " + view.Count(int64(s.Others), "other record claims", "other records claim") + " this key"
	}
	return t
}

// cliCommand is the token in which the AWS CLI names the command it ran.
const cliCommand = "md/command#"

// foldedAgents returns the lines listing a's user agents, escaped as
// agentText escapes them. The AWS CLI names each command in its user
// agent (md/command#s3api.copy-object), so an actor working at the CLI
// would get a line per command: agents that differ only in that token
// are one line, which lists the commands in braces in its place, in the
// order first used ("md/command#{sts.get-caller-identity,
// iam.list-users}"). Only commands of the CLI's form fold (lower-case
// letters, digits, '.' and '-'); a value a listing cut does not.
func foldedAgents(a *ActorTimeline) []string {
	type agents struct {
		pre, post string   // the agent before and after the command
		cmds      []string // nil: a line of its own, in pre
	}
	var lines []*agents
	byRest := map[[2]string]*agents{}
	for _, ua := range a.UserAgent {
		pre, cmd, post, ok := splitCommand(ua)
		if _, cut := a.cut[ua]; !ok || cut {
			lines = append(lines, &agents{pre: a.shownListed(ua, agentText)})
			continue
		}
		if g := byRest[[2]string{pre, post}]; g != nil {
			g.cmds = append(g.cmds, cmd)
			continue
		}
		g := &agents{pre: pre, post: post, cmds: []string{cmd}}
		byRest[[2]string{pre, post}] = g
		lines = append(lines, g)
	}
	out := make([]string, len(lines))
	for i, g := range lines {
		switch len(g.cmds) {
		case 0:
			out[i] = g.pre
		case 1:
			out[i] = agentText(g.pre + cliCommand + g.cmds[0] + g.post)
		default:
			// The commands need no escaping: they are of the CLI's form.
			out[i] = agentText(g.pre + cliCommand + "{" + strings.Join(g.cmds, ", ") + "}" + g.post)
		}
	}
	return out
}

// splitCommand finds the AWS CLI's command token in a user agent, at its
// start or after a space: the agent before the command, the command, and
// the agent after it. ok is false without one, or when the command is not
// of the CLI's form.
func splitCommand(ua string) (pre, cmd, post string, ok bool) {
	i := strings.Index(ua, cliCommand)
	if i < 0 || (i > 0 && ua[i-1] != ' ') {
		return "", "", "", false
	}
	start := i + len(cliCommand)
	end := start
	for end < len(ua) && (ua[end] >= 'a' && ua[end] <= 'z' || ua[end] >= '0' && ua[end] <= '9' || ua[end] == '.' || ua[end] == '-') {
		end++
	}
	if end == start || (end < len(ua) && ua[end] != ' ' && ua[end] != ']') {
		return "", "", "", false
	}
	return ua[:i], ua[start:end], ua[end:], true
}

// agentText escapes a user agent for the lines under an actor's heading.
func agentText(s string) string { return view.ASCII(view.SpaceRuns(view.Line(s))) }

// writeBroken writes text, already escaped, after lead, broken to width
// columns (0: not broken), its later lines after indent.
func writeBroken(b *strings.Builder, lead, indent, text string, width int) {
	for i, line := range view.BreakLine(text, max(width-max(len(lead), len(indent)), 0)) {
		if i == 0 {
			b.WriteString(lead + line + "\n")
		} else {
			b.WriteString(indent + line + "\n")
		}
	}
}

// writeTableHead writes the accounting and the techniques observed.
func writeTableHead(w io.Writer, b *strings.Builder, res *scan.Result, counts []TechniqueCount, tactics tacticNamer, opts Options) error {
	b.WriteString(SummaryLine(res.Summary) + "\n")
	if len(counts) == 0 {
		return nil
	}
	b.WriteString("\n" + view.Bold("TECHNIQUES OBSERVED", opts.View) + "\n")
	// Long names and tactic lists give way; the technique ID, which ttc
	// show takes back, is never cut (T1485.001 and T1485.A003 cut alike
	// would read the same).
	g := view.Grid{Headers: []string{"TECHNIQUE", "TACTICS", "FINDINGS", "ATTEMPTS", "ACTORS", "LEVEL", "NAME"},
		Rows: techniqueRows(counts, tactics), Flex: 6, Give: []int{1}, Keep: []int{5}, Whole: []int{0}}
	return flush(w, b, g, opts)
}

// techniqueRows lays out the techniques observed, a row each, for the
// table and Markdown.
func techniqueRows(counts []TechniqueCount, tactics tacticNamer) [][]string {
	rows := make([][]string, 0, len(counts))
	for _, c := range counts {
		rows = append(rows, []string{c.Cell(), tactics(c.Tactics), fmt.Sprint(c.Findings), fmt.Sprint(c.Attempts), actorCount(c), orDash(c.Level), c.TechniqueName})
	}
	return rows
}

// writeFlatTable writes the table that lists findings in time order: the
// head, the first findings (shown) of total, and what was not read.
func writeFlatTable(w io.Writer, res *scan.Result, counts []TechniqueCount, shown []scan.Finding, total int, tactics tacticNamer, opts Options) error {
	var b strings.Builder
	if err := writeTableHead(w, &b, res, counts, tactics, opts); err != nil {
		return err
	}
	if total > 0 {
		b.WriteString("\n" + view.Bold("FINDINGS", opts.View) + "\n")
		if err := flush(w, &b, findingGrid(shown, true, showRule(opts), false), opts); err != nil {
			return err
		}
		writeMore(&b, total-len(shown))
	}
	writeRejections(&b, res, opts)
	_, err := io.WriteString(w, b.String())
	return err
}

// blankZero writes a line or record number, and nothing for 0 (none: a
// whole file set aside).
func blankZero(n int64) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprint(n)
}

// andMore marks a list that goes on past what it shows.
func andMore(more bool) string {
	if more {
		return " … and more"
	}
	return ""
}

func writeMore(b *strings.Builder, more int) {
	if more > 0 {
		fmt.Fprintf(b, "… %s more, not listed here: -o jsonl, json or markdown list them all\n", view.Count(int64(more), "finding", "findings"))
	}
}

// ruleCell names a finding's rule with its level first, which a cell cut
// to fit keeps.
func ruleCell(r scan.RuleRef) string {
	if r.Level == "" {
		return r.Title
	}
	return strings.ToLower(r.Level) + " · " + r.Title
}

// actorCount writes a row's count of actors, marked ≈ when estimated.
func actorCount(c TechniqueCount) string {
	if c.ActorsApproximate {
		return "≈" + strconv.Itoa(c.Actors)
	}
	return strconv.Itoa(c.Actors)
}

// ruleWidth is the narrowest terminal whose findings tables show the rule:
// narrower ones have no room left for it.
const ruleWidth = 130

// showRule reports whether a terminal table has room for the rule column.
func showRule(opts Options) bool { return opts.View.Width == 0 || opts.View.Width >= ruleWidth }

// findingGrid lays out findings; withRule adds the rule's title, and
// detail the caller's full ARN and user agent and where the record is, for
// formats that have the room.
func findingGrid(fs []scan.Finding, withActor, withRule, detail bool) view.Grid {
	// The time, technique and event say what happened, the source
	// address where from and the actor who; the other columns give way
	// first, the actor (or the outcome with its error code) and the rule
	// most. The rule tells apart two findings of one record.
	// On a terminal too narrow for them all, the outcome when every
	// finding is a success (it says nothing then), the region, then the
	// actor are left out before a kept column is cut; an attempt's
	// outcome stays, cut no shorter than "attempt…". A table without its
	// actor column says so under it. A long address (IPv6) is cut in the
	// middle, to no fewer than an IPv4 address's 15 characters, before
	// the actor is left out (but after the region): the mark shows it
	// cut, so it names no other address. The actor is cut in the middle
	// too: a role session's name (who took the role) is at its end.
	// Kept columns are cut last, the time and technique after the event.
	// A kept value longer than its kind can be (an address of 132
	// characters) is forged: it is cut first, so that it does not push
	// the outcome or the actor off every other row.
	g := view.Grid{Headers: []string{"TIME", "TECHNIQUE", "OUTCOME", "EVENT", "REGION", "SOURCE IP"},
		Flex: 2, Keep: []int{0, 3, 5}, Whole: []int{1}, Drop: []int{4}, Middle: []int{5},
		Most:  []int{len("2026-03-14T02:17:45.123456789+14:00"), maxTechniqueID, 0, maxEventLabel, maxRegion, maxAddress},
		Floor: []int{0: len("2026-03-14T02:17:45Z"), 1: len("T1078.A001"), 2: len("attempt…"), 4: maxRegion, 5: minAddress}}
	if withActor {
		g.Headers = append(g.Headers, "ACTOR")
		g.Flex, g.Give = 6, []int{2}
		g.Drop = []int{4, 6}
		g.Floor = append(g.Floor[:6:6], minActor)
		g.Announce = []int{6}
		g.Middle = append(g.Middle, 6)
	}
	if !slices.ContainsFunc(fs, func(f scan.Finding) bool { return f.Outcome != "success" }) {
		// An outcome that is success on every row says nothing: it goes
		// first.
		g.Drop = slices.Insert(g.Drop, 0, 2)
	}
	// What the call acted on shares the room with the columns that give
	// way (the actor, the rule, the outcome in a flat table), the widest
	// first, and is left out before a kept column is cut: cut to a few
	// characters it names nothing, and the record holds it. It is cut in
	// the middle, so that an ARN keeps the resource's name at its end. A terminal's table
	// leaves it out when no row has one; Markdown, written in batches,
	// always has it.
	withTarget := detail || slices.ContainsFunc(fs, func(f scan.Finding) bool { return len(f.Target) > 0 })
	if withTarget {
		g.Spare = []int{len(g.Headers)}
		g.Middle = append(g.Middle, len(g.Headers))
		g.Escaped = []int{len(g.Headers)}
		g.Headers = append(g.Headers, "TARGET")
	}
	if withRule {
		g.Headers = append(g.Headers, "RULE")
		g.Give = append(g.Give, len(g.Headers)-1)
	}
	if detail {
		g.Escaped = append(g.Escaped, len(g.Headers))
		g.Headers = append(g.Headers, "MATCHED", "CALLER ARN", "USER AGENT", "RECORD")
		g.Code = []int{len(g.Headers) - 1} // to copy to ttc record
	}
	for _, f := range fs {
		outcome := f.Outcome
		switch {
		case f.ShownError() != "":
			outcome += " (" + f.ShownError() + ")"
		case f.ShownMessage() != "" && f.Outcome != "success":
			// A failed console sign-in has no error code, only a message
			// ("Failed authentication").
			outcome += " (" + clip.String(f.ErrorMessage, 40) + ")"
		}
		row := []string{shownTime(f), techniqueCell(f.TechniqueID, f.Rule.ATTACK), outcome, EventLabel(f), f.AWSRegion, f.Actor.SourceIP}
		if withActor {
			row = append(row, ShortActor(f.TimelineLabel()))
		}
		if withTarget {
			row = append(row, TargetText(escapedParts(f.Target)))
		}
		if withRule {
			row = append(row, ruleCell(f.Rule))
		}
		if detail {
			row = append(row, MatchedText(escapedParts(f.Evidence())), f.Actor.ARN, f.Actor.UserAgent, recordRef(f.Record))
		}
		g.Rows = append(g.Rows, row)
	}
	return g
}

// TargetText writes a finding's target as tables show it: its values,
// escaped already (escapedParts), separated by " · ", a bucket and the key
// after it as bucket/key. The
// names are left out for room (-o json and jsonl carry them): the event
// says what a value is (iam:CreateAccessKey acts on a user, s3:GetObject
// on an object).
func TargetText(target []scan.MatchedField) string {
	var b strings.Builder
	for i, t := range target {
		switch {
		case i == 0:
		case t.Field == "requestParameters.key" && target[i-1].Field == "requestParameters.bucketName":
			b.WriteByte('/')
		default:
			b.WriteString(" · ")
		}
		b.WriteString(t.Value)
	}
	return b.String()
}

// MatchedText writes the fields a finding's rule matched, escaped already
// (escapedParts), as the reports that have room show them: field=value,
// separated by " · ", without the
// event source and name, which the event column shows, and with
// requestParameters' fields named from inside it (s3BucketOwner=…). It is
// the evidence for the rule: the account a snapshot was shared with, the
// bucket owner of an export.
func MatchedText(matched []scan.MatchedField) string {
	var b strings.Builder
	for _, m := range matched {
		if m.Field == "eventSource" || m.Field == "eventName" {
			continue
		}
		if b.Len() > 0 {
			b.WriteString(" · ")
		}
		b.WriteString(strings.TrimPrefix(m.Field, "requestParameters.") + "=" + m.Value)
	}
	return b.String()
}

// The widest honest values of the findings table's kept columns:
// "T1234.A123"; "service:Event" with AWS's longest operation names, which
// run to about 60 characters; "ap-southeast-5" and its kind, with room;
// an IPv6 address with an IPv4 tail (45 characters), or a service name
// such as "ssm-guiconnect.amazonaws.com".
const (
	maxTechniqueID = len("(T1234.123+)") // techniqueCell of a rule tagged with several ATT&CK IDs
	maxEventLabel  = 96                  // with a correlation's count and field: "s3:DeleteObject ×50"
	maxRegion      = 16
	maxAddress     = len("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255")
	// minAddress is the narrowest the address is cut to: an IPv4
	// address is never cut.
	minAddress = len("255.255.255.255")
)

// minActor is the narrowest the actor column is cut to before it is left
// out: "user/" or "assumed-role/" and a few characters of a name tell no
// two actors apart, and 16 columns show most IAM user names whole
// ("user/backup-sync").
const minActor = 16

// shownTime is a finding's time as tables show it: in UTC, to the second,
// so that it is always 20 characters and cutting it never drops a zone
// (12:00-23:59 is 11:59 the next day). A time that could not be read is
// shown as the record wrote it; JSON keeps the record's text.
func shownTime(f scan.Finding) string { return stamp(f.Time(), f.EventTime) }

// stamp is a time as tables show it (see shownTime); text, the record's,
// when t is zero.
func stamp(t time.Time, text string) string {
	if !t.IsZero() {
		return t.UTC().Format("2006-01-02T15:04:05Z")
	}
	return text
}

// recordRef locates a finding's record as `ttc record` takes it: the file,
// its line, and the record's number in the file.
func recordRef(r scan.RecordRef) string {
	return fmt.Sprintf("%s:%d #%d", r.File, r.Line, r.Ordinal)
}

// ShortActor drops the partition and account from an IAM or STS ARN, which
// tables have no room for: arn:aws:iam::111122223333:user/alice is user/alice.
func ShortActor(key string) string {
	if parts, ok := arnParts(key); ok && (parts[2] == "iam" || parts[2] == "sts") {
		return parts[5]
	}
	return key
}

// EventLabel writes an event as service:EventName, the catalog's notation.
// A correlation's finding, one row for many records, says how many it
// counted: "s3:DeleteObject ×50", or, for distinct values, which field's
// ("secretsmanager:GetSecretValue ×12 secretId").
func EventLabel(f scan.Finding) string {
	svc := strings.TrimSuffix(f.EventSource, ".amazonaws.com")
	label := svc + ":" + f.EventName
	if c := f.Correlation; c != nil {
		label += " ×" + strconv.FormatInt(c.Count, 10)
		if c.Field != "" {
			label += " " + c.Field[strings.LastIndexByte(c.Field, '.')+1:]
		}
	}
	return label
}

func writeRejections(b *strings.Builder, res *scan.Result, opts Options) {
	if len(res.Rejections) == 0 && len(res.Skipped) == 0 && len(res.Warnings) == 0 {
		return
	}
	if len(res.Rejections) > 0 {
		var what []string
		if res.Summary.Rejected > 0 {
			what = append(what, view.Count(res.Summary.Rejected, "record", "records"))
		}
		if res.Summary.FilesFailed > 0 {
			what = append(what, view.Count(res.Summary.FilesFailed, "file", "files")+" not read to the end")
		}
		title := "REJECTED"
		if len(what) > 0 {
			title += " (" + strings.Join(what, "; ") + ")"
		}
		fmt.Fprintf(b, "\n%s\n", view.Bold(title, opts.View))
		for _, r := range res.Rejections {
			b.WriteString("  " + view.Line(RejectionLine(r)) + "\n")
		}
		writeUnlisted(b, "  ", res.Summary.Unlisted.Rejections)
	}
	for _, group := range []struct {
		title    string
		list     []scan.Rejection
		unlisted int64
	}{{"SKIPPED FILES", res.Skipped, res.Summary.Unlisted.Skipped}, {"WARNINGS", res.Warnings, res.Summary.Unlisted.Warnings}} {
		if len(group.list) == 0 {
			continue
		}
		fmt.Fprintf(b, "\n%s\n", view.Bold(fmt.Sprintf("%s (%d)", group.title, int64(len(group.list))+group.unlisted), opts.View))
		for _, r := range group.list {
			b.WriteString("  " + view.Line(warningPlace(r)+": "+r.Reason) + "\n")
		}
		writeUnlisted(b, "  ", group.unlisted)
	}
}

// writeUnlisted says how many entries past a list's end were counted but
// not kept (scan.MaxRejections).
func writeUnlisted(b *strings.Builder, indent string, n int64) {
	if n > 0 {
		fmt.Fprintf(b, "%s… %d more not listed\n", indent, n)
	}
}

// recordCell is a rejection's Record column: the record's number, or, for a
// file given up at some point, how many records came before (`ttc record`
// with that number would show an intact record, not the damage).
func recordCell(r scan.Rejection) string {
	if r.Whole {
		if r.Ordinal > 0 {
			return "after " + strconv.FormatInt(r.Ordinal, 10)
		}
		return ""
	}
	return blankZero(r.Ordinal)
}

// RejectionLine writes a rejection as the reports list it: its file, line,
// record and offset, then the reason. It is not escaped.
func RejectionLine(r scan.Rejection) string {
	switch {
	case r.Whole && r.Line > 0:
		return fmt.Sprintf("%s:%d (offset %d, after %s): %s", r.File, r.Line, r.Offset, view.Count(r.Ordinal, "record", "records"), r.Reason)
	case r.Whole:
		return fmt.Sprintf("%s: %s", r.File, r.Reason)
	}
	return fmt.Sprintf("%s:%d (record %d, offset %d): %s", r.File, r.Line, r.Ordinal, r.Offset, r.Reason)
}

func flush(w io.Writer, b *strings.Builder, g view.Grid, opts Options) error {
	if _, err := io.WriteString(w, b.String()); err != nil {
		return err
	}
	b.Reset()
	return view.WriteTable(w, g, opts.View)
}

// techniqueCell is a table's TECHNIQUE cell: the catalog technique, or,
// for a rule that names none of the catalog's, its first ATT&CK tag in
// parentheses (with + when it has more; the NAME column lists them all),
// or "-" for a rule with no technique tag at all.
func techniqueCell(id string, attack []string) string {
	switch {
	case id != "":
		return id
	case len(attack) == 1:
		return "(" + attack[0] + ")"
	case len(attack) > 1:
		return "(" + attack[0] + "+)"
	}
	return "-"
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// WriteMarkdown writes the report as Markdown, every record value escaped.
func WriteMarkdown(w io.Writer, res *scan.Result, tactics tacticNamer, opts Options) error {
	t, err := tallyOf(res)
	if err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString("# ttc scan\n\n" + view.MarkdownEscape(SummaryLine(res.Summary)) + "\n")
	write := func(title string, g view.Grid) error {
		b.WriteString("\n## " + title + "\n\n")
		if _, err := io.WriteString(w, b.String()); err != nil {
			return err
		}
		b.Reset()
		return view.WriteMarkdown(w, g)
	}
	g := view.Grid{Headers: []string{"Technique", "Tactics", "Findings", "Attempts", "Actors", "Level", "Name"}, Rows: techniqueRows(t.counts, tactics)}
	if err := write("Techniques observed", g); err != nil {
		return err
	}
	// Findings are written a batch of rows at a time, as they are read.
	var batch []scan.Finding
	withActor := !opts.GroupByActor
	rows := func() error {
		err := view.WriteMarkdownRows(w, findingGrid(batch, withActor, true, true))
		batch = batch[:0]
		return err
	}
	row := func(f *scan.Finding) error {
		if batch = append(batch, *f); len(batch) == MaxTableRows {
			return rows()
		}
		return nil
	}
	headers := findingGrid(nil, withActor, true, true)
	if opts.GroupByActor {
		// An actor's notes (the accounts it calls into, who obtained its
		// session keys) follow its table: rows are written as they are
		// read, before the actor's last finding says what they are.
		var tb *timelineBuilder
		end := func() error {
			err := rows()
			if tb != nil {
				a := tb.out[0]
				a.withSessions(res.Sessions)
				writeActorNotesMarkdown(&b, a, tb.count[0])
			}
			return err
		}
		err = eachByActor(res, func(actor string) error {
			if err := end(); err != nil {
				return err
			}
			tb = &timelineBuilder{}
			// A heading's trailing #s would close it and vanish: "user/x #"
			// would read as "user/x". The actor is written in ASCII, as the
			// table's heading writes it, so that the … of a cut one's note
			// is ttc's.
			return write("Actor "+shownActor(actor, mdHeading), headers)
		}, func(f *scan.Finding) error {
			tb.add(f)
			return row(f)
		})
		if err == nil {
			err = end()
		}
	} else if err = write("Findings", headers); err == nil {
		err = res.Each(row)
		if err == nil {
			err = rows()
		}
	}
	if err != nil {
		return err
	}
	if len(res.Rejections) > 0 || len(res.Skipped) > 0 {
		g := view.Grid{Headers: []string{"File", "Line", "Record", "Reason"}}
		for _, r := range append(append([]scan.Rejection{}, res.Rejections...), res.Skipped...) {
			g.Rows = append(g.Rows, []string{r.File, blankZero(r.Line), recordCell(r), r.Reason})
		}
		if err := write("Rejected and skipped", g); err != nil {
			return err
		}
		if n := res.Summary.Unlisted.Rejections + res.Summary.Unlisted.Skipped; n > 0 {
			b.WriteString("\n")
			writeUnlisted(&b, "", n)
		}
	}
	if len(res.Warnings) > 0 {
		g := view.Grid{Headers: []string{"File", "Warning"}}
		for _, r := range res.Warnings {
			g.Rows = append(g.Rows, []string{warningPlace(r), r.Reason})
		}
		if err := write("Warnings", g); err != nil {
			return err
		}
		if n := res.Summary.Unlisted.Warnings; n > 0 {
			b.WriteString("\n")
			writeUnlisted(&b, "", n)
		}
	}
	_, err = io.WriteString(w, b.String())
	return err
}
