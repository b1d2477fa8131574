// Command gen writes internal/awsapi/operations.txt: the operations of every AWS SDK for Go v2
// service module that catalog/services.yaml names, at the module's latest version.
//
// It asks the go command to download each module (`go mod download -json`) and takes one
// operation per api_op_<Operation>.go file in the module zip. With -check it writes nothing and
// exits non-zero when the checked-in file differs from a fresh run; that needs the Go module
// proxy, so CI does not run it.
//
// Usage, from anywhere inside the module:
//
//	go run ./internal/awsapi/gen [-check] [-modules m1,m2] [-services path] [-out path]
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
)

// errDrift reports that the checked-in data file is not what a fresh run produces.
var errDrift = errors.New("operations file is out of date; run go generate ./internal/awsapi")

type options struct {
	services string
	out      string
	extra    string
	check    bool
	missing  bool
	jobs     int
	pins     string
}

func main() {
	var opts options
	flag.StringVar(&opts.services, "services", "", "services file (default: catalog/services.yaml in the module root)")
	flag.StringVar(&opts.out, "out", "", "data file (default: internal/awsapi/operations.txt in the module root)")
	flag.StringVar(&opts.extra, "modules", "", "comma-separated extra SDK modules to include")
	flag.BoolVar(&opts.check, "check", false, "compare a fresh run with the data file and write nothing")
	flag.BoolVar(&opts.missing, "allow-missing", false,
		"record modules the proxy cannot serve as missing instead of failing")
	flag.IntVar(&opts.jobs, "j", 8, "modules to download at once")
	flag.StringVar(&opts.pins, "pin", "",
		"comma-separated module@version to fetch instead of @latest (for modules the proxy lists no versions of)")
	flag.Parse()

	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(context.Background(), log, opts); err != nil {
		log.Error("generate operations", "error", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, log *slog.Logger, opts options) error {
	if err := opts.resolvePaths(); err != nil {
		return err
	}
	modules, err := readModules(opts.services)
	if err != nil {
		return err
	}
	modules, err = mergeModules(modules, splitList(opts.extra))
	if err != nil {
		return err
	}

	pins, err := parsePins(opts.pins)
	if err != nil {
		return err
	}
	data, err := fetchAll(ctx, log, modules, pins, opts.jobs)
	if err != nil && !opts.missing {
		return err
	}
	if err != nil {
		log.Warn("modules recorded as missing", "error", err)
	}
	text := render(data)

	if opts.check {
		return check(log, opts.out, text)
	}
	if err := os.WriteFile(opts.out, text, 0o644); err != nil {
		return fmt.Errorf("write data file: %w", err)
	}
	log.Info("data file written", "path", opts.out, "modules", len(data))
	return nil
}

// check compares text with the file at path and logs what changed.
func check(log *slog.Logger, path string, text []byte) error {
	old, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read data file: %w", err)
	}
	if bytes.Equal(old, text) {
		log.Info("data file is up to date", "path", path)
		return nil
	}
	for _, line := range diffLines(old, text) {
		log.Info("drift", "line", line)
	}
	return errDrift
}

// resolvePaths fills the default paths from the module root, so the command works both from
// the repository root and from go generate, which runs in the package folder.
func (o *options) resolvePaths() error {
	if o.services != "" && o.out != "" {
		return nil
	}
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	if o.services == "" {
		o.services = filepath.Join(root, "catalog", "services.yaml")
	}
	if o.out == "" {
		o.out = filepath.Join(root, "internal", "awsapi", "operations.txt")
	}
	return nil
}

func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("find module root: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("find module root: no go.mod above the working directory")
		}
		dir = parent
	}
}

// parsePins reads module@version pairs into a map from module to version.
func parsePins(s string) (map[string]string, error) {
	pins := map[string]string{}
	for _, p := range splitList(s) {
		m, v, ok := strings.Cut(p, "@")
		if !ok || m == "" || v == "" {
			return nil, fmt.Errorf("pin %q: want module@version", p)
		}
		pins[m] = v
	}
	return pins, nil
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
