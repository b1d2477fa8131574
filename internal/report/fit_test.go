package report_test

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ttcproject/ttc/internal/report"
	"github.com/ttcproject/ttc/internal/scan"
	"github.com/ttcproject/ttc/internal/view"
)

// TestTableFitsKeepsTimeAndEvent scans the README's example incident and
// checks that tables fitted to a terminal cut other columns before the
// time and the event of a finding.
func TestTableFitsKeepsTimeAndEvent(t *testing.T) {
	const dir = "../../examples/incident"
	if _, err := os.Stat(dir); err != nil {
		t.Skip("examples/incident is missing")
	}
	res, names := scanDir(t, dir)
	if len(res.Findings) == 0 {
		t.Fatal("the example incident has no findings, so the test proves nothing")
	}
	row := regexp.MustCompile(`^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)  `)
	cases := []struct {
		name  string
		width int
		actor bool
	}{
		{"findings at 100 columns", 100, false},
		{"timelines at 100 columns", 100, true},
		{"findings at 120 columns", 120, false},
		{"findings at 110 columns", 110, false},
		{"findings at 106 columns", 106, false},
		{"timelines at 90 columns", 90, true},
		// Narrower, the region and the actor are left out, not cut to
		// nothing, and the address stays whole.
		{"findings at 80 columns", 80, false},
		{"timelines at 74 columns", 74, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			opts := report.Options{View: view.Options{Width: tc.width}, GroupByActor: tc.actor}
			if err := report.WriteTable(&b, res, names, opts); err != nil {
				t.Fatal(err)
			}
			var times, rows, headers []string // headers: each row's table's
			var header string
			for _, l := range tableLines(b.String()) {
				if n := utf8.RuneCountInString(l); n > tc.width {
					t.Errorf("line of %d columns: %q", n, l)
				}
				if strings.HasPrefix(l, "TIME ") {
					header = l
				}
				if m := row.FindStringSubmatch(l); m != nil {
					times, rows, headers = append(times, m[1]), append(rows, l), append(headers, header)
				}
			}
			if len(times) != len(res.Findings) {
				t.Fatalf("%d rows begin with a whole time, want one per finding (%d):\n%s", len(times), len(res.Findings), b.String())
			}
			order := res.Findings
			if tc.actor {
				order = nil
				for _, a := range report.Timelines(res.Findings) {
					order = append(order, a.Findings...)
				}
			}
			for i, f := range order {
				want := strings.TrimSuffix(f.EventSource, ".amazonaws.com") + ":" + f.EventName
				cells := strings.Fields(rows[i])
				if times[i] != f.EventTime || !slices.Contains(cells, want) {
					t.Errorf("row %d is %q, want %s and %s whole", i, rows[i], f.EventTime, want)
				}
				if !slices.Contains(cells, f.Actor.SourceIP) {
					t.Errorf("row %d does not show the address %s whole: %q", i, f.Actor.SourceIP, rows[i])
				}
				// A region cut short names another (us-east… is two), and an
				// actor cut to a few letters none: whole, or left out. An
				// actor cut keeps both its ends (a role session's name is
				// at the end).
				if strings.Contains(headers[i], "REGION") && !slices.Contains(cells, f.AWSRegion) {
					t.Errorf("row %d does not show the region %s whole: %q", i, f.AWSRegion, rows[i])
				}
				if actor := report.ShortActor(f.Actor.Key()); strings.Contains(headers[i], "ACTOR") && !slices.Contains(cells, actor) {
					cut := cells[len(cells)-1]
					head, tail, ok := strings.Cut(cut, "…")
					if !ok || utf8.RuneCountInString(cut) < 16 || !strings.HasPrefix(actor, head) || !strings.HasSuffix(actor, tail) {
						t.Errorf("row %d shows the actor %s as %q: %q", i, actor, cut, rows[i])
					}
				}
			}
		})
	}
}

// TestTableForgedWidthKeepsOutcome checks that one forged value far wider
// than its kind can be (a source address of 132 characters) is cut first,
// and does not push an attempt's outcome off the table: a failed call must
// not read as a success.
func TestTableForgedWidthKeepsOutcome(t *testing.T) {
	res := small()
	ok := res.Findings[0]
	ok.Actor.SourceIP = "198.51.100.1" + strings.Repeat("x", 120)
	ok.EventTime = "2026-03-14T02:03:00Z"
	failed := res.Findings[0]
	failed.Outcome, failed.ErrorCode = "attempt", "AccessDenied"
	res.Findings = []scan.Finding{failed, ok}
	res.Summary.Findings = 2
	for _, width := range []int{140, 100, 80} {
		for _, actor := range []bool{false, true} {
			var b bytes.Buffer
			opts := report.Options{View: view.Options{Width: width}, GroupByActor: actor}
			if err := report.WriteTable(&b, res, tactics, opts); err != nil {
				t.Fatal(err)
			}
			var rows []string
			for _, l := range tableLines(b.String()) {
				if strings.HasPrefix(l, "2026-") {
					rows = append(rows, l)
				}
			}
			if len(rows) != 2 {
				t.Fatalf("width %d, actor %v: %d finding rows, want 2:\n%s", width, actor, len(rows), b.String())
			}
			if !strings.HasPrefix(rows[0], failed.EventTime+"  ") || !strings.Contains(rows[0], "attempt") {
				t.Errorf("width %d, actor %v: the attempt's row %q lacks its whole time or its outcome", width, actor, rows[0])
			}
			if !strings.Contains(rows[1], "success") {
				t.Errorf("width %d, actor %v: the success's row %q lacks its outcome", width, actor, rows[1])
			}
			if width >= 100 && !strings.Contains(rows[0], "cloudtrail:StopLogging") {
				t.Errorf("width %d, actor %v: the event is cut: %q", width, actor, rows[0])
			}
		}
	}
}

// TestTableTimeInUTC checks that tables show a finding's time in UTC to
// the second: cut to fit a narrow terminal, a time written with a zone
// offset (12:00-23:59) read as another day; and that a narrow table keeps
// technique IDs whole, which a cut turns into each other (T1078.A0…).
func TestTableTimeInUTC(t *testing.T) {
	dir := t.TempDir()
	rec := func(at, id, name string) string {
		return `{"eventVersion":"1.10","eventTime":"` + at + `","eventSource":"cloudtrail.amazonaws.com","eventName":"` + name +
			`","eventID":"` + id + `","sourceIPAddress":"203.0.113.5","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/a"}}`
	}
	log := `{"Records":[` + rec("2024-01-01T12:00:00.000000001-23:59", "a", "StopLogging") + "," +
		rec("2024-01-02T12:00:00.5+23:59", "b", "DeleteTrail") + `]}`
	if err := os.WriteFile(filepath.Join(dir, "tz.json"), []byte(log), 0o644); err != nil {
		t.Fatal(err)
	}
	res, names := scanDir(t, dir)
	for _, width := range []int{60, 100} {
		var b bytes.Buffer
		if err := report.WriteTable(&b, res, names, report.Options{View: view.Options{Width: width}}); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		for _, want := range []string{"2024-01-01T12:01:00Z  T1562.008", "2024-01-02T11:59:00Z  T1562.008"} {
			if !strings.Contains(out, want) {
				t.Errorf("width %d: no row begins %q:\n%s", width, want, out)
			}
		}
	}
}

// tableLines returns the lines of the tables in a text report: from a
// header line to the next blank line.
func tableLines(out string) []string {
	var lines []string
	in := false
	for _, l := range strings.Split(out, "\n") {
		switch {
		case strings.HasPrefix(l, "TECHNIQUE ") || strings.HasPrefix(l, "TIME "):
			in = true
		case l == "" || strings.HasPrefix(l, "arn:"):
			in = false
		}
		if in {
			lines = append(lines, l)
		}
	}
	return lines
}

// TestPlurals checks that counts of one read as one in the human outputs.
func TestPlurals(t *testing.T) {
	one := small()
	one.Summary = scan.Summary{Files: 0, FilesFailed: 1, Read: 1, Rejected: 1, Findings: 1}
	one.Rejections = []scan.Rejection{{File: "a.json", Line: 2, Ordinal: 1, Reason: "not JSON"},
		{File: "b.json.gz", Line: 3, Ordinal: 1, Offset: 10, Whole: true, Reason: "unexpected EOF"}}
	cases := []struct {
		name    string
		write   func(*bytes.Buffer) error
		want    []string
		notWant []string
	}{
		{"summary of a file given up", func(b *bytes.Buffer) error {
			_, err := b.WriteString(report.SummaryLine(one.Summary))
			return err
		}, []string{"1 file (0 B; 1 not read to the end) in", "1 record read", "1 finding"},
			[]string{"records", "files", "findings", "1 file not read"}},
		{"summary of files read whole", func(b *bytes.Buffer) error {
			_, err := b.WriteString(report.SummaryLine(scan.Summary{Files: 2, Bytes: 2048, Read: 4, Matched: 4, Findings: 4}))
			return err
		}, []string{"2 files (2.0 KiB) in"}, []string{"not read"}},
		{"summary of some files given up", func(b *bytes.Buffer) error {
			_, err := b.WriteString(report.SummaryLine(scan.Summary{Files: 2, FilesFailed: 3, Bytes: 10}))
			return err
		}, []string{"5 files (10 B; 3 not read to the end) in"}, nil},
		{"table", func(b *bytes.Buffer) error {
			return report.WriteTable(b, one, tactics, report.Options{GroupByActor: true})
		}, []string{"REJECTED (1 record; 1 file not read to the end)", "after 1 record)", "1 finding,"},
			[]string{"records", "files", "findings"}},
		{"html", func(b *bytes.Buffer) error {
			return report.WriteHTML(b, one, tactics, report.Options{})
		}, []string{"1 finding ·"}, []string{"1 findings", "1 records", "1 files"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := tc.write(&b); err != nil {
				t.Fatal(err)
			}
			out := b.String()
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("output does not say %q:\n%s", w, out)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(out, w) {
					t.Errorf("output says %q:\n%s", w, out)
				}
			}
		})
	}
}

// TestRuleColumn checks that two findings of one record, by two rules,
// are told apart by the rule in a table with room for it, and that a
// narrow table leaves the rule out rather than cut every column shorter.
func TestRuleColumn(t *testing.T) {
	res := small()
	second := res.Findings[0]
	second.Rule = scan.RuleRef{ID: "r2", Title: "Logging stopped by a long-term key"}
	res.Findings = append(res.Findings, second)
	for _, tc := range []struct {
		width int
		shown bool
	}{{0, true}, {160, true}, {100, false}} {
		for _, actor := range []bool{false, true} {
			var b bytes.Buffer
			opts := report.Options{View: view.Options{Width: tc.width}, GroupByActor: actor}
			if err := report.WriteTable(&b, res, tactics, opts); err != nil {
				t.Fatal(err)
			}
			out := b.String()
			for _, title := range []string{"Trail stopped", "Logging stopped by a long-term key"} {
				if got := strings.Contains(out, title); got != tc.shown {
					t.Errorf("width %d, by actor %v: rule %q shown %v, want %v:\n%s", tc.width, actor, title, got, tc.shown, out)
				}
			}
		}
	}
}

// TestTimelineHeadsFit checks that each actor's heading and user agents
// are broken to the terminal's width, and that breaking loses nothing: the
// actor, its keys, addresses and user agents all read whole once the lines
// are joined again.
func TestTimelineHeadsFit(t *testing.T) {
	const dir = "../../examples/incident"
	if _, err := os.Stat(dir); err != nil {
		t.Skip("examples/incident is missing")
	}
	res, names := scanDir(t, dir)
	timelines := report.Timelines(res.Findings)
	for _, width := range []int{0, 160, 100, 74, 60} {
		var b bytes.Buffer
		opts := report.Options{View: view.Options{Width: width}, GroupByActor: true}
		if err := report.WriteTable(&b, res, names, opts); err != nil {
			t.Fatal(err)
		}
		heads := timelineHeads(b.String())
		if len(heads) != len(timelines) {
			t.Fatalf("width %d: %d actor headings, want %d:\n%s", width, len(heads), len(timelines), b.String())
		}
		for i, a := range timelines {
			lines := heads[i]
			if lines[0] != a.Actor && !strings.HasPrefix(lines[0], a.Actor+"  ") {
				t.Errorf("width %d: heading starts %q, want the actor %q", width, lines[0], a.Actor)
			}
			for _, l := range lines[1:] {
				if n := utf8.RuneCountInString(l); width > 0 && n > width {
					t.Errorf("width %d: line of %d columns: %q", width, n, l)
				}
			}
			joined := strings.Join(strings.Fields(strings.Join(lines, " ")), " ")
			for _, v := range slices.Concat(a.AccessKey, a.SourceIPs, a.UserAgent) {
				if !strings.Contains(joined, strings.Join(strings.Fields(v), " ")) {
					t.Errorf("width %d: %q is not whole in the heading of %s:\n%s", width, v, a.Actor, strings.Join(lines, "\n"))
				}
			}
			if width == 0 && len(lines) != 1+len(a.UserAgent) {
				t.Errorf("unbroken heading of %s takes %d lines, want %d", a.Actor, len(lines), 1+len(a.UserAgent))
			}
		}
	}
}

// timelineHeads returns the lines of each actor's heading: from the line
// that follows a blank one to the findings table's header.
func timelineHeads(out string) [][]string {
	var heads [][]string
	var cur []string
	blank := false
	for _, l := range strings.Split(out, "\n") {
		switch {
		case strings.HasPrefix(l, "TIME ") && cur != nil:
			heads, cur = append(heads, cur), nil
		case cur != nil:
			cur = append(cur, l)
		case blank && strings.HasPrefix(l, "arn:"):
			cur = []string{l}
		}
		blank = l == ""
	}
	return heads
}

// TestTableActorBesideIPv6 checks that an IPv6 source address, as wide
// as addresses are, does not take the actor column from a table of
// findings: it is cut in the middle first, keeping both its ends, and an
// IPv4 address is never cut; a table too narrow for the actor even so
// says it left it out.
func TestTableActorBesideIPv6(t *testing.T) {
	res := small()
	f := res.Findings[0]
	f.Actor.SourceIP = "2001:0db8:85a3:0000:0000:8a2e:0370:7334"
	g := f
	g.Actor.ARN, g.Actor.SourceIP = "arn:aws:iam::111122223333:user/second-user", "203.0.113.9"
	res.Findings = []scan.Finding{f, g}
	res.Summary.Findings = 2
	for _, tc := range []struct {
		width       int
		actor, note bool
	}{
		{0, true, false},
		{120, true, false},
		{100, true, false},
		{90, true, false},
		{60, false, true},
	} {
		var b bytes.Buffer
		if err := report.WriteTable(&b, res, tactics, report.Options{View: view.Options{Width: tc.width}}); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		if got := strings.Contains(out, "user/second-user"); got != tc.actor {
			t.Errorf("at %d columns: actor shown %v, want %v:\n%s", tc.width, got, tc.actor, out)
		}
		if got := strings.Contains(out, "(no room for ACTOR"); got != tc.note {
			t.Errorf("at %d columns: note %v, want %v:\n%s", tc.width, got, tc.note, out)
		}
		if !regexp.MustCompile(`(?m) 2001:0d[^ ]*…[^ ]*7334( |$)`).MatchString(out) && !strings.Contains(out, f.Actor.SourceIP) {
			t.Errorf("at %d columns: the IPv6 address is neither whole nor cut in its middle:\n%s", tc.width, out)
		}
		if !regexp.MustCompile(`(?m) 203\.0\.113\.9( |$)`).MatchString(out) {
			t.Errorf("at %d columns: the IPv4 address is cut:\n%s", tc.width, out)
		}
		for _, l := range tableLines(out) {
			if n := utf8.RuneCountInString(l); tc.width > 0 && n > tc.width {
				t.Errorf("at %d columns: line of %d columns: %q", tc.width, n, l)
			}
		}
	}
}

// TestActorHeadingTimesInUTC checks that a timeline's heading gives its
// first and last times as its rows do, in UTC, whatever offset the
// records wrote them with.
func TestActorHeadingTimesInUTC(t *testing.T) {
	dir := t.TempDir()
	rec := func(id, at string) string {
		return `{"eventVersion":"1.10","eventTime":"` + at + `","eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging",` +
			`"awsRegion":"us-east-1","eventID":"` + id + `","sourceIPAddress":"203.0.113.7",` +
			`"userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/x","accountId":"111122223333"}}`
	}
	log := `{"Records":[` + rec("e1", "2026-03-14T07:32:31+05:30") + "," + rec("e2", "2026-03-13T20:10:00.5-08:00") + `]}`
	if err := os.WriteFile(filepath.Join(dir, "log.json"), []byte(log), 0o644); err != nil {
		t.Fatal(err)
	}
	res, names := scanDir(t, dir)
	var b bytes.Buffer
	if err := report.WriteTable(&b, res, names, report.Options{GroupByActor: true}); err != nil {
		t.Fatal(err)
	}
	if want := "2026-03-14T02:02:31Z … 2026-03-14T04:10:00Z"; !strings.Contains(b.String(), want) {
		t.Errorf("heading does not say %q:\n%s", want, b.String())
	}
}

// TestAttemptWithoutErrorCode checks that a failed call with no error
// code, as a failed console sign-in is, shows its message as its reason.
func TestAttemptWithoutErrorCode(t *testing.T) {
	res := small()
	f := &res.Findings[0]
	f.EventSource, f.EventName, f.Outcome, f.ErrorMessage = "signin.amazonaws.com", "ConsoleLogin", "attempt", "Failed authentication"
	var b bytes.Buffer
	if err := report.WriteTable(&b, res, tactics, report.Options{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "attempt (Failed authentication)") {
		t.Errorf("no reason beside the attempt:\n%s", b.String())
	}
	b.Reset()
	if err := report.WriteHTML(&b, res, tactics, report.Options{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `<small class="attempt">attempt <span class="msg">Failed authentication</span>`) {
		t.Errorf("no reason beside the attempt in HTML")
	}
}

// TestBlankErrorsNotShown checks that an errorCode or errorMessage of
// blanks, which an export writes for a success, is not shown beside the
// outcome as its reason, in the table or in HTML.
func TestBlankErrorsNotShown(t *testing.T) {
	for _, tc := range []struct {
		name                   string
		outcome, code, message string
	}{
		{"blank code beside a success", "success", " \t", ""},
		{"blank message beside an attempt", "attempt", "", " \t "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := small()
			f := &res.Findings[0]
			f.EventSource, f.EventName = "signin.amazonaws.com", "ConsoleLogin"
			f.Outcome, f.ErrorCode, f.ErrorMessage = tc.outcome, tc.code, tc.message
			var b bytes.Buffer
			if err := report.WriteTable(&b, res, tactics, report.Options{}); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(b.String(), tc.outcome+" (") {
				t.Errorf("a blank reason shown beside the outcome:\n%s", b.String())
			}
			b.Reset()
			if err := report.WriteHTML(&b, res, tactics, report.Options{}); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(b.String(), tc.outcome+" <span") {
				t.Errorf("a blank reason shown beside the outcome in HTML")
			}
		})
	}
}

// TestTableTechniqueIDsWhole checks that the technique column of both
// tables is never cut, however narrow the terminal: T1485.001 and
// T1485.A003 cut alike ("T1485…") would read as one technique.
func TestTableTechniqueIDsWhole(t *testing.T) {
	res := small()
	a, b := res.Findings[0], res.Findings[0]
	a.TechniqueID, b.TechniqueID = "T1485.001", "T1485.A003"
	b.EventTime = "2026-03-14T02:03:00Z"
	res.Findings = []scan.Finding{a, b}
	res.Summary.Findings = 2
	for _, width := range []int{20, 40, 60} {
		for _, actor := range []bool{false, true} {
			var out bytes.Buffer
			opts := report.Options{View: view.Options{Width: width}, GroupByActor: actor}
			if err := report.WriteTable(&out, res, tactics, opts); err != nil {
				t.Fatal(err)
			}
			for _, id := range []string{"T1485.001", "T1485.A003"} {
				// Once in TECHNIQUES OBSERVED, once in the findings.
				if n := strings.Count(out.String(), id+" "); n < 2 {
					t.Errorf("width %d, actor %v: %s whole in %d rows, want 2:\n%s", width, actor, id, n, out.String())
				}
			}
		}
	}
}
