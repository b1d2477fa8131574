package main

import (
	"fmt"
	"os"
	"regexp"
	"slices"

	"go.yaml.in/yaml/v3"
)

// modulePattern is what an SDK service module name looks like; it also keeps anything odd
// out of the go command's arguments.
var modulePattern = regexp.MustCompile(`^[a-z][a-z0-9]*$`)

// servicesFile is the part of catalog/services.yaml the generator reads.
type servicesFile struct {
	Services []struct {
		Key        string   `yaml:"key"`
		SDKModules []string `yaml:"sdk_modules"`
	} `yaml:"services"`
}

// readModules returns the sorted, distinct sdk_modules of every service in the file at path.
func readModules(path string) ([]string, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read services: %w", err)
	}
	var f servicesFile
	if err := yaml.Unmarshal(raw, &f); err != nil {
		return nil, fmt.Errorf("parse services %s: %w", path, err)
	}
	var mods []string
	for _, s := range f.Services {
		mods = append(mods, s.SDKModules...)
	}
	return mergeModules(mods, nil)
}

// mergeModules returns the sorted union of a and b; it rejects names that are not module names.
func mergeModules(a, b []string) ([]string, error) {
	all := slices.Concat(a, b)
	for _, m := range all {
		if !modulePattern.MatchString(m) {
			return nil, fmt.Errorf("check module name %q: not an SDK service module name", m)
		}
	}
	slices.Sort(all)
	return slices.Compact(all), nil
}
