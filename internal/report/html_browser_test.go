package report_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/ttcproject/ttc/internal/browsertest"
	"github.com/ttcproject/ttc/internal/report"
	"github.com/ttcproject/ttc/internal/scan"
)

// TestHTMLFitsWindow opens an HTML report in headless Chromium and checks
// that it fits the window's width: a forged ARN of thousands of characters
// in an actor's heading, fifty long keys, addresses and user agents in its
// summary, and long values in its rows all wrap rather than push the page
// sideways; and that a forged value of thousands of characters in a row
// (a region, a user agent) makes no row taller than a screen.
func TestHTMLFitsWindow(t *testing.T) {
	ctx := browsertest.Start(t)
	long := "arn:aws:iam::111122223333:user/" + strings.Repeat("L", 3000)
	res := &scan.Result{}
	for i := range 60 {
		arn, region, agent := long, "us-east-1", strings.Repeat("agent/1.0 ", 40)+fmt.Sprint(i)
		if i%2 == 1 {
			arn = "arn:aws:iam::111122223333:user/alice"
		}
		if i%5 == 2 {
			region, agent = strings.Repeat("r", 3000), strings.Repeat("A", 5000)
		}
		res.Findings = append(res.Findings, scan.Finding{Type: "finding", TechniqueID: "T1619.A001", TechniqueName: "Cloud Storage Discovery",
			Outcome: "success", EventSource: "s3.amazonaws.com", EventName: "ListBuckets" + strings.Repeat("X", 200), AWSRegion: region,
			EventTime: fmt.Sprintf("2026-01-01T00:00:%02dZ", i),
			Actor: scan.Actor{Type: "IAMUser", ARN: arn, AccessKeyID: fmt.Sprintf("AKIA%s%04d", strings.Repeat("K", 300), i),
				SourceIP: fmt.Sprintf("2001:db8::%x%s", i, strings.Repeat(":ffff", 40)), UserAgent: agent},
			Rule:   scan.RuleRef{Title: "S3 Buckets Listed", File: "rules/" + strings.Repeat("r", 400) + ".yml"},
			Record: scan.RecordRef{File: "logs/" + strings.Repeat("f", 400) + ".json", Line: 1, Ordinal: int64(i + 1)}})
	}
	res.Summary.Findings = len(res.Findings)
	page := filepath.Join(t.TempDir(), "report.html")
	f, err := os.Create(page)
	if err != nil {
		t.Fatal(err)
	}
	if err := report.WriteHTML(f, res, tactics, report.Options{}); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate("file://"+page)); err != nil {
		t.Fatal(err)
	}
	widths, err := chromedp.Run(ctx, chromedp.Evaluate[[]int](`[document.documentElement.scrollWidth, document.documentElement.clientWidth]`))
	if err != nil {
		t.Fatal(err)
	}
	if scroll, client := widths[0], widths[1]; scroll > client {
		t.Errorf("the report is %d px wide in a window %d px wide: a long value does not wrap", scroll, client)
	}
	tallest, err := chromedp.Run(ctx, chromedp.Evaluate[int](`Math.ceil(Math.max(...[...document.querySelectorAll("tbody tr")].map(r => r.getBoundingClientRect().height)))`))
	if err != nil {
		t.Fatal(err)
	}
	if tallest > 500 {
		t.Errorf("a row of the report is %d px tall: a long value is not held in its box", tallest)
	}
}
