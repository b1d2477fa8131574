package server

import (
	"bytes"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/ttcproject/ttc/internal/catalog"
)

var update = flag.Bool("update", false, "rewrite golden files")

// fixture loads the small catalog in testdata/catalog, with overlays on top.
func fixture(t testing.TB, overlays ...string) *catalog.Catalog {
	t.Helper()
	srcs := []catalog.Source{{FS: os.DirFS("testdata/catalog"), Dir: ".", Label: "fixture"}}
	for _, o := range overlays {
		srcs = append(srcs, catalog.Overlay(o))
	}
	c, err := catalog.Load(srcs...)
	if err != nil {
		t.Fatalf("load fixture catalog: %v", err)
	}
	return c
}

// newServer builds a server over c that logs into buf (nil discards).
func newServer(t testing.TB, c *catalog.Catalog, logTo io.Writer) *Server {
	t.Helper()
	if logTo == nil {
		logTo = io.Discard
	}
	s, err := New(Config{Catalog: c, Log: slog.New(slog.NewTextHandler(logTo, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// do runs one request through the handler.
func do(t testing.TB, h http.Handler, method, target string, body io.Reader, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, target, body)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// golden compares got with testdata/<name>, rewriting it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file: %v (run go test -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (run go test -update and review the diff)\n%s", name, firstDiff(string(got), string(want)))
	}
}

// firstDiff shows the first differing line, which is what a reader needs.
func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < max(len(g), len(w)); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return "line " + strconv.Itoa(i+1) + ":\n  got:  " + gl + "\n  want: " + wl
		}
	}
	return "(same lines, different bytes)"
}

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }
