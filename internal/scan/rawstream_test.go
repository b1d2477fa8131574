package scan_test

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ttcproject/ttc/internal/corpus"
	"github.com/ttcproject/ttc/internal/ruleset"
	"github.com/ttcproject/ttc/internal/scan"
)

// hostileRecords are records whose reported fields take every path of the
// finding encoder: escapes, invalid UTF-8, HTML characters, line
// separators, nulls, differently cased keys, fields of another type than
// CloudTrail writes. Those that repeat a key are rejected by the reader
// and so never reach the encoder; they are here for the accounting.
var hostileRecords = []string{
	`{"eventSource":"s3.amazonaws.com","eventVersion":"1.11","eventTime":"2026-01-05T00:01:02Z","eventID":"e1","eventName":"GetObject","userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role/r/s","sessionContext":{"sessionIssuer":{"type":"Role","arn":"arn:aws:iam::1:role/r"}}},"readOnly":true,"recipientAccountId":"111122223333"}`,
	`{"eventSource":"s3.amazonaws.com","eventName":"GetObject","eventTime":"2026-01-05T00:01:03Z","eventID":"e2","userAgent":"a\u00e9b\\c\/d","errorCode":"AccessDenied","errorMessage":"not \"allowed\" <b>&amp;</b>","readOnly":false}`,
	"{\"eventSource\":\"s3.amazonaws.com\",\"eventTime\":\"2026-01-05T00:01:04Z\",\"eventID\":\"e3\",\"userAgent\":\"bad \xff\xfe utf8\",\"sourceIPAddress\":\"line\u2028sep\",\"eventName\":\"日本\"}",
	`{"eventSource":"s3.amazonaws.com","eventTime":"2026-01-05T00:01:05Z","eventID":"e4","eventName":"A","eventName":null,"readOnly":true,"readOnly":null,"userIdentity":null}`,
	`{"eventSource":"s3.amazonaws.com","eventName":"GetObject","eventTime":"2026-01-05T00:01:06Z","eventID":"e5","userIdentity":{"type":null,"sessionContext":null},"userIdentity":{"arn":"x","sessionContext":{"sessionIssuer":null}}}`,
	`{"eventSource":"s3.amazonaws.com","eventName":"GetObject","eventTime":"2026-01-05T00:01:07Z","EVENTID":"e6","EventSource":"s","USERIDENTITY":{"ARN":"x"},"errorCode":"Success"}`,
	`{"eventSource":"s3.amazonaws.com","eventName":"GetObject","eventTime":"2026-01-05T00:01:08Z","eventID":"e7","errorCode":403,"userAgent":"u"}`,
	`{"eventSource":"s3.amazonaws.com","eventName":"GetObject","eventTime":"2026-01-05T00:01:09Z","eventID":"e8","userIdentity":"root"}`,
	`{"eventSource":"s3.amazonaws.com","eventTime":"2026-01-05T00:01:10Z","event\u0049D":"e9","eventName":"A"}`,
	`{"eventSource":"s3.amazonaws.com","eventName":"GetObject","eventTime":"2026-01-05T00:01:11Z","eventID":"e10","recipientAccountId":"\u0031","errorCode":"","userIdentity":{"userName":"\ud83d\ude00","accessKeyId":"\ud800"}}`,
	`{"eventSource":"s3.amazonaws.com","eventTime":"2026-01-05T00:01:12Z","eventID":"","eventName":"NoID"}`,
	// Fields longer than a finding quotes: plain, and with a character and
	// an escape across the cut.
	`{"eventSource":"s3.amazonaws.com","eventName":"GetObject","eventTime":"2026-01-05T00:01:13Z","eventID":"e11","userAgent":"` + strings.Repeat("a", 9000) + `","errorMessage":"` +
		strings.Repeat("b", 8191) + `é\n` + strings.Repeat("c", 100) + `"}`,
	// Another record under the first one's event ID: not a copy of it.
	`{"eventSource":"s3.amazonaws.com","eventVersion":"1.11","eventTime":"2026-01-05T01:00:00Z","eventID":"e1","eventName":"DeleteTrail","readOnly":false,"recipientAccountId":"111122223333"}`,
}

// hostileFile is hostileRecords with the first record delivered again at
// the end: that copy's finding is a duplicate.
func hostileFile() string {
	return strings.Join(append(hostileRecords, hostileRecords[0]), "\n") + "\n"
}

// TestStreamedLinesMatchFindings writes findings both ways, streamed from
// the records' text and from the findings a scan keeps, and wants the same
// lines, on hostile records and on generated logs.
func TestStreamedLinesMatchFindings(t *testing.T) {
	c, _ := fixtures(t)
	rs, err := ruleset.Load(c, []string{filepath.Join("testdata", "anyrule")})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "hostile.json"), []byte(hostileFile()), 0o644); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		f := corpus.LogFile(corpus.Options{}, i)
		var gz bytes.Buffer
		zw := gzip.NewWriter(&gz)
		zw.Write(f.Data)
		zw.Close()
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f.Path)), gz.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	kept, res, streamed, want := bothWays(t, c, rs, []string{dir})
	slices.Sort(streamed)
	slices.Sort(want)
	if len(want) < 1000 {
		t.Fatalf("only %d findings: the test rule should flag every record", len(want))
	}
	if len(streamed) != len(want) {
		t.Fatalf("streamed %d lines, kept %d findings", len(streamed), len(want))
	}
	for i := range want {
		if streamed[i] != want[i] {
			t.Errorf("streamed:\n%s\nkept:\n%s", streamed[i], want[i])
		}
	}
	if res.Summary.Duplicates != kept.Summary.Duplicates || res.Summary.Duplicates != 1 {
		t.Errorf("duplicates: streamed %d, kept %d, want 1 (the copy of e1; the other record under e1 is no copy)",
			res.Summary.Duplicates, kept.Summary.Duplicates)
	}
	e1 := 0
	for _, f := range kept.Findings {
		if f.EventID == "e1" {
			e1++
		}
	}
	if e1 != 2 {
		t.Errorf("%d findings of event ID e1, want 2: two different records share it", e1)
	}
	for _, f := range kept.Findings {
		if f.EventID == "e11" && (!strings.HasSuffix(f.Actor.UserAgent, "… (9000 bytes in all)") ||
			!strings.HasPrefix(f.ErrorMessage, strings.Repeat("b", 8191)+"… (") || len(f.ErrorMessage) > 8300) {
			t.Errorf("long fields of e11 not clipped: %d and %d bytes, ending %q", len(f.Actor.UserAgent), len(f.ErrorMessage),
				f.ErrorMessage[max(0, len(f.ErrorMessage)-40):])
		}
	}
	if res.Summary.Read != kept.Summary.Read || res.Summary.Rejected != kept.Summary.Rejected {
		t.Errorf("summaries differ: streamed %+v, kept %+v", res.Summary, kept.Summary)
	}
}

// TestFailedConsoleLogin checks that a sign-in event that failed, which
// carries no errorCode, is reported as an attempt, streamed or not: by
// its result (responseElements.<eventName>, a failed MFA check included),
// and by an errorMessage alone.
func TestFailedConsoleLogin(t *testing.T) {
	c, rs := fixtures(t)
	dir := t.TempDir()
	rec := func(event, result, message, id string) string {
		if message != "" {
			message = `"errorMessage":"` + message + `",`
		}
		return `{"eventVersion":"1.08","userIdentity":{"type":"Root","principalId":"111122223333","arn":"arn:aws:iam::111122223333:root","accountId":"111122223333"},` +
			`"eventTime":"2026-03-14T01:00:00Z","eventSource":"signin.amazonaws.com","eventName":"` + event + `","awsRegion":"us-east-1",` +
			`"sourceIPAddress":"203.0.113.9","userAgent":"Mozilla/5.0",` + message +
			`"requestParameters":null,"responseElements":{"` + event + `":"` + result + `"},"additionalEventData":{"MFAUsed":"No"},` +
			`"eventID":"` + id + `","readOnly":false,"eventType":"AwsConsoleSignIn","managementEvent":true,"recipientAccountId":"111122223333"}`
	}
	body := `{"Records":[` + strings.Join([]string{
		rec("ConsoleLogin", "Failure", "Failed authentication", "f1"),
		rec("ConsoleLogin", "Success", "", "s1"),
		rec("CheckMfa", "Failure", "", "f2"),
		rec("CheckMfa", "Success", "", "s2"),
		rec("ConsoleLogin", "", "Failed authentication", "f3"),
		rec("CheckMfa", "failure", "", "f4"),
		// A message of blanks alone is none, as exports may write it.
		rec("ConsoleLogin", "Success", "  ", "s3"),
	}, ",") + `]}`
	if err := os.WriteFile(filepath.Join(dir, "signin.json"), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	kept, _, streamed, _ := bothWays(t, c, rs, []string{dir})
	if len(kept.Findings) == 0 {
		t.Fatal("no finding for a root console sign-in")
	}
	seen := map[string]bool{}
	for _, f := range kept.Findings {
		seen[f.EventID] = true
		want := map[string]string{"f1": "attempt", "s1": "success", "f2": "attempt", "f3": "attempt", "f4": "attempt", "s3": "success"}[f.EventID]
		if f.Outcome != want {
			t.Errorf("%s %s: outcome %q, want %q", f.EventID, f.TechniqueID, f.Outcome, want)
		}
	}
	// A passed MFA check (s2) is a step of the sign-in the root user's
	// console rule reports, and gives no finding of its own.
	if len(seen) != 6 || seen["s2"] {
		t.Errorf("findings for %v, want all records but the passed MFA check (the root user's activity)", seen)
	}
	for _, l := range streamed {
		if strings.Contains(l, `"event_id":"f`) != strings.Contains(l, `"outcome":"attempt"`) {
			t.Errorf("streamed: %s", l)
		}
	}
}

// TestDuplicatesAreCopies checks that only a copy of a record is a
// duplicate: records under one event ID that differ in anything a finding
// reports, even where a field's end could be mistaken for the next one's
// start, each keep their findings, streamed or not.
func TestDuplicatesAreCopies(t *testing.T) {
	c, _ := fixtures(t)
	rs, err := ruleset.Load(c, []string{filepath.Join("testdata", "anyrule")})
	if err != nil {
		t.Fatal(err)
	}
	base := `"eventVersion":"1.11","eventTime":"2026-01-05T00:01:02Z","eventID":"E","eventSource":"s3.amazonaws.com","eventName":"GetObject","recipientAccountId":"1"`
	records := []string{
		`{` + base + `,"awsRegion":"us-east-1","sourceIPAddress":"1.2.3.4\u0000AccessDenied"}`,
		`{` + base + `,"awsRegion":"us-east-1","sourceIPAddress":"1.2.3.4","errorCode":"AccessDenied\u0000"}`,
		`{` + base + `,"awsRegion":"eu-west-1","sourceIPAddress":"1.2.3.4"}`,
		`{` + base + `,"awsRegion":"us-east-1","sourceIPAddress":"1.2.3.4","userAgent":"other"}`,
		`{` + base + `,"awsRegion":"us-east-1","userIdentity":{"type":"AWSService","invokedBy":"a.amazonaws.com"}}`,
		`{` + base + `,"awsRegion":"us-east-1","userIdentity":{"type":"AWSService","invokedBy":"b.amazonaws.com"}}`,
		`{` + base + `,"awsRegion":"eu-west-1","sourceIPAddress":"1.2.3.4"}`, // a copy of the third
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "e.json"), []byte(strings.Join(records, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	kept, res, streamed, _ := bothWays(t, c, rs, []string{dir})
	for _, r := range []*scan.Result{kept, res} {
		if r.Summary.Duplicates != 1 || r.Summary.Findings != len(records)-1 {
			t.Errorf("%d findings, %d duplicates; want %d and 1 (only the last record is a copy)",
				r.Summary.Findings, r.Summary.Duplicates, len(records)-1)
		}
	}
	if len(streamed) != len(records)-1 {
		t.Errorf("streamed %d lines, want %d", len(streamed), len(records)-1)
	}
}

// TestFailedIdentityCenterPassword checks that passwords IAM Identity Center
// rejected, whose records carry their result in serviceEventDetails and no
// errorCode, make an attempt of the correlation finding that counts them,
// streamed or not, and that a verified password in another sign-in sequence
// neither joins the count nor turns the burst into a success.
func TestFailedIdentityCenterPassword(t *testing.T) {
	c, rs := fixtures(t)
	dir := t.TempDir()
	rec := func(flow, result, at, id string) string {
		return `{"eventVersion":"1.11","userIdentity":{"type":"Unknown","arn":"","accountId":"111122223333","accessKeyId":""},` +
			`"eventTime":"2026-11-24T03:` + at + `Z","eventSource":"signin.amazonaws.com","eventName":"CredentialVerification",` +
			`"awsRegion":"us-east-1","sourceIPAddress":"203.0.113.204","userAgent":"Mozilla/5.0","requestParameters":null,` +
			`"responseElements":null,"additionalEventData":{"AuthWorkflowID":"` + flow + `","CredentialType":"PASSWORD"},` +
			`"eventID":"` + id + `","readOnly":false,"eventType":"AwsServiceEvent","managementEvent":true,` +
			`"recipientAccountId":"111122223333","serviceEventDetails":{"CredentialVerification":"` + result + `"}}`
	}
	body := `{"Records":[` + strings.Join([]string{
		rec("w1", "Failure", "12:00", "f1"),
		rec("w1", "Failure", "12:31", "f2"),
		rec("w2", "Success", "12:45", "s1"),
		rec("w1", "Failure", "12:58", "f3"),
		rec("w1", "Failure", "13:32", "f4"),
		rec("w1", "Failure", "14:07", "f5"),
	}, ",") + `]}`
	if err := os.WriteFile(filepath.Join(dir, "portal.json"), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	kept, _, streamed, _ := bothWays(t, c, rs, []string{dir})
	var bursts []scan.Finding
	for _, f := range kept.Findings {
		if f.TechniqueID == "T1110.001" {
			bursts = append(bursts, f)
		}
	}
	if len(bursts) != 1 || bursts[0].EventID != "f5" || bursts[0].Outcome != "attempt" {
		t.Fatalf("T1110.001 findings %+v, want one attempt at f5, the fifth rejected password of sequence w1", bursts)
	}
	n := 0
	for _, l := range streamed {
		if strings.Contains(l, `"technique_id":"T1110.001"`) {
			n++
			if !strings.Contains(l, `"event_id":"f5"`) || !strings.Contains(l, `"outcome":"attempt"`) {
				t.Errorf("streamed: %s", l)
			}
		}
	}
	if n != 1 {
		t.Errorf("streamed %d T1110.001 findings, want 1", n)
	}
}
