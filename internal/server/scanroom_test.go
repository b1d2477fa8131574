package server

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ttcproject/ttc/internal/catalog"
	"github.com/ttcproject/ttc/internal/scan"
)

// deletionLog is n S3 deletions by one caller, one every 7 seconds (under
// the catalog's burst of 50 in five minutes), but for 60 in one minute
// from deletion burstAt on, one record a line.
func deletionLog(n, burstAt int) []byte {
	var b bytes.Buffer
	at := time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		step := 7 * time.Second
		if i >= burstAt && i < burstAt+60 {
			step = time.Second
		}
		at = at.Add(step)
		fmt.Fprintf(&b, `{"eventVersion":"1.09","userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::111122223333:assumed-role/cleaner/job",`+
			`"accountId":"111122223333"},"eventTime":"%s","eventSource":"s3.amazonaws.com","eventName":"DeleteObject","awsRegion":"us-east-1",`+
			`"sourceIPAddress":"203.0.113.9","requestParameters":{"bucketName":"archive","key":"obj/%07d"},"eventID":"d%07d",`+
			`"readOnly":false,"eventType":"AwsApiCall","managementEvent":false,"recipientAccountId":"111122223333"}`+"\n",
			at.Format(time.RFC3339), i, i)
	}
	return b.Bytes()
}

// TestScanUploadPastCorrelationRoom: an upload whose records correlations
// count are more than a scan keeps of them whole (65,536) is counted in
// full, from what the scan spilled of them: the burst of deletions that
// comes after the room is full is found, as a scan of the same log in a
// file finds it, and no record is reported as not kept. Without a folder
// to spill in, the records past the room are reported as not kept.
func TestScanUploadPastCorrelationRoom(t *testing.T) {
	if testing.Short() {
		t.Skip("uploads 66,000 records")
	}
	c, err := catalog.Open()
	if err != nil {
		t.Fatal(err)
	}
	s := newServer(t, c, nil)
	log := deletionLog(66_000, 65_900)
	path := filepath.Join(t.TempDir(), "upload")
	if err := os.WriteFile(path, log, 0o644); err != nil {
		t.Fatal(err)
	}
	file, err := scan.New(c, s.ruleSet, scan.Options{Workers: 2}).Scan(context.Background(), []string{path})
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, f := range file.Findings {
		if f.Correlation != nil {
			js, err := f.MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			want = append(want, strings.ReplaceAll(string(js), path, "upload"))
		}
	}
	if len(want) == 0 || !strings.Contains(want[0], `"event_id":"d00659`) {
		t.Fatalf("the scan of the file found no burst of the last deletions: %s", want)
	}

	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	if _, err := zw.Write(log); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	upload := func() (scan.Summary, string) {
		rec := do(t, s.Handler(), http.MethodPost, "/api/v1/scan", bytes.NewReader(gz.Bytes()), "Content-Type", "application/gzip")
		var d struct {
			Summary  scan.Summary      `json:"summary"`
			Findings []json.RawMessage `json:"findings"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &d); err != nil || rec.Code != 200 {
			t.Fatalf("status %d, %v: %.300s", rec.Code, err, rec.Body)
		}
		var got []string
		for _, raw := range d.Findings {
			var b bytes.Buffer
			if err := json.Compact(&b, raw); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(b.String(), `"correlation":{`) {
				got = append(got, b.String())
			}
		}
		return d.Summary, strings.Join(got, "\n")
	}
	sum, got := upload()
	if got != strings.Join(want, "\n") {
		t.Errorf("correlation findings of the upload\n%s\nwant\n%s", got, strings.Join(want, "\n"))
	}
	if sum.CorrelationNotKept != 0 || sum.Warnings != 0 || sum.Read != 66_000 {
		t.Errorf("summary %+v, want 66,000 records read, none not kept, no warning", sum)
	}

	// Where the spill cannot be made, the records past the room are
	// counted as not kept, and the answer warns that a burst may be missed.
	t.Setenv("TMPDIR", filepath.Join(t.TempDir(), "missing"))
	defer func(n int) { spoolMem = n }(spoolMem)
	spoolMem = gz.Len() // the upload is held in memory
	if sum, _ := upload(); sum.CorrelationNotKept == 0 || sum.Warnings != 1 || sum.Read != 66_000 {
		t.Errorf("without a spill: summary %+v, want records not kept and a warning", sum)
	}
}
