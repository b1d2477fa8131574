package report_test

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/ttcproject/ttc/internal/report"
	"github.com/ttcproject/ttc/internal/scan"
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
