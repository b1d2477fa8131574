package report_test

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"github.com/ttcproject/ttc/internal/report"
	"github.com/ttcproject/ttc/internal/scan"
	"github.com/ttcproject/ttc/internal/view"
)

// small is a scan result with one finding, one rejected record, one file
// given up and one file set aside.
func small() *scan.Result {
	f := scan.Finding{
		Type: "finding", TechniqueID: "T1562.008",
		TechniqueName: "Impair Defenses: Disable or Modify Cloud Logs", Tactics: []string{"TA0005"},
		Outcome: "success", EventTime: "2026-03-14T02:02:31Z",
		EventSource: "cloudtrail.amazonaws.com", EventName: "StopLogging", AWSRegion: "us-east-1",
		Actor: scan.Actor{Type: "IAMUser", ARN: "arn:aws:iam::111122223333:user/backup-sync",
			AccessKeyID: "AKIAEXAMPLEKEY000001", SourceIP: "203.0.113.77", UserAgent: "aws-cli/2.15.30"},
		Rule:   scan.RuleRef{ID: "r1", Title: "Trail stopped"},
		Record: scan.RecordRef{File: "logs/a.json", Line: 3, Ordinal: 1},
	}
	return &scan.Result{
		Summary: scan.Summary{Files: 1, FilesFailed: 1, FilesSkipped: 1,
			Read: 3, Matched: 1, Unmatched: 1, Rejected: 1, Findings: 1},
		Findings: []scan.Finding{f},
		Rejections: []scan.Rejection{
			{File: "logs/b.json", Line: 7, Ordinal: 2, Offset: 100, Reason: "not JSON"},
			{File: "logs/c.json.gz", Line: 9, Ordinal: 1, Whole: true, Reason: "unexpected EOF"},
		},
		Skipped: []scan.Rejection{{File: "logs/d-Digest.json.gz", Reason: "digest file"}},
	}
}

// forged is a value that tries to add a timeline row of its own, and
// carries every kind of character that breaks or hides text on a terminal.
const forged = "x\n\n2026-03-14T02:00:02Z  T1562.008  success  cloudtrail:StopLogging\r\n" +
	"\u2028\u2029\u0085 zero\u200bwidth \u202eedisrever\u202c \ufeff\U000E0041 \x1b[2J\x07 end"

// writers are the human outputs; every one must keep forged inert.
var writers = []struct {
	name  string
	write func(*bytes.Buffer, *scan.Result) error
}{
	{"table", func(b *bytes.Buffer, r *scan.Result) error {
		return report.WriteTable(b, r, tactics, report.Options{})
	}},
	{"table at 100 columns", func(b *bytes.Buffer, r *scan.Result) error {
		return report.WriteTable(b, r, tactics, report.Options{View: view.Options{Width: 100}})
	}},
	{"table by actor", func(b *bytes.Buffer, r *scan.Result) error {
		return report.WriteTable(b, r, tactics, report.Options{GroupByActor: true})
	}},
	{"markdown", func(b *bytes.Buffer, r *scan.Result) error {
		return report.WriteMarkdown(b, r, tactics, report.Options{})
	}},
	{"markdown by actor", func(b *bytes.Buffer, r *scan.Result) error {
		return report.WriteMarkdown(b, r, tactics, report.Options{GroupByActor: true})
	}},
	{"html", func(b *bytes.Buffer, r *scan.Result) error {
		return report.WriteHTML(b, r, tactics, report.Options{})
	}},
	// JSON is read on terminals too (jq, less, grep).
	{"json", func(b *bytes.Buffer, r *scan.Result) error {
		return report.WriteJSON(b, r, report.Options{})
	}},
	{"json by actor", func(b *bytes.Buffer, r *scan.Result) error {
		return report.WriteJSON(b, r, report.Options{GroupByActor: true})
	}},
	{"jsonl", func(b *bytes.Buffer, r *scan.Result) error {
		return report.WriteJSONL(b, r)
	}},
}

// TestForgedValuesStayOnTheirLine puts forged into each field that reaches
// the human outputs and checks that it adds no line and no character a
// terminal would act on or hide.
// noRoomNote is the line a table adds when a value as wide as its kind
// allows (a forged one) leaves no room for the actor column.
var noRoomNote = regexp.MustCompile(`(?m)^\(no room for ACTOR[^\n]*\n`)

func TestForgedValuesStayOnTheirLine(t *testing.T) {
	fields := []struct {
		name string
		set  func(*scan.Result, string)
	}{
		{"actor ARN", func(r *scan.Result, v string) {
			r.Findings[0].Actor.ARN = "arn:aws:iam::111122223333:user/" + v
		}},
		{"actor type", func(r *scan.Result, v string) { r.Findings[0].Actor.Type = v }},
		{"Identity Center user", func(r *scan.Result, v string) {
			r.Findings[0].Actor = scan.Actor{Type: "IdentityCenterUser", AccountID: "111122223333", OnBehalfOfUserID: v,
				IdentityStoreARN: "arn:aws:identitystore::111122223333:identitystore/" + v, SourceIP: "203.0.113.77"}
		}},
		{"access key", func(r *scan.Result, v string) { r.Findings[0].Actor.AccessKeyID = v }},
		{"source IP", func(r *scan.Result, v string) { r.Findings[0].Actor.SourceIP = v }},
		{"user agent", func(r *scan.Result, v string) { r.Findings[0].Actor.UserAgent = v }},
		{"event time", func(r *scan.Result, v string) { r.Findings[0].EventTime = v }},
		{"event name", func(r *scan.Result, v string) { r.Findings[0].EventName = v }},
		{"region", func(r *scan.Result, v string) { r.Findings[0].AWSRegion = v }},
		{"error code", func(r *scan.Result, v string) { r.Findings[0].ErrorCode = v }},
		{"rule title", func(r *scan.Result, v string) { r.Findings[0].Rule.Title = v }},
		{"target", func(r *scan.Result, v string) {
			r.Findings[0].Target = []scan.MatchedField{{Field: "requestParameters.name", Value: v}}
		}},
		{"session caller", func(r *scan.Result, v string) {
			r.Sessions = map[string]scan.SessionOrigin{"AKIAEXAMPLEKEY000001": {AccessKeyID: "AKIAEXAMPLEKEY000001", Event: "sts:GetSessionToken", By: v, At: "2026-03-14T02:00:00Z"}}
		}},
		{"session source", func(r *scan.Result, v string) {
			r.Sessions = map[string]scan.SessionOrigin{"AKIAEXAMPLEKEY000001": {AccessKeyID: "AKIAEXAMPLEKEY000001", Event: "sts:GetSessionToken", By: "x", At: v, SourceIP: v}}
		}},
		{"matched value", func(r *scan.Result, v string) {
			r.Findings[0].Matched = []scan.MatchedField{{Field: "requestParameters.name", Value: v}}
		}},
		{"matched field", func(r *scan.Result, v string) {
			r.Findings[0].Matched = []scan.MatchedField{{Field: "requestParameters." + v, Value: "trail"}}
		}},
		{"target field", func(r *scan.Result, v string) {
			r.Findings[0].Target = []scan.MatchedField{{Field: "requestParameters." + v, Value: "trail"}}
		}},
		{"record file", func(r *scan.Result, v string) { r.Findings[0].Record.File = "logs/" + v }},
		{"rejected file", func(r *scan.Result, v string) { r.Rejections[0].File = "logs/" + v }},
		{"rejection reason", func(r *scan.Result, v string) { r.Rejections[0].Reason = v }},
		{"failed file", func(r *scan.Result, v string) { r.Rejections[1].File = "logs/" + v }},
		{"skipped file", func(r *scan.Result, v string) { r.Skipped[0].File = "logs/" + v }},
	}
	for _, field := range fields {
		for _, w := range writers {
			t.Run(field.name+"/"+w.name, func(t *testing.T) {
				var plain, hostile bytes.Buffer
				base, res := small(), small()
				field.set(base, "x")
				field.set(res, forged)
				if err := w.write(&plain, base); err != nil {
					t.Fatal(err)
				}
				if err := w.write(&hostile, res); err != nil {
					t.Fatal(err)
				}
				out := hostile.String()
				if out == plain.String() {
					t.Skip("this format does not show the field")
				}
				if got, want := strings.Count(noRoomNote.ReplaceAllString(out, ""), "\n"), strings.Count(plain.String(), "\n"); got != want {
					t.Errorf("%d lines, %d with a plain value:\n%s", got, want, out)
				}
				for _, l := range strings.Split(out, "\n") {
					if strings.HasPrefix(strings.TrimLeft(l, "| "), "2026-03-14T02:00:02Z") {
						t.Errorf("forged row: %q", l)
					}
				}
				for _, r := range out {
					if r != '\n' && r != ' ' && !unicode.IsGraphic(r) {
						t.Errorf("%U reached the output", r)
					}
				}
			})
		}
	}
}

// TestActorListsSeparated checks that an actor's keys and addresses are
// shown one by one: "AWS Internal" is one source address, not two.
func TestActorListsSeparated(t *testing.T) {
	res := small()
	g := res.Findings[0]
	g.Actor.SourceIP, g.Actor.AccessKeyID = "AWS Internal · x … and more", "AKIA a, from 6.6.6.6 "
	res.Findings = append(res.Findings, g)
	res.Summary.Findings = 2
	for _, w := range []struct{ name, want string }{
		{"table by actor", `keys AKIAEXAMPLEKEY000001, AKIA a\x2c from 6.6.6.6\x20 · from 203.0.113.77, AWS Internal \u00b7 x \u2026 and more`},
		{"html", `keys AKIAEXAMPLEKEY000001, AKIA a\x2c from 6.6.6.6\x20 · from 203.0.113.77, AWS Internal \u00b7 x \u2026 and more`},
	} {
		var b bytes.Buffer
		for _, wr := range writers {
			if wr.name == w.name {
				if err := wr.write(&b, res); err != nil {
					t.Fatal(err)
				}
			}
		}
		if !strings.Contains(b.String(), w.want) {
			t.Errorf("%s does not say %q:\n%s", w.name, w.want, b.String())
		}
	}
}

// TestMarkdownActorHeadingKeepsHashes checks that a # ending an actor
// stays in its Markdown heading, where it would close the heading.
func TestMarkdownActorHeadingKeepsHashes(t *testing.T) {
	res := small()
	res.Findings[0].Actor.ARN = "arn:aws:iam::111122223333:user/x #"
	var b bytes.Buffer
	if err := report.WriteMarkdown(&b, res, tactics, report.Options{GroupByActor: true}); err != nil {
		t.Fatal(err)
	}
	if want := `Actor arn:aws:iam::111122223333:user/x \#`; !strings.Contains(b.String(), want) {
		t.Errorf("no heading %q in:\n%s", want, b.String())
	}
}

// TestActorTypeCannotForgeTheActor checks that an identity type holding
// spaces cannot make one actor's summary line read as another's.
func TestActorTypeCannotForgeTheActor(t *testing.T) {
	a, b := small(), small()
	a.Findings[0].Actor.ARN = "arn:aws:iam::1:user/a  IAMUser"
	b.Findings[0].Actor.ARN, b.Findings[0].Actor.Type = "arn:aws:iam::1:user/a", "IAMUser  IAMUser"
	var outA, outB bytes.Buffer
	for _, x := range []struct {
		res *scan.Result
		out *bytes.Buffer
	}{{a, &outA}, {b, &outB}} {
		if err := report.WriteTable(x.out, x.res, tactics, report.Options{GroupByActor: true}); err != nil {
			t.Fatal(err)
		}
	}
	if !strings.Contains(outB.String(), `IAMUser\x20\x20IAMUser`) || outA.String() == outB.String() {
		t.Errorf("the type's spaces are not escaped:\n%s\n%s", outA.String(), outB.String())
	}
}

// TestActorCannotForgeItsSummary checks that an actor holding the summary
// line's separators cannot write a summary of its own before the real one.
func TestActorCannotForgeItsSummary(t *testing.T) {
	res := small()
	res.Findings[0].Actor.ARN = "arn:aws:iam::1:user/a,b · x … y   z\uff0c w\u2024\u2024\u2024"
	res.Findings[0].EventTime = "2026-03-14T02:02:31,5Z"
	var out bytes.Buffer
	if err := report.WriteTable(&out, res, tactics, report.Options{GroupByActor: true}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`arn:aws:iam::1:user/a\x2cb \u00b7 x \u2026 y \x20\x20z\uff0c w\u2024\u2024\u2024  `, `2026-03-14T02:02:31\x2c5Z`} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("no %q in:\n%s", want, out.String())
		}
	}
}

// TestActorSectionsCannotBeForged checks that a key reading like the
// summary line's next section stays a key: an actor with a key
// "from 203.0.113.66" and no address does not print as one that used
// another key from that address. And that the HTML report's actor heading
// shows a look-alike letter as an escape, as the table does.
func TestActorSectionsCannotBeForged(t *testing.T) {
	forged, genuine := small(), small()
	g := forged.Findings[0]
	g.Actor.AccessKeyID, g.Actor.SourceIP = "from 203.0.113.66", ""
	forged.Findings[0].Actor.SourceIP = ""
	forged.Findings = append(forged.Findings, g)
	forged.Summary.Findings = 2
	genuine.Findings[0].Actor.SourceIP = "203.0.113.66"
	var a, b bytes.Buffer
	if err := report.WriteTable(&a, forged, tactics, report.Options{GroupByActor: true}); err != nil {
		t.Fatal(err)
	}
	if err := report.WriteTable(&b, genuine, tactics, report.Options{GroupByActor: true}); err != nil {
		t.Fatal(err)
	}
	line := func(out string) string {
		for _, l := range strings.Split(out, "\n") {
			if strings.Contains(l, " keys ") {
				return l
			}
		}
		return ""
	}
	if la, lb := line(a.String()), line(b.String()); la == "" || la == lb || !strings.Contains(la, ", from 203.0.113.66") {
		t.Errorf("forged and genuine summaries:\n%s\n%s", la, lb)
	}
	// Nor when the heading is broken to a narrow terminal: the forged
	// actor used no address, so no line may read as its from section.
	for width := 20; width <= 100; width++ {
		var n bytes.Buffer
		if err := report.WriteTable(&n, forged, tactics, report.Options{GroupByActor: true, View: view.Options{Width: width}}); err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(n.String(), "\n") {
			if strings.HasPrefix(l, "  from ") {
				t.Errorf("at %d columns the forged key reads as an address section: %q", width, l)
			}
		}
	}

	res := small()
	res.Findings[0].Actor.ARN = "arn:aws:iam::1:user/\u0430lice"
	var h bytes.Buffer
	if err := report.WriteHTML(&h, res, tactics, report.Options{GroupByActor: true}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(h.String(), `user/\u0430lice`) {
		t.Errorf("the HTML report's actor heading does not escape a look-alike letter")
	}
}

// TestUserAgentCannotForgeSections checks the user agent lines under an
// actor's heading: a user agent holding the heading's separator, or a run
// of spaces, is written in ASCII with the run escaped, so that it cannot
// pose as a keys or from section, nor push its text onto a line of its own.
func TestUserAgentCannotForgeSections(t *testing.T) {
	res := small()
	res.Findings[0].Actor.UserAgent = "aws-cli/2.0 · keys AKIAFAKE · from 198.51.100.1" + strings.Repeat(" ", 40) + "tail"
	for _, width := range []int{0, 60, 100, 200} {
		var b bytes.Buffer
		if err := report.WriteTable(&b, res, tactics, report.Options{GroupByActor: true, View: view.Options{Width: width}}); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		if strings.Contains(out, "· keys AKIAFAKE") || strings.Contains(out, "  tail") {
			t.Errorf("at %d columns the user agent is written as it is:\n%s", width, out)
		}
		if !strings.Contains(out, `aws-cli/2.0 \u00b7 keys AKIAFAKE`) {
			t.Errorf("at %d columns the user agent's separator is not escaped:\n%s", width, out)
		}
	}
}

// TestListedCutMark checks how an actor's heading marks a value cut at
// MaxListedBytes: a real … and the value's length, after the escaping, so
// that a short value that itself ends in … (written \u2026) cannot pose
// as a cut one.
func TestListedCutMark(t *testing.T) {
	res := small()
	res.Findings[0].Actor.SourceIP = strings.Repeat("a", 2000)
	res.Findings[0].Actor.UserAgent = "agent…"
	var b bytes.Buffer
	if err := report.WriteTable(&b, res, tactics, report.Options{GroupByActor: true}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if !strings.Contains(out, "aaa… (2000 bytes in all)") || strings.Contains(out, `a\u2026`) {
		t.Errorf("the cut address is not marked with … and its length:\n%s", out)
	}
	if !strings.Contains(out, `user agent: agent\u2026`) {
		t.Errorf("a user agent ending in … is not written escaped:\n%s", out)
	}
	b.Reset()
	if err := report.WriteHTML(&b, res, tactics, report.Options{GroupByActor: true}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "aaa… (2000 bytes in all)") {
		t.Errorf("the HTML heading does not mark the cut address with … and its length")
	}
}

// TestActorOfAnotherAccountMarked checks that an actor whose calls are
// recorded in another account's logs says so in its heading, in the HTML
// report and in JSON, and that one acting in its own account does not.
func TestActorOfAnotherAccountMarked(t *testing.T) {
	res := small()
	own := res.Findings[0]
	own.Actor.AccountID, own.RecipientAccountID = "111122223333", "111122223333"
	other := own
	other.Actor = scan.Actor{Type: "AssumedRole", ARN: "arn:aws:sts::444455556666:assumed-role/ops/x",
		SessionIssuer: "arn:aws:iam::444455556666:role/ops", AccountID: "444455556666", SourceIP: "198.51.100.9"}
	second := other
	second.RecipientAccountID = "777788889999"
	forged := other
	forged.Actor.AccountID = "4444-5555-66" // not an account ID: no mark from it
	// A record that names an actor by its ARN cannot give it another
	// account: the ARN's own account counts.
	claimed := own
	claimed.Actor.AccountID = "999988887777"
	res.Findings = []scan.Finding{own, other, second, other, forged, claimed}
	res.Summary.Findings = len(res.Findings)

	table, html, doc, md := groupedReports(t, res)
	const mark = "account 444455556666, calls into 111122223333, 777788889999"
	if strings.Count(table.String(), mark) != 1 || strings.Count(table.String(), "calls into") != 1 {
		t.Errorf("table: want the other account's actor marked once, and no other:\n%s", table.String())
	}
	if strings.Count(html.String(), mark) != 1 {
		t.Errorf("html: no %q", mark)
	}
	if strings.Count(md.String(), "\n- "+mark+"\n") != 1 || strings.Count(md.String(), "calls into") != 1 {
		t.Errorf("markdown: want the other account's actor marked once, and no other:\n%s", md.String())
	}
	if !strings.Contains(doc.String(), `"account_id": "444455556666",`) || strings.Count(doc.String(), `"into_accounts": [`) != 1 {
		t.Errorf("json: want one actor with account_id and into_accounts:\n%s", doc.String())
	}
}

// TestSessionOriginShown checks that an actor's timeline says who obtained
// the session keys it used, in the table, HTML and JSON, and only for its
// own keys.
func TestSessionOriginShown(t *testing.T) {
	res := small()
	second := res.Findings[0]
	second.Actor.AccessKeyID = "ASIAEXAMPLESECOND01"
	res.Findings = append(res.Findings, second)
	res.Summary.Findings = 2
	res.Sessions = map[string]scan.SessionOrigin{
		"AKIAEXAMPLEKEY000001": {AccessKeyID: "AKIAEXAMPLEKEY000001", Event: "sts:AssumeRole", By: "arn:aws:iam::111122223333:user/alice", At: "2026-03-14T02:00:00Z", SourceIP: "203.0.113.9"},
		"ASIAOTHERACTORSKEY1":  {AccessKeyID: "ASIAOTHERACTORSKEY1", Event: "sts:AssumeRole", By: "arn:aws:iam::111122223333:user/bob", At: "2026-03-14T02:00:00Z"},
		"ASIAEXAMPLESECOND01":  {AccessKeyID: "ASIAEXAMPLESECOND01", Event: "sts:GetSessionToken", By: "arn:aws:iam::111122223333:user/backup-sync\n- session ASIAFORGED # by *me* · at 2026-01-01T00:00:00Z \u0384\u00b7 from 6.6.6.6 \u0387 x", At: "2026-03-14T01:00:00Z", Others: 2},
	}
	table, html, doc, md := groupedReports(t, res)
	const line = "  session: AKIAEXAMPLEKEY000001 · sts:AssumeRole · by arn:aws:iam::111122223333:user/alice · at 2026-03-14T02:00:00Z · from 203.0.113.9\n"
	if !strings.Contains(table.String(), line) || strings.Contains(table.String(), "user/bob") {
		t.Errorf("table: want its own session's origin, and no other:\n%s", table.String())
	}
	if !strings.Contains(html.String(), "session <code>AKIAEXAMPLEKEY000001</code> · sts:AssumeRole · by <code>arn:aws:iam::111122223333:user/alice</code>") ||
		!strings.Contains(html.String(), "· 2 other records claim this key") {
		t.Errorf("html: no session origin, or no count of other claims")
	}
	if !strings.Contains(table.String(), "· at 2026-03-14T01:00:00Z · 2 other records claim this key\n") {
		t.Errorf("table: no count of other claims:\n%s", table.String())
	}
	if !strings.Contains(doc.String(), `"by": "arn:aws:iam::111122223333:user/alice"`) || strings.Contains(doc.String(), "user/bob") {
		t.Errorf("json: want its own session's origin, and no other:\n%s", doc.String())
	}
	// In Markdown the origins follow the actor's table, one list item each;
	// a caller holding a line break and list or heading marks stays in its
	// item, and one holding the separator's dot or a look-alike of it (the
	// Greek ano teleia) cannot pose as two parts.
	mdLine := "\n- session AKIAEXAMPLEKEY000001 · sts:AssumeRole · by arn:aws:iam::111122223333:user/alice · at 2026-03-14T02:00:00Z · from 203.0.113.9\n"
	if !strings.Contains(md.String(), mdLine) || strings.Contains(md.String(), "user/bob") {
		t.Errorf("markdown: want its own session's origin, and no other:\n%s", md.String())
	}
	if strings.Count(md.String(), "\n- session ") != 2 || !strings.Contains(md.String(), "· 2 other records claim this key\n") ||
		strings.Contains(md.String(), "\n- session ASIAFORGED") || strings.Contains(md.String(), "*me*") ||
		!strings.Contains(md.String(), `\*me\* \\u00b7 at 2026-01-01T00:00:00Z \\u0384\\u00b7 from 6.6.6.6 \\u0387 x · at 2026-03-14T01:00:00Z`) {
		t.Errorf("markdown: want two origins, the forged caller inside its own, escaped:\n%s", md.String())
	}
}

// groupedReports writes res grouped by actor as a table, HTML, JSON and
// Markdown.
func groupedReports(t *testing.T, res *scan.Result) (table, html, doc, md *bytes.Buffer) {
	t.Helper()
	table, html, doc, md = new(bytes.Buffer), new(bytes.Buffer), new(bytes.Buffer), new(bytes.Buffer)
	opts := report.Options{GroupByActor: true}
	if err := report.WriteMarkdown(md, res, tactics, opts); err != nil {
		t.Fatal(err)
	}
	if err := report.WriteTable(table, res, tactics, opts); err != nil {
		t.Fatal(err)
	}
	if err := report.WriteHTML(html, res, tactics, opts); err != nil {
		t.Fatal(err)
	}
	if err := report.WriteJSON(doc, res, opts); err != nil {
		t.Fatal(err)
	}
	return table, html, doc, md
}

// TestMarkdownActorSummary checks that Markdown grouped by actor lists
// after each actor's table what the terminal heading says of it: the type,
// the count and the span, its keys, addresses and user agents, each value
// escaped so that none can pose as a list item or a second value.
func TestMarkdownActorSummary(t *testing.T) {
	res := small()
	second := res.Findings[0]
	second.Actor.SourceIP = "198.51.100.7, 6.6.6.6\n- keys AKIAFORGED"
	second.Actor.UserAgent = "Boto3/1.35 *bold*"
	res.Findings = append(res.Findings, second)
	res.Summary.Findings = 2
	_, _, _, md := groupedReports(t, res)
	f := res.Findings[0]
	for _, want := range []string{
		"\n- type " + f.Actor.Type + ", 2 findings, ",
		"\n- keys " + f.Actor.AccessKeyID + "\n",
		"\n- from " + f.Actor.SourceIP + ", 198.51.100.7\\x2c 6.6.6.6\\\\n- keys AKIAFORGED\n",
		"\n- user agent: Boto3/1.35 \\*bold\\*\n",
	} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("markdown: no %q in:\n%s", want, md.String())
		}
	}
	if strings.Contains(md.String(), "\n- keys AKIAFORGED") {
		t.Errorf("markdown: a forged address starts a list item of its own:\n%s", md.String())
	}
	// A forged type can neither pose as the count nor start a heading.
	res.Findings[0].Actor.Type, res.Findings[1].Actor.Type = "# IAMUser, 999 findings", "# IAMUser, 999 findings"
	_, _, _, md = groupedReports(t, res)
	if !strings.Contains(md.String(), "\n- type "+`#\\x20IAMUser\\x2c\\x20999\\x20findings, 2 findings, `) {
		t.Errorf("markdown: the forged type is not escaped:\n%s", md.String())
	}
}

// TestTargetPartsCannotBeForged: a value that holds the separator the
// reports put between a target's values, or between matched fields, or one
// of its look-alikes, must not read as two values: the dot is escaped. Other
// characters past ASCII are kept.
func TestTargetPartsCannotBeForged(t *testing.T) {
	res := small()
	f := &res.Findings[0]
	f.Target = []scan.MatchedField{
		{Field: "requestParameters.snapshotId", Value: "snap-0f00 · 444455556666"},
		{Field: "requestParameters.name", Value: "ログ"},
		{Field: "requestParameters.names", Value: "/prod/a \u2e33 /prod/b"},
	}
	f.Matched = []scan.MatchedField{{Field: "requestParameters.attributeType", Value: "createVolumePermission \u2022 userId=444455556666"}}
	for _, w := range writers {
		if strings.HasPrefix(w.name, "json") {
			continue // JSON keeps the values apart as strings
		}
		t.Run(w.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := w.write(&b, res); err != nil {
				t.Fatal(err)
			}
			out := b.String()
			for _, forged := range []string{"snap-0f00 · 444455556666", "createVolumePermission \u2022 userId", "/prod/a \u2e33"} {
				if strings.Contains(out, forged) {
					t.Errorf("a forged separator reads as one:\n%s", out)
				}
			}
			// At 100 columns the target is left out for room.
			if w.name != "table at 100 columns" && !strings.Contains(out, `u00b7 444455556666`) {
				t.Errorf("the target's dot is not escaped:\n%s", out)
			}
			if w.name != "table" && w.name != "table at 100 columns" && w.name != "table by actor" && !strings.Contains(out, `u2022 userId`) {
				t.Errorf("the matched value's bullet is not escaped:\n%s", out)
			}
			if w.name != "table at 100 columns" && !strings.Contains(out, "ログ") {
				t.Errorf("a value in Japanese is escaped:\n%s", out)
			}
		})
	}
}

// TestCorrelationRows checks that a table row standing for a correlation's
// burst says how many it counted, and, for a burst grouped by no caller,
// names its group rather than the last caller as the actor.
func TestCorrelationRows(t *testing.T) {
	res := small()
	spray := res.Findings[0]
	spray.EventSource, spray.EventName = "signin.amazonaws.com", "ConsoleLogin"
	spray.Correlation = &scan.Correlation{Type: "value_count", Count: 6, Field: "userIdentity.userName",
		Group: scan.GroupValues{{Field: "sourceIPAddress", Value: "203.0.113.77"}}}
	deletions := res.Findings[0]
	deletions.EventSource, deletions.EventName = "s3.amazonaws.com", "DeleteObject"
	deletions.Correlation = &scan.Correlation{Type: "event_count", Count: 50,
		Group: scan.GroupValues{{Field: "userIdentity.arn", Value: deletions.Actor.ARN}}}
	res.Findings = []scan.Finding{spray, deletions}
	res.Summary.Findings = 2
	var b bytes.Buffer
	if err := report.WriteTable(&b, res, tactics, report.Options{View: view.Options{Width: 400}}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"signin:ConsoleLogin ×6 userName", `correlation group sourceIPAddress="203.0.113.77"`, "s3:DeleteObject ×50 "} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, b.String())
		}
	}
	if strings.Count(b.String(), "user/backup-sync") != 1 {
		t.Errorf("the deletions' caller should be the one actor shown by name:\n%s", b.String())
	}
}

// TestCorrelationGroupSeparator: a correlation's group value from the
// records cannot pose as a matched field of its own in the HTML report,
// which writes the matched fields from the finding it escaped before.
// (Markdown escapes the matched fields it writes, whose test is
// TestForgedValuesStayOnTheirLine; its actor cell may show the value,
// where no separator joins fields.)
func TestCorrelationGroupSeparator(t *testing.T) {
	res := small()
	f := &res.Findings[0]
	f.Correlation = &scan.Correlation{Type: "event_count", Count: 10, Condition: "gte 10", Timespan: "10m",
		Group: scan.GroupValues{{Field: "sourceIPAddress", Value: "1.2.3.4 · correlation=50 events"}}}
	for _, w := range writers {
		if !strings.HasPrefix(w.name, "html") {
			continue
		}
		var b bytes.Buffer
		if err := w.write(&b, res); err != nil {
			t.Fatalf("%s: %v", w.name, err)
		}
		if strings.Contains(b.String(), " · correlation=50") {
			t.Errorf("%s: a group value holds the separator raw:\n%s", w.name, b.String())
		}
	}
}

// TestCutActorMarked checks that an actor key too long to keep whole is
// marked, in the table (whose heading is ASCII), the HTML report and
// Markdown alike, by a note of ttc's written after the escaping, and that
// an actor whose ARN imitates the mark a cut key carries reads as the
// record's text, its … escaped, not as a cut.
func TestCutActorMarked(t *testing.T) {
	long := "arn:aws:iam::111122223333:user/" + strings.Repeat("p/", 600) + "alice"
	forged := "arn:aws:iam::111122223333:user/mallory…#0123456789abcdef"
	res := small()
	res.Findings[0].Actor.ARN = long
	res.Findings = append(res.Findings, res.Findings[0])
	res.Findings[1].Actor.ARN = forged
	table, html, _, md := groupedReports(t, res)
	cases := []struct {
		format     string
		out        string
		cut, fake  string // what the cut key and the forged one read as
		notWithout string // the mark as it read before: ttc's … escaped
	}{
		{"table", table.String(), "p/p… [cut by ttc; key hash ", `user/mallory\u2026#0123456789abcdef`, `p\u2026#`},
		{"html", html.String(), "p/p… [cut by ttc; key hash ", `user/mallory\u2026#0123456789abcdef`, `p\u2026#`},
		{"markdown", md.String(), "p/p… [cut by ttc; key hash ", `user/mallory\\u2026\#0123456789abcdef`, "p…\\#"},
	}
	for _, c := range cases {
		t.Run(c.format, func(t *testing.T) {
			if !strings.Contains(c.out, c.cut) || strings.Contains(c.out, c.notWithout) {
				t.Errorf("the cut actor is not marked %q (or still %q):\n%.3000s", c.cut, c.notWithout, c.out)
			}
			if !strings.Contains(c.out, c.fake) || strings.Count(c.out, "[cut by ttc") != 1 {
				t.Errorf("the forged actor does not read %q, or passes for a cut one:\n%.3000s", c.fake, c.out)
			}
		})
	}
}

// TestCutGroupValueMarked: a correlation's group value too long to keep
// whole (scan.GroupKey cut it) is shown quoted as far as it was kept, then
// with ttc's note outside the quotes, in the reports that list matched
// fields; a value that imitates the mark reads as quoted text.
func TestCutGroupValueMarked(t *testing.T) {
	long := "203.0.113." + strings.Repeat("9", 1500)
	res := small()
	res.Findings = append(res.Findings, res.Findings[0])
	for i, v := range []string{scan.GroupKey(long), "198.51.100.7…#0123456789abcdef"} {
		res.Findings[i].Correlation = &scan.Correlation{Type: "event_count", Count: 10, Condition: "gte 10", Timespan: "30m",
			Group: scan.GroupValues{{Field: "sourceIPAddress", Value: v}}}
	}
	for _, w := range writers {
		if !strings.HasPrefix(w.name, "html") && !strings.HasPrefix(w.name, "markdown") {
			continue
		}
		var b bytes.Buffer
		if err := w.write(&b, res); err != nil {
			t.Fatalf("%s: %v", w.name, err)
		}
		out := b.String()
		// The record's … is escaped once, as the report escapes any value:
		// Markdown writes that escape's backslash escaped again.
		note, quote, imitated := "[cut by ttc; key hash ", "&#34;", `198.51.100.7\u2026#`
		if strings.HasPrefix(w.name, "markdown") {
			note, quote, imitated = `\[cut by ttc; key hash `, `"`, `198.51.100.7\\u2026#`
		}
		// Each place that shows the group (the matched fields; the actor
		// column of a table) writes the cut value quoted, then the note. (A
		// report by actor also names the group, whose key it cut again, in
		// a heading: the note there follows no quote.)
		if n := strings.Count(out, quote+" "+note); n == 0 || strings.Count(out, "999"+quote+" "+note) != n {
			t.Errorf("%s: the cut value is not quoted then marked by ttc:\n%.4000s", w.name, out)
		}
		if strings.Contains(out, "abcdef"+quote+" "+note) {
			t.Errorf("%s: the imitated mark was marked as cut by ttc:\n%.4000s", w.name, out)
		}
		if !strings.Contains(out, imitated) || strings.Contains(out, strings.Replace(imitated, `\u`, `\\u`, 1)) {
			t.Errorf("%s: the imitated mark does not read as the record's text:\n%.4000s", w.name, out)
		}
	}
}
