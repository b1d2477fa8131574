package report_test

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/ttcproject/ttc/internal/report"
	"github.com/ttcproject/ttc/internal/scan"
	"github.com/ttcproject/ttc/internal/view"
)

func TestTableCapsRows(t *testing.T) {
	res := &scan.Result{}
	for i := 0; i < report.MaxTableRows+5; i++ {
		res.Findings = append(res.Findings, scan.Finding{Type: "finding", TechniqueID: "T1078.A002", EventName: "ListBuckets",
			EventSource: "s3.amazonaws.com", EventTime: "2026-01-01T00:00:00Z", Outcome: "success"})
	}
	res.Summary.Findings = len(res.Findings)
	var b bytes.Buffer
	if err := report.WriteTable(&b, res, tactics, report.Options{}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if n := strings.Count(out, "s3:ListBuckets"); n != report.MaxTableRows {
		t.Errorf("table lists %d findings, want %d", n, report.MaxTableRows)
	}
	if !strings.Contains(out, "5 findings more, not listed here") || !regexp.MustCompile(`T1078\.A002\s+1005\s`).MatchString(out) {
		t.Errorf("table does not say what it left out, or the counts do not cover every finding:\n%s", out[:400])
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
			if !strings.Contains(b.String(), strings.Repeat("9", view.MaxCell-10)+"…") {
				t.Errorf("the long value is not shown cut with a mark")
			}
		})
	}
}
