package main

import (
	"archive/zip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os/exec"
	"path"
	"slices"
	"strings"
	"sync"
)

// modulePrefix is the import path of every SDK for Go v2 service module, less the module name.
const modulePrefix = "github.com/aws/aws-sdk-go-v2/service/"

// moduleOps is one module at one version and its sorted operation names. A module that could
// not be read has only its name and Missing set.
type moduleOps struct {
	Module  string
	Version string
	Ops     []string
	Missing bool
}

// downloadInfo is the part of `go mod download -json` output the generator uses.
type downloadInfo struct {
	Path    string
	Version string
	Zip     string
	Error   string
}

// fetchAll fetches the modules with up to jobs downloads at once and returns them in the
// order given. Modules that fail come back marked Missing, and their errors joined.
func fetchAll(ctx context.Context, log *slog.Logger, modules []string, pins map[string]string, jobs int) ([]moduleOps, error) {
	out := make([]moduleOps, len(modules))
	errs := make([]error, len(modules))
	sem := make(chan struct{}, max(jobs, 1))
	var wg sync.WaitGroup
	for i, m := range modules {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			out[i], errs[i] = fetch(ctx, m, pins[m])
			if errs[i] != nil {
				out[i] = moduleOps{Module: m, Missing: true}
			} else {
				log.Debug("module read", "module", m, "version", out[i].Version, "operations", len(out[i].Ops))
			}
		})
	}
	wg.Wait()
	return out, errors.Join(errs...)
}

// fetch downloads one module, at version or else the latest, and lists its operations.
func fetch(ctx context.Context, module, version string) (moduleOps, error) {
	if version == "" {
		version = "latest"
	}
	cmd := exec.CommandContext(ctx, "go", "mod", "download", "-json", modulePrefix+module+"@"+version)
	raw, err := cmd.Output()
	var info downloadInfo
	if jerr := json.Unmarshal(raw, &info); jerr != nil {
		return moduleOps{}, fmt.Errorf("download module %s: %w", module, errors.Join(err, jerr))
	}
	if info.Error != "" {
		return moduleOps{}, fmt.Errorf("download module %s: %s", module, info.Error)
	}
	if err != nil {
		return moduleOps{}, fmt.Errorf("download module %s: %w", module, err)
	}

	ops, err := zipOperations(info.Zip, info.Path+"@"+info.Version)
	if err != nil {
		return moduleOps{}, fmt.Errorf("list operations of %s: %w", module, err)
	}
	if len(ops) == 0 {
		return moduleOps{}, fmt.Errorf("list operations of %s: no api_op_*.go files", module)
	}
	return moduleOps{Module: module, Version: info.Version, Ops: ops}, nil
}

// zipOperations returns the sorted operation names of the module zip at file, whose entries
// all start with root. Only files at the top of the module count: each holds one operation.
func zipOperations(file, root string) ([]string, error) {
	zr, err := zip.OpenReader(file)
	if err != nil {
		return nil, fmt.Errorf("open module zip: %w", err)
	}
	defer zr.Close()

	var ops []string
	for _, f := range zr.File {
		rel, ok := strings.CutPrefix(f.Name, root+"/")
		if !ok || strings.Contains(rel, "/") {
			continue
		}
		if op, ok := operationOf(path.Base(rel)); ok {
			ops = append(ops, op)
		}
	}
	slices.Sort(ops)
	return slices.Compact(ops), nil
}

// operationOf returns Operation for a file named api_op_<Operation>.go.
func operationOf(name string) (string, bool) {
	op, ok := strings.CutPrefix(name, "api_op_")
	if !ok {
		return "", false
	}
	op, ok = strings.CutSuffix(op, ".go")
	if !ok || op == "" || strings.HasSuffix(op, "_test") {
		return "", false
	}
	return op, true
}
