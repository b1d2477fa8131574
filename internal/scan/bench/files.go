package main

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// file is one corpus file with its sizes.
type file struct {
	path string
	gz   int64 // bytes on disk
	raw  int64 // uncompressed bytes, from the gzip trailer
}

// listFiles returns the .json.gz files below dir in lexical order, with
// their uncompressed size read from the gzip trailer (ISIZE; exact for the
// single-member files under 4 GiB the generator writes).
func listFiles(dir string) ([]file, error) {
	var out []file
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(p, ".json.gz") || strings.Contains(p, "CloudTrail-Digest") {
			return nil
		}
		f, err := sizes(p)
		if err != nil {
			return err
		}
		out = append(out, f)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list corpus: %w", err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("list corpus: no .json.gz files below %s", dir)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].path < out[j].path })
	return out, nil
}

func sizes(p string) (file, error) {
	f, err := os.Open(p)
	if err != nil {
		return file{}, fmt.Errorf("open corpus file: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return file{}, fmt.Errorf("stat corpus file: %w", err)
	}
	var trailer [4]byte
	if _, err := f.ReadAt(trailer[:], fi.Size()-4); err != nil {
		return file{}, fmt.Errorf("read gzip trailer of %s: %w", p, err)
	}
	return file{path: p, gz: fi.Size(), raw: int64(binary.LittleEndian.Uint32(trailer[:]))}, nil
}

// prefixFiles returns the first files that add up to at least limit
// uncompressed bytes.
func prefixFiles(files []file, limit int64) []file {
	var sum int64
	for i, f := range files {
		if sum += f.raw; sum >= limit {
			return files[:i+1]
		}
	}
	return files
}

// task reads one file and returns the uncompressed bytes it went through.
type task func(f file) (int64, error)

// onCores runs a task per file on n goroutines with GOMAXPROCS set to n, so
// that "n workers" also means n cores (the garbage collector included). It
// returns the bytes the tasks reported, the wall time and the CPU time.
func onCores(ctx context.Context, files []file, n int, newTask func() task) (int64, time.Duration, time.Duration, error) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(n))
	runtime.GC()
	jobs := make(chan file)
	var total atomic.Int64
	var once sync.Once
	var firstErr error
	var wg sync.WaitGroup
	start, cpu0 := time.Now(), cpuTime()
	for range n {
		do := newTask()
		wg.Go(func() {
			for f := range jobs {
				b, err := do(f)
				if err != nil {
					once.Do(func() { firstErr = err })
					continue
				}
				total.Add(b)
			}
		})
	}
	for _, f := range files {
		if ctx.Err() != nil {
			break
		}
		jobs <- f
	}
	close(jobs)
	wg.Wait()
	elapsed, cpu := time.Since(start), cpuTime()-cpu0
	if err := ctx.Err(); err != nil {
		return 0, 0, 0, err
	}
	return total.Load(), elapsed, cpu, firstErr
}

// drain reads r to its end through buf and counts the bytes.
func drain(r io.Reader, buf []byte) (int64, error) {
	var n int64
	for {
		m, err := r.Read(buf)
		n += int64(m)
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}

// cpuTime is the user and system time this process used so far.
func cpuTime() time.Duration {
	user, sys := cpuTimes()
	return user + sys
}

// mbps is decimal megabytes per second.
func mbps(bytes int64, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(bytes) / 1e6 / d.Seconds()
}
