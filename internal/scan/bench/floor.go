package main

import (
	"bufio"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"os"
	"time"

	kgzip "github.com/klauspost/compress/gzip"
)

// gzipKind names a decompressor.
type gzipKind string

const (
	// gzipFast is klauspost/compress/gzip, what the scanner uses by default.
	gzipFast gzipKind = "klauspost"
	// gzipStd is the standard library's compress/gzip.
	gzipStd gzipKind = "stdlib"
)

// Floor is the decompression throughput of the corpus: no scan can beat it.
type Floor struct {
	Gzip     gzipKind      `json:"gzip"`
	Workers  int           `json:"workers"`
	Bytes    int64         `json:"uncompressed_bytes"`
	Duration time.Duration `json:"duration_ns"`
	MBps     float64       `json:"mb_per_s"`
	CPU      time.Duration `json:"cpu_ns"`
	CPUMBps  float64       `json:"mb_per_cpu_s"`
}

// measureFloor decompresses every file on n workers, the way the scanner's
// reader does (a 64 KiB bufio.Reader under the gzip reader, reads of 256 KiB),
// and throws the bytes away.
func measureFloor(ctx context.Context, files []file, n int, kind gzipKind) (Floor, error) {
	newTask := func() task {
		br := bufio.NewReaderSize(nil, 64<<10)
		buf := make([]byte, 256<<10)
		var kz *kgzip.Reader
		var sz *gzip.Reader
		return func(f file) (int64, error) {
			fh, err := os.Open(f.path)
			if err != nil {
				return 0, fmt.Errorf("open corpus file: %w", err)
			}
			defer fh.Close()
			br.Reset(fh)
			var r io.Reader
			switch {
			case kind == gzipStd && sz == nil:
				sz, err = gzip.NewReader(br)
				r = sz
			case kind == gzipStd:
				err = sz.Reset(br)
				r = sz
			case kz == nil:
				kz, err = kgzip.NewReader(br)
				r = kz
			default:
				err = kz.Reset(br)
				r = kz
			}
			if err != nil {
				return 0, fmt.Errorf("open gzip %s: %w", f.path, err)
			}
			m, err := drain(r, buf)
			if err != nil {
				return m, fmt.Errorf("decompress %s: %w", f.path, err)
			}
			return m, nil
		}
	}
	b, d, cpu, err := onCores(ctx, files, n, newTask)
	if err != nil {
		return Floor{}, err
	}
	return Floor{Gzip: kind, Workers: n, Bytes: b, Duration: d, MBps: mbps(b, d), CPU: cpu, CPUMBps: mbps(b, cpu)}, nil
}
