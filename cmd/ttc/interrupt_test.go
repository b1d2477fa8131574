package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestInterruptibleWriter checks that a report stops being written once
// the scan is interrupted.
func TestInterruptibleWriter(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var b bytes.Buffer
	w := interruptible{ctx, &b}
	if _, err := w.Write([]byte("before")); err != nil {
		t.Fatal(err)
	}
	cancel()
	if n, err := w.Write([]byte("after")); n != 0 || !errors.Is(err, context.Canceled) {
		t.Fatalf("write after the interrupt: %d bytes, %v; want none and context.Canceled", n, err)
	}
	if b.String() != "before" {
		t.Errorf("wrote %q, want only what came before the interrupt", b.String())
	}
}

// TestInterruptStuckScan checks that an interrupted scan ends, with an
// error that says why, when a worker is stuck opening a named pipe that no
// one writes to, instead of waiting for it for ever.
func TestInterruptStuckScan(t *testing.T) {
	pipe := filepath.Join(t.TempDir(), "pipe.json")
	if err := syscall.Mkfifo(pipe, 0o600); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
	defer func(g time.Duration) { interruptGrace = g }(interruptGrace)
	interruptGrace = 300 * time.Millisecond
	// The interrupt, late enough that a worker has reached the pipe on a
	// loaded machine too.
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	var stderr bytes.Buffer
	root := newRootCmd(io.Discard, &stderr)
	root.SetArgs([]string{"scan", "-o", "jsonl", "--progress", "never", pipe})
	ended := make(chan error, 1)
	go func() { ended <- root.ExecuteContext(ctx) }()
	select {
	case err := <-ended:
		if !errors.Is(err, errWouldNotStop) {
			t.Errorf("scan ended with %v, want %v", err, errWouldNotStop)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the interrupted scan did not end")
	}
	// Let the stuck worker go: opening the pipe to write ends its open.
	// Without waiting for a reader: had no worker opened it, a blocking
	// open would wait for ever, and the test with it.
	if w, err := os.OpenFile(pipe, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
		w.Close()
	}
}
