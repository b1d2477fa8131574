package scan_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ttcproject/ttc/internal/scan"
)

// endless is a log of one record per line that never ends.
type endless struct{ at int }

const endlessRecord = `{"eventVersion":"1.08","eventTime":"2026-01-01T00:00:00Z","eventSource":"s3.amazonaws.com","eventName":"ListBuckets","eventID":"e"}` + "\n"

func (e *endless) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		c := copy(p[n:], endlessRecord[e.at:])
		n += c
		e.at = (e.at + c) % len(endlessRecord)
	}
	return n, nil
}

// TestScanStopsInsideAFile checks that a scan stops reading a file once its
// context is done, rather than at the file's end, which an endless input
// (or a very large file, after Ctrl-C) never reaches.
func TestScanStopsInsideAFile(t *testing.T) {
	c, rs := fixtures(t)
	for _, o := range []scan.Options{{}, {EmitJSON: func([]byte) error { return nil }}} {
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		ended := make(chan error, 1)
		go func() {
			_, err := scan.New(c, rs, o).ScanReader(ctx, "endless", &endless{})
			ended <- err
		}()
		select {
		case err := <-ended:
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("streaming %v: scan ended with %v, want the context's error", o.EmitJSON != nil, err)
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("streaming %v: the scan went on reading after its context was done", o.EmitJSON != nil)
		}
		cancel()
	}
}
