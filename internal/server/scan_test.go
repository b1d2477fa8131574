package server

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ttcproject/ttc/internal/report"
)

// sampleLog joins the fixture's must-match samples into one Records document,
// with one record no rule matches.
func sampleLog(t testing.TB) []byte {
	t.Helper()
	files, err := filepath.Glob("testdata/catalog/techniques/*/samples/match/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no samples: %v", err)
	}
	sort.Strings(files)
	var recs []json.RawMessage
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, b)
	}
	recs = append(recs, json.RawMessage(`{"eventVersion":"1.10","eventTime":"2026-05-11T04:00:00Z",`+
		`"eventSource":"s3.amazonaws.com","eventName":"ListBuckets","userIdentity":{"type":"Root"},"eventID":"quiet"}`))
	out, err := json.Marshal(map[string]any{"Records": recs})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestScanUpload checks the scan page and API with forms, raw and gzipped
// bodies, and the limits.
func TestScanUpload(t *testing.T) {
	s := newServer(t, fixture(t), nil)
	h := s.Handler()
	log := sampleLog(t)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write(log)
	_ = zw.Close()

	t.Run("api form", func(t *testing.T) {
		body, ct := multipartFile(t, "file", "trail.json", log)
		rec := do(t, h, http.MethodPost, "/api/v1/scan", body, "Content-Type", ct)
		var d report.Document
		if err := json.Unmarshal(rec.Body.Bytes(), &d); err != nil || rec.Code != 200 {
			t.Fatalf("status %d, %v: %s", rec.Code, err, rec.Body)
		}
		if d.Kind != "scan" || d.Summary.Read != 8 || d.Summary.Unmatched != 1 || d.Summary.Findings != 7 {
			t.Errorf("summary = %+v, want 8 read, 1 unmatched, 7 findings", d.Summary)
		}
		var ids []string
		for _, c := range d.Techniques {
			ids = append(ids, c.TechniqueID)
		}
		sort.Strings(ids)
		if got := strings.Join(ids, ","); got != "T1078.A001,T1485.A001,T1562.008" {
			t.Errorf("techniques = %s", got)
		}
	})
	t.Run("a file and a field", func(t *testing.T) {
		// Other fields after the file are no reason to refuse.
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		fw, _ := mw.CreateFormFile("file", "a.json")
		_, _ = fw.Write(log)
		_ = mw.WriteField("note", "after the file")
		_ = mw.Close()
		rec := do(t, h, http.MethodPost, "/api/v1/scan", &b, "Content-Type", mw.FormDataContentType())
		if rec.Code != http.StatusOK {
			t.Errorf("a file and a field: status %d: %s", rec.Code, rec.Body)
		}
	})
	t.Run("api raw gzip", func(t *testing.T) {
		rec := do(t, h, http.MethodPost, "/api/v1/scan", bytes.NewReader(gz.Bytes()), "Content-Type", "application/gzip")
		if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"findings": 7`) {
			t.Errorf("status %d: %.300s", rec.Code, rec.Body)
		}
	})
	t.Run("page", func(t *testing.T) {
		body, ct := multipartFile(t, "file", `C:\logs\trail.json.gz`, gz.Bytes())
		rec := do(t, h, http.MethodPost, "/scan", body, "Content-Type", ct)
		page := rec.Body.String()
		if rec.Code != 200 {
			t.Fatalf("status %d", rec.Code)
		}
		for _, want := range []string{
			"Results for <code>trail.json.gz</code>",
			`<li class="sub observed"><a href="/techniques/T1562.008">`,
			`<li class="sub aws observed"><a href="/techniques/T1485.A001">`,
			"CloudTrail Trail Stopped or Deleted",
			`<td class="event"><div class="one"><code>cloudtrail:StopLogging</code></div><div class="one sub">success · <span title="Region">us-east-1</span></div></td>`,
		} {
			if !strings.Contains(page, want) {
				t.Errorf("scan page lacks %q", want)
			}
		}
		if n := strings.Count(page, `<tr><td class="nowrap">`); n != 7 {
			t.Errorf("findings table has %d rows, want 7", n)
		}
		// Each row names its record, for ttc record FILE N: the seven that
		// match, not the eighth.
		if n := strings.Count(page, `, line 1</div></td></tr>`); n != 7 || strings.Contains(page, "#8, line 1") || !strings.Contains(page, "#7, line 1") {
			t.Errorf("findings table names %d records, or the wrong ones", n)
		}
	})
	t.Run("backslash in a name", func(t *testing.T) {
		// A name that is no Windows path keeps its backslash, shown
		// escaped as every value is; a network share's path is cut.
		for name, want := range map[string]string{`inv\x41 .json`: `Results for <code>inv\\x41 .json</code>`,
			`\\host\share\trail.json`: "Results for <code>trail.json</code>"} {
			body, ct := multipartFile(t, "file", name, log)
			rec := do(t, h, http.MethodPost, "/scan", body, "Content-Type", ct)
			if rec.Code != 200 || !strings.Contains(rec.Body.String(), want) {
				t.Errorf("upload named %q: status %d, page lacks %q", name, rec.Code, want)
			}
		}
	})
	t.Run("no file", func(t *testing.T) {
		body, ct := multipartFile(t, "other", "x.json", log)
		rec := do(t, h, http.MethodPost, "/scan", body, "Content-Type", ct)
		if rec.Code != 400 || !strings.Contains(rec.Body.String(), "choose one or more CloudTrail files") {
			t.Errorf("status %d", rec.Code)
		}
	})
}

// TestScanTooLarge checks that an upload over the limit is refused with 413.
func TestScanTooLarge(t *testing.T) {
	s, err := New(Config{Catalog: fixture(t), MaxUpload: 1 << 10, Log: discard()})
	if err != nil {
		t.Fatal(err)
	}
	big := append([]byte(`{"Records":[`), bytes.Repeat([]byte(`{"eventName":"x"},`), 10000)...)
	big = append(big, []byte(`{}]}`)...)
	for _, target := range []string{"/scan", "/api/v1/scan"} {
		body, ct := multipartFile(t, "file", "big.json", big)
		rec := do(t, s.Handler(), http.MethodPost, target, body, "Content-Type", ct)
		if rec.Code != http.StatusRequestEntityTooLarge {
			t.Errorf("%s: status %d, want 413", target, rec.Code)
		}
		if !strings.Contains(rec.Body.String(), "limit of 1.0 KiB") {
			t.Errorf("%s: the answer does not state the limit:\n%s", target, rec.Body.String())
		}
	}
	// Bodies of other requests are capped much lower.
	rec := do(t, s.Handler(), http.MethodPost, "/matrix", bytes.NewReader(big))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST /matrix: status %d", rec.Code)
	}
}

// TestScanLimitExact checks that the upload limit is the file's: a file
// of exactly the limit is read and one byte more is refused, sent as the
// body or as a form's file part, and that a body whose length says it is
// over the limit is refused before it is read.
func TestScanLimitExact(t *testing.T) {
	const limit = 4 << 10
	s, err := New(Config{Catalog: fixture(t), MaxUpload: limit, Log: discard()})
	if err != nil {
		t.Fatal(err)
	}
	// A log of one record padded with spaces to n bytes.
	logOf := func(n int) []byte {
		rec := []byte(`{"Records":[{"eventVersion":"1.10","eventTime":"2026-05-11T03:12:09Z","eventSource":"s3.amazonaws.com","eventName":"ListBuckets","eventID":"e"}]}`)
		return append(rec, bytes.Repeat([]byte(" "), n-len(rec))...)
	}
	for _, n := range []int{limit, limit + 1} {
		want := http.StatusOK
		if n > limit {
			want = http.StatusRequestEntityTooLarge
		}
		body, ct := multipartFile(t, "file", "a.json", logOf(n))
		if rec := do(t, s.Handler(), http.MethodPost, "/api/v1/scan", body, "Content-Type", ct); rec.Code != want {
			t.Errorf("a file part of %d bytes: status %d, want %d: %s", n, rec.Code, want, rec.Body)
		}
		if rec := do(t, s.Handler(), http.MethodPost, "/api/v1/scan", bytes.NewReader(logOf(n))); rec.Code != want {
			t.Errorf("a body of %d bytes: status %d, want %d: %s", n, rec.Code, want, rec.Body)
		}
	}
	// Over the limit by its length, whatever its first line holds.
	body := strings.Repeat("x", 5<<10) + "\r\n--b\r\n" + strings.Repeat("y", limit+multipartOverhead)
	rec := do(t, s.Handler(), http.MethodPost, "/api/v1/scan", strings.NewReader(body), "Content-Type", "multipart/form-data; boundary=b")
	if rec.Code != http.StatusRequestEntityTooLarge || !strings.Contains(rec.Body.String(), "limit of 4.0 KiB for its files together") || strings.Contains(rec.Body.String(), "http:") {
		t.Errorf("a body over the limit by its length: status %d: %s", rec.Code, rec.Body)
	}
	if _, err := New(Config{Catalog: fixture(t), MaxUpload: MaxUploadLimit + 1}); err == nil {
		t.Errorf("an upload limit past MaxUploadLimit was taken")
	}
}

// TestScanRefusedAtOnce checks that an upload refused for its length is
// answered at once, to a client that waits for the answer before it sends
// the body: net/http would otherwise try to read the body first.
func TestScanRefusedAtOnce(t *testing.T) {
	s, err := New(Config{Catalog: fixture(t), MaxUpload: 1000, Log: discard()})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	// A declared body under 256 KiB, which net/http would drain after the
	// answer, and one over it.
	for _, length := range []int{5000, 5000000} {
		for _, target := range []string{"/api/v1/scan", "/scan"} {
			conn, err := net.Dial("tcp", srv.Listener.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", target, length)
			_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
			r := bufio.NewReader(conn)
			line, err := r.ReadString('\n')
			if err != nil || !strings.Contains(line, "413") {
				t.Errorf("%s, %d bytes: %q, %v; want a 413 before the body is sent", target, length, line, err)
			}
			if _, err := io.Copy(io.Discard, r); err != nil {
				t.Errorf("%s, %d bytes: the connection is not closed after the answer: %v", target, length, err)
			}
			conn.Close()
		}
	}
}

// TestScanBusy checks that an upload that finds every scan slot taken
// for scanQueueWait is turned away with 503 and a Retry-After, on the API
// and on the upload page, and says why.
func TestScanBusy(t *testing.T) {
	wait := scanQueueWait
	scanQueueWait = 50 * time.Millisecond
	t.Cleanup(func() { scanQueueWait = wait })
	s := newServer(t, fixture(t), nil)
	for range cap(s.scans) {
		s.scans <- struct{}{} // every slot held by a scan that does not end
	}
	rec := `{"eventVersion":"1.10","eventTime":"2026-05-11T03:12:09Z","eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging","eventID":"e"}`
	for _, tc := range []struct{ name, path, want string }{
		{"api", "/api/v1/scan", "busy: 2 scans are running"},
		{"page", "/scan", "scans are running"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var req *http.Request
			if tc.name == "api" {
				req = httptest.NewRequest(http.MethodPost, tc.path, strings.NewReader(rec))
				req.Header.Set("Content-Type", "application/json")
			} else {
				var form bytes.Buffer
				mw := multipart.NewWriter(&form)
				fw, _ := mw.CreateFormFile("file", "rec.json")
				fw.Write([]byte(rec))
				mw.Close()
				req = httptest.NewRequest(http.MethodPost, tc.path, &form)
				req.Header.Set("Content-Type", mw.FormDataContentType())
			}
			req.Host = "127.0.0.1"
			w := httptest.NewRecorder()
			s.Handler().ServeHTTP(w, req)
			if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") != "1" || !strings.Contains(w.Body.String(), tc.want) {
				t.Errorf("status %d, Retry-After %q, body %.300s; want 503, 1 and %q", w.Code, w.Header().Get("Retry-After"), w.Body.String(), tc.want)
			}
		})
	}
}

// TestScanSlowUploads checks that clients that send their uploads slowly
// hold no scan: with more of them than there are scans, an upload sent
// whole is scanned at once.
func TestScanSlowUploads(t *testing.T) {
	s := newServer(t, fixture(t), nil)
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	for range MaxConcurrentScans + 1 {
		conn, err := net.Dial("tcp", srv.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		fmt.Fprintf(conn, "POST /api/v1/scan HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{")
	}
	time.Sleep(100 * time.Millisecond) // the slow uploads are received first
	rec := `{"eventVersion":"1.10","eventTime":"2026-05-11T03:12:09Z","eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging","eventID":"e"}`
	start := time.Now()
	resp, err := http.Post(srv.URL+"/api/v1/scan", "application/json", strings.NewReader(rec))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	// A scan slot is waited for up to scanQueueWait; the answer must not
	// have waited for one.
	if resp.StatusCode != http.StatusOK || time.Since(start) >= scanQueueWait {
		t.Errorf("status %d after %v, with slow uploads in progress; want 200 at once", resp.StatusCode, time.Since(start))
	}
}

// TestScanUploadTooSlow checks that an upload arriving slower than
// minUploadRate, once uploadGrace is over, is cut off with 408 and says
// why, instead of holding its upload slot until the read timeout; and that
// one arriving fast enough is scanned.
func TestScanUploadTooSlow(t *testing.T) {
	rate, grace := minUploadRate, uploadGrace
	minUploadRate, uploadGrace = 1000, 300*time.Millisecond
	t.Cleanup(func() { minUploadRate, uploadGrace = rate, grace })
	s := newServer(t, fixture(t), nil)
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	send := func(body string, pause time.Duration) (int, string) {
		conn, err := net.Dial("tcp", srv.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		fmt.Fprintf(conn, "POST /api/v1/scan HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", len(body))
		go func() {
			for i := 0; i < len(body); i += 100 {
				if _, err := conn.Write([]byte(body[i:min(i+100, len(body))])); err != nil {
					return
				}
				time.Sleep(pause)
			}
		}()
		_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatalf("no answer: %v", err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	rec := `{"eventVersion":"1.10","eventTime":"2026-05-11T03:12:09Z","eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging","eventID":"e"}`
	log := `{"Records":[` + strings.Repeat(rec+",", 40) + rec + `]}`
	// 100 bytes every 400 ms is 250 bytes a second: too slow.
	start := time.Now()
	code, body := send(log, 400*time.Millisecond)
	if code != http.StatusRequestTimeout || !strings.Contains(body, "upload too slow") {
		t.Errorf("slow upload: status %d, %s; want 408 saying it is too slow", code, body)
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("slow upload cut off after %v", took)
	}
	// 100 bytes every 20 ms is 5000 bytes a second: scanned.
	if code, body := send(log, 20*time.Millisecond); code != http.StatusOK {
		t.Errorf("upload at 5 KB/s: status %d, %.300s", code, body)
	}
}

// TestScanExpansionBounded checks that an upload that decompresses to more
// than MaxExpansion times the upload limit is read up to that size only:
// the records before it are reported, and the rest of the file is said not
// to have been read.
func TestScanExpansionBounded(t *testing.T) {
	const maxUpload = 8 << 10
	s, err := New(Config{Catalog: fixture(t), MaxUpload: maxUpload, Log: discard()})
	if err != nil {
		t.Fatal(err)
	}
	rec := `{"eventVersion":"1.10","eventTime":"2026-05-11T03:12:09Z","eventSource":"s3.amazonaws.com","eventName":"ListBuckets","eventID":"e"}` + "\n"
	limit := int(expansionLimit(maxUpload))
	plain := bytes.Repeat([]byte(rec), 4*limit/len(rec))
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write(plain)
	_ = zw.Close()
	if gz.Len() > maxUpload*3/4 {
		t.Fatalf("the test's gzip file is %d bytes, too large for the upload limit", gz.Len())
	}
	body, ct := multipartFile(t, "file", "bomb.json.gz", gz.Bytes())
	resp := do(t, s.Handler(), http.MethodPost, "/api/v1/scan", body, "Content-Type", ct)
	var d report.Document
	if err := json.Unmarshal(resp.Body.Bytes(), &d); err != nil || resp.Code != 200 {
		t.Fatalf("status %d, %v: %s", resp.Code, err, resp.Body)
	}
	if d.Summary.Bytes > int64(limit) || d.Summary.Read < int64(limit/len(rec))-1 || d.Summary.FilesFailed != 1 {
		t.Errorf("summary %+v: want about %d records read, at most %d bytes, and the file not read to the end", d.Summary, limit/len(rec), limit)
	}
	if len(d.Rejections) != 1 || !strings.Contains(d.Rejections[0].Reason, "input too large") {
		t.Errorf("rejections %+v, want the file's end refused as too large", d.Rejections)
	}
	// The page says how many records came before the file's end, as the
	// command line does, not that the last of them was rejected.
	body, ct = multipartFile(t, "file", "bomb.json.gz", gz.Bytes())
	page := do(t, s.Handler(), http.MethodPost, "/scan", body, "Content-Type", ct).Body.String()
	if want := fmt.Sprintf("(after %d records): read input: input too large", d.Summary.Read); !strings.Contains(page, want) {
		t.Errorf("the scan page does not say %q", want)
	}
}

// TestScanManyFindings uploads more findings than a scan holds in memory,
// once as copies of one event and once as distinct events: the copies
// come out as one finding, the distinct ones all in the API's answer, and
// the page lists its first ones and counts the rest.
func TestScanManyFindings(t *testing.T) {
	h := newServer(t, fixture(t), nil).Handler()
	const n = 3 * spillAfter
	rec := func(id int) string {
		return fmt.Sprintf(`{"eventVersion":"1.10","eventTime":"2026-05-11T03:%02d:%02dZ","eventSource":"cloudtrail.amazonaws.com",`+
			`"eventName":"StopLogging","awsRegion":"us-east-1","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/bob"},"eventID":"e%d"}`,
			id/60%60, id%60, id)
	}
	for _, tc := range []struct {
		name     string
		distinct bool
		findings int
	}{{"copies of one event", false, 1}, {"distinct events", true, n}} {
		t.Run(tc.name, func(t *testing.T) {
			var log bytes.Buffer
			for i := range n {
				id := 0
				if tc.distinct {
					id = i
				}
				log.WriteString(rec(id) + "\n")
			}
			body, ct := multipartFile(t, "file", "many.json", log.Bytes())
			resp := do(t, h, http.MethodPost, "/api/v1/scan", body, "Content-Type", ct)
			var d report.Document
			if err := json.Unmarshal(resp.Body.Bytes(), &d); err != nil || resp.Code != 200 {
				t.Fatalf("status %d, %v", resp.Code, err)
			}
			if d.Summary.Read != n || d.Summary.Findings != tc.findings || len(d.Findings) != tc.findings || d.Summary.Duplicates != int64(n-tc.findings) {
				t.Errorf("summary %+v with %d findings listed; want %d read, %d findings", d.Summary, len(d.Findings), n, tc.findings)
			}
			body, ct = multipartFile(t, "file", "many.json", log.Bytes())
			page := do(t, h, http.MethodPost, "/scan", body, "Content-Type", ct).Body.String()
			rows := strings.Count(page, "<td class=\"event\">")
			if want := min(tc.findings, maxFindingsShown); rows != want {
				t.Errorf("the page lists %d findings, want %d", rows, want)
			}
			if more := tc.findings - maxFindingsShown; more > 0 && !strings.Contains(page, fmt.Sprintf("%d more findings are not shown", more)) {
				t.Errorf("the page does not say %d more findings are not shown", more)
			}
		})
	}
}

// TestScanSpillFails checks that a scan that cannot write to disk, the
// upload (held in a file past spoolMem) or its findings, is answered as the
// server's failure, not the upload's, and that the answer names no path of
// the server's.
func TestScanSpillFails(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "no-such-dir")
	t.Setenv("TMPDIR", missing)
	h := newServer(t, fixture(t), nil).Handler()
	var log bytes.Buffer
	for i := range 2 * spillAfter {
		fmt.Fprintf(&log, `{"eventVersion":"1.10","eventTime":"2026-05-11T03:12:09Z","eventSource":"cloudtrail.amazonaws.com",`+
			`"eventName":"StopLogging","awsRegion":"us-east-1","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/bob"},"eventID":"e%d"}`+"\n", i)
	}
	defer func(n int) { spoolMem = n }(spoolMem)
	for _, held := range []struct {
		what string
		mem  int
	}{{"findings", log.Len()}, {"upload", log.Len() - 1}} {
		spoolMem = held.mem
		for _, target := range []string{"/scan", "/api/v1/scan"} {
			body, ct := multipartFile(t, "file", "many.json", log.Bytes())
			resp := do(t, h, http.MethodPost, target, body, "Content-Type", ct)
			if resp.Code != http.StatusInternalServerError || strings.Contains(resp.Body.String(), missing) {
				t.Errorf("%s, %s on disk: status %d, body mentions the path: %v; want 500 without it", target, held.what,
					resp.Code, strings.Contains(resp.Body.String(), missing))
			}
		}
	}
}

// TestScanHostileRecord uploads records whose fields carry markup and checks
// that the page shows them as text.
func TestScanHostileRecord(t *testing.T) {
	h := newServer(t, fixture(t), nil).Handler()
	rec := `{"Records":[{"eventVersion":"1.10","eventTime":"2026-05-11T03:12:09Z",` +
		`"eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging","awsRegion":"<b>us</b>",` +
		`"userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/<script>alert('arn')</script>"},` +
		`"userAgent":"\"><img src=x onerror=alert('ua')>","sourceIPAddress":"javascript:alert(1)","eventID":"a"},` +
		`{"eventTime":"2026-05-11T03:12:10Z","eventSource":"s3.amazonaws.com",` +
		`"eventName":"<script>alert('event')</script>","eventID":"b"},` +
		`{"eventTime":"<svg onload=alert('bad')>","eventSource":"x"}]}`
	body, ct := multipartFile(t, "file", `"><script>alert('name')</script>.json`, []byte(rec))
	resp := do(t, h, http.MethodPost, "/scan", body, "Content-Type", ct)
	if resp.Code != 200 {
		t.Fatalf("status %d", resp.Code)
	}
	page := resp.Body.String()
	assertInert(t, page)
	for _, want := range []string{
		"user/&lt;script&gt;alert(&#39;arn&#39;)&lt;/script&gt;",
		"&#34;&gt;&lt;img src=x onerror=alert(&#39;ua&#39;)&gt;",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks the escaped text %q", want)
		}
	}
}

// Patterns that would run script if the page carried them unescaped.
var activeMarkup = []*regexp.Regexp{
	regexp.MustCompile(`(?i)<script[\s>](?:[^<]|<[^/])*alert`),
	regexp.MustCompile(`(?i)<(img|svg|iframe|style|b|a)\b[^>]*\s(on\w+|src)=[^>]*(alert|evil|x)`),
	regexp.MustCompile(`(?i)<iframe`),
	regexp.MustCompile(`(?i)<style`),
	regexp.MustCompile(`(?i)(href|src)\s*=\s*["']?\s*(javascript|data):`),
	regexp.MustCompile(`(?i)<[a-z][^<>]*\son\w+\s*=`),
}

// assertInert fails when page holds markup that a browser would act on.
func assertInert(t *testing.T, page string) {
	t.Helper()
	for _, re := range activeMarkup {
		if m := re.FindString(page); m != "" {
			t.Errorf("page carries active markup %q (pattern %s)", m, re)
		}
	}
	// The only scripts are the static file.
	if n, m := strings.Count(page, "<script"), strings.Count(page, `<script src="/static/app.js" defer></script>`); n != m {
		t.Errorf("page has %d script tags, %d of them the static file", n, m)
	}
}

// TestScanInvisibleCharacters uploads a record whose fields, and whose file
// name, carry control and invisible characters, and checks that the page
// shows them escaped, as the text outputs do, instead of passing them to
// the browser; so does an error page that quotes the request path.
func TestScanInvisibleCharacters(t *testing.T) {
	h := newServer(t, fixture(t), nil).Handler()
	rec := `{"Records":[{"eventVersion":"1.10","eventTime":"2026-05-11T03:12:09Z",` +
		`"eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging","eventID":"a",` +
		`"userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/a\u202eevil"},` +
		`"userAgent":"ua\u001b[31m\u0007\u2028x"}]}`
	body, ct := multipartFile(t, "file", "trail\u202e.json", []byte(rec))
	resp := do(t, h, http.MethodPost, "/scan", body, "Content-Type", ct)
	if resp.Code != 200 {
		t.Fatalf("status %d", resp.Code)
	}
	notFound := do(t, h, http.MethodGet, "/no/%E2%80%AE%1B", nil)
	search := do(t, h, http.MethodGet, "/techniques?q=stop%E2%80%AE%1B&event=Stop%E2%80%AELogging", nil)
	for name, page := range map[string]string{"scan page": resp.Body.String(), "error page": notFound.Body.String(),
		"search page": visibleText(search.Body.String())} {
		for _, raw := range []string{"\u202e", "\x1b", "\x07", "\u2028"} {
			if strings.Contains(page, raw) {
				t.Errorf("%s carries %q raw", name, raw)
			}
		}
	}
	if page := resp.Body.String(); !strings.Contains(page, `\u202e`) || !strings.Contains(page, `\x1b`) {
		t.Errorf("scan page does not show the characters escaped")
	}
	// An API error quotes an upload that is no log as the error page
	// does: what `jq -r` prints of it holds no terminal control.
	apiErr := do(t, h, http.MethodPost, "/api/v1/scan", strings.NewReader("\x1b]0;owned\x07\x1b[2J \u202e"),
		"Content-Type", "application/octet-stream")
	var doc ErrorBody
	if err := json.Unmarshal(apiErr.Body.Bytes(), &doc); err != nil || apiErr.Code != http.StatusBadRequest {
		t.Fatalf("API error: status %d, %v: %s", apiErr.Code, err, apiErr.Body)
	}
	if msg := doc.Error.Message; !strings.Contains(msg, `\x1b]0;owned\x07`) || strings.ContainsAny(msg, "\x1b\x07\u202e") {
		t.Errorf("API error message %q is not escaped", msg)
	}
}

// TestScanUploadWithoutRecords checks that a log of no records is scanned
// (as ttc scan reads it), while an empty upload or one that is no log is
// refused with its reason.
func TestScanUploadWithoutRecords(t *testing.T) {
	h := newServer(t, fixture(t), nil).Handler()
	for _, tc := range []struct {
		body   string
		status int
		says   string
	}{
		{`{"Records":[]}`, 200, `"read": 0`},
		{"", 400, "empty input"},
		{" \n", 400, "blank input"},
		{"hello", 400, "no JSON object or array"},
	} {
		body, ct := multipartFile(t, "file", "log.json", []byte(tc.body))
		rec := do(t, h, http.MethodPost, "/api/v1/scan", body, "Content-Type", ct)
		if rec.Code != tc.status || !strings.Contains(rec.Body.String(), tc.says) {
			t.Errorf("%q: status %d, %.200s; want %d saying %q", tc.body, rec.Code, rec.Body.String(), tc.status, tc.says)
		}
	}
}

// visibleText drops the attribute values of a page's form fields, where a
// query is kept as typed so that the form submits it again.
func visibleText(page string) string {
	return regexp.MustCompile(`value="[^"]*"`).ReplaceAllString(page, `value=""`)
}

// TestScanMalformedForm checks that a broken multipart form is refused with
// a message of ttc's own: the library's quotes the broken header line with
// Go escapes, which the page would escape a second time.
func TestScanMalformedForm(t *testing.T) {
	s, err := New(Config{Catalog: fixture(t), Log: discard()})
	if err != nil {
		t.Fatal(err)
	}
	head := "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.json\"\r\n"
	for name, body := range map[string]string{
		"broken header": "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x\x1by.json\"\r\nbroken header line\x1b\r\n\r\n{}\r\n--b--\r\n",
		"bad encoding":  head + "Content-Transfer-Encoding: quoted-printable\r\n\r\n{\"Records\":[]}=\r\r\n\x1b\r\n--b--\r\n",
		// Go's multipart reader gives up on a line over 4 KiB before the
		// file part, whatever the upload limit: the answer says so.
		"long preamble line": strings.Repeat("x", 5<<10) + "\r\n" + head + "\r\n{}\r\n--b--\r\n",
	} {
		rec := do(t, s.Handler(), http.MethodPost, "/scan", strings.NewReader(body), "Content-Type", "multipart/form-data; boundary=b")
		if rec.Code != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400", name, rec.Code)
		}
		if out := rec.Body.String(); !strings.Contains(out, "the multipart form is malformed") || strings.Contains(out, `\\x1b`) || strings.Contains(out, `\\r`) {
			t.Errorf("%s: answer:\n%s", name, out)
		}
		if long := strings.Contains(rec.Body.String(), "longer than 4 KiB"); long != (name == "long preamble line") {
			t.Errorf("%s: answer says a line is too long: %v", name, long)
		}
	}
	// A form with no boundary, or more part headers than the reader takes,
	// is named for what it is, not for a file name.
	var many strings.Builder
	many.WriteString("--b\r\n")
	for i := range 20000 {
		fmt.Fprintf(&many, "X-H%d: v\r\n", i)
	}
	many.WriteString("Content-Disposition: form-data; name=\"file\"; filename=\"a.json\"\r\n\r\n{}\r\n--b--\r\n")
	for _, tt := range []struct{ name, ct, body, want string }{
		{"no boundary", "multipart/form-data", head + "\r\n{}\r\n--b--\r\n", "names no boundary"},
		{"empty boundary", "multipart/form-data; boundary=", head + "\r\n{}\r\n--b--\r\n", "names no boundary"},
		{"many part headers", "multipart/form-data; boundary=b", many.String(), "part headers are more than the server reads"},
		// A body that is no form at all, or an empty one, is not a form
		// without files.
		{"not multipart", "multipart/form-data; boundary=b", "this is not a form\r\n{\"Records\":[]}\r\n",
			"could not be read as multipart form data (multipart: NextPart: EOF)"},
		{"empty", "multipart/form-data; boundary=b", "", "could not be read as multipart form data"},
		{"cut short after a part", "multipart/form-data; boundary=b", head + "\r\n{}\r\n--b", "the upload is cut short"},
		// Cut inside a part, or where the reader gives the io.EOF of the
		// form's end: a file went missing, which must not pass unsaid.
		{"part cut short", "multipart/form-data; boundary=b", head + "\r\n{\"Records\":[", "the upload is cut short"},
		{"cut after a boundary line", "multipart/form-data; boundary=b", head + "\r\n{}\r\n--b\r\n", "the upload is cut short"},
		{"cut in a later part's headers", "multipart/form-data; boundary=b",
			head + "\r\n{}\r\n--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"b.json\"\r\n", "the upload is cut short"},
		{"cut in a header line", "multipart/form-data; boundary=b", head + "\r\n{}\r\n--b\r\nContent-Dispo", "the upload is cut short"},
		{"cut in the closing line", "multipart/form-data; boundary=b", head + "\r\n{}\r\n--b-", "cut short"},
	} {
		for _, path := range []string{"/scan", "/api/v1/scan"} {
			rec := do(t, s.Handler(), http.MethodPost, path, strings.NewReader(tt.body), "Content-Type", tt.ct)
			if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), tt.want) {
				t.Errorf("%s %s: status %d, answer lacks %q:\n%s", tt.name, path, rec.Code, tt.want, rec.Body)
			}
		}
	}
}

// TestFormClosingLine checks that closeWatch sees a boundary line and the
// closing line where Go's multipart reader takes them for such, wherever
// the reads split the body: a form is read as whole only when its closing
// line came.
func TestFormClosingLine(t *testing.T) {
	part := "Content-Disposition: form-data; name=\"file\"; filename=\"a.json\"\r\n\r\n{}\r\n"
	body := "--b\r\n" + part + "--b--\r\nan epilogue"
	for _, tc := range []struct {
		name         string
		body         string
		opened, seen bool
	}{
		{"whole, with an epilogue", body, true, true},
		{"empty form", "--b--\r\n", false, true},
		{"closing line ends the body", "--b\r\n" + part + "--b--", true, true},
		{"blanks after the boundaries", "--b \t\r\n" + part + "--b-- \r\n", true, true},
		{"bare LF lines", strings.ReplaceAll(body, "\r\n", "\n"), true, true},
		{"cut after a boundary line", "--b\r\n" + part + "--b\r\n", true, false},
		{"cut in the closing line", "--b\r\n" + part + "--b-", true, false},
		{"not at a line start", "--b\r\n" + part + "x--b--\r\n", true, false},
		{"another boundary", "--b\r\n" + part + "--c--\r\n", true, false},
		// In a form of CRLF lines, a line ending with a bare LF is text:
		// what follows it is no boundary line, in the preamble or a part.
		{"LF closing line in a CRLF preamble", "preamble\n--b--\n--b\r\n" + part + "--b\r\n", true, false},
		{"LF closing line in CRLF content", "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.json\"\r\n\r\n{}\n--b--\n\r\n--b\r\n", true, false},
		{"a longer word is no boundary line", "hello\r\n--babc\r\nmore\r\n", false, false},
		// Blanks past any buffer: the first line is still a boundary line,
		// so what follows a bare LF in its part is no closing line.
		{"a long padded first line", "--b" + strings.Repeat(" ", 300) + "\r\n" +
			"Content-Disposition: form-data; name=\"note\"\r\n\r\nx\n--b--\r\n\r\n--b\r\nContent-Dispo", true, false},
		{"a long padded closing line", "--b\r\n" + part + "--b--" + strings.Repeat("\t", 300) + "\r\n", true, true},
		// Once seen, the closing line stays seen, whatever the epilogue.
		{"an epilogue like a closing line", body + "\r\n--b--\r\n--b--x\r\n", true, true},
	} {
		for _, size := range []int{1, 2, 3, 7, 4096} {
			c := newCloseWatch(&chunked{strings.NewReader(tc.body), size}, "b")
			if _, err := io.Copy(io.Discard, c); err != nil {
				t.Fatal(err)
			}
			if c.opened != tc.opened || c.seen != tc.seen {
				t.Errorf("%s, read %d bytes at a time: boundary line %v, closing line %v; want %v, %v",
					tc.name, size, c.opened, c.seen, tc.opened, tc.seen)
			}
		}
	}
}

// TestFormClosingLineBlankBoundary checks a boundary that ends in a blank
// (RFC 2046 forbids it; Go's reader takes it): the blank is the
// boundary's, not the start of the run of blanks after it, so "--b  --"
// is no closing line for "b ", as Go's reader reads it.
func TestFormClosingLineBlankBoundary(t *testing.T) {
	for body, seen := range map[string]bool{"--b  --\r\n": false, "--b --\r\n": true, "--b --  \r\n": true} {
		c := newCloseWatch(strings.NewReader(body), "b ")
		if _, err := io.Copy(io.Discard, c); err != nil {
			t.Fatal(err)
		}
		if c.seen != seen {
			t.Errorf("%q with boundary \"b \": closing line seen %v, want %v", body, c.seen, seen)
		}
	}
}

// TestFormClosingLineAgainstGo puts random bodies made of boundary-like
// pieces through closeWatch and Go's multipart reader: a body the form
// reading takes as whole must be one Go's reader ends at its closing line
// with as many file parts (the same body with more after it still ends
// there), and a body Go's reader ends there must be taken as whole.
func TestFormClosingLineAgainstGo(t *testing.T) {
	pieces := []string{"--b", "--", "\r\n", "\n", "\r", " ", "\t", "x", "--b\r\n", "--b--\r\n", "\r\n--b\r\n", "--b\n",
		"Content-Disposition: form-data; name=\"file\"; filename=\"a\"\r\n\r\n",
		"Content-Disposition: form-data; name=\"file\"; filename=\"a\"\n\n",
		"Content-Disposition: form-data; name=\"note\"\r\n\r\n"}
	// parts reads body with Go's reader alone, or with closeWatch under
	// it, n bytes at a time, and says whether the form ended whole (for
	// closeWatch: at io.EOF with the closing line seen) and its file parts.
	parts := func(body, boundary string, watch bool, n int) (whole bool, files int) {
		var r io.Reader = &chunked{strings.NewReader(body), n}
		c := newCloseWatch(r, boundary)
		if watch {
			r = c
		}
		mr := multipart.NewReader(r, boundary)
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				return !watch || c.seen, files
			}
			if err != nil {
				return false, files
			}
			if p.FormName() == "file" {
				if _, err := io.Copy(io.Discard, p); err != nil {
					return false, files
				}
				files++
			}
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 100_000 {
		// A boundary that ends in a blank, which RFC 2046 forbids and
		// Go's reader takes, every fourth body.
		boundary := "b"
		if i%4 == 3 {
			boundary = "b "
		}
		var b strings.Builder
		for range rng.IntN(24) {
			b.WriteString(strings.ReplaceAll(pieces[rng.IntN(len(pieces))], "--b", "--"+boundary))
		}
		body := b.String()
		whole, files := parts(body, boundary, true, 1+rng.IntN(8))
		goWhole, goFiles := parts(body, boundary, false, 4096)
		// Go's reader also takes a body cut inside a part's headers for
		// one that ended: it ended at its closing line only if a line
		// after it, in one line ending or the other, changes nothing.
		w1, f1 := parts(body+"\r\nX", boundary, false, 4096)
		w2, f2 := parts(body+"\nX", boundary, false, 4096)
		goWhole = goWhole && (w1 && f1 == goFiles || w2 && f2 == goFiles)
		if whole && (!goWhole || files != goFiles) {
			t.Fatalf("%q taken as whole with %d files; Go's reader: whole %v, %d files", body, files, goWhole, goFiles)
		}
		if goWhole && !whole && goFiles > 0 {
			t.Fatalf("%q refused; Go's reader ends it whole with %d files", body, goFiles)
		}
	}
}

// chunked reads at most n bytes at a time.
type chunked struct {
	r io.Reader
	n int
}

func (c *chunked) Read(b []byte) (int, error) { return c.r.Read(b[:min(len(b), c.n)]) }

// TestScanPageAttemptMessage checks that the scan page shows the message of
// a failed call that has no error code (a failed console sign-in has
// none), as it shows a code.
func TestScanPageAttemptMessage(t *testing.T) {
	h := newServer(t, fixture(t), nil).Handler()
	rec := `{"eventVersion":"1.10","eventTime":"2026-03-14T02:02:31Z","eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging",` +
		`"awsRegion":"us-east-1","eventID":"e1","errorMessage":"Failed authentication",` +
		`"userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/x","accountId":"111122223333"}}`
	body, ct := multipartFile(t, "file", "trail.json", []byte(rec+"\n"))
	page := do(t, h, http.MethodPost, "/scan", body, "Content-Type", ct).Body.String()
	if !strings.Contains(page, "attempt (Failed authentication)") {
		t.Errorf("the scan page shows no reason beside the attempt:\n%s", page)
	}
}
