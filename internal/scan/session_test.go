package scan

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ttcproject/ttc/internal/catalog/catalogtest"
	"github.com/ttcproject/ttc/internal/cloudtrail"
)

// aliceIdentity is the userIdentity of sessionRecord's caller.
const aliceIdentity = `{"type":"IAMUser","principalId":"AIDAEXAMPLEALICE","arn":"arn:aws:iam::111122223333:user/alice","accountId":"111122223333","accessKeyId":"AKIAEXAMPLEALICE0001","userName":"alice"}`

// sessionRecord is a successful sts:AssumeRole by alice's key that issued
// key; edit replaces text in it.
func sessionRecord(key string, edit ...string) string {
	r := `{"eventVersion":"1.08","userIdentity":` + aliceIdentity + `,` +
		`"eventTime":"2026-03-14T02:00:00Z","eventSource":"sts.amazonaws.com","eventName":"AssumeRole","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.77","userAgent":"aws-cli/2",` +
		`"requestParameters":{"roleArn":"arn:aws:iam::111122223333:role/admin","roleSessionName":"x"},` +
		`"responseElements":{"credentials":{"accessKeyId":"` + key + `","sessionToken":"t","expiration":"e"}},"eventID":"` + key + `","readOnly":true,"recipientAccountId":"111122223333"}`
	for i := 0; i+1 < len(edit); i += 2 {
		r = strings.Replace(r, edit[i], edit[i+1], 1)
	}
	return r
}

func TestSessions(t *testing.T) {
	c, rs := catalogtest.Rules(t)
	web := sessionRecord("ASIAEXAMPLEWEB00001", `"eventName":"AssumeRole"`, `"eventName":"AssumeRoleWithWebIdentity"`,
		aliceIdentity,
		`{"type":"WebIdentityUser","principalId":"arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com:sts.amazonaws.com:repo:acme/app:ref:refs/heads/main","userName":"repo:acme/app:ref:refs/heads/main"}`)
	lines := []string{
		sessionRecord("ASIAEXAMPLESESSION01"),
		sessionRecord("AKIAEXAMPLELONGTERM"), // STS issues no long-term key
		sessionRecord("ASIAEXAMPLENOTIME01", `"eventTime":"2026-03-14T02:00:00Z"`, `"eventTime":"soon"`), // no witness without a time
		web,
		sessionRecord("ASIAEXAMPLEREFUSED1", `"readOnly"`, `"errorCode":"AccessDenied","readOnly"`),
		sessionRecord("ASIAEXAMPLEOTHERSRC", `"eventSource":"sts.amazonaws.com"`, `"eventSource":"iam.amazonaws.com"`),
		sessionRecord("ASIAEXAMPLECALLERID", `"eventName":"AssumeRole"`, `"eventName":"GetCallerIdentity"`),
		sessionRecord("not a key"),
		sessionRecord("ASIAEXAMPLETOKEN001", `"eventName":"AssumeRole"`, `"eventName":"GetSessionToken"`),
	}
	in := strings.Join(lines, "\n")
	for _, streamed := range []bool{false, true} {
		opts := Options{Sessions: true}
		if streamed {
			opts.EmitJSON = func([]byte) error { return nil }
		}
		res, err := New(c, rs, opts).ScanReader(context.Background(), "sessions.jsonl", strings.NewReader(in))
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]SessionOrigin{
			"ASIAEXAMPLESESSION01": {AccessKeyID: "ASIAEXAMPLESESSION01", Event: "sts:AssumeRole", By: "arn:aws:iam::111122223333:user/alice", At: "2026-03-14T02:00:00Z", SourceIP: "203.0.113.77"},
			"ASIAEXAMPLEWEB00001": {AccessKeyID: "ASIAEXAMPLEWEB00001", Event: "sts:AssumeRoleWithWebIdentity",
				By: "WebIdentityUser arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com:sts.amazonaws.com:repo:acme/app:ref:refs/heads/main",
				At: "2026-03-14T02:00:00Z", SourceIP: "203.0.113.77"},
			"ASIAEXAMPLETOKEN001": {AccessKeyID: "ASIAEXAMPLETOKEN001", Event: "sts:GetSessionToken", By: "arn:aws:iam::111122223333:user/alice", At: "2026-03-14T02:00:00Z", SourceIP: "203.0.113.77"},
		}
		if len(res.Sessions) != len(want) {
			t.Errorf("streamed %v: %d sessions, want %d: %+v", streamed, len(res.Sessions), len(want), res.Sessions)
		}
		for k, o := range want {
			if got := exported(res.Sessions[k]); !reflect.DeepEqual(got, o) {
				t.Errorf("streamed %v: %s: got %+v, want %+v", streamed, k, got, o)
			}
		}
		if s := res.Summary; s.Read != int64(len(lines)) || s.Read != s.Matched+s.Unmatched+s.Rejected {
			t.Errorf("streamed %v: accounting %+v", streamed, s)
		}
	}
	// Not asked for, none are kept.
	res, err := New(c, rs, Options{}).ScanReader(context.Background(), "sessions.jsonl", strings.NewReader(in))
	if err != nil || res.Sessions != nil {
		t.Errorf("sessions kept without Options.Sessions: %v %v", res.Sessions, err)
	}
	// Past the bound, later sessions are counted, not kept.
	defer func(n int) { maxSessions = n }(maxSessions)
	maxSessions = 2
	res, err = New(c, rs, Options{Sessions: true, Workers: 1}).ScanReader(context.Background(), "sessions.jsonl", strings.NewReader(in))
	if err != nil || len(res.Sessions) != 2 || res.Summary.SessionsNotKept != 1 {
		t.Errorf("bound of 2: %d kept, %d not kept, %v", len(res.Sessions), res.Summary.SessionsNotKept, err)
	}
}

// TestSessionsOfServicesNotKept: the sessions AWS services obtain (an
// instance profile's, a function's) have no caller behind them to find.
func TestSessionsOfServicesNotKept(t *testing.T) {
	c, rs := catalogtest.Rules(t)
	in := sessionRecord("ASIAEXAMPLESERVICE1", aliceIdentity, `{"type":"AWSService","invokedBy":"ec2.amazonaws.com"}`) + "\n" +
		sessionRecord("ASIAEXAMPLEINVOKED1", aliceIdentity, `{"type":"AssumedRole","arn":"arn:aws:sts::111122223333:assumed-role/r/s","invokedBy":"lambda.amazonaws.com"}`)
	res, err := New(c, rs, Options{Sessions: true}).ScanReader(context.Background(), "services.jsonl", strings.NewReader(in))
	if err != nil || len(res.Sessions) != 0 {
		t.Errorf("services' sessions kept: %+v %v", res.Sessions, err)
	}
}

// exported is o without its unexported fields, for comparisons.
func exported(o SessionOrigin) SessionOrigin {
	o.at, o.claims, o.extra = time.Time{}, nil, 0
	return o
}

// TestSessionClaims: when records disagree on who obtained a key, the
// earliest claim is kept whatever the order the files are read in, and
// the others are counted; the two copies of a cross-account call, which
// share a sharedEventID, are one claim.
func TestSessionClaims(t *testing.T) {
	c, rs := catalogtest.Rules(t)
	const key = "ASIAEXAMPLECLAIMED1"
	mallory := sessionRecord(key, "user/alice", "user/mallory", `"eventTime":"2026-03-14T02:00:00Z"`, `"eventTime":"2026-03-14T03:00:00Z"`)
	alice := sessionRecord(key)
	peer := sessionRecord(key, `"readOnly"`, `"sharedEventID":"shared-1","readOnly"`)
	copyOfPeer := sessionRecord(key, aliceIdentity,
		`{"type":"AWSAccount","principalId":"AIDAEXAMPLEALICE","accountId":"444455556666"}`, `"readOnly"`, `"sharedEventID":"shared-1","readOnly"`)
	for _, tc := range []struct {
		name   string
		lines  []string
		others int
	}{
		{"forged later claim read first", []string{mallory, alice}, 1},
		{"forged later claim read last", []string{alice, mallory}, 1},
		{"the same claim twice", []string{alice, alice}, 0},
		{"two copies of one cross-account call", []string{copyOfPeer, peer}, 0},
		{"a forged claim beside the two copies", []string{peer, mallory, copyOfPeer}, 1},
		{"an ID that is null or empty is no ID", []string{strings.Replace(peer, `"shared-1"`, `null`, 1),
			strings.Replace(strings.Replace(mallory, `"readOnly"`, `"sharedEventID":null,"readOnly"`, 1), `"2026-03-14T03:00:00Z"`, `"2026-03-14T02:00:00Z"`, 1),
			strings.Replace(strings.Replace(mallory, `"readOnly"`, `"sharedEventID":"","readOnly"`, 1), `"2026-03-14T03:00:00Z"`, `"2026-03-14T02:00:00Z"`, 1)}, 1},
		{"a forged copy's ID at another time", []string{peer, strings.Replace(strings.Replace(copyOfPeer, `"2026-03-14T02:00:00Z"`, `"2026-03-14T01:00:00Z"`, 1), `"AWSAccount"`, `"AWSAccount","arn":"arn:aws:iam::111122223333:user/alice"`, 1)}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := New(c, rs, Options{Sessions: true}).ScanReader(context.Background(), "claims.jsonl", strings.NewReader(strings.Join(tc.lines, "\n")))
			if err != nil {
				t.Fatal(err)
			}
			got := res.Sessions[key]
			if got.By != "arn:aws:iam::111122223333:user/alice" || got.Others != tc.others {
				t.Errorf("kept %+v, want alice's claim and %d others", exported(got), tc.others)
			}
		})
	}
}

// TestSessionBoundShared: the workers share the scan's bound, so that one
// worker with many sessions is not held to a share of it.
func TestSessionBoundShared(t *testing.T) {
	c, rs := catalogtest.Rules(t)
	dir := t.TempDir()
	for f := range 4 {
		var lines []string
		for i := range 3 * f { // 0 + 3 + 6 + 9 = 18 keys, 9 in one file
			lines = append(lines, sessionRecord(fmt.Sprintf("ASIAEXAMPLEBOUND%d%02d", f, i)))
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%d.jsonl", f)), []byte(strings.Join(lines, "\n")), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	defer func(n int) { maxSessions = n }(maxSessions)
	for _, tc := range []struct{ bound, kept int }{{32, 18}, {12, 12}} {
		maxSessions = tc.bound
		res, err := New(c, rs, Options{Sessions: true, Workers: 4}).Scan(context.Background(), []string{dir})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Sessions) != tc.kept || res.Summary.SessionsNotKept != int64(18-tc.kept) {
			t.Errorf("bound %d: %d kept, %d not kept; want %d and %d", tc.bound, len(res.Sessions), res.Summary.SessionsNotKept, tc.kept, 18-tc.kept)
		}
	}
}

// TestSessionClaimsPastTheBound: past the bound, a worker still takes a
// claim on a key another worker kept, so that a later claim cannot hide
// the earlier one the other worker read.
func TestSessionClaimsPastTheBound(t *testing.T) {
	c, rs := catalogtest.Rules(t)
	defer func(n int) { maxSessions = n }(maxSessions)
	maxSessions = 3
	s := New(c, rs, Options{Sessions: true, Workers: 2})
	s.startRun()
	a, b := s.newWorker(&part{}), s.newWorker(&part{})
	note := func(w *worker, rec string) {
		top, idx, ok := cloudtrail.Listed([]byte(rec))
		if !ok {
			t.Fatalf("not listed: %s", rec)
		}
		w.noteSession([]byte(rec), top, idx)
	}
	const key = "ASIAEXAMPLEBOUNDKEY"
	note(a, sessionRecord(key, "user/alice", "user/mallory", `"eventTime":"2026-03-14T02:00:00Z"`, `"eventTime":"2026-03-14T03:00:00Z"`))
	for i := range 4 {
		note(b, sessionRecord(fmt.Sprintf("ASIAEXAMPLEFILLER%02d", i)))
	}
	note(b, sessionRecord(key))
	res, err := s.merge([]*part{a.p, b.p})
	if err != nil {
		t.Fatal(err)
	}
	got := res.Sessions[key]
	if len(res.Sessions) != 3 || got.By != "arn:aws:iam::111122223333:user/alice" || got.Others != 1 || res.Summary.SessionsNotKept != 2 {
		t.Errorf("kept %d, not kept %d, %s: %+v; want 3, 2, and alice's claim with 1 other", len(res.Sessions), res.Summary.SessionsNotKept, key, exported(got))
	}
}
