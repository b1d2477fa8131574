package main

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sync/atomic"
	"time"

	"github.com/ttcproject/ttc/internal/detect"
)

// Naive is the baseline most Go Sigma tools amount to: the standard
// library's gzip and encoding/json decoding each record into a map, then
// every rule evaluated in turn (detect's MatchDecoded, no index).
type Naive struct {
	Workers  int           `json:"workers"`
	Files    int           `json:"files"`
	Bytes    int64         `json:"uncompressed_bytes"`
	Duration time.Duration `json:"duration_ns"`
	MBps     float64       `json:"mb_per_s"`
	Records  int64         `json:"records"`
	Matched  int64         `json:"matched"`
	CPU      time.Duration `json:"cpu_ns"`
	CPUMBps  float64       `json:"mb_per_cpu_s"`
}

// measureNaive runs the baseline over files on n workers and n cores.
func measureNaive(ctx context.Context, m *detect.Matcher, files []file, n int) (Naive, error) {
	var records, matched atomic.Int64
	newTask := func() task {
		return func(f file) (int64, error) {
			rec, hit, b, err := naiveFile(m, f.path)
			records.Add(rec)
			matched.Add(hit)
			return b, err
		}
	}
	b, d, cpu, err := onCores(ctx, files, n, newTask)
	if err != nil {
		return Naive{}, err
	}
	return Naive{Workers: n, Files: len(files), Bytes: b, Duration: d, MBps: mbps(b, d),
		Records: records.Load(), Matched: matched.Load(), CPU: cpu, CPUMBps: mbps(b, cpu)}, nil
}

// naiveFile streams the Records array of one CloudTrail log file, decoding
// every record into a map[string]any. Other top-level members are decoded
// and dropped.
func naiveFile(m *detect.Matcher, path string) (records, matched, n int64, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("open corpus file: %w", err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(bufio.NewReader(f))
	if err != nil {
		return 0, 0, 0, fmt.Errorf("open gzip %s: %w", path, err)
	}
	cr := &countReader{r: zr}
	dec := json.NewDecoder(cr)
	dec.UseNumber()
	if err := expect(dec, json.Delim('{')); err != nil {
		return 0, 0, cr.n, fmt.Errorf("decode %s: %w", path, err)
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return records, matched, cr.n, fmt.Errorf("decode %s: %w", path, err)
		}
		if key != "Records" {
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return records, matched, cr.n, fmt.Errorf("decode %s: %w", path, err)
			}
			continue
		}
		if err := expect(dec, json.Delim('[')); err != nil {
			return records, matched, cr.n, fmt.Errorf("decode %s: %w", path, err)
		}
		for dec.More() {
			var doc map[string]any
			if err := dec.Decode(&doc); err != nil {
				return records, matched, cr.n, fmt.Errorf("decode %s: %w", path, err)
			}
			records++
			if len(m.MatchDecoded(doc)) > 0 {
				matched++
			}
		}
		if err := expect(dec, json.Delim(']')); err != nil {
			return records, matched, cr.n, fmt.Errorf("decode %s: %w", path, err)
		}
	}
	// Drain the rest so that the byte count covers the whole file.
	if _, err := io.Copy(io.Discard, cr); err != nil {
		return records, matched, cr.n, fmt.Errorf("decompress %s: %w", path, err)
	}
	return records, matched, cr.n, nil
}

func expect(dec *json.Decoder, want json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok != want {
		return fmt.Errorf("got %v, want %v", tok, want)
	}
	return nil
}

type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
