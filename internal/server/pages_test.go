package server

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/ttcproject/ttc/internal/catalog"
	"github.com/ttcproject/ttc/internal/golden"
)

// TestPagesGolden renders every page over the fixture catalog and compares it
// with its golden file.
func TestPagesGolden(t *testing.T) {
	h := newServer(t, fixture(t), nil).Handler()
	cases := []struct{ name, target string }{
		{"home", "/"},
		{"matrix", "/matrix"},
		{"matrix-filtered", "/matrix?service=s3&service=sts&aws_specific=1"},
		{"matrix-search", "/matrix?q=cloud+logs"},
		{"techniques", "/techniques"},
		{"techniques-event", "/techniques?event=s3:PutBucketLogging"},
		{"technique", "/techniques/T1562.008"},
		{"technique-parent", "/techniques/T1078"},
		{"tactics", "/tactics"},
		{"tactic", "/tactics/TA0005"},
		{"services", "/services"},
		{"service", "/services/s3"},
		{"mitigations", "/mitigations"},
		{"mitigations-service", "/mitigations?service=cloudtrail&service=CloudTrail"},
		{"mitigation", "/mitigations/protect-security-logging"},
		{"event", "/events/cloudtrail:StopLogging"},
		{"scan", "/scan"},
		{"not-found", "/no/such/page"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := do(t, h, http.MethodGet, tc.target, nil)
			if ct := rec.Header().Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("Content-Type = %q", ct)
			}
			golden.Check(t, "pages/"+tc.name+".html.golden", rec.Body.Bytes())
		})
	}
}

// TestStatus checks the answer codes of pages and API for good and bad requests.
func TestStatus(t *testing.T) {
	h := newServer(t, fixture(t), nil).Handler()
	cases := []struct {
		method, target string
		want           int
		api            bool
	}{
		{"GET", "/", 200, false},
		{"HEAD", "/matrix", 200, false},
		{"GET", "/techniques/t1562.008", 301, false}, // to /techniques/T1562.008
		{"GET", "/techniques/T9999", 404, false},
		{"GET", "/tactics/impact", 200, false},
		{"GET", "/tactics/TA9999", 404, false},
		{"GET", "/services/S3", 301, false}, // to /services/s3
		{"GET", "/services/nope", 404, false},
		{"GET", "/mitigations/nope", 404, false},
		{"GET", "/mitigations?service=nope", 400, false},
		{"GET", "/events/s3:NoSuchEvent", 404, false},
		{"GET", "/matrix?service=nope", 400, false},
		{"GET", "/matrix?aws_specific=maybe", 400, false},
		{"GET", "/index.html", 404, false},
		{"GET", "/static/style.css", 200, false},
		{"GET", "/static/nope.css", 404, false},
		{"GET", "/static/", 404, false},
		{"POST", "/matrix", 405, false},
		{"DELETE", "/techniques/T1078", 405, false},
		{"GET", "/api/v1/techniques", 200, true},
		{"GET", "/api/v1/techniques?tactic=impact&tactic=TA0005", 200, true},
		{"GET", "/api/v1/techniques?service=nope", 400, true},
		{"GET", "/api/v1/techniques?q=%21%21", 400, true},
		{"GET", "/api/v1/techniques/T9999", 404, true},
		{"GET", "/api/v1/services/nope", 404, true},
		{"GET", "/api/v1/mitigations/nope", 404, true},
		{"GET", "/api/v1/search", 400, true},
		{"GET", "/api/v1/nope", 404, true},
		{"GET", "/api", 404, true},
		{"POST", "/api/v1/techniques", 405, true},
		{"PUT", "/api/v1/scan", 405, true},
		{"GET", "/api/v1/scan", 405, true},
	}
	for _, tc := range cases {
		t.Run(tc.method+" "+tc.target, func(t *testing.T) {
			rec := do(t, h, tc.method, tc.target, nil)
			if rec.Code != tc.want {
				t.Fatalf("status = %d, want %d; body:\n%.300s", rec.Code, tc.want, rec.Body.String())
			}
			ct := rec.Header().Get("Content-Type")
			if tc.api && !strings.HasPrefix(ct, "application/json") {
				t.Errorf("API answered Content-Type %q", ct)
			}
			if tc.want >= 400 && tc.api {
				checkErrorBody(t, rec.Body.Bytes(), tc.want)
			}
			if tc.want == 405 && rec.Header().Get("Allow") == "" {
				t.Error("405 without an Allow header")
			}
		})
	}
}

// TestSecurityHeaders checks that every kind of answer carries the headers.
func TestSecurityHeaders(t *testing.T) {
	h := newServer(t, fixture(t), nil).Handler()
	want := map[string]string{
		"Content-Security-Policy": "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; " +
			"form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
		"X-Content-Type-Options":     "nosniff",
		"Referrer-Policy":            "no-referrer",
		"X-Frame-Options":            "DENY",
		"Cross-Origin-Opener-Policy": "same-origin",
	}
	for _, target := range []string{"/", "/static/app.js", "/api/v1/tactics", "/nope", "/api/v1/nope"} {
		rec := do(t, h, http.MethodGet, target, nil)
		for k, v := range want {
			if got := rec.Header().Get(k); got != v {
				t.Errorf("%s: %s = %q, want %q", target, k, got, v)
			}
		}
	}
}

// TestFilterFormKeepsQuery checks that the matrix form echoes the selection,
// so that a shared link shows the same view.
func TestFilterFormKeepsQuery(t *testing.T) {
	h := newServer(t, fixture(t), nil).Handler()
	q := url.Values{"service": {"s3", "sts"}, "tactic": {"impact"}, "aws_specific": {"1"}, "q": {"lifecycle"}}
	body := do(t, h, http.MethodGet, "/matrix?"+q.Encode(), nil).Body.String()
	for _, want := range []string{
		`<input type="checkbox" name="service" value="s3" checked>`,
		`<input type="checkbox" name="service" value="sts" checked>`,
		`<input type="checkbox" name="service" value="iam">`,
		`<option value="impact" selected>`,
		`name="aws_specific" value="1" checked`,
		`value="lifecycle"`,
		`<mark>Lifecycle</mark>`,
		`href="/techniques/T1485.A001"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("matrix page lacks %q", want)
		}
	}
	if strings.Contains(body, `href="/techniques/T1562.008"`) {
		t.Error("matrix shows T1562.008, which the filter excludes")
	}
}

// TestDataEventsShown checks, on the embedded catalog, that the technique
// page and the event page say which events are data events, and that a
// management event of the same service is not called one; and that the
// technique page says which rules need data events.
func TestDataEventsShown(t *testing.T) {
	c, err := catalog.Load(catalog.Embedded())
	if err != nil {
		t.Fatal(err)
	}
	h := newServer(t, c, nil).Handler()
	page := do(t, h, http.MethodGet, "/techniques/T1619.A001", nil).Body.String()
	for event, kind := range map[string]string{"s3:<wbr>ListObjectVersions": "<strong>data event</strong>", "s3:<wbr>ListBuckets": "management"} {
		i := strings.Index(page, `<code class="name">`+event+"</code>")
		if i < 0 {
			t.Fatalf("the technique page does not list %s", event)
		}
		row := page[i:]
		row = row[:strings.Index(row, "</tr>")]
		if !strings.Contains(row, "<td>"+kind+"</td>") {
			t.Errorf("the row of %s does not say %s: %s", event, kind, row)
		}
	}
	// The object listing rule needs data events, the bucket listing rule
	// none: the rules section says so of the one and not of the other.
	for file, needs := range map[string]bool{"s3_object_listing_by_long_term_key_or_denied.yml": true, "s3_bucket_listing_by_long_term_key_or_denied.yml": false} {
		i := strings.Index(page, `<li id="rule-`+file+`">`)
		if i < 0 {
			t.Fatalf("the technique page does not list the rule %s", file)
		}
		item := page[i:]
		item = item[:strings.Index(item, "</li>")]
		if got := strings.Contains(item, "Needs data events for"); got != needs {
			t.Errorf("the rule %s: says it needs data events %t, want %t: %s", file, got, needs, item)
		}
	}
	if !strings.Contains(page, "Needs data events for <code>s3:ListObjectVersions</code>, <code>s3:ListObjects</code>:") {
		t.Error("the technique page does not name the data events its object listing rule needs")
	}
	if ev := do(t, h, http.MethodGet, "/events/s3:GetObject", nil).Body.String(); !strings.Contains(ev, "<strong>data event</strong>") {
		t.Errorf("the page of s3:GetObject does not say it is a data event")
	}
	if ev := do(t, h, http.MethodGet, "/events/s3:ListBuckets", nil).Body.String(); strings.Contains(ev, "data event") {
		t.Errorf("the page of s3:ListBuckets calls it a data event")
	}
}

// TestBadFilterKeepsForm checks that a page given a filter naming nothing
// answers 400 with the reason above the form, the other filters kept in
// it, and no techniques listed.
func TestBadFilterKeepsForm(t *testing.T) {
	h := newServer(t, fixture(t), nil).Handler()
	for _, target := range []string{"/techniques?service=s3x&tactic=impact", "/matrix?service=s3x&tactic=impact",
		"/techniques?search=s3x&tactic=impact"} {
		rec := do(t, h, http.MethodGet, target, nil)
		body := rec.Body.String()
		if rec.Code != http.StatusBadRequest {
			t.Errorf("GET %s: status %d, want 400", target, rec.Code)
		}
		why := `service &#34;s3x&#34;: no service of the catalog has that key, name or alias; did you mean s3?`
		if strings.Contains(target, "search=") {
			why = `unknown query parameter &#34;search&#34;` // the parameter is q, as in the API
		}
		for _, want := range []string{`role="alert"`, why, `<option value="impact" selected>`, `<form class="filters"`} {
			if !strings.Contains(body, want) {
				t.Errorf("GET %s: the page lacks %s", target, want)
			}
		}
		if strings.Contains(body, `href="/techniques/T`) {
			t.Errorf("GET %s: the page lists techniques for a filter that names nothing", target)
		}
	}
}

// TestFilterFormTacticByV19Name checks that a tactic named as ATT&CK v19
// names it (Stealth, Defense Impairment, TA0112) shows as the catalog's
// Defense Evasion in the form, so that applying the form again keeps it.
func TestFilterFormTacticByV19Name(t *testing.T) {
	h := newServer(t, fixture(t), nil).Handler()
	for _, name := range []string{"stealth", "Defense Impairment", "TA0112", "defense-evasion"} {
		body := do(t, h, http.MethodGet, "/techniques?"+url.Values{"tactic": {name}}.Encode(), nil).Body.String()
		if !strings.Contains(body, `<option value="defense-evasion" selected>`) {
			t.Errorf("tactic=%s: Defense Evasion is not selected in the form", name)
		}
	}
}

// TestEventPageOtherNames checks that an event page named by the event
// alone, or by the SDK operation CloudTrail logs under another name,
// redirects to the page of the event the catalog lists.
func TestEventPageOtherNames(t *testing.T) {
	catalog.SetEventNamer(func(service, op string) []string {
		if service == "s3" && op == "PutBucketLifecycleConfiguration" {
			return []string{"PutBucketLifecycle"} // as awsapi.CloudTrailNames answers
		}
		return nil
	})
	defer catalog.SetEventNamer(nil)
	h := newServer(t, fixture(t), nil).Handler()
	for _, path := range []string{"/events/PutBucketLifecycle", "/events/s3:PutBucketLifecycleConfiguration", "/events/PutBucketLifecycleConfiguration"} {
		rec := do(t, h, http.MethodGet, path, nil)
		if loc := rec.Header().Get("Location"); rec.Code != http.StatusMovedPermanently || loc != "/events/s3:PutBucketLifecycle" {
			t.Errorf("%s: status %d, Location %q; want 301 to /events/s3:PutBucketLifecycle", path, rec.Code, loc)
		}
	}
	if rec := do(t, h, http.MethodGet, "/events/s3:NoSuchCall", nil); rec.Code != http.StatusNotFound {
		t.Errorf("an unknown event: status %d, want 404", rec.Code)
	}
}

// TestEventPageSharedName checks that an event name the catalog lists under
// several services (CreateUser of iam and of identitystore) gives the
// techniques listing filtered by it, which shows them all.
func TestEventPageSharedName(t *testing.T) {
	c, err := catalog.Open()
	if err != nil {
		t.Fatal(err)
	}
	h := newServer(t, c, nil).Handler()
	rec := do(t, h, http.MethodGet, "/events/CreateUser", nil)
	if loc := rec.Header().Get("Location"); rec.Code != http.StatusFound || loc != "/techniques?event=CreateUser" {
		t.Fatalf("status %d, Location %q; want 302 to /techniques?event=CreateUser", rec.Code, loc)
	}
	body := do(t, h, http.MethodGet, "/techniques?event=CreateUser", nil).Body.String()
	for _, id := range []string{"T1136.003", "T1078.A002"} {
		if !strings.Contains(body, `href="/techniques/`+id+`"`) {
			t.Errorf("the listing does not show %s", id)
		}
	}
}

// TestRulesReportingOtherTechniques checks the pages of a rule that reports
// a technique beside its folder's (a ttc.<ID> tag): its own technique's page
// says so, and the other's page lists it, in the events table and under the
// rules, linked to where its source is shown.
func TestRulesReportingOtherTechniques(t *testing.T) {
	c, err := catalog.Open()
	if err != nil {
		t.Fatal(err)
	}
	h := newServer(t, c, nil).Handler()
	const link = `<a href="/techniques/T1578.001#rule-snapshot_shared_outside_account.yml">T1578.001: EBS, RDS or Redshift Snapshot Shared With Another Account or Made Public</a>`
	page := do(t, h, http.MethodGet, "/techniques/T1537", nil).Body.String()
	i := strings.Index(page, `<code class="name">ec2:<wbr>ModifySnapshotAttribute</code></a></td>`)
	if i < 0 {
		t.Fatal("the T1537 page does not list ec2:ModifySnapshotAttribute")
	}
	if row := page[i : i+strings.Index(page[i:], "</tr>")]; !strings.Contains(row, link) {
		t.Errorf("the row of ec2:ModifySnapshotAttribute does not name the rule of T1578.001: %s", row)
	}
	rules := page[strings.Index(page, `<section id="rules">`):]
	if !strings.Contains(rules, "Rules of other techniques that report this one too") || !strings.Contains(rules, link) {
		t.Errorf("the rules of T1537 do not list the rule of T1578.001")
	}
	if strings.Contains(rules, `id="rule-snapshot_shared_outside_account.yml"`) {
		t.Errorf("the T1537 page shows the source of T1578.001's rule as its own")
	}
	own := do(t, h, http.MethodGet, "/techniques/T1578.001", nil).Body.String()
	if !strings.Contains(own, `also reports <a href="/techniques/T1537">T1537</a>`) {
		t.Errorf("the T1578.001 page does not say its sharing rule reports T1537")
	}
	ev := do(t, h, http.MethodGet, "/events/ec2:ModifySnapshotAttribute", nil).Body.String()
	if !strings.Contains(ev, link) {
		t.Errorf("the event page does not link T1537's row to the rule of T1578.001")
	}
}
