package scan

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ttcproject/ttc/internal/catalog/catalogtest"
)

// TestHeldWarning checks that a scan keeping its findings warns, once,
// when it holds many of them, and that a streamed scan does not.
func TestHeldWarning(t *testing.T) {
	defer func(old int64) { heldWarning = old }(heldWarning)
	heldWarning = 5
	c, rs := catalogtest.Rules(t, filepath.Join("testdata", "anyrule"))
	for _, stream := range []bool{false, true} {
		var logs bytes.Buffer
		opts := Options{Workers: 2, Log: slog.New(slog.NewTextHandler(&logs, nil))}
		if stream {
			opts.EmitJSON = func([]byte) error { return nil }
		}
		res, err := New(c, rs, opts).Scan(context.Background(), []string{filepath.Join("testdata", "logs")})
		if err != nil {
			t.Fatal(err)
		}
		n := strings.Count(logs.String(), "holds many findings")
		switch {
		case res.Summary.Findings <= 5:
			t.Fatalf("only %d findings; the test needs more than 5", res.Summary.Findings)
		case !stream && n != 1:
			t.Errorf("kept scan of %d findings warned %d times, want once:\n%s", res.Summary.Findings, n, logs.String())
		case stream && n != 0:
			t.Errorf("streamed scan warned about held findings:\n%s", logs.String())
		}
	}
}

// TestFlushLetsHugeChunksGo checks that a worker hands its lines on as soon
// as they pass a chunk, and does not keep the room one huge finding needed.
func TestFlushLetsHugeChunksGo(t *testing.T) {
	var got []int
	s := &Scanner{opts: Options{EmitJSON: func(lines []byte) error { got = append(got, len(lines)); return nil }}}
	w := &worker{s: s}
	w.out = append(w.out, make([]byte, 10*emitChunk)...)
	w.flush()
	if len(got) != 1 || got[0] != 10*emitChunk {
		t.Fatalf("EmitJSON got %v, want one chunk of %d bytes", got, 10*emitChunk)
	}
	if cap(w.out) > 4*emitChunk {
		t.Errorf("the worker keeps %d bytes of room after a huge chunk", cap(w.out))
	}
	w.out = append(w.out, "small\n"...)
	w.flush()
	if len(got) != 2 || got[1] != len("small\n") {
		t.Errorf("EmitJSON got %v after a small chunk", got)
	}
}
