package ruleset

import (
	"encoding/json"
	"errors"
	"fmt"
	"path"

	"github.com/ttcproject/ttc/internal/catalog"
	"github.com/ttcproject/ttc/internal/detect"
)

// MinSamples is how many match samples each rule must flag.
const MinSamples = 2

// CheckSamples compiles every technique's rules and runs them on its
// samples: each rule must compile, flag at least MinSamples of the match
// samples, every match sample must be flagged by some rule of the technique,
// and no nomatch sample by any. It returns one problem per failure.
func CheckSamples(c *catalog.Catalog) []catalog.Problem {
	var out []catalog.Problem
	seen := map[string]string{} // rule ID to the file that has it
	for _, t := range c.Techniques() {
		out = append(out, checkTechnique(t, seen)...)
	}
	return out
}

// checkTechnique checks one technique's rules and samples; seen collects rule
// IDs across techniques, which must be unique.
func checkTechnique(t *catalog.Technique, seen map[string]string) []catalog.Problem {
	var out []catalog.Problem
	var rules []*detect.Rule
	for _, f := range t.Rules {
		r, err := detect.ParseRule(f.Path, f.Data)
		if err != nil {
			out = append(out, ruleProblem(f.Path, err))
			continue
		}
		if prev, dup := seen[r.ID]; dup && r.ID != "" {
			out = append(out, catalog.Problem{File: f.Path, Line: r.Line, Message: fmt.Sprintf("rule id %s is also the id of %s", r.ID, prev)})
		}
		seen[r.ID] = f.Path
		rules = append(rules, r)
	}
	m, err := detect.Compile(rules, detect.Options{})
	if err != nil {
		for _, e := range unjoin(err) {
			out = append(out, ruleProblem(t.Source, e))
		}
	}
	if len(rules) == 0 {
		return out
	}
	flagged := map[*detect.Rule]int{}
	for _, s := range t.Samples {
		if !json.Valid(s.Data) {
			out = append(out, catalog.Problem{File: s.Path, Message: "sample is not valid JSON"})
			continue
		}
		ms, err := m.Match(s.Data)
		if err != nil {
			out = append(out, catalog.Problem{File: s.Path, Message: fmt.Sprintf("sample is not one CloudTrail record: %v", err)})
			continue
		}
		switch {
		case s.Match && len(ms) == 0:
			out = append(out, catalog.Problem{File: s.Path, Message: "match sample is not flagged by any rule of " + t.ID})
		case !s.Match && len(ms) > 0:
			out = append(out, catalog.Problem{File: s.Path, Message: fmt.Sprintf("nomatch sample is flagged by rule %s", path.Base(ms[0].Rule.File))})
		}
		if s.Match {
			for _, mm := range ms {
				flagged[mm.Rule]++
			}
		}
	}
	for _, r := range m.Rules() {
		if n := flagged[r]; n < MinSamples {
			out = append(out, catalog.Problem{File: r.File, Line: r.Line, Message: fmt.Sprintf("rule flags %d of the match samples, want at least %d", n, MinSamples)})
		}
	}
	return out
}

func ruleProblem(file string, err error) catalog.Problem {
	var re *detect.RuleError
	if errors.As(err, &re) {
		return catalog.Problem{File: re.File, Line: re.Line, Column: re.Column, Message: re.Err.Error()}
	}
	return catalog.Problem{File: file, Message: err.Error()}
}

// unjoin splits an errors.Join result into its parts.
func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}
