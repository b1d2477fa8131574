// Command bench measures ttc scan on a generated CloudTrail corpus. It
// generates the corpus (or reuses one made with the same size, seed and
// generator version), then reports in one run: the gzip decompression floor,
// ttc scan as a subprocess with the catalog's and SigmaHQ's rules, an
// in-process scan, and a naive baseline (encoding/json into maps, every rule
// evaluated one by one). It prints a table with the targets checked and
// writes the same numbers to <dir>/results.json.
//
// It is a report: targets that are missed do not change the exit status,
// which is non-zero only when something could not be measured.
//
//	go run ./internal/scan/bench -dir .bench -size 1GiB
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"time"
)

type config struct {
	dir       string
	size      int64
	seed      int64
	sigma     string
	naiveSize int64
	workers   []int
	inProcess bool
	keep      bool
	profile   string
	// onlyInProcess skips every measurement but the in-process scan.
	onlyInProcess bool
	// corpusBytes is the corpus's uncompressed size, for runs whose output
	// does not say how much they read.
	corpusBytes int64
}

func main() {
	cfg, err := parseFlags(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	if err := run(ctx, cfg, log); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func parseFlags(args []string) (config, error) {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	var cfg config
	var size, naiveSize string
	fs.StringVar(&cfg.dir, "dir", ".bench", "folder for the corpus, the scan output and results.json")
	fs.StringVar(&size, "size", "1GiB", "uncompressed JSON to generate (e.g. 512MiB, 1GiB, 3GiB)")
	fs.Int64Var(&cfg.seed, "seed", 1, "generator seed")
	fs.StringVar(&cfg.sigma, "sigma", "", "SigmaHQ rules folder (default: ../shared/testdata/sigma/rules from the repository root; none: catalog rules only)")
	fs.StringVar(&naiveSize, "naive-size", "128MiB", "uncompressed prefix of the corpus the naive baseline reads")
	fs.BoolVar(&cfg.inProcess, "in-process", true, "also run scan.Scanner in this process on all cores")
	fs.BoolVar(&cfg.keep, "keep-output", false, "keep the JSONL written by each ttc scan run")
	fs.StringVar(&cfg.profile, "cpuprofile", "", "write a CPU profile of the in-process scan to this file")
	fs.BoolVar(&cfg.onlyInProcess, "only-in-process", false, "run only the in-process scan (with -cpuprofile, for profiling)")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	var err error
	if cfg.size, err = parseSize(size); err != nil {
		return cfg, fmt.Errorf("-size: %w", err)
	}
	if cfg.naiveSize, err = parseSize(naiveSize); err != nil {
		return cfg, fmt.Errorf("-naive-size: %w", err)
	}
	cfg.workers = []int{1}
	if runtime.NumCPU() >= 2 {
		cfg.workers = append(cfg.workers, 2)
	}
	if cfg.dir, err = filepath.Abs(cfg.dir); err != nil {
		return cfg, fmt.Errorf("resolve -dir: %w", err)
	}
	return cfg, nil
}

// run measures everything in order and writes the report.
func run(ctx context.Context, cfg config, log *slog.Logger) error {
	res := &Results{Size: cfg.size, Seed: cfg.seed, CPUs: runtime.NumCPU(), GoVersion: runtime.Version()}
	corpusDir := filepath.Join(cfg.dir, "corpus")
	res.Load[0] = loadAverage()

	info, err := ensureCorpus(cfg, corpusDir, log)
	if err != nil {
		return err
	}
	res.Corpus = info
	cfg.corpusBytes = info.RawBytes
	printCorpus(os.Stdout, info)

	files, err := listFiles(corpusDir)
	if err != nil {
		return err
	}
	if cfg.onlyInProcess {
		return runInProcessOnly(ctx, cfg, corpusDir, log)
	}
	for _, n := range cfg.workers {
		for _, g := range []gzipKind{gzipFast, gzipStd} {
			log.Info("measuring the gzip floor", "workers", n, "gzip", g)
			f, err := measureFloor(ctx, files, n, g)
			if err != nil {
				return err
			}
			res.Floor = append(res.Floor, f)
		}
	}

	root, err := repoRoot()
	if err != nil {
		return err
	}
	sigma, note := sigmaDir(cfg, root, log)
	if note != "" {
		res.Notes = append(res.Notes, note)
	}
	res.SigmaDir = sigma

	bin, cleanup, err := buildTTC(ctx, root, log)
	if err != nil {
		return err
	}
	defer cleanup()
	for _, n := range cfg.workers {
		log.Info("running ttc scan", "workers", n)
		r, err := runTTC(ctx, bin, cfg, corpusDir, sigma, n, "jsonl")
		if err != nil {
			return err
		}
		res.Scan = append(res.Scan, r)
	}
	if top := res.Scan[len(res.Scan)-1]; top.OutputBytes > 0 {
		log.Info("measuring the cost of writing the scan's output alone", "bytes", top.OutputBytes)
		o, err := measureWrite(cfg.dir, top.OutputBytes)
		if err != nil {
			return err
		}
		res.Write = &o
	}

	if sigma != "" {
		// The catalog's rules alone, to show what SigmaHQ's rules cost.
		n := cfg.workers[len(cfg.workers)-1]
		log.Info("running ttc scan with the catalog's rules only", "workers", n)
		r, err := runTTC(ctx, bin, cfg, corpusDir, "", n, "jsonl")
		if err != nil {
			return err
		}
		res.CatalogOnly = &r
	}
	// The table counts its findings and keeps the first it lists; grouped
	// by actor it sorts them all, and past a budget spills them to
	// temporary files, as the JSON, Markdown and HTML reports do: the
	// memory of both is measured too.
	n := cfg.workers[len(cfg.workers)-1]
	log.Info("running ttc scan -o table", "workers", n)
	table, err := runTTC(ctx, bin, cfg, corpusDir, sigma, n, "table")
	if err != nil {
		return err
	}
	res.Table = &table
	log.Info("running ttc scan -o table --group-by actor", "workers", n)
	grouped, err := runTTC(ctx, bin, cfg, corpusDir, sigma, n, "table", "--group-by", "actor")
	if err != nil {
		return err
	}
	res.Grouped = &grouped

	rules, err := loadRules(sigma, log)
	if err != nil {
		return err
	}
	res.Rules = len(rules.set.Rules())
	if cfg.inProcess {
		n := cfg.workers[len(cfg.workers)-1]
		log.Info("running the in-process scan", "workers", n)
		r, err := scanInProcess(ctx, rules, []string{corpusDir}, n, cfg.profile)
		if err != nil {
			return err
		}
		res.InProcess = &r
	}
	prefix := prefixFiles(files, cfg.naiveSize)
	for _, n := range cfg.workers {
		log.Info("running the naive baseline", "workers", n, "files", len(prefix))
		r, err := measureNaive(ctx, rules.set.Matcher, prefix, n)
		if err != nil {
			return err
		}
		res.Naive = append(res.Naive, r)
	}
	// The same prefix through scan.Scanner, to check both count the same
	// records and matches.
	check, err := scanInProcess(ctx, rules, paths(prefix), cfg.workers[len(cfg.workers)-1], "")
	if err != nil {
		return err
	}
	res.NaiveTTC = &check

	res.Load[1] = loadAverage()
	res.check()
	res.WriteTable(os.Stdout)
	return res.WriteJSON(filepath.Join(cfg.dir, "results.json"))
}

// sigmaDir resolves the SigmaHQ rules folder: "" for the catalog's rules
// only, with a note saying why.
func sigmaDir(cfg config, root string, log *slog.Logger) (dir, note string) {
	dir = cfg.sigma
	if dir == "" {
		dir = filepath.Join(root, "..", "shared", "testdata", "sigma", "rules")
	}
	if dir == "none" {
		return "", "catalog rules only (-sigma none)"
	}
	if _, err := os.Stat(dir); err != nil {
		log.Warn("SigmaHQ rules not found; running with the catalog's rules only", "dir", dir)
		return "", fmt.Sprintf("SigmaHQ rules folder %s not found: catalog rules only", dir)
	}
	return dir, ""
}

// runInProcessOnly runs the in-process scan on all cores and prints its
// throughput: a short loop for profiling.
func runInProcessOnly(ctx context.Context, cfg config, corpusDir string, log *slog.Logger) error {
	root, err := repoRoot()
	if err != nil {
		return err
	}
	sigma, _ := sigmaDir(cfg, root, log)
	rules, err := loadRules(sigma, log)
	if err != nil {
		return err
	}
	n := cfg.workers[len(cfg.workers)-1]
	r, err := scanInProcess(ctx, rules, []string{corpusDir}, n, cfg.profile)
	if err != nil {
		return err
	}
	fmt.Printf("scan.Scanner in process, %d workers, %d rules: %.0f MB/s wall, %.0f MB/CPU-s, %d records, %d matched, %d findings, %s\n",
		n, len(rules.set.Rules()), r.MBps, r.CPUMBps, r.Read, r.Matched, r.Findings, r.Duration.Round(time.Millisecond))
	return nil
}

// loadAverage is the 1-minute load average, 0 when unknown.
func loadAverage() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	var l float64
	fmt.Sscan(string(b), &l)
	return l
}
