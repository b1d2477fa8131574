package server

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/ttcproject/ttc/internal/catalog"
	"github.com/ttcproject/ttc/internal/ruleset"
)

// The pages say which rules need data events, as they do under ttc serve,
// whose start-up installs the rule analysis.
func init() { catalog.SetRuleAnalyser(ruleset.AnalyseRules) }

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
		req.Header.Add(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }
