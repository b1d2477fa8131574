package server

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ttcproject/ttc/internal/catalog"
)

// TestEmbeddedCatalog is the smoke test over the catalog built into the
// binary: every page of every entry renders and the API fits its schemas.
func TestEmbeddedCatalog(t *testing.T) {
	c, err := catalog.Open()
	if err != nil {
		t.Fatalf("load the embedded catalog: %v", err)
	}
	s := newServer(t, c, nil)
	h := s.Handler()
	var targets []string
	for _, tc := range loadTargets(c) {
		targets = append(targets, tc.path)
	}
	for _, target := range targets {
		rec := do(t, h, http.MethodGet, target, nil)
		if rec.Code != http.StatusOK {
			t.Errorf("GET %s: status %d", target, rec.Code)
			continue
		}
		if strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
			assertInert(t, rec.Body.String())
		}
	}
	t.Run("openapi", func(t *testing.T) { checkAPI(t, newSchemaChecker(t), s) })
}

// TestAccessLog checks the access log's fields and that it leaves out query strings.
func TestAccessLog(t *testing.T) {
	var buf bytes.Buffer
	h := newServer(t, fixture(t), &buf).Handler()
	do(t, h, http.MethodGet, "/techniques?q=secret-words", nil)
	body, ct := multipartFile(t, "file", "private-name.json", sampleLog(t))
	do(t, h, http.MethodPost, "/scan?token=abc", body, "Content-Type", ct)
	log := buf.String()
	for _, want := range []string{
		"msg=request method=GET path=/techniques status=200 bytes=",
		"msg=request method=POST path=/scan status=200 bytes=",
		"duration_ms=",
	} {
		if !strings.Contains(log, want) {
			t.Errorf("access log lacks %q:\n%s", want, log)
		}
	}
	for _, leak := range []string{"secret-words", "token=abc", "private-name", "ci-deployer"} {
		if strings.Contains(log, leak) {
			t.Errorf("access log leaks %q:\n%s", leak, log)
		}
	}
}

// TestGracefulShutdown cancels the server's context while a request is in
// flight and checks that the request completes and Serve returns cleanly.
func TestGracefulShutdown(t *testing.T) {
	s := newServer(t, fixture(t), nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	slow := &slowBody{wait: 300 * time.Millisecond}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()

	type result struct {
		code int
		err  error
	}
	res := make(chan result, 1)
	go func() {
		resp, err := http.Post("http://"+ln.Addr().String()+"/api/v1/scan", "application/json", slow)
		if err != nil {
			res <- result{err: err}
			return
		}
		resp.Body.Close()
		res <- result{code: resp.StatusCode}
	}()
	time.Sleep(100 * time.Millisecond) // the request is now being read
	cancel()
	r := <-res
	if r.err != nil || r.code != http.StatusOK {
		t.Errorf("request in flight: status %d, error %v", r.code, r.err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("server did not stop")
	}
	if _, err := http.Get("http://" + ln.Addr().String() + "/"); err == nil {
		t.Error("server still answers after shutdown")
	}
}

// slowBody is a request body that takes a while to arrive.
type slowBody struct {
	wait time.Duration
	sent bool
}

func (b *slowBody) Read(p []byte) (int, error) {
	if b.sent {
		return 0, io.EOF
	}
	time.Sleep(b.wait)
	b.sent = true
	return copy(p, `{"Records":[{"eventVersion":"1.10","eventSource":"s3.amazonaws.com","eventName":"ListBuckets","eventTime":"2026-01-01T00:00:00Z"}]}`), nil
}

// TestLoopbackHost checks that a server listening on loopback answers
// only requests that name loopback as their host: a DNS name pointed at
// 127.0.0.1 by another site gets 421, with the security headers.
func TestLoopbackHost(t *testing.T) {
	base := liveServer(t, newServer(t, fixture(t), nil))
	port := strings.TrimPrefix(base, "http://127.0.0.1:")
	for host, want := range map[string]int{
		"127.0.0.1:" + port:         http.StatusOK,
		"localhost:" + port:         http.StatusOK,
		"LOCALHOST.:" + port:        http.StatusOK,
		"app.localhost:" + port:     http.StatusOK,
		"[::1]:" + port:             http.StatusOK,
		"127.0.0.2":                 http.StatusOK,
		"rebind.example:" + port:    http.StatusMisdirectedRequest,
		"localhost.example:" + port: http.StatusMisdirectedRequest,
		"10.0.0.1:" + port:          http.StatusMisdirectedRequest,
		"[::ffff:8.8.8.8]:" + port:  http.StatusMisdirectedRequest,
	} {
		for _, path := range []string{"/", "/api/v1/techniques"} {
			req, err := http.NewRequest(http.MethodGet, base+path, nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Host = host
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != want {
				t.Errorf("Host %q %s: status %d, want %d", host, path, resp.StatusCode, want)
			}
			if resp.Header.Get("Content-Security-Policy") == "" {
				t.Errorf("Host %q %s: no Content-Security-Policy", host, path)
			}
		}
	}
}

// TestCanonicalURLs checks that an entry named in other than its own
// spelling is redirected to its own URL, query kept, in pages and API.
func TestCanonicalURLs(t *testing.T) {
	h := newServer(t, fixture(t), nil).Handler()
	for target, want := range map[string]string{
		"/techniques/t1485":                 "/techniques/T1485",
		"/techniques/T1485%20":              "/techniques/T1485",
		"/api/v1/techniques/t1485":          "/api/v1/techniques/T1485",
		"/techniques/t1485?from=search":     "/techniques/T1485?from=search",
		"/services/Amazon%20S3":             "/services/s3",
		"/api/v1/services/s3.amazonaws.com": "/api/v1/services/s3",
		"/events/cloudtrail:stoplogging":    "/events/cloudtrail:StopLogging",
	} {
		rec := do(t, h, http.MethodGet, target, nil)
		if rec.Code != http.StatusMovedPermanently || rec.Header().Get("Location") != want {
			t.Errorf("GET %s: status %d, Location %q; want 301 to %s", target, rec.Code, rec.Header().Get("Location"), want)
		}
		if strings.HasPrefix(target, "/api/") && rec.Body.Len() != 0 {
			t.Errorf("GET %s: the API's redirect has a body: %q", target, rec.Body)
		}
	}
	for _, target := range []string{"/techniques/T1485", "/api/v1/services/s3", "/events/cloudtrail:StopLogging"} {
		if rec := do(t, h, http.MethodGet, target, nil); rec.Code != http.StatusOK {
			t.Errorf("GET %s: status %d, want 200", target, rec.Code)
		}
	}
}

// TestRevalidation checks that 200 answers to GET carry an entity tag, that
// a request naming it, or "*", gets 304 with no body, and that errors and
// other servers' tags get the full answer.
func TestRevalidation(t *testing.T) {
	h := newServer(t, fixture(t), nil).Handler()
	for _, target := range []string{"/techniques/T1485", "/api/v1/techniques?service=s3", "/static/style.css"} {
		first := do(t, h, http.MethodGet, target, nil)
		tag := first.Header().Get("ETag")
		if first.Code != http.StatusOK || tag == "" {
			t.Fatalf("GET %s: status %d, ETag %q; want 200 with a tag", target, first.Code, tag)
		}
		for _, held := range []string{tag, "*", ` * `, `"x", ` + tag} {
			again := do(t, h, http.MethodGet, target, nil, "If-None-Match", held)
			if again.Code != http.StatusNotModified || again.Body.Len() != 0 {
				t.Errorf("GET %s with If-None-Match %s: status %d, %d bytes; want 304 and none", target, held, again.Code, again.Body.Len())
			}
		}
		// Two header lines are one list.
		if rec := do(t, h, http.MethodGet, target, nil, "If-None-Match", `"x"`, "If-None-Match", tag); rec.Code != http.StatusNotModified {
			t.Errorf("GET %s with its tag on a second If-None-Match line: status %d, want 304", target, rec.Code)
		}
		for _, other := range []string{`W/"0123"`, `"0123", W/"4567"`} {
			if rec := do(t, h, http.MethodGet, target, nil, "If-None-Match", other); rec.Code != http.StatusOK {
				t.Errorf("GET %s with If-None-Match %s: status %d, want 200", target, other, rec.Code)
			}
		}
	}
	if rec := do(t, h, http.MethodGet, "/techniques/NOPE", nil); rec.Header().Get("ETag") != "" {
		t.Errorf("a 404 carries the tag %q", rec.Header().Get("ETag"))
	}
	// A request holding the tag gets what it would get without it when
	// that is no 200: not found, refused, redirected.
	tag0 := do(t, h, http.MethodGet, "/", nil).Header().Get("ETag")
	for target, want := range map[string]int{"/techniques/NOPE": http.StatusNotFound, "/api/v1/nothing": http.StatusNotFound,
		"/api/v1/techniques?search=x": http.StatusBadRequest, "/techniques/t1485": http.StatusMovedPermanently} {
		for _, held := range []string{tag0, "*"} {
			if rec := do(t, h, http.MethodGet, target, nil, "If-None-Match", held); rec.Code != want {
				t.Errorf("GET %s with If-None-Match %s: status %d, want %d", target, held, rec.Code, want)
			}
		}
	}
	// A new server (a restart: the catalog or program may have changed)
	// answers an old tag in full.
	tag := do(t, h, http.MethodGet, "/", nil).Header().Get("ETag")
	h2 := newServer(t, fixture(t), nil).Handler()
	if rec := do(t, h2, http.MethodGet, "/", nil, "If-None-Match", tag); rec.Code != http.StatusOK {
		t.Errorf("another server answered an old tag with %d, want 200", rec.Code)
	}
}

// TestOptions checks that OPTIONS says what a route allows, without an error.
func TestOptions(t *testing.T) {
	h := newServer(t, fixture(t), nil).Handler()
	rec := do(t, h, http.MethodOptions, "/api/v1/techniques", nil)
	if rec.Code != http.StatusNoContent || !strings.Contains(rec.Header().Get("Allow"), "GET") || !strings.Contains(rec.Header().Get("Allow"), "OPTIONS") {
		t.Errorf("OPTIONS: status %d, Allow %q; want 204 naming GET and OPTIONS", rec.Code, rec.Header().Get("Allow"))
	}
	if rec := do(t, h, http.MethodDelete, "/api/v1/techniques", nil); rec.Code != http.StatusMethodNotAllowed || !strings.Contains(rec.Header().Get("Allow"), "OPTIONS") {
		t.Errorf("DELETE: status %d, Allow %q; want 405 naming OPTIONS too", rec.Code, rec.Header().Get("Allow"))
	}
}
