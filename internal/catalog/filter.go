package catalog

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode"

	"github.com/ttcproject/ttc/internal/clip"
	"github.com/ttcproject/ttc/internal/spell"
)

// Filter selects techniques. Within one field the values are alternatives
// (any service, any tactic); different fields must all hold.
type Filter struct {
	// Services are keys (s3), event sources (s3.amazonaws.com), names or aliases.
	Services []string
	// Tactics are IDs (TA0040), short names (impact) or names.
	Tactics []string
	// AWSSpecific keeps only AWS-specific techniques.
	AWSSpecific bool
	// Events keeps techniques whose CloudTrail events include one of them
	// (s3:CopyObject, or CopyObject in any service).
	Events []string
	// Search is free text, ranked over IDs, names, summaries, event names and descriptions.
	Search string
}

// Result is a technique that passed a filter, with its search score.
type Result struct {
	Technique *Technique
	// Score is the search rank (higher is better); 0 without a search.
	Score float64
}

// FilterError reports a filter value that names nothing in the catalog.
type FilterError struct {
	Field, Value string
	// Why explains a value that is not simply unknown.
	Why string
}

// Error names the field and the value that matched nothing.
func (e *FilterError) Error() string {
	if e.Why != "" {
		return fmt.Sprintf("%s \"%s\": %s", e.Field, e.Value, e.Why)
	}
	return fmt.Sprintf("unknown %s \"%s\"", e.Field, e.Value)
}

// NearServices returns the keys of the services whose key is within two
// letters of s (s4 for s3, cloudtrial for cloudtrail), closest first.
func (c *Catalog) NearServices(s string) []string {
	s = strings.ToLower(strings.TrimSpace(s))
	type near struct {
		key string
		d   int
	}
	var found []near
	for _, svc := range c.services {
		if d := spell.Distance([]rune(s), []rune(svc.Key)); d <= 2 && d < len(svc.Key) {
			found = append(found, near{svc.Key, d})
		}
	}
	slices.SortStableFunc(found, func(a, b near) int { return cmp.Compare(a.d, b.d) })
	var out []string
	for _, n := range found {
		if n.d == found[0].d && len(out) < 3 { // the closest only
			out = append(out, n.key)
		}
	}
	return out
}

// NormaliseEvent accepts an event written with its CloudTrail event source
// (s3.amazonaws.com:CopyObject) as well as the catalog's service:EventName.
func (c *Catalog) NormaliseEvent(ev string) string {
	ev = strings.TrimSpace(ev)
	src, name, ok := strings.Cut(ev, ":")
	if !ok {
		return ev
	}
	if !strings.Contains(src, ".") {
		if _, known := c.serviceByKey[src]; known {
			return ev
		}
		// Another name of the service: networkfirewall, the SDK's, for
		// network-firewall.
		if s, ok := c.Service(src); ok {
			return s.Key + ":" + name
		}
		// A finding's label: the event source without .amazonaws.com
		// (sso-directory:CreateUser, of the service sso).
		src += ".amazonaws.com"
	}
	if ss := c.ServicesFor(src); len(ss) > 0 {
		return ss[0].Key + ":" + name
	}
	return ev
}

// checkEvent refuses an event whose service names nothing in the catalog,
// or that is not an event of that service (by SetEventChecker's check):
// a typing error would otherwise look like an event no technique
// involves. An empty event is refused too; a bare name is not checked.
func (c *Catalog) checkEvent(ev string) error {
	ev = strings.TrimSpace(ev)
	if ev == "" {
		return &FilterError{Field: "event", Value: ev, Why: "it names no event"}
	}
	svc, name, ok := strings.Cut(ev, ":")
	if !ok {
		return c.checkBareEvent(ev)
	}
	switch {
	case strings.TrimSpace(name) == "":
		return &FilterError{Field: "event", Value: ev, Why: "it names no event after the service: write service:EventName, as s3:CopyObject"}
	case strings.TrimSpace(svc) == "":
		return &FilterError{Field: "event", Value: ev, Why: "it names no service before the colon: write service:EventName, as s3:CopyObject, or the event name alone"}
	}
	s, found := c.Service(svc)
	if !found {
		return &FilterError{Field: "event", Value: ev, Why: fmt.Sprintf("the catalog has no service \"%s\"", svc)}
	}
	if eventChecker == nil || c.knowsEvent(s.Key, name) {
		return nil
	}
	err := eventChecker(s.Key, s.SDKModules, name)
	if err == nil {
		return nil
	}
	if nearMiss(err) {
		return &FilterError{Field: "event", Value: ev, Why: err.Error()}
	}
	if others := c.servicesWithEvent(name); len(others) > 0 {
		return &FilterError{Field: "event", Value: ev, Why: fmt.Sprintf("%s is an event of %s, not of %s", name, strings.Join(others, ", "), s.Key)}
	}
	return nil
}

// servicesWithEvent lists the services of the catalog that have the
// event name, by the event check.
func (c *Catalog) servicesWithEvent(name string) []string {
	var out []string
	for i := range c.services {
		if c.serviceHasEvent(&c.services[i], name) {
			out = append(out, c.services[i].Key)
		}
	}
	return out
}

// serviceHasEvent reports whether name is an event of service s: one a technique
// lists under it, or one the installed event check knows (without one,
// any name is).
func (c *Catalog) serviceHasEvent(s *Service, name string) bool {
	return eventChecker == nil || c.knowsEvent(s.Key, name) || eventChecker(s.Key, s.SDKModules, name) == nil
}

// nearMiss reports whether an event check's error names a known event
// close to the one asked for: a typo, refused with the suggestion. An
// event unknown but close to none may be real (AWS writes events that are
// in no SDK's operation list), and is taken as given: no technique lists
// it. Without a way to tell, every unknown event is refused.
func nearMiss(err error) bool {
	var nm interface{ NearMiss() bool }
	return !errors.As(err, &nm) || nm.NearMiss()
}

// checkBareEvent refuses an event named without its service that no
// technique lists and no service of the catalog has: a typo would
// otherwise list nothing, as an event no technique leaves does.
func (c *Catalog) checkBareEvent(ev string) error {
	if bareEventChecker == nil || slices.ContainsFunc(c.techniques, func(t *Technique) bool { return hasEvent(t, ev) }) {
		return nil
	}
	services := map[string][]string{}
	for _, s := range c.services {
		services[s.Key] = s.SDKModules
	}
	if err := bareEventChecker(services, ev); err != nil && nearMiss(err) {
		return &FilterError{Field: "event", Value: ev, Why: err.Error()}
	}
	return nil
}

// IsEventOf reports whether name is an event of one of the services
// (keys), as serviceHasEvent tells.
func (c *Catalog) IsEventOf(services []string, name string) bool {
	for _, key := range services {
		if s, ok := c.serviceByKey[key]; ok && c.serviceHasEvent(s, name) {
			return true
		}
	}
	return false
}

// knowsEvent reports whether a technique lists the event name of the
// service, in any case and with or without CloudTrail's API version.
func (c *Catalog) knowsEvent(svc, name string) bool {
	for _, t := range c.techniques {
		if hasEvent(t, svc+":"+name) {
			return true
		}
	}
	return false
}

// Filter returns the techniques that pass f: in ID order, or by score when
// f.Search is set.
func (c *Catalog) Filter(f Filter) ([]Result, error) {
	svcKeys := map[string]bool{}
	for _, s := range f.Services {
		ss := c.ServicesFor(s)
		if len(ss) == 0 {
			fe := &FilterError{Field: "service", Value: s}
			if near := c.NearServices(s); len(near) > 0 {
				fe.Why = "no service of the catalog has that key, name or alias; did you mean " + strings.Join(near, ", ") + "?"
			}
			return nil, fe
		}
		for _, sv := range ss {
			svcKeys[sv.Key] = true
		}
	}
	tactics := map[string]bool{}
	for _, s := range f.Tactics {
		t, ok := c.Tactic(s)
		if !ok {
			fe := &FilterError{Field: "tactic", Value: s}
			if at, ok := c.AttackTactic(s); ok {
				fe.Why = fmt.Sprintf("the catalog has no technique for the ATT&CK tactic %s %s", at.ID, at.Name)
			}
			return nil, fe
		}
		tactics[t.ID] = true
	}
	terms := searchTerms(f.Search)
	if strings.TrimSpace(f.Search) != "" && len(terms) == 0 {
		return nil, &FilterError{Field: "search", Value: f.Search, Why: "it has no letters or digits to look for"}
	}
	if len(terms) > MaxSearchTerms {
		return nil, &FilterError{Field: "search", Value: clip.String(f.Search, 64), Why: fmt.Sprintf("more than %d different words", MaxSearchTerms)}
	}
	var events []string
	for _, e := range f.Events {
		e = c.NormaliseEvent(e)
		if err := c.checkEvent(e); err != nil {
			return nil, err
		}
		events = append(events, e)
		events = append(events, c.LoggedAs(e)...)
	}
	var out []Result
	for _, t := range c.techniques {
		if f.AWSSpecific && !t.AWSSpecific {
			continue
		}
		if len(svcKeys) > 0 && !involves(t, svcKeys) {
			continue
		}
		if len(tactics) > 0 && !anyIn(t.Tactics, tactics) {
			continue
		}
		if len(events) > 0 && !slices.ContainsFunc(events, func(e string) bool { return hasEvent(t, e) }) {
			continue
		}
		r := Result{Technique: t}
		if len(terms) > 0 {
			// To two decimals: sums of weights such as 0.3 otherwise read
			// 6.6000000000000005 in JSON.
			r.Score = math.Round(score(t, terms)*100) / 100
			if r.Score == 0 {
				continue
			}
		}
		out = append(out, r)
	}
	if len(terms) > 0 {
		sort.SliceStable(out, func(i, j int) bool { return out[i].Score > out[j].Score })
	}
	return out, nil
}

// Involves reports whether a technique concerns one of the services: it names
// the service or lists an event of it.
func involves(t *Technique, keys map[string]bool) bool {
	for _, s := range t.Services {
		if keys[s] {
			return true
		}
	}
	for _, e := range t.Detection.CloudTrailEvents {
		if svc, _, ok := strings.Cut(e, ":"); ok && keys[svc] {
			return true
		}
	}
	return false
}

func anyIn(list []string, set map[string]bool) bool {
	for _, v := range list {
		if set[v] {
			return true
		}
	}
	return false
}

// LoggedAs returns the events CloudTrail logs the operation ev names
// under, when it names it otherwise (see SetEventNamer), as service:Event;
// for a bare name, those of every service that has such an operation.
func (c *Catalog) LoggedAs(ev string) []string {
	if eventNamer == nil {
		return nil
	}
	svc, name, qualified := strings.Cut(strings.TrimSpace(ev), ":")
	if !qualified {
		name = svc
	}
	name = strings.TrimSpace(name)
	var out []string
	for _, s := range c.services {
		if qualified && s.Key != svc {
			continue
		}
		for _, n := range eventNamer(s.Key, name) {
			out = append(out, s.Key+":"+n)
		}
	}
	return out
}

// hasEvent matches service:EventName case-insensitively; a bare EventName
// matches that name in any service. An API name matches the event name
// CloudTrail gives it with the API version after it (Lambda's
// UpdateFunctionCode is UpdateFunctionCode20150331v2).
func hasEvent(t *Technique, ev string) bool {
	ev = strings.TrimSpace(ev)
	svc, name, qualified := strings.Cut(ev, ":")
	if !qualified {
		name = ev
	}
	for _, e := range t.Detection.CloudTrailEvents {
		es, en, _ := strings.Cut(e, ":")
		// Either side may carry the version: the catalog lists some events
		// by their operation's name where records show both forms.
		if (!qualified || strings.EqualFold(es, svc)) && (sameEventName(en, name) || sameEventName(name, en)) {
			return true
		}
	}
	return false
}

// apiVersionRE is the API version some services put after an operation's
// name in CloudTrail's event name: 20150331, 20150331v2, 2020_05_31.
var apiVersionRE = regexp.MustCompile(`^(\d{8}(v\d+)?|\d{4}_\d{2}_\d{2})$`)

// sameEventName reports whether the catalog's event name is name, or name
// followed by an API version.
func sameEventName(event, name string) bool {
	if strings.EqualFold(event, name) {
		return true
	}
	return len(event) > len(name) && name != "" && strings.EqualFold(event[:len(name)], name) && apiVersionRE.MatchString(event[len(name):])
}

// MaxSearchTerms bounds the distinct words of a search: each is looked for
// in every technique's text, and highlighted in every text shown.
const MaxSearchTerms = 32

// searchTerms returns the distinct words of q, lower-cased, in order; it
// stops at one past MaxSearchTerms, which is enough for Filter to refuse
// the search. Characters that show nothing are dropped first: format
// characters (bidi controls, zero-width spaces and joiners), the other
// default-ignorable ones (variation selectors, the combining grapheme
// joiner, Hangul fillers) and control characters other than blanks (NUL).
// Pasted inside a word, they would split it in two, or make it a word no
// text holds, unseen.
func searchTerms(q string) []string {
	q = strings.Map(func(r rune) rune {
		if unicode.In(r, unicode.Cf, unicode.Other_Default_Ignorable_Code_Point, unicode.Variation_Selector) ||
			unicode.IsControl(r) && !unicode.IsSpace(r) {
			return -1
		}
		return r
	}, q)
	f := strings.FieldsFunc(strings.ToLower(q), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '.' && r != ':' && r != '-' && r != '_'
	})
	var out []string
	for _, w := range f {
		if w = strings.Trim(w, ".:-_"); w != "" && !slices.Contains(out, w) {
			if out = append(out, w); len(out) > MaxSearchTerms {
				break
			}
		}
	}
	return out
}

// Field weights for search: a hit in the ID or name counts most.
var searchFields = []struct {
	weight float64
	get    func(*Technique) string
}{
	{10, func(t *Technique) string { return t.ID }},
	{6, func(t *Technique) string { return t.Name }},
	{4, func(t *Technique) string { return strings.Join(t.Detection.CloudTrailEvents, " ") }},
	{3, func(t *Technique) string { return t.Summary }},
	{2, func(t *Technique) string { return strings.Join(t.Services, " ") }},
	{1, func(t *Technique) string {
		return t.Description + " " + t.Prerequisites + " " + t.Detection.Guidance + " " +
			strings.Join(t.Detection.GuardDutyFindings, " ")
	}},
}

// score sums, for every term, the weight of the best field it occurs in; a
// technique that misses any term scores 0. Terms that occur together, in
// the order given ("access key"), add the weight of the best field they
// do so in: the words of a phrase met apart say less.
func score(t *Technique, terms []string) float64 {
	texts := make([]string, len(searchFields))
	for i, f := range searchFields {
		texts[i] = strings.ToLower(f.get(t))
	}
	total := 0.0
	for _, term := range terms {
		best := 0.0
		for i, f := range searchFields {
			if n := strings.Count(texts[i], term); n > 0 {
				s := f.weight * (1 + 0.1*float64(min(n, 5)))
				if strings.EqualFold(texts[i], term) {
					s *= 2
				}
				best = max(best, s)
			}
		}
		if best == 0 {
			return 0
		}
		total += best
	}
	if len(terms) > 1 {
		phrase := strings.Join(terms, " ")
		for i, f := range searchFields {
			if strings.Contains(texts[i], phrase) {
				total += f.weight
				break // the fields are in order of weight
			}
		}
	}
	return total
}

// SearchTerms splits a query the way Filter does, for highlighting matches.
func SearchTerms(q string) []string { return searchTerms(q) }
