package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"runtime/pprof"
	"time"

	"github.com/ttcproject/ttc/internal/catalog"
	"github.com/ttcproject/ttc/internal/cloudtrail"
	"github.com/ttcproject/ttc/internal/report"
	"github.com/ttcproject/ttc/internal/ruleset"
	"github.com/ttcproject/ttc/internal/scan"
)

// rules is the catalog and the rule set the in-process runs share.
type rules struct {
	cat    *catalog.Catalog
	set    *ruleset.Set
	unused int
}

// loadRules opens the embedded catalog and compiles its rules with the
// SigmaHQ folder, if any, as ttc scan --rules does. Rules that cannot be
// used are counted and left out, as ttc scan does.
func loadRules(sigma string, log *slog.Logger) (*rules, error) {
	c, err := catalog.Open()
	if err != nil {
		return nil, fmt.Errorf("open catalog: %w", err)
	}
	var ext []string
	if sigma != "" {
		ext = []string{sigma}
	}
	set, err := ruleset.Load(c, ext)
	r := &rules{cat: c, set: set}
	if err != nil {
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			r.unused = len(j.Unwrap())
		} else {
			r.unused = 1
		}
		log.Debug("rules not used", "error", err)
	}
	if set == nil || set.Matcher == nil {
		return nil, fmt.Errorf("compile rules: %w", errors.Join(err, errors.New("no matcher")))
	}
	return r, nil
}

// InProcess is one scan.Scanner run inside the benchmark process.
type InProcess struct {
	Workers  int           `json:"workers"`
	Files    int           `json:"files"`
	Duration time.Duration `json:"duration_ns"`
	Bytes    int64         `json:"uncompressed_bytes"`
	MBps     float64       `json:"mb_per_s"`
	Read     int64         `json:"read"`
	Matched  int64         `json:"matched"`
	Rejected int64         `json:"rejected"`
	Findings int           `json:"findings"`
	// CPU is the process's user and system time during the scan.
	CPU     time.Duration `json:"cpu_ns"`
	CPUMBps float64       `json:"mb_per_cpu_s"`
}

// scanInProcess runs scan.Scanner over paths with n workers on n cores,
// writing a CPU profile when profile is not empty.
func scanInProcess(ctx context.Context, r *rules, paths []string, n int, profile string) (InProcess, error) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(n))
	runtime.GC()
	if profile != "" {
		f, err := os.Create(profile)
		if err != nil {
			return InProcess{}, fmt.Errorf("create profile: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return InProcess{}, fmt.Errorf("start profile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	// Findings stream to JSON Lines, as ttc scan -o jsonl writes them, but
	// into io.Discard: this run measures the scan without the pipe and disk.
	jw := report.NewJSONLWriter(io.Discard)
	s := scan.New(r.cat, r.set, scan.Options{Workers: n, Gzip: cloudtrail.GzipFast, EmitJSON: jw.Lines})
	cpu0, start := cpuTime(), time.Now()
	res, err := s.Scan(ctx, paths)
	if err == nil {
		err = jw.Close(res)
	}
	d, cpu := time.Since(start), cpuTime()-cpu0
	if err != nil {
		return InProcess{}, fmt.Errorf("scan in process: %w", err)
	}
	sum := res.Summary
	return InProcess{Workers: n, Files: len(paths), Duration: d, Bytes: sum.Bytes, MBps: mbps(sum.Bytes, d),
		Read: sum.Read, Matched: sum.Matched, Rejected: sum.Rejected, Findings: sum.Findings,
		CPU: cpu, CPUMBps: mbps(sum.Bytes, cpu)}, nil
}

func paths(files []file) []string {
	out := make([]string, len(files))
	for i, f := range files {
		out[i] = f.path
	}
	return out
}
