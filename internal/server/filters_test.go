package server

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// TestFilterEdges covers filter values that used to be mishandled.
func TestFilterEdges(t *testing.T) {
	s := newServer(t, fixture(t), nil)
	h := s.Handler()
	for _, target := range []string{"/api/v1/techniques?service=s3%", "/techniques?q=100%", "/api/v1/mitigations?service=%zz"} {
		if rec := do(t, h, http.MethodGet, target, nil); rec.Code != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400 for a broken query string", target, rec.Code)
		}
	}

	rec := do(t, h, http.MethodGet, "/api/v1/matrix?tactic=impact", nil)
	var m struct {
		Items []struct {
			Tactic struct{ ID string } `json:"tactic"`
		} `json:"items"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	if len(m.Items) != 1 || m.Items[0].Tactic.ID != "TA0040" {
		t.Errorf("matrix filtered to impact has columns %+v, want only TA0040", m.Items)
	}

	rec = do(t, h, http.MethodGet, "/matrix?service=s3.amazonaws.com", nil)
	if !strings.Contains(rec.Body.String(), `value="s3" checked`) {
		t.Error("a service named by its event source is not ticked in the form")
	}
	if !strings.Contains(rec.Body.String(), `href="/techniques?service=s3.amazonaws.com"`) {
		t.Error("the link to the list view does not carry the filter")
	}

	rec = do(t, h, http.MethodGet, "/api/v1/mitigations?service=s3", nil)
	var ms struct {
		Items []struct {
			Services []string `json:"services"`
		} `json:"items"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &ms); err != nil {
		t.Fatal(err)
	}
	all := do(t, h, http.MethodGet, "/api/v1/mitigations", nil).Body.Len()
	if len(ms.Items) == 0 || rec.Body.Len() >= all {
		t.Errorf("mitigations?service=s3 gave %d items, not fewer than all", len(ms.Items))
	}
	for _, it := range ms.Items {
		if !strings.Contains(strings.Join(it.Services, ","), "s3") {
			t.Errorf("mitigation for %v listed under s3", it.Services)
		}
	}
}

// TestEmptyFilterValues checks that an empty filter value is refused, as
// the CLI refuses an empty --service, --tactic or --event, rather than
// read as no filter; and that a page takes the empty tactic and text its
// own form sends for "Any tactic" and no text.
func TestEmptyFilterValues(t *testing.T) {
	h := newServer(t, fixture(t), nil).Handler()
	for _, tc := range []struct {
		query string
		api   int // /api/v1/techniques and /api/v1/matrix
		page  int // /techniques and /matrix
		says  string
	}{
		{"service=", 400, 400, `unknown service \"\"`},
		{"service=%20", 400, 400, `unknown service \"\"`},
		{"service=s3&service=", 400, 400, `unknown service \"\"`},
		{"tactic=", 400, 200, `unknown tactic \"\"`},
		{"event=", 400, 400, "it names no event"},
		{"aws_specific=", 400, 400, `want true or false, got \"\"`},
		{"q=", 200, 200, ""},
		{"q=&tactic=&service=s3", 400, 200, `unknown tactic \"\"`},
		{"aws_specific=1", 200, 200, ""},
	} {
		for _, path := range []string{"/api/v1/techniques", "/api/v1/matrix", "/techniques", "/matrix"} {
			want := tc.page
			if strings.HasPrefix(path, "/api/") {
				want = tc.api
			}
			rec := do(t, h, http.MethodGet, path+"?"+tc.query, nil)
			body := strings.ReplaceAll(rec.Body.String(), "&#34;", `\"`) // the page escapes the quotes
			if rec.Code != want || want == 400 && !strings.Contains(body, tc.says) {
				t.Errorf("%s?%s: status %d, want %d saying %s", path, tc.query, rec.Code, want, tc.says)
			}
		}
	}
	if rec := do(t, h, http.MethodGet, "/api/v1/mitigations?service=", nil); rec.Code != 400 {
		t.Errorf("/api/v1/mitigations?service=: status %d, want 400", rec.Code)
	}
}

func TestEmptyUploads(t *testing.T) {
	h := newServer(t, fixture(t), nil).Handler()
	for _, body := range []string{"", "not json at all"} { // a log of no records is scanned: see TestScanUploadWithoutRecords
		rec := do(t, h, http.MethodPost, "/api/v1/scan", strings.NewReader(body))
		if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "no CloudTrail records") {
			t.Errorf("upload %q: status %d %s, want 400 saying there are no records", body, rec.Code, rec.Body.String())
		}
	}
}

func TestUploadOrigin(t *testing.T) {
	h := newServer(t, fixture(t), nil).Handler()
	body := `{"Records":[{"eventVersion":"1.10","eventSource":"s3.amazonaws.com","eventName":"ListBuckets","eventTime":"2026-01-01T00:00:00Z"}]}`
	cases := []struct {
		origin string
		want   int
	}{
		{"", http.StatusOK},
		{"http://example.com", http.StatusOK}, // httptest requests are for host example.com
		{"http://evil.example", http.StatusForbidden},
		{"not a url\x7f", http.StatusForbidden},
	}
	for _, tc := range cases {
		var hdr []string
		if tc.origin != "" {
			hdr = []string{"Origin", tc.origin}
		}
		if rec := do(t, h, http.MethodPost, "/api/v1/scan", strings.NewReader(body), hdr...); rec.Code != tc.want {
			t.Errorf("Origin %q: status %d, want %d", tc.origin, rec.Code, tc.want)
		}
	}
}
