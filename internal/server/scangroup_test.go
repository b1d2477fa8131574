package server

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/ttcproject/ttc/internal/golden"
	"github.com/ttcproject/ttc/internal/report"
	"github.com/ttcproject/ttc/internal/scan"
)

// groupedLogs are two files of three actors: one whose ARN and user agent
// carry markup and terminal controls, one whose session key another
// caller obtained with AssumeRole, and one of another account calling in.
func groupedLogs() []formPartOf {
	const stop = `{"eventVersion":"1.10","eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging","awsRegion":"us-east-1",`
	first := stop + `"eventTime":"2026-05-11T03:12:01Z","eventID":"h1","sourceIPAddress":"203.0.113.9",` +
		`"userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/<script>x</script>\u202e","accessKeyId":"AKIAHOSTILE0000001"},` +
		`"userAgent":"ua\u001b[2J\u0007"}` + "\n" +
		`{"eventVersion":"1.08","eventTime":"2026-05-11T03:00:00Z","eventSource":"sts.amazonaws.com","eventName":"AssumeRole",` +
		`"userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/mallory","accountId":"1"},"sourceIPAddress":"192.0.2.1",` +
		`"requestParameters":{"roleArn":"arn:aws:iam::1:role/admin","roleSessionName":"x"},` +
		`"responseElements":{"credentials":{"accessKeyId":"ASIABOBSESSION00001","sessionToken":"t","expiration":"e"}},"eventID":"s1"}` + "\n" +
		stop + `"eventTime":"2026-05-11T03:12:02Z","eventID":"b1","sourceIPAddress":"198.51.100.1",` +
		`"userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/bob","accessKeyId":"ASIABOBSESSION00001"}}` + "\n"
	second := stop + `"eventTime":"2026-05-11T03:12:03Z","eventID":"x1","recipientAccountId":"111122223333",` +
		`"userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::444455556666:user/eve","accountId":"444455556666"}}` + "\n" +
		stop + `"eventTime":"2026-05-11T03:12:04Z","eventID":"h2","sourceIPAddress":"203.0.113.9",` +
		`"userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/<script>x</script>\u202e","accessKeyId":"AKIAHOSTILE0000001"}}` + "\n"
	return fileParts("a.jsonl", first, "b.jsonl", second)
}

// cliDocument is what ttc scan -o json writes of parts' files, grouped by
// actor or not: the same scan and report the CLI runs, on the server's
// catalog and rules.
func cliDocument(t *testing.T, s *Server, parts []formPartOf, byActor bool) []byte {
	t.Helper()
	var streams []scan.Stream
	for _, p := range parts {
		streams = append(streams, scan.Stream{Name: p.name, R: bytes.NewReader(p.data)})
	}
	res, err := scan.New(s.cat, s.ruleSet, scan.Options{Workers: 1, Sessions: byActor}).ScanStreams(context.Background(), streams)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Close()
	var b bytes.Buffer
	if err := report.WriteJSON(&b, res, report.Options{GroupByActor: byActor}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// scanDuration is the one field of a scan document that differs from run to run.
var scanDuration = regexp.MustCompile(`"duration_ns": [0-9]+`)

func sameRun(b []byte) string { return scanDuration.ReplaceAllString(string(b), `"duration_ns": 0`) }

// TestAPIScanGroupBy posts one upload to the API with each group_by the
// form may send: time, or none, answers the flat document the API always
// answered; actor, the document of ttc scan -o json --group-by actor; any
// other value a 400 naming the field and the values it takes. Every
// answer fits the OpenAPI document, and no log text reaches it raw.
func TestAPIScanGroupBy(t *testing.T) {
	s := newServer(t, fixture(t), nil)
	h := s.Handler()
	sc := newSchemaChecker(t)
	logs := groupedLogs()
	flat, byActor := sameRun(cliDocument(t, s, logs, false)), sameRun(cliDocument(t, s, logs, true))
	field := func(v string) []formPartOf { return []formPartOf{{"group_by", "", []byte(v)}} }
	for _, tc := range []struct {
		name   string
		parts  []formPartOf // sent after the files
		before bool         // sent before them
		query  string       // the request's query string
		status int
		want   string // the whole answer, or the error's message
	}{
		{name: "absent", status: 200, want: flat},
		{name: "empty", parts: field(""), status: 200, want: flat},
		{name: "time", parts: field("time"), status: 200, want: flat},
		{name: "actor", parts: field("actor"), status: 200, want: byActor},
		{name: "actor before the files", parts: field("actor"), before: true, status: 200, want: byActor},
		{name: "unknown", parts: field("<b>host</b>\u202e"), status: 400,
			want: `group_by: unknown grouping "<b>host</b>\u202e": want time or actor`},
		{name: "case matters", parts: field("Actor"), status: 400,
			want: `group_by: unknown grouping "Actor": want time or actor`},
		{name: "twice", parts: append(field("actor"), field("time")...), status: 400,
			want: `the form gives group_by more than once; it takes one value: time or actor`},
		{name: "twice the same", parts: append(field("actor"), field("actor")...), status: 400,
			want: `the form gives group_by more than once; it takes one value: time or actor`},
		{name: "past 16 bytes", parts: field("actor" + strings.Repeat(" ", 20)), status: 400,
			want: `group_by: unknown grouping "actor           …": want time or actor`},
		{name: "by the query", query: "group_by=actor", status: 200, want: byActor},
		{name: "by the query and the form alike", query: "group_by=actor", parts: field("actor"), status: 200, want: byActor},
		{name: "by the query and the form otherwise", query: "group_by=time", parts: field("actor"), status: 400,
			want: `group_by: the query asks for "time" and the form for "actor": give one, or both alike`},
		{name: "unknown by the query", query: "group_by=%3Cb%3E", status: 400, want: `group_by: unknown grouping "<b>": want time or actor`},
		{name: "twice by the query", query: "group_by=actor&group_by=time", status: 400,
			want: `query parameter "group_by" given 2 times; it takes one value`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			parts := append(append([]formPartOf(nil), logs...), tc.parts...)
			if tc.before {
				parts = append(append([]formPartOf(nil), tc.parts...), logs...)
			}
			body, ct := multipartForm(t, parts)
			target := "/api/v1/scan"
			if tc.query != "" {
				target += "?" + tc.query
			}
			rec := do(t, h, http.MethodPost, target, body, "Content-Type", ct)
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d: %.500s", rec.Code, tc.status, rec.Body)
			}
			if err := sc.check("/api/v1/scan", "POST", rec.Code, rec.Body.Bytes()); err != nil {
				t.Error(err)
			}
			for _, raw := range []string{"\u202e", "\x1b", "\x07"} {
				if strings.Contains(rec.Body.String(), raw) {
					t.Errorf("answer carries %q raw", raw)
				}
			}
			if tc.status != 200 {
				var e ErrorBody
				if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil {
					t.Fatal(err)
				}
				if e.Error.Status != tc.status || e.Error.Message != tc.want {
					t.Errorf("error %d %q, want %d %q", e.Error.Status, e.Error.Message, tc.status, tc.want)
				}
				return
			}
			if got := sameRun(rec.Body.Bytes()); got != tc.want {
				t.Errorf("answer is not ttc scan -o json's:\n%s", golden.FirstDiff(got, tc.want))
			}
		})
	}
	t.Run("the grouped answer", func(t *testing.T) { checkGrouped(t, []byte(byActor)) })
	// A file sent as the whole body has no form: the query groups it.
	t.Run("a body by the query", func(t *testing.T) {
		rec := do(t, h, http.MethodPost, "/api/v1/scan?group_by=actor", bytes.NewReader(logs[0].data), "Content-Type", "application/x-ndjson")
		if rec.Code != 200 {
			t.Fatalf("status %d: %.300s", rec.Code, rec.Body)
		}
		var top map[string]json.RawMessage
		var d report.Document
		if err := json.Unmarshal(rec.Body.Bytes(), &top); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &d); err != nil {
			t.Fatal(err)
		}
		if _, ok := top["findings"]; ok || len(d.Actors) != 2 {
			t.Errorf("a body grouped by the query: %d actors, findings listed flat %v; want the grouped document of its 2 actors", len(d.Actors), ok)
		}
	})
}

// checkGrouped checks what the answer grouped by actor holds: each finding
// once, under its actor; who obtained a session key; the account an actor
// calls into; and the hostile actor's values escaped, not dropped.
func checkGrouped(t *testing.T, body []byte) {
	t.Helper()
	var top map[string]json.RawMessage
	var d report.Document
	if err := json.Unmarshal(body, &top); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(body, &d); err != nil {
		t.Fatal(err)
	}
	if _, ok := top["findings"]; ok {
		t.Error("grouped answer lists findings beside its actors")
	}
	n := 0
	actors := map[string]report.ActorTimeline{}
	for _, a := range d.Actors {
		n += len(a.Findings)
		actors[a.Actor] = a
	}
	if len(d.Actors) != 3 || n != d.Summary.Findings || n != 4 {
		t.Errorf("%d actors with %d findings, summary %d: want 3 actors, 4 findings", len(d.Actors), n, d.Summary.Findings)
	}
	bob := actors["arn:aws:iam::1:user/bob"]
	if len(bob.Sessions) != 1 || bob.Sessions[0].By != "arn:aws:iam::1:user/mallory" || bob.Sessions[0].Event != "sts:AssumeRole" {
		t.Errorf("bob's sessions = %+v, want one AssumeRole by mallory", bob.Sessions)
	}
	eve := actors["arn:aws:iam::444455556666:user/eve"]
	if eve.Account != "444455556666" || len(eve.IntoAccounts) != 1 || eve.IntoAccounts[0] != "111122223333" {
		t.Errorf("eve: account %q, into %v", eve.Account, eve.IntoAccounts)
	}
	hostile := actors["arn:aws:iam::1:user/<script>x</script>\u202e"]
	if len(hostile.Findings) != 2 || hostile.Findings[0].EventID != "h1" || hostile.Findings[1].EventID != "h2" {
		t.Errorf("hostile actor: %d findings, want h1 then h2 from the two files", len(hostile.Findings))
	}
	if !bytes.Contains(body, []byte(`user/\u003cscript\u003ex\u003c/script\u003e\u202e"`)) {
		t.Error("the hostile ARN is not escaped as findings escape it")
	}
}
