package awsapi

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode"

	"github.com/ttcproject/ttc/internal/spell"
)

// maxSuggestions caps the names an UnknownEventError proposes.
const maxSuggestions = 3

// UnknownEventError reports an event name that is neither an operation of the service's SDK
// modules nor a known CloudTrail-only event of the service.
type UnknownEventError struct {
	Service     string
	Event       string
	Modules     []string // the SDK modules that were searched
	Unknown     []string // modules with no data in operations.txt
	Suggestions []string // the closest real names, best first
}

// NearMiss reports whether a suggestion is within two letters of the
// name, or differs from it only in case: likely a typo of a known event,
// rather than a real event missing from the SDK's lists and the
// exceptions (which a filter may take as given).
func (e *UnknownEventError) NearMiss() bool {
	name := strings.ToLower(e.Event)
	for _, s := range e.Suggestions {
		if _, after, ok := strings.Cut(s, ":"); ok {
			s = after
		}
		if spell.Distance([]rune(name), []rune(strings.ToLower(s))) <= 2 {
			return true
		}
	}
	return false
}

func (e *UnknownEventError) Error() string {
	var b strings.Builder
	if e.Service == "" { // from CheckBareEvent
		fmt.Fprintf(&b, "no service of the catalog has an event \"%s\"", e.Event)
		if len(e.Suggestions) > 0 {
			fmt.Fprintf(&b, "; did you mean %s?", strings.Join(e.Suggestions, ", "))
		}
		return b.String()
	}
	fmt.Fprintf(&b, "%s:%s is not ", e.Service, e.Event)
	if len(e.Modules) == 0 {
		fmt.Fprintf(&b, "a known CloudTrail-only event of %s (the service has no SDK module)", e.Service)
	} else {
		fmt.Fprintf(&b, "an operation of %s", strings.Join(e.Modules, ", "))
	}
	if len(e.Unknown) > 0 {
		fmt.Fprintf(&b, " (no operation data for %s)", strings.Join(e.Unknown, ", "))
	}
	if len(e.Suggestions) > 0 {
		fmt.Fprintf(&b, "; did you mean %s?", strings.Join(e.Suggestions, ", "))
	}
	return b.String()
}

// CheckEvent returns nil when event is an operation of any of sdkModules or a CloudTrail-only
// event listed for service; otherwise an *UnknownEventError that names the closest real
// names. A service with no SDK modules accepts only its exceptions.
func CheckEvent(service string, sdkModules []string, event string) error {
	ops := loadOperations()
	for _, m := range sdkModules {
		if ops.ops[m][event] {
			return nil
		}
	}
	if _, ok := Exception(service, event); ok {
		return nil
	}

	err := &UnknownEventError{Service: service, Event: event, Modules: slices.Clone(sdkModules)}
	var candidates []string
	for _, m := range sdkModules {
		if _, ok := ops.versions[m]; !ok {
			err.Unknown = append(err.Unknown, m)
		}
		candidates = append(candidates, ops.sorted[m]...)
	}
	for name := range loadExceptions()[service] {
		candidates = append(candidates, name)
	}
	err.Suggestions = suggest(event, candidates)
	return err
}

// CheckBareEvent is CheckEvent for an event named without its service:
// nil when any of services (service key to SDK modules) has it; otherwise
// an *UnknownEventError without a Service whose suggestions name the
// closest events of all of them, as service:Name.
func CheckBareEvent(services map[string][]string, event string) error {
	ops := loadOperations()
	exc := loadExceptions()
	owners := map[string][]string{} // an event name to the services, by key, that have it
	note := func(name, svc string) {
		if o := owners[name]; len(o) == 0 || o[len(o)-1] != svc {
			owners[name] = append(o, svc)
		}
	}
	keys := slices.Sorted(maps.Keys(services))
	for _, svc := range keys {
		for _, m := range services[svc] {
			if ops.ops[m][event] {
				return nil
			}
			for _, name := range ops.sorted[m] {
				note(name, svc)
			}
		}
		if _, ok := exc[svc][event]; ok {
			return nil
		}
		for name := range exc[svc] {
			note(name, svc)
		}
	}
	// A name several services have is suggested with each of them.
	err := &UnknownEventError{Event: event}
	for _, name := range suggest(event, slices.Collect(maps.Keys(owners))) {
		for _, svc := range owners[name] {
			if len(err.Suggestions) < maxSuggestions {
				err.Suggestions = append(err.Suggestions, svc+":"+name)
			}
		}
	}
	return err
}

// suggest returns up to maxSuggestions candidates close to name. A case-insensitive match
// wins outright. Otherwise names are compared word by word (CamelCase words), so that
// ModifySecurityGroupIngress finds the calls that share three of its four words, and ties are
// broken by the letter-level edit distance.
func suggest(name string, candidates []string) []string {
	slices.Sort(candidates)
	candidates = slices.Compact(candidates)
	for _, c := range candidates {
		if strings.EqualFold(c, name) {
			return []string{c}
		}
	}

	type scored struct {
		name        string
		words, runs int
	}
	want := words(name)
	lower := strings.ToLower(name)
	var found []scored
	for _, c := range candidates {
		wd := spell.Distance(want, words(c))
		cd := spell.Distance([]rune(lower), []rune(strings.ToLower(c)))
		// Close enough: at most half the words differ, or at most a third of the letters.
		if 2*wd <= len(want) || 3*cd <= len(name) {
			found = append(found, scored{c, wd, cd})
		}
	}
	// Names within two letters, where there are some, are the only ones
	// offered: ListUserz is ListUsers mistyped, not ListClusters.
	if slices.ContainsFunc(found, func(s scored) bool { return s.runs <= 2 }) {
		found = slices.DeleteFunc(found, func(s scored) bool { return s.runs > 2 })
	}
	slices.SortFunc(found, func(a, b scored) int {
		return cmp.Or(cmp.Compare(a.words, b.words), cmp.Compare(a.runs, b.runs), cmp.Compare(a.name, b.name))
	})
	var out []string
	for _, s := range found[:min(len(found), maxSuggestions)] {
		out = append(out, s.name)
	}
	return out
}

// words splits a CamelCase name into lower-case words; a run of digits is a word of its own.
func words(s string) []string {
	var out []string
	start := 0
	rs := []rune(s)
	for i := 1; i <= len(rs); i++ {
		if i == len(rs) || boundary(rs[i-1], rs[i], rs[i:]) {
			out = append(out, strings.ToLower(string(rs[start:i])))
			start = i
		}
	}
	return out
}

// boundary reports whether a new word starts at cur, which follows prev; rest starts at cur.
func boundary(prev, cur rune, rest []rune) bool {
	switch {
	case unicode.IsDigit(prev) != unicode.IsDigit(cur):
		return true
	case unicode.IsLower(prev) && unicode.IsUpper(cur):
		return true
	case unicode.IsUpper(prev) && unicode.IsUpper(cur) && len(rest) > 1 && unicode.IsLower(rest[1]):
		return true // the last capital of an acronym starts the next word: "SAMLProvider"
	}
	return false
}
