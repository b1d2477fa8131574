package report_test

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/ttcproject/ttc/internal/report"
	"github.com/ttcproject/ttc/internal/scan"
	"github.com/ttcproject/ttc/internal/view"
)

// TestTableCapsRows checks that the table, flat and grouped, and the HTML
// report list the first MaxTableRows findings (of each actor), say how
// many they leave out, and count every finding; and that Markdown lists
// them all.
func TestTableCapsRows(t *testing.T) {
	res := &scan.Result{}
	for i := 0; i < report.MaxTableRows+5; i++ {
		res.Findings = append(res.Findings, scan.Finding{Type: "finding", TechniqueID: "T1078.A002", EventName: "ListBuckets",
			EventSource: "s3.amazonaws.com", EventTime: "2026-01-01T00:00:00Z", Outcome: "success",
			Actor: scan.Actor{Type: "Root", ARN: "arn:aws:iam::111122223333:root"}})
	}
	res.Summary.Findings = len(res.Findings)
	cases := []struct {
		name        string
		write       func(*bytes.Buffer) error
		rows        int
		more, count string
	}{
		{"table", func(b *bytes.Buffer) error { return report.WriteTable(b, res, tactics, report.Options{}) },
			report.MaxTableRows, "5 findings more, not listed here", `T1078\.A002\s+1005\s`},
		{"grouped table", func(b *bytes.Buffer) error {
			return report.WriteTable(b, res, tactics, report.Options{GroupByActor: true})
		}, report.MaxTableRows, "5 findings more, not listed here", `T1078\.A002\s+1005\s`},
		{"html", func(b *bytes.Buffer) error { return report.WriteHTML(b, res, tactics, report.Options{}) },
			report.MaxTableRows, "5 findings more, not listed here", `<td>1005</td>`},
		{"markdown", func(b *bytes.Buffer) error {
			return report.WriteMarkdown(b, res, tactics, report.Options{GroupByActor: true})
		}, report.MaxTableRows + 5, "", `\| T1078\.A002 \| \S* \| 1005 \|`},
	}
	for _, tc := range cases {
		var b bytes.Buffer
		if err := tc.write(&b); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		if n := strings.Count(out, "ListBuckets"); n != tc.rows {
			t.Errorf("%s lists %d findings, want %d", tc.name, n, tc.rows)
		}
		if (tc.more != "" && !strings.Contains(out, tc.more)) || (tc.more == "" && strings.Contains(out, "not listed")) {
			t.Errorf("%s does not say rightly what it left out", tc.name)
		}
		if !regexp.MustCompile(tc.count).MatchString(out) {
			t.Errorf("%s: the counts do not cover every finding:\n%.600s", tc.name, out)
		}
	}
}

// TestTableCapsCellWidth checks that one huge value does not pad every row
// of a piped table to its width: the table grows with the number of rows,
// not with rows times the longest value.
func TestTableCapsCellWidth(t *testing.T) {
	cases := []struct {
		name string
		set  func(*scan.Finding, string)
	}{
		{"source IP", func(f *scan.Finding, v string) { f.Actor.SourceIP = v }},
		{"event name", func(f *scan.Finding, v string) { f.EventName = v }},
		{"actor", func(f *scan.Finding, v string) { f.Actor.ARN = "arn:aws:iam::111122223333:user/" + v }},
	}
	const rows, long = 300, 30_000
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := &scan.Result{}
			for i := 0; i < rows; i++ {
				f := scan.Finding{Type: "finding", TechniqueID: "T1078.A002", EventName: "ListBuckets", EventSource: "s3.amazonaws.com",
					EventTime: "2026-01-01T00:00:00Z", Outcome: "success", AWSRegion: "us-east-1",
					Actor: scan.Actor{ARN: "arn:aws:iam::111122223333:user/alice", SourceIP: "192.0.2.1"}}
				if i == 0 {
					tc.set(&f, strings.Repeat("9", long))
				}
				res.Findings = append(res.Findings, f)
			}
			var b bytes.Buffer
			if err := report.WriteTable(&b, res, tactics, report.Options{}); err != nil {
				t.Fatal(err)
			}
			if limit := long + rows*(7*(view.MaxCell+2)); b.Len() > limit {
				t.Errorf("table of %d rows is %d bytes, want at most %d", rows, b.Len(), limit)
			}
			// Cut at its end, or in its middle (an address, an actor).
			if !strings.Contains(b.String(), strings.Repeat("9", view.MaxCell-10)+"…") &&
				!strings.Contains(b.String(), strings.Repeat("9", view.MaxCell/2-5)+"…"+strings.Repeat("9", view.MaxCell/2-5)) {
				t.Errorf("the long value is not shown cut with a mark")
			}
		})
	}
}

// TestTimelineCapsLists checks that an actor's timeline lists at most
// MaxListed source IPs and user agents, says that there are more, and
// lists each value once.
func TestTimelineCapsLists(t *testing.T) {
	var fs []scan.Finding
	for i := 0; i < report.MaxListed+10; i++ {
		for range 2 { // every value twice
			fs = append(fs, scan.Finding{Actor: scan.Actor{Type: "IAMUser", ARN: "arn:aws:iam::111122223333:user/a",
				SourceIP: fmt.Sprintf("192.0.2.%d", i), UserAgent: fmt.Sprintf("agent/%d", i%3), AccessKeyID: "AKIAEXAMPLE"}})
		}
	}
	tl := report.Timelines(fs)
	if len(tl) != 1 {
		t.Fatalf("%d timelines, want 1", len(tl))
	}
	a := tl[0]
	if len(a.SourceIPs) != report.MaxListed || !a.MoreSourceIPs || a.SourceIPs[0] != "192.0.2.0" {
		t.Errorf("source IPs %d (more %v, first %q), want the first %d and more", len(a.SourceIPs), a.MoreSourceIPs, a.SourceIPs[0], report.MaxListed)
	}
	if len(a.UserAgent) != 3 || a.MoreUserAgents || len(a.AccessKey) != 1 || a.MoreAccessKeys {
		t.Errorf("user agents %q (more %v), keys %q (more %v): want 3 and 1, each once, no more", a.UserAgent, a.MoreUserAgents, a.AccessKey, a.MoreAccessKeys)
	}
	if len(a.Findings) != len(fs) {
		t.Errorf("%d findings in the timeline, want %d", len(a.Findings), len(fs))
	}
	var b bytes.Buffer
	res := &scan.Result{Findings: fs}
	if err := report.WriteTable(&b, res, tactics, report.Options{GroupByActor: true}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "192.0.2.49 … and more") {
		t.Errorf("table does not say the actor used more addresses:\n%.600s", b.String())
	}
}

// TestTimelineCutsLongValues checks that a listed value is cut at
// MaxListedBytes, at a character boundary, and that values alike up to
// the cut are listed once.
func TestTimelineCutsLongValues(t *testing.T) {
	long := strings.Repeat("é", report.MaxListedBytes) // two bytes each
	var fs []scan.Finding
	for _, tail := range []string{"a", "b"} {
		fs = append(fs, scan.Finding{Actor: scan.Actor{Type: "IAMUser", ARN: "arn:aws:iam::111122223333:user/a", UserAgent: long + tail}})
	}
	tl := report.Timelines(fs)
	if len(tl) != 1 || len(tl[0].UserAgent) != 1 {
		t.Fatalf("timelines %+v, want one actor with one user agent", tl)
	}
	ua := tl[0].UserAgent[0]
	if want := long[:report.MaxListedBytes] + "…"; ua != want {
		t.Errorf("user agent of %d bytes, want %d (cut at a character boundary and marked)", len(ua), len(want))
	}
}

// TestLongActorKeys checks that a report holds actor keys of bounded
// length, and still tells apart actors whose long ARNs differ only past
// the cut.
func TestLongActorKeys(t *testing.T) {
	long := "arn:aws:iam::111122223333:user/" + strings.Repeat("x", 5000)
	fs := []scan.Finding{
		{Actor: scan.Actor{Type: "IAMUser", ARN: long + "a"}},
		{Actor: scan.Actor{Type: "IAMUser", ARN: long + "b"}},
		{Actor: scan.Actor{Type: "IAMUser", ARN: long + "a"}},
	}
	tl := report.Timelines(fs)
	if len(tl) != 2 {
		t.Fatalf("%d timelines, want 2", len(tl))
	}
	for _, a := range tl {
		if len(a.Actor) > 1100 || !strings.HasPrefix(a.Actor, long[:1000]) {
			t.Errorf("actor key of %d bytes (%.40q…), want a cut of the ARN", len(a.Actor), a.Actor)
		}
	}
	if n := len(tl[0].Findings); n != 2 {
		t.Errorf("first actor has %d findings, want 2", n)
	}
}
