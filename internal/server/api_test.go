package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/ttcproject/ttc/internal/catalog"
	"github.com/ttcproject/ttc/internal/golden"
	"github.com/ttcproject/ttc/internal/view"
)

func checkErrorBody(t *testing.T, body []byte, status int) {
	t.Helper()
	var e ErrorBody
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		t.Fatalf("error body is not the error shape: %v\n%s", err, body)
	}
	if e.Error.Status != status || e.Error.Message == "" {
		t.Errorf("error body = %+v, want status %d and a message", e, status)
	}
}

// TestAPIGolden compares every API answer over the fixture with its golden file.
func TestAPIGolden(t *testing.T) {
	h := newServer(t, fixture(t), nil).Handler()
	cases := []struct{ name, target string }{
		{"techniques", "/api/v1/techniques"},
		{"techniques-filtered", "/api/v1/techniques?service=cloudtrail&tactic=defense-evasion"},
		{"technique", "/api/v1/techniques/T1562.008"},
		{"tactics", "/api/v1/tactics"},
		{"services", "/api/v1/services"},
		{"service", "/api/v1/services/s3"},
		{"mitigations", "/api/v1/mitigations"},
		{"mitigation", "/api/v1/mitigations/protect-security-logging"},
		{"matrix", "/api/v1/matrix?aws_specific=true"},
		{"search", "/api/v1/search?q=session+token"},
		{"error-404", "/api/v1/techniques/T9999"},
		{"error-400", "/api/v1/techniques?tactic=nope"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			golden.Check(t, "api/"+tc.name+".json.golden", do(t, h, http.MethodGet, tc.target, nil).Body.Bytes())
		})
	}
	// The scan answers, of one upload with each group_by; the scan's
	// duration, which differs from run to run, is written as 0.
	for name, groupBy := range map[string]string{"scan": "", "scan-by-actor": "actor", "error-400-group-by": "host"} {
		t.Run(name, func(t *testing.T) {
			parts := groupedLogs()
			if groupBy != "" {
				parts = append(parts, formPartOf{"group_by", "", []byte(groupBy)})
			}
			body, ct := multipartForm(t, parts)
			rec := do(t, h, http.MethodPost, "/api/v1/scan", body, "Content-Type", ct)
			golden.Check(t, "api/"+name+".json.golden", []byte(sameRun(rec.Body.Bytes())))
		})
	}
}

// TestAPISameAsCLI checks that the API writes the very documents of the CLI's
// -o json, by rendering them with the view package the CLI uses.
func TestAPISameAsCLI(t *testing.T) {
	c := fixture(t)
	h := newServer(t, c, nil).Handler()
	rs, err := c.Filter(catalog.Filter{Services: []string{"s3"}})
	if err != nil {
		t.Fatal(err)
	}
	t1562, _ := c.Technique("T1562.008")
	cases := []struct {
		target string
		write  func(*bytes.Buffer) error
	}{
		{"/api/v1/techniques?service=s3", func(b *bytes.Buffer) error {
			return view.WriteTechniques(b, view.JSON, c, c.Summaries(rs), view.Options{})
		}},
		{"/api/v1/techniques/T1562.008", func(b *bytes.Buffer) error {
			return view.WriteTechnique(b, view.JSON, c.Detail(t1562), view.Options{})
		}},
		{"/api/v1/tactics", func(b *bytes.Buffer) error {
			return view.WriteTactics(b, view.JSON, view.TacticRows(c), view.Options{})
		}},
		{"/api/v1/services", func(b *bytes.Buffer) error {
			return view.WriteServices(b, view.JSON, view.ServiceRows(c), view.Options{})
		}},
		{"/api/v1/mitigations", func(b *bytes.Buffer) error {
			return view.WriteMitigations(b, view.JSON, view.MitigationRows(c), view.Options{})
		}},
		{"/api/v1/matrix?service=s3", func(b *bytes.Buffer) error {
			return view.WriteMatrix(b, view.JSON, view.BuildMatrix(c, rs), view.Options{})
		}},
	}
	for _, tc := range cases {
		t.Run(tc.target, func(t *testing.T) {
			var want bytes.Buffer
			if err := tc.write(&want); err != nil {
				t.Fatal(err)
			}
			got := do(t, h, http.MethodGet, tc.target, nil).Body.Bytes()
			if !bytes.Equal(got, want.Bytes()) {
				t.Errorf("API and CLI differ:\n%s", golden.FirstDiff(string(got), want.String()))
			}
		})
	}
}
