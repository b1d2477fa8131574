package main

import (
	"bytes"
	"context"
	"errors"
	"testing"
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
