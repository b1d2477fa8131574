package ruleset

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/ttcproject/ttc/internal/catalog"
	"github.com/ttcproject/ttc/internal/detect"
)

// sigmaStatuses are the statuses the Sigma specification defines.
var sigmaStatuses = []string{"stable", "test", "experimental", "deprecated", "unsupported"}

var (
	uuidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	// sigmaTagRE is the form of a Sigma tag: a lower-case namespace, a
	// dot, a lower-case value.
	sigmaTagRE = regexp.MustCompile(`^[a-z0-9_-]+\.[a-z0-9._-]+$`)
	// tacticIDRE is an ATT&CK tactic's ID, in a tag's lower case.
	tacticIDRE = regexp.MustCompile(`^ta[0-9]{4}$`)
)

// SigmaProblems reports what in a catalog rule Sigma's specification
// does not allow, though ttc's matcher would run it: no id, an id that is
// no UUID, a status Sigma does not define, a tag not of the form
// namespace.value in lower case, an attack.* tag that is no ATT&CK
// technique ID and names no tactic, group, software or campaign, and a
// search the condition never names.
// A rule passed with --rules is held to none of this: SigmaHQ's rules
// load as they are.
func SigmaProblems(c *catalog.Catalog, r *detect.Rule) []catalog.Problem {
	if r.Source == nil {
		return nil
	}
	var out []catalog.Problem
	at := func(n *yaml.Node, format string, args ...any) {
		out = append(out, catalog.Problem{File: r.File, Line: n.Line, Column: n.Column, Message: fmt.Sprintf(format, args...)})
	}
	top := r.Source
	hasID := false
	for i := 0; i+1 < len(top.Content); i += 2 {
		k, v := top.Content[i], detect.Deref(top.Content[i+1])
		switch k.Value {
		case "id":
			hasID = true
			if !uuidRE.MatchString(r.ID) {
				at(v, "id \"%s\" is no UUID, as Sigma wants a rule's id", r.ID)
			}
		case "status":
			if !slices.Contains(sigmaStatuses, r.Status) {
				at(v, "status \"%s\" is no Sigma status (%s)", r.Status, strings.Join(sigmaStatuses, ", "))
			}
		case "tags":
			for _, n := range scalars(v) {
				if p := tagProblem(c, n.Value); p != "" {
					at(n, "%s", p)
				}
			}
		}
	}
	if !hasID {
		at(top, "rule has no id: Sigma wants a UUID there")
	}
	if r.Correlation == nil {
		for _, k := range unnamedSearches(r) {
			at(k, "search \"%s\" is never named by the condition, so it decides nothing", k.Value)
		}
	}
	return out
}

// CheckSigma parses a catalog rule file and returns its first
// SigmaProblems as an error; a file that does not parse is CheckRule's.
func CheckSigma(c *catalog.Catalog, path string, data []byte) error {
	r, err := detect.ParseRule(path, data)
	if err != nil {
		return nil
	}
	if ps := SigmaProblems(c, r); len(ps) > 0 {
		return errors.New(ps[0].String())
	}
	return nil
}

// tagProblem says what is wrong with a catalog rule's tag, or "". ttc.*
// tags are checked with the events of the entries they name
// (checkAlsoReports).
func tagProblem(c *catalog.Catalog, tag string) string {
	if !sigmaTagRE.MatchString(tag) {
		return fmt.Sprintf("tag \"%s\" is not of Sigma's form namespace.value, in lower case", tag)
	}
	name, ok := strings.CutPrefix(tag, "attack.")
	if !ok {
		return ""
	}
	if techniqueTagRE.MatchString(tag) {
		// An ATT&CK technique the catalog does not hold is no mistake: the
		// tag is for other tools, and the rule reports its folder's
		// entry. Whether ATT&CK has it is not checked: validation reads
		// no imported ATT&CK data, which differs from one machine to the
		// next.
		return ""
	}
	if t, ok := tacticTag(c, name); ok && tacticIDRE.MatchString(name) {
		// Sigma names a tactic by its short name; other tools read no ID.
		// An ID the catalog files under one of its tactics (v19's TA0112
		// under TA0005) has a short name of its own.
		short := t.ShortName
		if v := t.AttackV19; v != nil && v.Split != nil && strings.EqualFold(v.Split.ID, name) {
			short = v.Split.ShortName
		}
		return fmt.Sprintf("tag \"%s\" names a tactic by its ID: Sigma writes attack.%s", tag, short)
	}
	return attackTagProblem(c, tag, name)
}

// unnamedSearches returns the keys of the searches of r's detection that
// no condition names (detect.NamedSearches), but for those holding an
// anchor; none when r does not compile, which is reported apart.
func unnamedSearches(r *detect.Rule) []*yaml.Node {
	det := detect.Deref(r.Detection)
	if det == nil || det.Kind != yaml.MappingNode {
		return nil
	}
	named, err := detect.NamedSearches(r)
	if err != nil {
		return nil
	}
	var out []*yaml.Node
	for i := 0; i+1 < len(det.Content); i += 2 {
		// A search that holds an anchor is a template others take in
		// (through an alias, or a merge key): it need not be named.
		k, template := det.Content[i], det.Content[i+1].Anchor != ""
		if k.Value != "condition" && !template && !slices.Contains(named, k.Value) {
			out = append(out, k)
		}
	}
	return out
}
