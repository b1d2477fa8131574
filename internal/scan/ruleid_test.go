package scan_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/ttcproject/ttc/internal/ruleset"
	"github.com/ttcproject/ttc/internal/scan"
)

// TestRulesSharingAnIDKeepTheirFindings checks that two rules are told
// apart by file when they carry no id, or the same one: each flags the
// record, and only the copy of the event delivered twice is dropped.
func TestRulesSharingAnIDKeepTheirFindings(t *testing.T) {
	c, _ := fixtures(t)
	rulesDir, logs := t.TempDir(), t.TempDir()
	rule := func(title, id string) string {
		s := "title: " + title + "\n"
		if id != "" {
			s += "id: " + id + "\n"
		}
		return s + `logsource: {product: aws, service: cloudtrail}
detection:
  sel: {eventName: ZzzNoSuchCall}
  condition: sel
level: low
`
	}
	files := map[string]string{
		"a.yml": rule("no id one", ""), "b.yml": rule("no id two", ""),
		"c.yml": rule("shared one", "5c0f8f7e-0000-4000-8000-000000000001"),
		"d.yml": rule("shared two", "5c0f8f7e-0000-4000-8000-000000000001"),
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(rulesDir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	record := `{"eventVersion":"1.08","eventID":"7d1a0f3e-1111-4222-8333-944455556666","eventTime":"2026-01-02T03:04:05Z",` +
		`"eventSource":"ec2.amazonaws.com","eventName":"ZzzNoSuchCall","awsRegion":"us-east-1","recipientAccountId":"111122223333",` +
		`"userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/alice","accountId":"111122223333"}}`
	// The same event in two files, as two trails deliver it.
	for _, name := range []string{"one.json", "two.json"} {
		if err := os.WriteFile(filepath.Join(logs, name), []byte(`{"Records":[`+record+`]}`), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	rs, err := ruleset.Load(c, []string{rulesDir})
	if err != nil {
		t.Fatalf("load rules: %v", err)
	}
	want := map[string]bool{"no id one": true, "no id two": true, "shared one": true, "shared two": true}
	check := func(t *testing.T, titles []string, dups int64) {
		t.Helper()
		got := map[string]int{}
		for _, title := range titles {
			got[title]++
		}
		for title := range want {
			if got[title] != 1 {
				t.Errorf("rule %q: %d findings, want 1 (all: %v)", title, got[title], got)
			}
		}
		if len(titles) != len(want) || dups != int64(len(want)) {
			t.Errorf("%d findings and %d duplicates, want %d and %d", len(titles), dups, len(want), len(want))
		}
	}
	t.Run("sorted", func(t *testing.T) {
		res, err := scan.New(c, rs, scan.Options{Workers: 2}).Scan(context.Background(), []string{logs})
		if err != nil {
			t.Fatal(err)
		}
		var titles []string
		if err := res.Each(func(f *scan.Finding) error { titles = append(titles, f.Rule.Title); return nil }); err != nil {
			t.Fatal(err)
		}
		check(t, titles, res.Summary.Duplicates)
	})
	t.Run("streamed", func(t *testing.T) {
		var mu sync.Mutex
		var out bytes.Buffer
		res, err := scan.New(c, rs, scan.Options{Workers: 2, EmitJSON: func(lines []byte) error {
			mu.Lock()
			defer mu.Unlock()
			out.Write(lines)
			return nil
		}}).Scan(context.Background(), []string{logs})
		if err != nil {
			t.Fatal(err)
		}
		var titles []string
		dec := json.NewDecoder(&out)
		for dec.More() {
			var f struct {
				Rule struct{ Title string } `json:"rule"`
			}
			if err := dec.Decode(&f); err != nil {
				t.Fatal(err)
			}
			titles = append(titles, f.Rule.Title)
		}
		check(t, titles, res.Summary.Duplicates)
	})
}

// TestWarnings checks that files read in full but shaped as no delivery is
// (a repeated container key; records in a digest folder) are listed with
// the reason, and counted, while their records are read like any others.
func TestWarnings(t *testing.T) {
	c, rs := fixtures(t)
	dir := t.TempDir()
	record := func(id string) string {
		return `{"eventVersion":"1.08","eventID":"` + id + `","eventTime":"2026-01-02T03:04:05Z","eventSource":"s3.amazonaws.com",` +
			`"eventName":"ListBuckets","awsRegion":"us-east-1","recipientAccountId":"111122223333"}`
	}
	files := map[string]string{
		"forged.json": `{"Records":[` + record("a1") + `],"Records":[` + record("a2") + `]}`,
		filepath.Join("AWSLogs", "111122223333", "CloudTrail-Digest", "us-east-1", "2026", "01", "02", "x.json"): `{"Records":[` + record("b1") + `]}`,
		"plain.json": `{"Records":[` + record("c1") + `]}`,
	}
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	res, err := scan.New(c, rs, scan.Options{Workers: 2}).Scan(context.Background(), []string{dir})
	if err != nil {
		t.Fatal(err)
	}
	if res.Summary.Read != 4 || res.Summary.Warnings != 2 || len(res.Warnings) != 2 {
		t.Fatalf("read %d, warnings %d (%d listed), want 4 records and 2 warnings", res.Summary.Read, res.Summary.Warnings, len(res.Warnings))
	}
	want := []struct{ file, reason string }{
		{"x.json", "a file in a CloudTrail-Digest folder holds 1 record, not a digest"},
		{"forged.json", "1 array after the first, all read here, but other tools read only one"},
	}
	for i, w := range want { // in file order: AWSLogs/… sorts before forged.json
		got := res.Warnings[i]
		if filepath.Base(got.File) != w.file || !bytes.Contains([]byte(got.Reason), []byte(w.reason)) {
			t.Errorf("warning %d: %s: %s, want %s: …%s…", i, got.File, got.Reason, w.file, w.reason)
		}
	}
}
