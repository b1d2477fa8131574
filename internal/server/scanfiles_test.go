package server

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/ttcproject/ttc/internal/catalog"
	"github.com/ttcproject/ttc/internal/report"
	"github.com/ttcproject/ttc/internal/scan"
)

// formPartOf is one part of a test's multipart form: a file when name is
// set, else a plain field.
type formPartOf struct {
	field, name string
	data        []byte
}

// fileParts is a form of the given files, each in a "file" part.
func fileParts(files ...string) []formPartOf {
	var out []formPartOf
	for i := 0; i+1 < len(files); i += 2 {
		out = append(out, formPartOf{"file", files[i], []byte(files[i+1])})
	}
	return out
}

// multipartForm builds a form of parts, in order.
func multipartForm(t testing.TB, parts []formPartOf) (*bytes.Buffer, string) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for _, p := range parts {
		if p.name == "" {
			if err := mw.WriteField(p.field, string(p.data)); err != nil {
				t.Fatal(err)
			}
			continue
		}
		fw, err := mw.CreateFormFile(p.field, p.name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fw.Write(p.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return &b, mw.FormDataContentType()
}

// quietRecord is a record no rule of the fixture matches.
func quietRecord(id string) string {
	return `{"eventVersion":"1.10","eventTime":"2026-05-11T04:00:00Z","eventSource":"s3.amazonaws.com",` +
		`"eventName":"ListBuckets","userIdentity":{"type":"Root"},"eventID":"` + id + `"}`
}

// TestScanSeveralFiles uploads several files in one form, to the API and
// the page, and checks that they are one scan: every record of each
// accounted for, rejections named by their file, copies of an event in
// two files reported once, two files of one name told apart, and the
// upload limit held over the files together.
func TestScanSeveralFiles(t *testing.T) {
	log := string(sampleLog(t)) // 8 records: 7 findings, 1 unmatched
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write([]byte(log))
	_ = zw.Close()
	// Three records: one unmatched, one that is no CloudTrail record, and
	// one that is no JSON.
	second := quietRecord("q2") + "\n" + `{"hello":"world"}` + "\n" + `{"eventTime":` + "\n"
	for _, tc := range []struct {
		name   string
		parts  []formPartOf
		status int
		// For a scan: what its summary must say, and the file each
		// rejection must name.
		read, matched, unmatched, rejected, findings, duplicates int64
		files                                                    int64
		rejectedIn                                               []string
		says                                                     string // for a refusal
	}{
		{name: "one file", parts: fileParts("a.json", log), status: 200,
			files: 1, read: 8, matched: 7, unmatched: 1, findings: 7},
		{name: "two files add up", parts: fileParts("a.json.gz", gz.String(), "b.jsonl", second), status: 200,
			files: 2, read: 11, matched: 7, unmatched: 2, rejected: 2, findings: 7, rejectedIn: []string{"b.jsonl", "b.jsonl"}},
		{name: "copies in two files reported once", parts: fileParts("a.json", log, "copy.json", log), status: 200,
			files: 2, read: 16, matched: 14, unmatched: 2, findings: 7, duplicates: 7},
		{name: "two files of one name told apart", parts: fileParts("trail.json", log, "trail.json", second), status: 200,
			files: 2, read: 11, matched: 7, unmatched: 2, rejected: 2, findings: 7, rejectedIn: []string{"trail.json (2)", "trail.json (2)"}},
		{name: "fields between and after the files", status: 200, parts: []formPartOf{
			{"note", "", []byte("before")}, {"file", "a.json", []byte(log)}, {"group_by", "", []byte("actor")},
			{"file", "b.jsonl", []byte(second)}, {"note", "", []byte("after")}},
			files: 2, read: 11, matched: 7, unmatched: 2, rejected: 2, findings: 7, rejectedIn: []string{"b.jsonl", "b.jsonl"}},
		{name: "an empty file beside a log", parts: fileParts("a.json", log, "empty.json", ""), status: 200,
			files: 1, read: 8, matched: 7, unmatched: 1, findings: 7},
		{name: "a name longer than any file system's cut to 255 bytes", parts: fileParts(strings.Repeat("n", 20000)+".json", second), status: 200,
			files: 1, read: 3, unmatched: 1, rejected: 2, rejectedIn: []string{strings.Repeat("n", 255) + "…", strings.Repeat("n", 255) + "…"}},
		{name: "no log among them", parts: fileParts("a.txt", "hello", "b.json", ""), status: 400,
			says: "the upload holds no CloudTrail records: a.txt:1 (offset 0, after 0 records): unknown shape: no JSON object or array"},
		{name: "every file's reason", parts: fileParts("a.txt", "hello", "c.json", "\n\n[1, 2]"), status: 400,
			says: "the upload holds no CloudTrail records: a.txt:1 (offset 0, after 0 records): unknown shape: no JSON object or array, starts with \\\"hello\\\"; c.json:3 (offset 3, after 0 records): unknown shape: first item is a number"},
		{name: "no file part", parts: []formPartOf{{"note", "", []byte("x")}}, status: 400, says: "choose one or more CloudTrail files"},
		// Refused at the second, whatever follows (a tester sent 300,000).
		{name: "group_by twice", status: 400, parts: []formPartOf{
			{"group_by", "", []byte("time")}, {"group_by", "", []byte("time")}, {"file", "a.json", []byte(log)}},
			says: "the form gives group_by more than once; it takes one value: time or actor"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newServer(t, fixture(t), nil).Handler()
			body, ct := multipartForm(t, tc.parts)
			rec := do(t, h, http.MethodPost, "/api/v1/scan", body, "Content-Type", ct)
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d: %.500s", rec.Code, tc.status, rec.Body)
			}
			if tc.status != 200 {
				if !strings.Contains(rec.Body.String(), tc.says) {
					t.Errorf("answer %s does not say %q", rec.Body, tc.says)
				}
				return
			}
			var d report.Document
			if err := json.Unmarshal(rec.Body.Bytes(), &d); err != nil {
				t.Fatal(err)
			}
			s := d.Summary
			if s.Files != tc.files || s.Read != tc.read || s.Matched != tc.matched || s.Unmatched != tc.unmatched ||
				s.Rejected != tc.rejected || int64(s.Findings) != tc.findings || s.Duplicates != tc.duplicates {
				t.Errorf("summary %+v; want %d files, %d read = %d matched + %d unmatched + %d rejected, %d findings, %d duplicates",
					s, tc.files, tc.read, tc.matched, tc.unmatched, tc.rejected, tc.findings, tc.duplicates)
			}
			if s.Read != s.Matched+s.Unmatched+s.Rejected {
				t.Errorf("read %d != %d matched + %d unmatched + %d rejected", s.Read, s.Matched, s.Unmatched, s.Rejected)
			}
			var in []string
			for _, r := range d.Rejections {
				in = append(in, r.File)
			}
			if fmt.Sprint(in) != fmt.Sprint(tc.rejectedIn) {
				t.Errorf("rejections in %q, want %q", in, tc.rejectedIn)
			}
		})
	}
}

// TestScanSeveralFilesPage checks what the page says of an upload of
// several files: how many, their names, which file each finding's record
// and each rejection is in.
func TestScanSeveralFilesPage(t *testing.T) {
	h := newServer(t, fixture(t), nil).Handler()
	log := string(sampleLog(t))
	second := quietRecord("q2") + "\n" + `{"hello":"world"}` + "\n"
	body, ct := multipartForm(t, fileParts("a.json", log, `"><b>b.jsonl`, second, "empty.json", ""))
	rec := do(t, h, http.MethodPost, "/scan", body, "Content-Type", ct)
	if rec.Code != 200 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	page := rec.Body.String()
	assertInert(t, page)
	for _, want := range []string{
		"Results for the 3 files sent</h2>",
		"<li><code>a.json</code></li><li><code>&#34;&gt;&lt;b&gt;b.jsonl</code></li><li><code>empty.json</code></li>",
		`<div class="record"><div class="clip"><code>a.json</code></div>#7, line 1</div></td></tr>`,
		"<li><code>&#34;&gt;&lt;b&gt;b.jsonl:2</code> (record 2): record is an object without CloudTrail record fields",
		"<div><dt>Records read</dt><dd>10</dd></div>",
		"<h3>Files set aside</h3>\n  <ul class=\"rejections\"><li><code>empty.json</code>: empty input: nothing to read</li>",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if n := strings.Count(page, `<td class="event">`); n != 7 {
		t.Errorf("page lists %d findings, want 7", n)
	}
}

// TestScanPageNamesUnreadFilesFirst: past the rejections a page lists, a
// file that could not be read is still named, and the page says how many
// rejections it leaves out.
func TestScanPageNamesUnreadFilesFirst(t *testing.T) {
	h := newServer(t, fixture(t), nil).Handler()
	bad := quietRecord("q0") + "\n" + strings.Repeat(`{"hello":"world"}`+"\n", scan.MaxRejections+5)
	body, ct := multipartForm(t, fileParts("a.jsonl", bad, "zz-not-a-log.json", `{"alpha":1}`, "ok.json", quietRecord("q1")))
	rec := do(t, h, http.MethodPost, "/scan", body, "Content-Type", ct)
	if rec.Code != 200 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	page := rec.Body.String()
	for _, want := range []string{
		`<ul class="rejections"><li><code>zz-not-a-log.json`,
		"<li>… 6 more not listed (files not read to the end are listed first)</li>",
		// Told at the top too, where the counts are: its records past the
		// damage are in none of them.
		`<strong>A file was not read to the end:</strong>`, `<a href="#rejected-h">`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	body, ct = multipartForm(t, fileParts("ok.json", quietRecord("q1")))
	if page := do(t, h, http.MethodPost, "/scan", body, "Content-Type", ct).Body.String(); strings.Contains(page, "not read to the end:") {
		t.Errorf("a scan that read every file says one was not read to the end")
	}
}

// TestScanUploadLimitOverFiles checks that the upload limit holds over an
// upload's files together: files each under it, but over it together,
// are refused with 413, on the page and the API, and files that fit
// together are scanned.
func TestScanUploadLimitOverFiles(t *testing.T) {
	const limit = 4 << 10
	s, err := New(Config{Catalog: fixture(t), MaxUpload: limit, Log: discard()})
	if err != nil {
		t.Fatal(err)
	}
	// A log of one record padded with spaces to n bytes.
	logOf := func(n int) string {
		rec := `{"Records":[` + quietRecord("e") + `]}`
		return rec + strings.Repeat(" ", n-len(rec))
	}
	for _, tc := range []struct {
		name  string
		sizes []int
		want  int
	}{
		{"two files at the limit together", []int{limit / 2, limit / 2}, http.StatusOK},
		{"two files a byte over it", []int{limit / 2, limit/2 + 1}, http.StatusRequestEntityTooLarge},
		{"three files, the last over it", []int{limit / 4, limit / 2, limit / 2}, http.StatusRequestEntityTooLarge},
		{"a file over it alone", []int{limit + 1}, http.StatusRequestEntityTooLarge},
	} {
		for _, target := range []string{"/api/v1/scan", "/scan"} {
			var files []string
			for i, n := range tc.sizes {
				files = append(files, fmt.Sprintf("f%d.json", i), logOf(n))
			}
			body, ct := multipartForm(t, fileParts(files...))
			rec := do(t, s.Handler(), http.MethodPost, target, body, "Content-Type", ct)
			if rec.Code != tc.want {
				t.Errorf("%s, %s: status %d, want %d: %.300s", tc.name, target, rec.Code, tc.want, rec.Body)
			}
			if tc.want == http.StatusRequestEntityTooLarge && !strings.Contains(rec.Body.String(), "limit of 4.0 KiB for its files together") {
				t.Errorf("%s, %s: the answer does not state the limit: %.300s", tc.name, target, rec.Body)
			}
		}
	}
}

// TestScanUploadManyFiles checks that a form of more files than an upload
// may hold is refused with the reason, and one of as many is scanned.
func TestScanUploadManyFiles(t *testing.T) {
	h := newServer(t, fixture(t), nil).Handler()
	for _, n := range []int{maxUploadFiles, maxUploadFiles + 1} {
		var files []string
		for i := range n {
			files = append(files, fmt.Sprintf("%d.json", i), quietRecord(fmt.Sprint(i)))
		}
		body, ct := multipartForm(t, fileParts(files...))
		rec := do(t, h, http.MethodPost, "/api/v1/scan", body, "Content-Type", ct)
		switch {
		case n <= maxUploadFiles && (rec.Code != 200 || !strings.Contains(rec.Body.String(), fmt.Sprintf(`"read": %d`, n))):
			t.Errorf("%d files: status %d: %.300s", n, rec.Code, rec.Body)
		case n > maxUploadFiles && (rec.Code != 400 || !strings.Contains(rec.Body.String(), "more than 1000 files")):
			t.Errorf("%d files: status %d: %.300s; want 400 saying there are too many", n, rec.Code, rec.Body)
		}
	}
}

// TestScanPageByActor checks the scan page grouped by actor: one section
// per actor, the one seen first first, its heading saying what
// ttc scan --group-by actor says, and every value of a hostile actor
// shown as text.
func TestScanPageByActor(t *testing.T) {
	h := newServer(t, fixture(t), nil).Handler()
	rec := func(id, at, arn, key, ip, ua string) string {
		return fmt.Sprintf(`{"eventVersion":"1.10","eventTime":"2026-05-11T03:12:%sZ","eventSource":"cloudtrail.amazonaws.com",`+
			`"eventName":"StopLogging","awsRegion":"us-east-1","userIdentity":{"type":"IAMUser","arn":%q,"accessKeyId":%q},`+
			`"sourceIPAddress":%q,"userAgent":%q,"eventID":%q}`, at, arn, key, ip, ua, id)
	}
	hostile := `arn:aws:iam::1:user/<script>alert('arn')</script>"><img src=x onerror=alert(1)>`
	// Bob's key is a session a hostile caller obtained.
	issued := `{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/<i>mallory</i>","accountId":"1"},` +
		`"eventTime":"2026-05-11T03:00:00Z","eventSource":"sts.amazonaws.com","eventName":"AssumeRole","sourceIPAddress":"192.0.2.1",` +
		`"requestParameters":{"roleArn":"arn:aws:iam::1:role/admin","roleSessionName":"x"},` +
		`"responseElements":{"credentials":{"accessKeyId":"ASIABOBSESSION00001","sessionToken":"t","expiration":"e"}},"eventID":"s1"}`
	first := rec("a", "01", hostile, "AKIA<b>EVIL</b>", "javascript:alert(1)", `"><svg onload=alert('ua')>`) + "\n" +
		rec("b", "02", "arn:aws:iam::1:user/bob", "ASIABOBSESSION00001", "198.51.100.1", "aws-cli/2.15.30") + "\n" + issued + "\n"
	second := rec("c", "03", hostile, "AKIA<b>EVIL</b>", "203.0.113.9\u202e", "ua") + "\n"
	for _, tc := range []struct {
		name    string
		groupBy string
		status  int
		want    []string
		not     []string
	}{
		{name: "by actor", groupBy: "actor", status: 200, want: []string{
			`<h3 id="by-actor">Findings by actor</h3>`, `<a href="#by-actor">Go to the findings by actor</a>`,
			`<h4 id="actor-0"><code>arn:aws:iam::1:user/&lt;script&gt;alert(&#39;arn&#39;)&lt;/script&gt;&#34;&gt;&lt;img src=x onerror=alert(1)&gt;</code></h4>`,
			`<p class="meta actor-summary">IAMUser · 2 findings · 2026-05-11T03:12:01Z … 2026-05-11T03:12:03Z</p>`,
			`<dt>Keys</dt><dd><code>AKIA&lt;b&gt;EVIL&lt;/b&gt;</code></dd>`,
			`<dt>From</dt><dd><code>javascript:alert(1)</code>, <code>203.0.113.9\u202e</code></dd>`,
			`<li><code>&#34;&gt;&lt;svg onload=alert(&#39;ua&#39;)&gt;</code></li>`,
			`<h4 id="actor-1"><code>arn:aws:iam::1:user/bob</code></h4>`,
			`<dt>Sessions</dt><dd><ul><li><code>ASIABOBSESSION00001 · sts:AssumeRole · by arn:aws:iam::1:user/&lt;i&gt;mallory&lt;/i&gt; · ` +
				`at 2026-05-11T03:00:00Z · from 192.0.2.1</code></li></ul></dd>`,
			`<input type="radio" name="group_by" value="actor" checked>`,
		}, not: []string{`<td class="wrap actor">`, "<h3>Findings</h3>"}},
		{name: "in time order", groupBy: "time", status: 200,
			want: []string{"<h3>Findings</h3>", `<td class="wrap actor">`, `<input type="radio" name="group_by" value="time" checked>`},
			not:  []string{"Findings by actor", `<section class="actor"`}},
		{name: "no such order", groupBy: "<b>x</b>", status: 400,
			want: []string{`group_by: unknown grouping &#34;&lt;b&gt;x&lt;/b&gt;&#34;: want time or actor`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			parts := append(fileParts("a.jsonl", first, "b.jsonl", second), formPartOf{"group_by", "", []byte(tc.groupBy)})
			body, ct := multipartForm(t, parts)
			resp := do(t, h, http.MethodPost, "/scan", body, "Content-Type", ct)
			if resp.Code != tc.status {
				t.Fatalf("status %d, want %d", resp.Code, tc.status)
			}
			page := resp.Body.String()
			assertInert(t, page)
			for _, w := range tc.want {
				if !strings.Contains(page, w) {
					t.Errorf("page lacks %q", w)
				}
			}
			for _, w := range tc.not {
				if strings.Contains(page, w) {
					t.Errorf("page has %q", w)
				}
			}
			if strings.Contains(page, "\u202e") {
				t.Error("page carries U+202E raw")
			}
		})
	}
}

// TestScanPageByActorBounds checks that the page grouped by actor keeps
// to its bounds, and says what it leaves out: the actors past
// maxActorsShown, the findings of an actor past maxActorFindingsShown, and
// past maxFindingsShown in all.
func TestScanPageByActorBounds(t *testing.T) {
	h := newServer(t, fixture(t), nil).Handler()
	var log strings.Builder
	// One busy actor seen first, then maxActorsShown+5 of one finding each.
	line := func(i int, user string) {
		fmt.Fprintf(&log, `{"eventVersion":"1.10","eventTime":"2026-05-11T%02d:%02d:%02dZ","eventSource":"cloudtrail.amazonaws.com",`+
			`"eventName":"StopLogging","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/%s"},"eventID":"e%d"}`+"\n",
			i/3600, i/60%60, i%60, user, i)
	}
	const busy, others = 3 * maxActorFindingsShown, maxActorsShown + 5
	for i := range busy {
		line(i, "busy")
	}
	for i := range others {
		line(busy+i, fmt.Sprintf("u%03d", i))
	}
	body, ct := multipartForm(t, append(fileParts("many.jsonl", log.String()), formPartOf{"group_by", "", []byte("actor")}))
	page := do(t, h, http.MethodPost, "/scan", body, "Content-Type", ct).Body.String()
	total := busy + others
	listed := maxActorFindingsShown + maxActorsShown - 1
	for _, want := range []string{
		fmt.Sprintf("%d more findings of this actor are not shown here.", busy-maxActorFindingsShown),
		"6 more actors are not shown here, with 6 findings.",
		fmt.Sprintf("%d of %d findings are listed here", listed, total),
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page does not say %q", want)
		}
	}
	if n := strings.Count(page, `<section class="actor"`); n != maxActorsShown {
		t.Errorf("page lists %d actors, want %d", n, maxActorsShown)
	}
	if n := strings.Count(page, `<td class="event">`); n != listed {
		t.Errorf("page lists %d findings, want %d", n, listed)
	}
}

// TestScanPageByActorPastTheCap: an actor reached after the page has
// listed all the findings it lists shows its heading, and says that none
// of its findings is shown, not that more are.
func TestScanPageByActorPastTheCap(t *testing.T) {
	h := newServer(t, fixture(t), nil).Handler()
	var log strings.Builder
	actors := maxFindingsShown/maxActorFindingsShown + 2
	for a := range actors {
		for i := range maxActorFindingsShown {
			fmt.Fprintf(&log, `{"eventVersion":"1.10","eventTime":"2026-05-11T%02d:%02d:00Z","eventSource":"cloudtrail.amazonaws.com",`+
				`"eventName":"StopLogging","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/u%02d"},"eventID":"e%d-%d"}`+"\n",
				a, i, a, a, i)
		}
	}
	body, ct := multipartForm(t, append(fileParts("many.jsonl", log.String()), formPartOf{"group_by", "", []byte("actor")}))
	page := do(t, h, http.MethodPost, "/scan", body, "Content-Type", ct).Body.String()
	want := fmt.Sprintf("%d findings of this actor are not shown here: the page lists no more findings than it has listed above.", maxActorFindingsShown)
	if n := strings.Count(page, want); n != 2 {
		t.Errorf("page says %q %d times, want 2 (the actors past the cap)", want, n)
	}
	if strings.Contains(page, "more findings of this actor") {
		t.Error("an actor whose findings are all listed, or none, is said to have more")
	}
}

// FuzzScanForm sends a multipart form of fuzzed bytes, after a valid
// head, to the scan API: whatever the form holds, the answer is a scan,
// or a refusal of the upload's own (400, 413), never the server's, and a
// scan accounts for every record it read.
func FuzzScanForm(f *testing.F) {
	for _, parts := range [][]formPartOf{
		fileParts("a.json", `{"Records":[`+quietRecord("a")+`]}`, "b.jsonl", quietRecord("b")+"\n{\"hello\":1}\n"),
		fileParts("a.json", "", "a.json", "x"),
		{{"group_by", "", []byte("actor")}, {"file", "c.json", []byte(`[` + quietRecord("c") + `]`)}},
	} {
		body, _ := multipartForm(f, parts)
		f.Add(body.Bytes())
	}
	s, err := New(Config{Catalog: fixture(f), MaxUpload: 64 << 10, Log: discard()})
	if err != nil {
		f.Fatal(err)
	}
	h := s.Handler()
	f.Fuzz(func(t *testing.T, form []byte) {
		// multipartForm's boundary is random: take the form's own.
		boundary, _, _ := bytes.Cut(bytes.TrimPrefix(form, []byte("--")), []byte("\r\n"))
		rec := do(t, h, http.MethodPost, "/api/v1/scan", bytes.NewReader(form),
			"Content-Type", "multipart/form-data; boundary="+string(boundary))
		switch rec.Code {
		case http.StatusOK:
			var d report.Document
			if err := json.Unmarshal(rec.Body.Bytes(), &d); err != nil {
				t.Fatalf("answer is no scan: %v", err)
			}
			if s := d.Summary; s.Read != s.Matched+s.Unmatched+s.Rejected {
				t.Fatalf("read %d != %d matched + %d unmatched + %d rejected", s.Read, s.Matched, s.Unmatched, s.Rejected)
			}
		case http.StatusBadRequest, http.StatusRequestEntityTooLarge:
		default:
			t.Fatalf("status %d: %.300s", rec.Code, rec.Body)
		}
	})
}

// TestScanPageCorrelationRows: on the scan page, as in the reports'
// tables, a correlation's row says how many it counted, and names the
// group a spray is filed under rather than the last user it tried.
func TestScanPageCorrelationRows(t *testing.T) {
	c, err := catalog.Open()
	if err != nil {
		t.Fatal(err)
	}
	log, err := os.ReadFile("../../catalog/techniques/T1110.003/samples/match/six_users_from_one_address_in_six_minutes.json")
	if err != nil {
		t.Fatal(err)
	}
	h := newServer(t, c, nil).Handler()
	body, ct := multipartForm(t, fileParts("spray.json", string(log)))
	rec := do(t, h, http.MethodPost, "/scan", body, "Content-Type", ct)
	if rec.Code != 200 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	page := rec.Body.String()
	for _, want := range []string{"<code>signin:ConsoleLogin ×", " userName</code>", `<div class="clip">correlation group sourceIPAddress=&#34;`} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
}
