package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"
)

// Targets from the benchmark issue.
const (
	targetFloorRatio = 0.4
	targetScaling    = 1.7
	targetRSS        = 256 << 20
)

// Results is everything one bench run measured; results.json holds it.
type Results struct {
	Time      time.Time  `json:"time"`
	Size      int64      `json:"size"`
	Seed      int64      `json:"seed"`
	CPUs      int        `json:"cpus"`
	GoVersion string     `json:"go_version"`
	SigmaDir  string     `json:"sigma_dir"`
	Rules     int        `json:"rules"`
	Corpus    CorpusInfo `json:"corpus"`
	Floor     []Floor    `json:"floor"`
	Scan      []ScanRun  `json:"ttc_scan"`
	// CatalogOnly is ttc scan with the catalog's rules and not SigmaHQ's.
	CatalogOnly *ScanRun `json:"ttc_scan_catalog_only,omitempty"`
	// Table is ttc scan -o table with every rule: findings counted, the
	// first ones kept.
	Table *ScanRun `json:"ttc_scan_table,omitempty"`
	// Grouped is ttc scan -o table --group-by actor: findings sorted, and
	// spilled to temporary files past a budget.
	Grouped   *ScanRun   `json:"ttc_scan_table_grouped,omitempty"`
	InProcess *InProcess `json:"in_process,omitempty"`
	// Write is the cost of writing the last JSON Lines run's output alone.
	Write    *OutputWrite `json:"output_write,omitempty"`
	Naive    []Naive      `json:"naive"`
	NaiveTTC *InProcess   `json:"naive_prefix_scan,omitempty"`
	Checks   []Check      `json:"checks"`
	Notes    []string     `json:"notes,omitempty"`
	// Load is the 1-minute load average at the start and the end.
	Load    [2]float64 `json:"load_average"`
	Scaling float64    `json:"scaling"`
	Speedup []float64  `json:"speedup_over_naive"`
}

// Check is one target and whether it was met.
type Check struct {
	Name   string  `json:"name"`
	Target string  `json:"target"`
	Value  float64 `json:"value"`
	Shown  string  `json:"shown"`
	Pass   bool    `json:"pass"`
}

func (r *Results) floor(kind gzipKind, n int) float64 { return r.floorRun(kind, n).MBps }

func (r *Results) floorRun(kind gzipKind, n int) Floor {
	for _, f := range r.Floor {
		if f.Gzip == kind && f.Workers == n {
			return f
		}
	}
	return Floor{}
}

func (r *Results) scanRun(n int) *ScanRun {
	for i := range r.Scan {
		if r.Scan[i].Workers == n {
			return &r.Scan[i]
		}
	}
	return nil
}

// check derives the ratios and checks the targets.
func (r *Results) check() {
	for i := range r.Scan {
		s := &r.Scan[i]
		if fl := r.floor(gzipFast, s.Workers); fl > 0 {
			s.FloorRatio = s.MBps / fl
		}
	}
	top := r.Scan[len(r.Scan)-1]
	r.Checks = append(r.Checks, Check{
		Name:   fmt.Sprintf("throughput, %d workers", top.Workers),
		Target: fmt.Sprintf(">= %.1f x floor (%.0f MB/s)", targetFloorRatio, targetFloorRatio*r.floor(gzipFast, top.Workers)),
		Value:  top.FloorRatio, Shown: fmt.Sprintf("%.2f x (%.0f MB/s)", top.FloorRatio, top.MBps),
		Pass: top.FloorRatio >= targetFloorRatio,
	})
	if fl := r.floorRun(gzipFast, top.Workers); fl.CPUMBps > 0 && top.CPUMBps > 0 {
		v := top.CPUMBps / fl.CPUMBps
		r.Checks = append(r.Checks, Check{
			Name:   fmt.Sprintf("throughput, %d workers, CPU basis", top.Workers),
			Target: fmt.Sprintf(">= %.1f x floor MB/CPU-s", targetFloorRatio),
			Value:  v, Shown: fmt.Sprintf("%.2f x (%.0f MB/CPU-s)", v, top.CPUMBps), Pass: v >= targetFloorRatio,
		})
	}
	if one, two := r.scanRun(1), r.scanRun(2); one != nil && two != nil && one.MBps > 0 {
		r.Scaling = two.MBps / one.MBps
		r.Checks = append(r.Checks, Check{
			Name: "scaling 1 -> 2 workers", Target: fmt.Sprintf(">= %.1f x", targetScaling),
			Value: r.Scaling, Shown: fmt.Sprintf("%.2f x", r.Scaling), Pass: r.Scaling >= targetScaling,
		})
	}
	var peak int64
	for _, s := range r.Scan {
		peak = max(peak, s.MaxRSS)
	}
	for _, s := range []*ScanRun{r.Table, r.Grouped} {
		if s != nil {
			peak = max(peak, s.MaxRSS)
		}
	}
	r.Checks = append(r.Checks, Check{
		Name: "peak RSS (JSON Lines and tables)", Target: fmt.Sprintf("< %d MiB", targetRSS>>20),
		Value: float64(peak), Shown: fmt.Sprintf("%.0f MiB", float64(peak)/(1<<20)), Pass: peak < targetRSS,
	})
	if busy := max(r.Load[0], r.Load[1]); busy > float64(r.CPUs)+0.5 {
		r.Notes = append(r.Notes, fmt.Sprintf("machine busy: 1-minute load %.1f / %.1f on %d CPUs; other processes "+
			"took CPU from the wall-clock runs, so trust the CPU columns and checks more", r.Load[0], r.Load[1], r.CPUs))
	}
	for _, nv := range r.Naive {
		if s := r.scanRun(nv.Workers); s != nil && nv.MBps > 0 {
			r.Speedup = append(r.Speedup, s.MBps/nv.MBps)
		}
	}
}

func printCorpus(w io.Writer, c CorpusInfo) {
	fmt.Fprintf(w, "corpus %s (%s)\n", c.Dir, c.State)
	fmt.Fprintf(w, "  %d files, %d records, %s uncompressed JSON, %s gzip (%.1f x), mean record %d bytes\n",
		c.Files, c.Records, human(c.RawBytes), human(c.GzipBytes), ratio(c.RawBytes, c.GzipBytes), c.MeanRecord)
	if c.Mix != "" {
		fmt.Fprintf(w, "  event mix: %s\n", c.Mix)
	}
}

// WriteTable prints the results for people.
func (r *Results) WriteTable(w io.Writer) {
	fmt.Fprintf(w, "\nttc bench: %s corpus, seed %d, %d CPUs, %s, %d rules (catalog + %s)\n\n",
		human(r.Corpus.RawBytes), r.Seed, r.CPUs, r.GoVersion, r.Rules, orNone(r.SigmaDir))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "measurement\tworkers\tMB/s\tvs floor\tMB/CPU-s\tvs floor\ttime\tCPU\tpeak RSS\t")
	fmt.Fprintln(tw, "\t\t(wall)\t(wall)\t\t(CPU)\t\t\t\t")
	row := func(name string, n int, mb, cpuMB float64, d, cpu time.Duration, rss string) {
		fl := r.floorRun(gzipFast, n)
		fmt.Fprintf(tw, "%s\t%d\t%.0f\t%s\t%.0f\t%s\t%s\t%s\t%s\t\n", name, n, mb, times(mb, fl.MBps),
			cpuMB, times(cpuMB, fl.CPUMBps), secs(d), secs(cpu), rss)
	}
	for _, f := range r.Floor {
		row(fmt.Sprintf("gzip floor (%s)", f.Gzip), f.Workers, f.MBps, f.CPUMBps, f.Duration, f.CPU, "")
	}
	for _, s := range r.Scan {
		row("ttc scan (whole process)", s.Workers, s.MBps, s.CPUMBps, s.Wall, s.UserCPU+s.SysCPU,
			fmt.Sprintf("%.0f MiB", float64(s.MaxRSS)/(1<<20)))
		row("  scan phase only", s.Workers, s.ScanMBps, 0, s.ScanTime, 0, "")
	}
	if s := r.CatalogOnly; s != nil {
		row("ttc scan, catalog rules only", s.Workers, s.MBps, s.CPUMBps, s.Wall, s.UserCPU+s.SysCPU,
			fmt.Sprintf("%.0f MiB", float64(s.MaxRSS)/(1<<20)))
		row("  scan phase only", s.Workers, s.ScanMBps, 0, s.ScanTime, 0, "")
	}
	if s := r.Table; s != nil {
		row("ttc scan -o table", s.Workers, s.MBps, s.CPUMBps, s.Wall, s.UserCPU+s.SysCPU,
			fmt.Sprintf("%.0f MiB", float64(s.MaxRSS)/(1<<20)))
	}
	if s := r.Grouped; s != nil {
		row("  --group-by actor (sorted)", s.Workers, s.MBps, s.CPUMBps, s.Wall, s.UserCPU+s.SysCPU,
			fmt.Sprintf("%.0f MiB", float64(s.MaxRSS)/(1<<20)))
	}
	if p := r.InProcess; p != nil {
		row("scan.Scanner in process", p.Workers, p.MBps, p.CPUMBps, p.Duration, p.CPU, "")
	}
	for _, n := range r.Naive {
		row(fmt.Sprintf("naive baseline (%s)", human(n.Bytes)), n.Workers, n.MBps, n.CPUMBps, n.Duration, n.CPU, "")
	}
	tw.Flush()

	fmt.Fprintln(w)
	for _, s := range r.Scan {
		fmt.Fprintf(w, "ttc scan, %d workers: %s\n", s.Workers, s.SummaryLine)
		if s.RulesUnused > 0 {
			fmt.Fprintf(w, "  %d rules not used (ttc scan warned about them)\n", s.RulesUnused)
		}
	}
	if s := r.CatalogOnly; s != nil {
		fmt.Fprintf(w, "ttc scan, catalog rules only, %d workers: %s\n", s.Workers, s.SummaryLine)
	}
	if o := r.Write; o != nil {
		top := r.Scan[len(r.Scan)-1]
		o.print(w, top.UserCPU+top.SysCPU)
	}
	if r.Scaling > 0 {
		fmt.Fprintf(w, "scaling 1 -> 2 workers: %.2f x\n", r.Scaling)
	}
	for i, sp := range r.Speedup {
		fmt.Fprintf(w, "ttc scan / naive, %d workers: %.1f x\n", r.Naive[i].Workers, sp)
	}
	if nt := r.NaiveTTC; nt != nil && len(r.Naive) > 0 {
		nv := r.Naive[0]
		agree := "agree"
		if nv.Records != nt.Read || nv.Matched != nt.Matched {
			agree = "DISAGREE"
		}
		fmt.Fprintf(w, "naive prefix cross-check: naive %d records / %d matched, scan.Scanner %d / %d: %s\n",
			nv.Records, nv.Matched, nt.Read, nt.Matched, agree)
	}
	for _, n := range r.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}

	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "target\trequired\tmeasured\tresult")
	for _, c := range r.Checks {
		res := "PASS"
		if !c.Pass {
			res = "MISS"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", c.Name, c.Target, c.Shown, res)
	}
	tw.Flush()
}

// WriteJSON writes the results to path.
func (r *Results) WriteJSON(path string) error {
	r.Time = time.Now().UTC()
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("encode results: %w", err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("write results: %w", err)
	}
	fmt.Fprintf(os.Stdout, "\nresults written to %s\n", path)
	return nil
}

func human(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.2f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

func ratio(a, b int64) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// times formats a/b as a ratio, blank when either is unknown.
func times(a, b float64) string {
	if a <= 0 || b <= 0 {
		return ""
	}
	return fmt.Sprintf("%.2f x", a/b)
}

func secs(d time.Duration) string {
	if d == 0 {
		return ""
	}
	return fmt.Sprintf("%.2fs", d.Seconds())
}

func orNone(s string) string {
	if s == "" {
		return "no SigmaHQ"
	}
	return "SigmaHQ"
}
