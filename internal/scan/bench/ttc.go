package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// ScanRun is one run of ttc scan as a subprocess.
type ScanRun struct {
	Workers int `json:"workers"`
	// Wall is the whole process: start-up, catalog and rule compilation,
	// the scan and writing JSON Lines.
	Wall time.Duration `json:"wall_ns"`
	// ScanTime is the scan alone, as the summary reports it.
	ScanTime time.Duration `json:"scan_ns"`
	MBps     float64       `json:"mb_per_s"`
	ScanMBps float64       `json:"scan_mb_per_s"`
	MaxRSS   int64         `json:"max_rss_bytes"`
	UserCPU  time.Duration `json:"user_cpu_ns"`
	SysCPU   time.Duration `json:"sys_cpu_ns"`
	CPUMBps  float64       `json:"mb_per_cpu_s"`
	// FloorRatio is MBps over the klauspost floor with as many workers.
	FloorRatio  float64 `json:"floor_ratio"`
	OutputBytes int64   `json:"output_bytes"`
	Summary     summary `json:"summary"`
	SummaryLine string  `json:"summary_line"`
	RulesUnused int     `json:"rules_not_used"`
}

// summary is the last line of ttc scan -o jsonl.
type summary struct {
	Type      string        `json:"type"`
	Files     int64         `json:"files"`
	Read      int64         `json:"read"`
	Matched   int64         `json:"matched"`
	Unmatched int64         `json:"unmatched"`
	Rejected  int64         `json:"rejected"`
	Findings  int64         `json:"findings"`
	Bytes     int64         `json:"bytes"`
	Duration  time.Duration `json:"duration_ns"`
	Rules     int           `json:"rules"`
}

// repoRoot is the folder of the main module's go.mod.
func repoRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("find module root: %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", fmt.Errorf("find module root: not inside the ttc module")
	}
	return filepath.Dir(mod), nil
}

// buildTTC builds cmd/ttc once into a temporary folder.
func buildTTC(ctx context.Context, root string, log *slog.Logger) (string, func(), error) {
	tmp, err := os.MkdirTemp("", "ttc-bench-")
	if err != nil {
		return "", nil, fmt.Errorf("make build folder: %w", err)
	}
	cleanup := func() { os.RemoveAll(tmp) }
	bin := filepath.Join(tmp, "ttc")
	log.Info("building ttc", "out", bin)
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/ttc")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		cleanup()
		return "", nil, fmt.Errorf("build ttc: %w\n%s", err, out)
	}
	return bin, cleanup, nil
}

// runTTC runs ttc scan over the corpus with n workers and GOMAXPROCS=n.
func runTTC(ctx context.Context, bin string, cfg config, corpusDir, sigma string, n int, format string, extra ...string) (ScanRun, error) {
	args := append([]string{"scan", "-o", format, "--progress", "never", "--workers", strconv.Itoa(n)}, extra...)
	if sigma != "" {
		args = append(args, "--rules", sigma)
	}
	args = append(args, corpusDir)
	// Standard output goes to a file, as in `ttc scan -o jsonl logs/ >
	// findings.jsonl`: its writing is part of the measurement. (A pipe read
	// by this process would measure this process too: on two cores the
	// reader of 700 MB of findings takes time from the scan.) The file is
	// removed afterwards unless -keep-output is given.
	name := fmt.Sprintf("scan-w%d", n)
	if len(extra) > 0 { // e.g. scan-w2-groupby-actor.table
		name += "-" + strings.ReplaceAll(strings.Join(extra, "-"), "--group-by", "groupby")
	}
	outPath := filepath.Join(cfg.dir, name+"."+format)
	out, err := os.Create(outPath)
	if err != nil {
		return ScanRun{}, fmt.Errorf("create scan output: %w", err)
	}
	defer func() {
		out.Close()
		if !cfg.keep {
			os.Remove(outPath)
		}
	}()
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stdout, cmd.Stderr = out, &stderr
	cmd.Env = append(os.Environ(), "GOMAXPROCS="+strconv.Itoa(n))
	start := time.Now()
	err = cmd.Run()
	wall := time.Since(start)
	if err != nil {
		return ScanRun{}, fmt.Errorf("run ttc scan: %w\n%s", err, lastBytes(stderr.String(), 2000))
	}

	tail, size, err := fileTail(out, 64<<10)
	if err != nil {
		return ScanRun{}, fmt.Errorf("read scan output: %w", err)
	}
	run := ScanRun{Workers: n, Wall: wall, OutputBytes: size}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		run.MaxRSS = ru.Maxrss << 10 // KiB on Linux
		run.UserCPU = time.Duration(ru.Utime.Nano())
		run.SysCPU = time.Duration(ru.Stime.Nano())
	}
	if format == "table" {
		run.Summary, err = tableSummary(out)
		run.Summary.Bytes = cfg.corpusBytes
	} else {
		run.Summary, err = lastSummary(tail)
	}
	if err != nil {
		return ScanRun{}, err
	}
	run.ScanTime = run.Summary.Duration
	run.CPUMBps = mbps(run.Summary.Bytes, run.UserCPU+run.SysCPU)
	run.MBps = mbps(run.Summary.Bytes, wall)
	run.ScanMBps = mbps(run.Summary.Bytes, run.ScanTime)
	for _, line := range strings.Split(strings.TrimSpace(stderr.String()), "\n") {
		switch {
		case strings.Contains(line, "rule not used"):
			run.RulesUnused++
		case strings.Contains(line, " read = "):
			run.SummaryLine = line
		}
	}
	return run, nil
}

// tableLine is the summary line a table begins with.
var tableLine = regexp.MustCompile(`^([0-9]+) files? .* in ([^:]+): ([0-9]+) records? read = ([0-9]+) matched \+ ([0-9]+) unmatched \+ ([0-9]+) rejected; ([0-9]+) findings?`)

// tableSummary reads the summary line at the top of a table written to f.
func tableSummary(f *os.File) (summary, error) {
	b := make([]byte, 4096)
	n, err := f.ReadAt(b, 0)
	if err != nil && err != io.EOF {
		return summary{}, fmt.Errorf("read table output: %w", err)
	}
	line, _, _ := strings.Cut(string(b[:n]), "\n")
	m := tableLine.FindStringSubmatch(line)
	if m == nil {
		return summary{}, fmt.Errorf("table output starts with no summary line: %q", line)
	}
	num := func(s string) int64 { v, _ := strconv.ParseInt(s, 10, 64); return v }
	d, err := time.ParseDuration(m[2])
	if err != nil {
		return summary{}, fmt.Errorf("table summary line %q: %w", line, err)
	}
	return summary{Type: "summary", Files: num(m[1]), Read: num(m[3]), Matched: num(m[4]), Unmatched: num(m[5]),
		Rejected: num(m[6]), Findings: num(m[7]), Duration: d}, nil
}

// fileTail returns the last keep bytes of f, and its size.
func fileTail(f *os.File, keep int64) ([]byte, int64, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, 0, err
	}
	size := fi.Size()
	from := max(0, size-keep)
	buf := make([]byte, size-from)
	if _, err := f.ReadAt(buf, from); err != nil && err != io.EOF {
		return nil, 0, err
	}
	return buf, size, nil
}

// lastSummary reads the summary object on the last line of JSON Lines.
func lastSummary(b []byte) (summary, error) {
	b = bytes.TrimRight(b, "\n")
	last := b[bytes.LastIndexByte(b, '\n')+1:]
	var s summary
	if err := json.Unmarshal(last, &s); err != nil || s.Type != "summary" {
		return summary{}, fmt.Errorf("read scan summary: last line is not a summary: %.200s", last)
	}
	return s, nil
}

func lastBytes(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}
