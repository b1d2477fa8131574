// Package awsapi knows the operation names of the AWS SDK for Go v2 service modules that the
// catalog refers to, and the few CloudTrail event names that are not SDK operations. It lets
// tests prove, offline, that every `service:EventName` in the catalog names a real event.
//
// The operation list (operations.txt) is generated from the SDK modules by ./gen and checked
// in; the exceptions (exceptions.yaml) are written by hand, each with a reason and a source.
// Both are embedded and parsed once, on first use; all functions are safe for concurrent use.
package awsapi

import (
	"bufio"
	"bytes"
	_ "embed"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// The proxy lists no versions of the support module, so it is pinned to the newest one it serves.
//go:generate go run ./gen -allow-missing -pin support@v1.38.0

//go:embed operations.txt
var operationsFile []byte

// operations is the parsed operations file.
type operations struct {
	versions map[string]string          // module -> version read
	ops      map[string]map[string]bool // module -> operation -> true
	sorted   map[string][]string        // module -> sorted operations
	missing  []string                   // modules the generator could not download
}

var loadOperations = sync.OnceValue(func() *operations {
	ops, err := parseOperations(operationsFile)
	if err != nil {
		// The file is generated and covered by tests, so a parse error is a build defect.
		panic(fmt.Sprintf("awsapi: embedded operations.txt: %v", err))
	}
	return ops
})

// parseOperations reads the operations file format that ./gen writes.
func parseOperations(data []byte) (*operations, error) {
	o := &operations{
		versions: map[string]string{},
		ops:      map[string]map[string]bool{},
		sorted:   map[string][]string{},
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		if err := o.parseLine(sc.Text()); err != nil {
			return nil, fmt.Errorf("parse line %d: %w", n, err)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read operations: %w", err)
	}
	for m := range o.ops {
		if _, ok := o.versions[m]; !ok {
			return nil, fmt.Errorf("check module %s: operations listed but no module header", m)
		}
	}
	for m, set := range o.ops {
		list := make([]string, 0, len(set))
		for op := range set {
			list = append(list, op)
		}
		slices.Sort(list)
		o.sorted[m] = list
	}
	return o, nil
}

func (o *operations) parseLine(line string) error {
	if line == "" {
		return nil
	}
	f := strings.Fields(line)
	if f[0] == "#" {
		switch {
		case len(f) == 4 && f[1] == "module":
			o.versions[f[2]] = f[3]
		case len(f) == 3 && f[1] == "missing":
			o.missing = append(o.missing, f[2])
		}
		return nil
	}
	if len(f) != 2 || !isName(f[1]) {
		return fmt.Errorf("want \"<module> <Operation>\", got %q", line)
	}
	if o.ops[f[0]] == nil {
		o.ops[f[0]] = map[string]bool{}
	}
	o.ops[f[0]][f[1]] = true
	return nil
}

// isName reports whether s looks like an operation or event name: an upper-case letter, then
// letters, digits and underscores.
func isName(s string) bool {
	if s == "" || s[0] < 'A' || s[0] > 'Z' {
		return false
	}
	for _, r := range s {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '_') { // Cognito's Token_POST
			return false
		}
	}
	return true
}

// HasOperation reports whether op is an operation of the SDK for Go v2 service module.
// Names are case-sensitive, as CloudTrail event names are.
func HasOperation(module, op string) bool {
	return loadOperations().ops[module][op]
}

// Modules returns the sorted names of the SDK modules whose operations are known.
func Modules() []string {
	o := loadOperations()
	mods := make([]string, 0, len(o.versions))
	for m := range o.versions {
		mods = append(mods, m)
	}
	slices.Sort(mods)
	return mods
}

// Version returns the version of module that operations.txt was generated from, or "" when
// the module is not known.
func Version(module string) string {
	return loadOperations().versions[module]
}

// Operations returns the sorted operation names of module, or nil when it is not known.
func Operations(module string) []string {
	return slices.Clone(loadOperations().sorted[module])
}

// MissingModules returns the modules that the generator could not download (see the
// "missing" lines of operations.txt); their events cannot be checked until they are added.
func MissingModules() []string {
	return slices.Clone(loadOperations().missing)
}
