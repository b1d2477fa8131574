package scan_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ttcproject/ttc/internal/catalog"
	"github.com/ttcproject/ttc/internal/ruleset"
	"github.com/ttcproject/ttc/internal/scan"
)

var (
	loadOnce sync.Once
	cat      *catalog.Catalog
	rules    *ruleset.Set
	loadErr  error
)

// fixtures loads the embedded catalog and its rules once for all tests.
func fixtures(t testing.TB) (*catalog.Catalog, *ruleset.Set) {
	t.Helper()
	loadOnce.Do(func() {
		cat, loadErr = catalog.Open()
		if loadErr == nil {
			rules, loadErr = ruleset.Load(cat, nil)
		}
	})
	if loadErr != nil {
		t.Fatalf("load catalog and rules: %v", loadErr)
	}
	return cat, rules
}

func TestEmptyInputSetAside(t *testing.T) {
	c, rs := fixtures(t)
	dir := t.TempDir()
	files := map[string]string{"empty.json": "", "blank.json": " \n\t\n", "no-records.json": `{"Records":[]}`}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var gz bytes.Buffer // a gzip stream of nothing
	zw := gzip.NewWriter(&gz)
	zw.Close()
	if err := os.WriteFile(filepath.Join(dir, "empty.json.gz"), gz.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	// A Lambda subscription event whose payload is a gzip stream of nothing.
	lambda := `{"awslogs":{"data":"` + base64.StdEncoding.EncodeToString(gz.Bytes()) + `"}}`
	if err := os.WriteFile(filepath.Join(dir, "lambda.json"), []byte(lambda), 0o644); err != nil {
		t.Fatal(err)
	}
	s := scan.New(c, rs, scan.Options{Workers: 1, Stdin: strings.NewReader("")})
	res, err := s.Scan(context.Background(), []string{filepath.Join(dir, "empty.json"), filepath.Join(dir, "blank.json"),
		filepath.Join(dir, "empty.json.gz"), filepath.Join(dir, "no-records.json"), "-", filepath.Join(dir, "lambda.json")})
	if err != nil {
		t.Fatal(err)
	}
	// A log of no records is a log; the others held nothing to read.
	if sum := res.Summary; sum.Files != 1 || sum.FilesSkipped != 5 || sum.FilesEmpty != 5 || sum.FilesFailed != 0 || sum.Read != 0 {
		t.Errorf("files %d skipped %d (%d empty) failed %d read %d, want 1, 5 (5), 0, 0", sum.Files, sum.FilesSkipped, sum.FilesEmpty, sum.FilesFailed, sum.Read)
	}
	reasons := map[string]string{}
	for _, r := range res.Skipped {
		reasons[filepath.Base(r.File)] = r.Reason
	}
	want := map[string]string{"empty.json": "empty input: nothing to read", "blank.json": "blank input: nothing but white space",
		"empty.json.gz": "empty input: nothing to read", "-": "empty input: nothing to read",
		"lambda.json": "Lambda subscription event whose payload (awslogs.data) holds nothing"}
	for name, reason := range want {
		if reasons[name] != reason {
			t.Errorf("%s set aside with %q, want %q", name, reasons[name], reason)
		}
	}
}

func TestScanAccounting(t *testing.T) {
	c, rs := fixtures(t)
	s := scan.New(c, rs, scan.Options{Workers: 2})
	res, err := s.Scan(context.Background(), []string{"testdata/logs", "testdata/truncated.json.gz", "testdata/no-such-file.json"})
	if err != nil {
		t.Fatal(err)
	}
	sum := res.Summary
	if sum.Read != sum.Matched+sum.Unmatched+sum.Rejected {
		t.Errorf("read %d != matched %d + unmatched %d + rejected %d", sum.Read, sum.Matched, sum.Unmatched, sum.Rejected)
	}
	// Two log files read in full, the digest set aside, the truncated file and
	// the missing one counted as failed.
	if sum.Files != 2 || sum.FilesSkipped != 1 || sum.FilesFailed != 2 {
		t.Errorf("files %d skipped %d failed %d, want 2, 1, 2", sum.Files, sum.FilesSkipped, sum.FilesFailed)
	}
	if sum.Rejected != 1 {
		t.Errorf("rejected %d records, want 1 (the string in the Records array)", sum.Rejected)
	}
	var reasons []string
	for _, r := range res.Rejections {
		reasons = append(reasons, r.File+": "+r.Reason)
		if !r.Whole && (r.Line == 0 || r.Ordinal == 0) {
			t.Errorf("rejection without a position: %+v", r)
		}
	}
	joined := strings.Join(reasons, "\n")
	for _, want := range []string{"a1b2c3d4e5f6g7h8.json.gz", "truncated.json.gz", "no-such-file.json"} {
		if !strings.Contains(joined, want) {
			t.Errorf("no rejection names %s:\n%s", want, joined)
		}
	}
}

func TestScanFindings(t *testing.T) {
	c, rs := fixtures(t)
	s := scan.New(c, rs, scan.Options{Workers: 1, Techniques: []string{"T1486"}})
	res, err := s.Scan(context.Background(), []string{"testdata/logs"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range res.Findings {
		got = append(got, f.TechniqueID+" "+f.EventName+" "+f.Outcome+" "+f.EventID)
		if f.Type != "finding" || f.Rule.ID == "" || f.Record.File == "" || f.Record.Ordinal == 0 {
			t.Errorf("finding lacks type, rule or record position: %+v", f)
		}
	}
	want := []string{
		"T1486.A001 CopyObject success 3d4b1c52-8f7e-4e0a-9d6c-0a1b2c3d4e01",
		"T1486.A001 PutObject attempt 3d4b1c52-8f7e-4e0a-9d6c-0a1b2c3d4e02",
		"T1486.A001 PutObject attempt 3d4b1c52-8f7e-4e0a-9d6c-0a1b2c3d4e99",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if res.Summary.Duplicates < 1 {
		t.Errorf("the CopyObject delivered twice was not reported as a duplicate")
	}
	first := res.Findings[0]
	if first.Actor.AccessKeyID != "AKIAEXAMPLEKEY000001" || first.Actor.Type != "IAMUser" || first.AWSRegion != "us-east-1" {
		t.Errorf("actor or region not carried: %+v", first.Actor)
	}
}

func TestScanTimeFilter(t *testing.T) {
	c, rs := fixtures(t)
	opts := scan.Options{Techniques: []string{"T1486.A001"}}
	opts.Since = mustTime(t, "2026-03-14T02:18:00Z")
	res, err := scan.New(c, rs, opts).Scan(context.Background(), []string{"testdata/logs"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Findings) != 2 || res.Summary.Filtered < 1 {
		t.Errorf("since filter kept %d findings (filtered %d), want the 2 attempts", len(res.Findings), res.Summary.Filtered)
	}
}

func TestScanReader(t *testing.T) {
	c, rs := fixtures(t)
	f, err := os.Open(filepath.Join("testdata", "logs", "AWSLogs", "111122223333", "CloudTrail", "us-east-1", "2026", "03", "14",
		"111122223333_CloudTrail_us-east-1_20260314T0225Z_h8g7f6e5d4c3b2a1.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	res, err := scan.New(c, rs, scan.Options{}).ScanReader(context.Background(), "upload.json", f)
	if err != nil {
		t.Fatal(err)
	}
	if res.Summary.Read != 3 || res.Summary.Matched != 3 {
		t.Errorf("read %d matched %d, want 3 and 3", res.Summary.Read, res.Summary.Matched)
	}
	if len(res.Findings) == 0 || res.Findings[0].Record.File != "upload.json" {
		t.Errorf("findings do not name the upload: %+v", res.Findings)
	}
}

func TestScanInputsOnce(t *testing.T) {
	c, rs := fixtures(t)
	once, err := scan.New(c, rs, scan.Options{}).Scan(context.Background(), []string{"testdata/logs"})
	if err != nil {
		t.Fatal(err)
	}
	twice, err := scan.New(c, rs, scan.Options{}).Scan(context.Background(), []string{"testdata/logs", "testdata/logs/", "./testdata/logs"})
	if err != nil {
		t.Fatal(err)
	}
	if once.Summary.Read != twice.Summary.Read || once.Summary.Files != twice.Summary.Files {
		t.Errorf("naming the folder three times read %d records in %d files, want %d in %d",
			twice.Summary.Read, twice.Summary.Files, once.Summary.Read, once.Summary.Files)
	}
	// A file named by a link to it as well is read once, and the link is
	// set aside with the reason.
	log := filepath.Join("testdata", "logs", "AWSLogs", "111122223333", "CloudTrail", "us-east-1", "2026", "03", "14",
		"111122223333_CloudTrail_us-east-1_20260314T0225Z_h8g7f6e5d4c3b2a1.json")
	abs, err := filepath.Abs(log)
	if err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(t.TempDir(), "link.json")
	if err := os.Symlink(abs, link); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}
	res, err := scan.New(c, rs, scan.Options{}).Scan(context.Background(), []string{log, link})
	if err != nil {
		t.Fatal(err)
	}
	if res.Summary.Files != 1 || res.Summary.Read != 3 || len(res.Skipped) != 1 || !strings.Contains(res.Skipped[0].Reason, "the same file as") {
		t.Errorf("a file and a link to it: %d files, %d records, skipped %+v; want 1, 3 and the link set aside", res.Summary.Files, res.Summary.Read, res.Skipped)
	}
}

// flatSample is a catalog sample that matches a rule (an SSE-C copy), on
// one line, for tests that change one field of a real record.
func flatSample(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile("../../catalog/techniques/T1486.A001/samples/match/copyobject_in_place_sse_c.json")
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(strings.Fields(string(data)), " ")
}

// TestScanEventNameNotText: a record that holds its event's source or
// name as something other than text that is not empty names no event, and
// is rejected with that reason, whether or not rules would match the
// rest. In every output mode, whether or not the header is read from the
// record's own text.
func TestScanEventNameNotText(t *testing.T) {
	c, rs := fixtures(t)
	flat := flatSample(t)
	cases := map[string]string{
		"eventName a list":      strings.Replace(flat, `"eventName": "CopyObject"`, `"eventName": ["CopyObject"]`, 1),
		"eventName a number":    strings.Replace(flat, `"eventName": "CopyObject"`, `"eventName": 5`, 1),
		"eventName null":        strings.Replace(flat, `"eventName": "CopyObject"`, `"eventName": null`, 1),
		"eventName empty":       strings.Replace(flat, `"eventName": "CopyObject"`, `"eventName": ""`, 1),
		"eventSource an object": strings.Replace(flat, `"eventSource": "s3.amazonaws.com"`, `"eventSource": {"x": "s3.amazonaws.com"}`, 1),
		"eventSource true":      strings.Replace(flat, `"eventSource": "s3.amazonaws.com"`, `"eventSource": true`, 1),
	}
	for key, rec := range cases {
		if rec == flat {
			t.Fatalf("%s: the sample was not changed", key)
		}
		for _, streamed := range []bool{false, true} {
			opts := scan.Options{}
			if streamed {
				opts.EmitJSON = func([]byte) error { return nil }
			}
			res, err := scan.New(c, rs, opts).ScanReader(context.Background(), "names.jsonl", strings.NewReader(rec+"\n"+flat))
			if err != nil {
				t.Fatal(err)
			}
			if res.Summary.Read != 2 || res.Summary.Rejected != 1 || res.Summary.Matched != 1 || len(res.Rejections) != 1 ||
				res.Rejections[0].Reason != notCloudTrail {
				t.Errorf("%s (streamed %v): summary %+v, rejections %+v", key, streamed, res.Summary, res.Rejections)
			}
		}
	}
}

const notCloudTrail = "not a CloudTrail record: its eventSource or eventName is missing, empty or not a string"

// TestScanNotCloudTrail: a JSON object without eventSource or eventName is
// no CloudTrail record, whatever else it holds (an index line of the user's
// own, say): it is rejected with that reason, not counted as unmatched.
func TestScanNotCloudTrail(t *testing.T) {
	c, rs := fixtures(t)
	flat := flatSample(t)
	lines := []string{
		flat,
		`{"eventTime": "2026-03-14T02:17:45Z", "eventID": "x1", "eventName": "CopyObject"}`,
		`{"eventTime": "2026-03-14T02:17:45Z", "eventID": "x2", "eventSource": "s3.amazonaws.com"}`,
		`{"file": "a.json.gz", "count": 12}`,
	}
	res, err := scan.New(c, rs, scan.Options{}).ScanReader(context.Background(), "index.jsonl", strings.NewReader(strings.Join(lines, "\n")))
	if err != nil {
		t.Fatal(err)
	}
	if res.Summary.Read != 4 || res.Summary.Matched != 1 || res.Summary.Unmatched != 0 || res.Summary.Rejected != 3 {
		t.Fatalf("summary %+v; want 4 read, 1 matched, 3 rejected", res.Summary)
	}
	// The reader rejects an object without any CloudTrail field itself.
	want := []string{notCloudTrail, notCloudTrail, "record is an object without CloudTrail record fields"}
	for i, r := range res.Rejections {
		if i >= len(want) || r.Reason != want[i] || r.Ordinal != int64(i+2) {
			t.Errorf("rejection %+v", r)
		}
	}
}

// TestScanInsightsNotRejected: an Insights record names its event inside
// insightDetails, not at its top level, and is read, not rejected as no
// CloudTrail record.
func TestScanInsightsNotRejected(t *testing.T) {
	c, rs := fixtures(t)
	res, err := scan.New(c, rs, scan.Options{}).Scan(context.Background(), []string{"../cloudtrail/testdata/insight.json"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Summary.Read == 0 || res.Summary.Insights != res.Summary.Read || res.Summary.Rejected != 0 {
		t.Errorf("summary %+v, rejections %+v; want every record read as an Insights record, none rejected", res.Summary, res.Rejections)
	}
}

// TestScanBadEventTime: a record that matches rules but carries no usable
// eventTime is rejected with its reason, not reported out of place in time.
func TestScanBadEventTime(t *testing.T) {
	c, rs := fixtures(t)
	flat := flatSample(t)
	var lines []string
	// Times past what a scan counts in nanoseconds (1678 to 2261) cannot be
	// placed in a correlation's window either.
	bads := []string{`"garbage"`, `12345`, `""`, `"2026-13-45T99:99:99Z"`, `"1600-01-01T00:00:00Z"`, `"0001-01-01T00:00:00Z"`, `"2300-01-01T00:00:00Z"`}
	for _, bad := range bads {
		rec := strings.Replace(flat, `"eventTime": "2026-03-14T02:17:45Z"`, `"eventTime": `+bad, 1)
		lines = append(lines, rec)
	}
	res, err := scan.New(c, rs, scan.Options{}).ScanReader(context.Background(), "bad-time.jsonl", strings.NewReader(strings.Join(lines, "\n")))
	if err != nil {
		t.Fatal(err)
	}
	n := int64(len(bads))
	if res.Summary.Read != n || res.Summary.Rejected != n || len(res.Findings) != 0 {
		t.Fatalf("read %d, rejected %d, findings %d; want %d, %d, 0", res.Summary.Read, res.Summary.Rejected, len(res.Findings), n, n)
	}
	if !strings.Contains(res.Rejections[0].Reason, "is not a timestamp") {
		t.Errorf("reason %q", res.Rejections[0].Reason)
	}
	// Year 1 is a time too, not text that is none.
	for _, r := range res.Rejections[len(bads)-3:] {
		if !strings.Contains(r.Reason, "outside the years 1678 to 2261") {
			t.Errorf("reason %q", r.Reason)
		}
	}
}

// TestListsCapped checks that the lists of rejections and skipped files stop
// at scan.MaxRejections, keep the first ones in file and record order
// whatever worker read them, and count the rest in Summary.Unlisted.
func TestListsCapped(t *testing.T) {
	c, rs := fixtures(t)
	dir := t.TempDir()
	// Three files of 600 rejected records each (strings, not objects), and
	// 1,100 empty files.
	var b strings.Builder
	b.WriteString(`{"Records":[`)
	for i := range 600 {
		if i > 0 {
			b.WriteString(",\n")
		}
		b.WriteString(`"not a record"`)
	}
	b.WriteString("]}")
	for _, name := range []string{"a.json", "b.json", "c.json"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var empties []string
	for i := range 1100 {
		p := filepath.Join(dir, fmt.Sprintf("e%04d.json", i))
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		empties = append(empties, p)
	}
	// Named in reverse, so that no worker reads them in file order.
	slices.Reverse(empties)
	inputs := append([]string{filepath.Join(dir, "c.json"), filepath.Join(dir, "b.json"), filepath.Join(dir, "a.json")}, empties...)
	res, err := scan.New(c, rs, scan.Options{Workers: 2}).Scan(context.Background(), inputs)
	if err != nil {
		t.Fatal(err)
	}
	sum := res.Summary
	if sum.Rejected != 1800 || sum.FilesSkipped != 1100 {
		t.Fatalf("rejected %d, skipped %d; want 1800 and 1100", sum.Rejected, sum.FilesSkipped)
	}
	if len(res.Rejections) != scan.MaxRejections || len(res.Skipped) != scan.MaxRejections {
		t.Errorf("%d rejections and %d skipped files listed, want %d each", len(res.Rejections), len(res.Skipped), scan.MaxRejections)
	}
	if want := (scan.Unlisted{Rejections: 800, Skipped: 100}); sum.Unlisted != want {
		t.Errorf("unlisted %+v, want %+v", sum.Unlisted, want)
	}
	// The first thousand: all of a.json, then b.json's first 400.
	if n := len(res.Rejections); n > 0 {
		first, last := res.Rejections[0], res.Rejections[n-1]
		if filepath.Base(first.File) != "a.json" || first.Ordinal != 1 || filepath.Base(last.File) != "b.json" || last.Ordinal != 400 {
			t.Errorf("listed rejections run from %s #%d to %s #%d, want a.json #1 to b.json #400",
				filepath.Base(first.File), first.Ordinal, filepath.Base(last.File), last.Ordinal)
		}
	}
	if n := len(res.Skipped); n > 0 && filepath.Base(res.Skipped[n-1].File) != "e0999.json" {
		t.Errorf("the last skipped file listed is %s, want e0999.json", filepath.Base(res.Skipped[n-1].File))
	}
}

// TestProgressReadAll checks that Progress says when every input has been
// read, with the time reading took, for the line drawn while a scan sorts
// and writes its findings.
func TestProgressReadAll(t *testing.T) {
	c, rs := fixtures(t)
	s := scan.New(c, rs, scan.Options{Workers: 1})
	if _, err := s.Scan(context.Background(), []string{"testdata/logs"}); err != nil {
		t.Fatal(err)
	}
	p := s.Progress()
	if !p.ReadAll || p.Elapsed <= 0 || p.Records == 0 {
		t.Fatalf("after the scan: %+v; want ReadAll with the time reading took", p)
	}
	time.Sleep(20 * time.Millisecond)
	if again := s.Progress(); again.Elapsed != p.Elapsed {
		t.Errorf("the time reading took moved from %v to %v after the scan", p.Elapsed, again.Elapsed)
	}
}

// TestScanLinksAndNames checks the ways one file can be reached twice, and
// the ways two files can look alike: two links into a hidden folder lead
// to one file, read once; a file named "-" is not standard input; a path
// through a link and ".." is not the path it cleans to.
func TestScanLinksAndNames(t *testing.T) {
	c, rs := fixtures(t)
	rec := func(id string) []byte {
		return []byte(`{"Records":[{"eventVersion":"1.10","eventTime":"2026-03-14T02:02:31Z","eventSource":"cloudtrail.amazonaws.com",` +
			`"eventName":"StopLogging","eventID":"` + id + `","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/a"}}]}`)
	}
	dir := t.TempDir()
	mk := func(p string, data []byte) {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	walked := filepath.Join(dir, "walked")
	mk(filepath.Join(walked, ".hid", "h.json"), rec("h"))
	for _, l := range []string{"l1.json", "l2.json"} {
		if err := os.Symlink(filepath.Join(".hid", "h.json"), filepath.Join(walked, l)); err != nil {
			t.Skipf("no symbolic links here: %v", err)
		}
	}
	res, err := scan.New(c, rs, scan.Options{Workers: 2}).Scan(context.Background(), []string{walked})
	if err != nil {
		t.Fatal(err)
	}
	// Set aside: the hidden folder, and the second link to the file read.
	if res.Summary.Read != 1 || res.Summary.FilesSkipped != 2 {
		t.Errorf("two links to a hidden file: read %d, skipped %d; want 1 and 2", res.Summary.Read, res.Summary.FilesSkipped)
	}

	// A file named "-", named as ./-, beside standard input.
	t.Chdir(dir)
	mk("-", rec("dash"))
	res, err = scan.New(c, rs, scan.Options{Workers: 1, Stdin: bytes.NewReader(rec("stdin"))}).Scan(context.Background(), []string{"./-", "-"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Summary.Files != 2 || res.Summary.Read != 2 {
		t.Errorf("./- and -: %d files, %d records; want both read", res.Summary.Files, res.Summary.Read)
	}

	// lnk/../f.json, with lnk leading to real/deep, is real/f.json.
	mk(filepath.Join(dir, "f.json"), rec("top"))
	mk(filepath.Join(dir, "real", "f.json"), rec("real"))
	if err := os.MkdirAll(filepath.Join(dir, "real", "deep"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join("real", "deep"), filepath.Join(dir, "lnk")); err != nil {
		t.Fatal(err)
	}
	res, err = scan.New(c, rs, scan.Options{Workers: 1}).Scan(context.Background(), []string{"f.json", "lnk/../f.json"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Summary.Files != 2 || res.Summary.Read != 2 {
		t.Errorf("f.json and lnk/../f.json: %d files, %d records; want two files read", res.Summary.Files, res.Summary.Read)
	}
}

// TestCopiesWithOtherTargetsKept: two records of one event ID that agree
// on every header field but name another object in their request are two
// events, each reported with its own target, streamed or kept: the target
// is part of what a finding reports, and a forged copy could otherwise
// hide the real one.
func TestCopiesWithOtherTargetsKept(t *testing.T) {
	c, rs := fixtures(t)
	flat := flatSample(t)
	other := strings.Replace(flat, `"key": "`, `"key": "other/`, 1)
	if other == flat {
		t.Fatal("the sample was not changed")
	}
	for _, streamed := range []bool{false, true} {
		var lines []string
		opts := scan.Options{}
		if streamed {
			opts.EmitJSON = func(b []byte) error { lines = append(lines, string(b)); return nil }
		}
		res, err := scan.New(c, rs, opts).ScanReader(context.Background(), "copies.jsonl", strings.NewReader(flat+"\n"+other+"\n"+flat))
		if err != nil {
			t.Fatal(err)
		}
		out := strings.Join(lines, "")
		for _, f := range res.Findings {
			b, _ := f.MarshalJSON()
			out += string(b) + "\n"
		}
		if res.Summary.Duplicates == 0 || strings.Count(out, `"value":"other/`) == 0 || strings.Count(out, `"field":"requestParameters.key"`) != 2*strings.Count(out, `"value":"other/`) {
			t.Errorf("streamed %v: want the copy naming another key kept beside one of the two same copies: %+v\n%s", streamed, res.Summary, out)
		}
	}
}

// TestScanStreams checks that several streams are one scan: the counts
// add up over them, a rejection names the stream it is in, a finding of
// one event seen in two streams is reported once (kept or spilled), and
// the streams share MaxTotalInputBytes.
func TestScanStreams(t *testing.T) {
	c, rs := fixtures(t)
	flat := flatSample(t)
	quiet := `{"eventVersion":"1.10","eventTime":"2026-05-11T04:00:00Z","eventSource":"s3.amazonaws.com","eventName":"ListBuckets","eventID":"q"}`
	streams := func() []scan.Stream {
		return []scan.Stream{
			{Name: "a.jsonl", R: strings.NewReader(flat + "\n" + quiet)},
			{Name: "b.jsonl", R: strings.NewReader(quiet + "\n{\"eventTime\":1,\n" + flat)},
		}
	}
	for _, opts := range []scan.Options{{}, {SpillAfter: 1}} {
		res, err := scan.New(c, rs, opts).ScanStreams(context.Background(), streams())
		if err != nil {
			t.Fatal(err)
		}
		defer res.Close()
		sum := res.Summary
		if sum.Files != 2 || sum.Read != 5 || sum.Matched != 2 || sum.Unmatched != 2 || sum.Rejected != 1 ||
			sum.Read != sum.Matched+sum.Unmatched+sum.Rejected {
			t.Errorf("spill after %d: summary %+v; want 2 files, 5 records: 2 matched, 2 unmatched, 1 rejected", opts.SpillAfter, sum)
		}
		if len(res.Rejections) != 1 || res.Rejections[0].File != "b.jsonl" || res.Rejections[0].Ordinal != 2 {
			t.Errorf("spill after %d: rejections %+v; want record 2 of b.jsonl", opts.SpillAfter, res.Rejections)
		}
		var files []string
		_ = res.Each(func(f *scan.Finding) error { files = append(files, f.Record.File); return nil })
		if n := int64(len(files)); n == 0 || sum.Duplicates != n || slices.Contains(files, "b.jsonl") {
			t.Errorf("spill after %d: findings in %q, %d duplicates; want each once, from a.jsonl", opts.SpillAfter, files, sum.Duplicates)
		}
	}
	// Bounded together, the first stream takes all there is: the second
	// gives nothing, and says why.
	res, err := scan.New(c, rs, scan.Options{MaxTotalInputBytes: int64(len(flat) + 1 + len(quiet))}).ScanStreams(context.Background(), streams())
	if err != nil {
		t.Fatal(err)
	}
	if s := res.Summary; s.Read != 2 || s.Files != 1 || s.FilesFailed != 1 || len(res.Rejections) != 1 || res.Rejections[0].File != "b.jsonl" ||
		!strings.Contains(res.Rejections[0].Reason, "input too large") {
		t.Errorf("bounded together: summary %+v, rejections %+v; want b.jsonl cut at its start", s, res.Rejections)
	}
}
