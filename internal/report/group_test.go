package report_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ttcproject/ttc/internal/catalog/catalogtest"
	"github.com/ttcproject/ttc/internal/golden"
	"github.com/ttcproject/ttc/internal/report"
	"github.com/ttcproject/ttc/internal/scan"
	"github.com/ttcproject/ttc/internal/view"
)

// TestGroupedReportsManyActors checks the reports grouped by actor on a
// scan past the limits that keep them in flat memory: more actors than a
// spilled scan numbers in memory (so it regroups on disk), and one actor
// with more findings than a group holds in memory (so its group is read
// back from disk). The table, JSON and Markdown must write what they write
// from the same scan held in memory, and count each actor once. (The HTML
// report reads the same groups; its golden file checks it, and it takes
// seconds to write this many.)
func TestGroupedReportsManyActors(t *testing.T) {
	if testing.Short() {
		t.Skip("scans 80,000 records")
	}
	c, rs := catalogtest.Rules(t)
	const total, every = 85_000, 5 // every fifth record is the busy actor's
	const busy, many = total / every, total - total/every
	var b strings.Builder
	b.WriteString(`{"Records":[`)
	listing := func(i int, user string) {
		if i > 0 {
			b.WriteByte(',')
		}
		// An S3 bucket listing with a user's long-term key: T1619.A001.
		fmt.Fprintf(&b, `{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","principalId":"AIDA%016d","arn":"arn:aws:iam::111122223333:user/%s",`+
			`"accountId":"111122223333","accessKeyId":"AKIA%016d","userName":"%s"},"eventTime":"2026-01-0%dT%02d:%02d:%02dZ",`+
			`"eventSource":"s3.amazonaws.com","eventName":"ListBuckets","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.%d",`+
			`"userAgent":"aws-cli/2.17.4","requestID":"r%d","eventID":"e%d","readOnly":true,"eventType":"AwsApiCall","recipientAccountId":"111122223333"}`,
			i, user, i%7, user, 1+i%3, i/3600%24, i/60%60, i%60, i%250, i, i)
	}
	for i := range total {
		user := fmt.Sprintf("u%06d", i)
		if i%every == 0 {
			user = "busy" // spread through the others, in time and in the file
		}
		listing(i, user)
	}
	b.WriteString(`]}`)
	logs := filepath.Join(t.TempDir(), "many.json")
	if err := os.WriteFile(logs, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	scanWith := func(spillAfter int) *scan.Result {
		res, err := scan.New(c, rs, scan.Options{Workers: 2, SpillAfter: spillAfter, SpillDir: t.TempDir()}).Scan(context.Background(), []string{logs})
		if err != nil {
			t.Fatal(err)
		}
		res.Summary.Duration = 0
		return res
	}
	start := time.Now()
	held, spilled := scanWith(0), scanWith(5000)
	t.Logf("scans: %v", time.Since(start))
	defer spilled.Close()
	if held.Spilled() || !spilled.Spilled() || held.Summary.Findings != many+busy {
		t.Fatalf("held spilled %v, spilled spilled %v, %d findings; want %d", held.Spilled(), spilled.Spilled(), held.Summary.Findings, many+busy)
	}
	opts := report.Options{View: view.Options{Width: 160}, GroupByActor: true}
	writers := []struct {
		name  string
		write func(w io.Writer, res *scan.Result) error
	}{
		{"table", func(w io.Writer, res *scan.Result) error { return report.WriteTable(w, res, tactics, opts) }},
		{"json", func(w io.Writer, res *scan.Result) error { return report.WriteJSON(w, res, opts) }},
		{"markdown", func(w io.Writer, res *scan.Result) error { return report.WriteMarkdown(w, res, tactics, opts) }},
	}
	for _, wr := range writers {
		start := time.Now()
		// The reports run to hundreds of megabytes: compared by digest,
		// and the table, the smallest, in full.
		var table bytes.Buffer
		digest := func(res *scan.Result) []byte {
			h := sha256.New()
			w := io.Writer(h)
			if wr.name == "table" {
				table.Reset()
				w = io.MultiWriter(h, &table)
			}
			if err := wr.write(w, res); err != nil {
				t.Fatal(err)
			}
			return h.Sum(nil)
		}
		want := digest(held)
		wantTable := table.String()
		got := digest(spilled)
		t.Logf("%s: %v", wr.name, time.Since(start))
		if !bytes.Equal(got, want) {
			t.Errorf("%s: the spilled scan's report differs", wr.name)
			if wr.name == "table" {
				t.Log(golden.FirstDiff(table.String(), wantTable))
			}
		}
		if wr.name == "table" {
			out := table.String()
			if n := strings.Count(out, "\narn:aws:iam::111122223333:user/"); n != many+1 {
				t.Errorf("table: %d actor headings, want %d", n, many+1)
			}
			// The heading may go on a second line at the table's width.
			if !regexp.MustCompile(fmt.Sprintf(`arn:aws:iam::111122223333:user/busy\s+IAMUser, %d findings`, busy)).MatchString(out) {
				t.Error("table: the busy actor's heading does not count its findings")
			}
			// Past 65,536 actors the count is an estimate, marked ≈.
			m := regexp.MustCompile(fmt.Sprintf(`T1619\.A001 +TA0007 +%d +0 +≈(\d+) `, many+busy)).FindStringSubmatch(out)
			if m == nil {
				t.Errorf("table: the technique row does not count %d findings of about %d actors:\n%.600s", many+busy, many+1, out)
			} else if n, _ := strconv.Atoi(m[1]); math.Abs(float64(n-(many+1))) > 0.03*float64(many+1) {
				t.Errorf("table: %d actors estimated, want %d within 3%%", n, many+1)
			}
		}
	}
}
