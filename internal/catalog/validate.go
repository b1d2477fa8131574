package catalog

import (
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/ttcproject/ttc/internal/clip"
	"github.com/ttcproject/ttc/internal/jsonscan"
)

var (
	tacticIDRE     = regexp.MustCompile(`^TA[0-9]{4}$`)
	shortNameRE    = regexp.MustCompile(`^[a-z]+(-[a-z]+)*$`)
	serviceKeyRE   = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	eventSourceRE  = regexp.MustCompile(`^[a-z0-9-]+(\.[a-z0-9-]+)*\.amazonaws\.com$`)
	mitigationIDRE = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	eventRE        = regexp.MustCompile(`^([a-z0-9-]+):([A-Z][A-Za-z0-9_]*)$`) // _ for Cognito's endpoint events (Token_POST)
	attackMitRE    = regexp.MustCompile(`^M[0-9]{4}$`)
	attackIDRE     = regexp.MustCompile(`^T[0-9]{4}(\.[0-9]{3})?$`)
	versionRE      = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?$`)
	guardDutyRE    = regexp.MustCompile(`^[A-Za-z]+:[A-Za-z0-9]+/[A-Za-z0-9.!&]+$`)
)

// ControlKinds are the kinds of mitigation controls the format knows.
var ControlKinds = []string{"scp", "iam-condition", "bucket-policy", "resource-policy", "service-setting", "detective", "process"}

// EventChecker verifies that a catalog event name is a real operation of its
// service. Load uses the one set by SetEventChecker; nil skips the check.
type EventChecker func(service string, sdkModules []string, event string) error

var eventChecker EventChecker

// SetEventChecker installs the check applied to every CloudTrail event name.
// It is meant to be called once at start-up, before Load.
func SetEventChecker(f EventChecker) { eventChecker = f }

// BareEventChecker verifies that an event named without its service is an
// event of one of services (service key to SDK modules).
type BareEventChecker func(services map[string][]string, event string) error

var bareEventChecker BareEventChecker

// SetBareEventChecker installs the check of an event filter that names no
// service (--event CopyObject); nil lets every such name through.
func SetBareEventChecker(f BareEventChecker) { bareEventChecker = f }

// EventNamer returns the event names CloudTrail logs an SDK operation of a
// service under, when they differ from the operation's own name.
type EventNamer func(service, operation string) []string

var eventNamer EventNamer

// SetEventNamer installs the lookup by which an event filter that names an
// SDK operation (s3:PutBucketLifecycleConfiguration) also finds the event
// CloudTrail logs it as (s3:PutBucketLifecycle); nil looks up nothing.
func SetEventNamer(f EventNamer) { eventNamer = f }

// LoggedAs returns the names CloudTrail logs operation of service under
// when it never logs it under the operation's own (S3's ListObjectsV2 is
// logged as ListObjects); nil when it does, or when nothing was installed
// by SetEventNamer.
func LoggedAs(service, operation string) []string {
	if eventNamer == nil {
		return nil
	}
	names := eventNamer(service, operation)
	if len(names) == 0 || slices.Contains(names, operation) {
		return nil
	}
	return names
}

// IsEventSource reports whether source is one of the event sources of a
// service of the catalog, as CloudTrail writes them (in any letter case,
// as Sigma compares values): a service's key or name is not one.
func (c *Catalog) IsEventSource(source string) bool {
	for i := range c.services {
		if containsFold(c.services[i].EventSources, source) {
			return true
		}
	}
	return false
}

// loggedOtherwise reports, at path of d, an operation of service that
// CloudTrail never logs under its own name (S3's ListObjectsV2 is logged as
// ListObjects), with the names it logs it under.
func (v *validator) loggedOtherwise(d *doc, path []any, service, operation string) {
	if names := LoggedAs(service, operation); names != nil {
		v.ps.at(d, path, "CloudTrail logs %s as %s; list that name", operation, strings.Join(names, " or "))
	}
}

type validator struct {
	c         *Catalog
	ps        *problems
	docs      map[any]*doc
	tacticAt  map[string]entryAt // by tactic ID
	serviceAt map[string]entryAt // by service key
	// serviceRedefined marks the services a later source's services.yaml
	// defined again.
	serviceRedefined map[string]bool
}

// entryAt is where a list entry of tactics.yaml or services.yaml was read:
// its file and its index in the file's list.
type entryAt struct {
	d *doc
	i int
}

func (e entryAt) file() string {
	if e.d == nil {
		return ""
	}
	return e.d.file
}

func (v *validator) run() {
	v.tactics()
	v.services()
	for _, m := range v.c.mitigations {
		v.mitigation(m)
	}
	for _, t := range v.c.techniques {
		v.technique(t)
	}
}

func (v *validator) tactics() {
	if len(v.c.tactics) == 0 {
		v.ps.add("tactics.yaml", 0, 0, "no tactics defined")
	}
	seenShort, seenOrder := map[string]bool{}, map[int]bool{}
	for _, t := range v.c.tactics {
		pos := v.tacticAt[t.ID]
		at := func(field, format string, args ...any) {
			v.ps.at(pos.d, []any{"tactics", pos.i, field}, format, args...)
		}
		if !tacticIDRE.MatchString(t.ID) {
			at("id", "malformed tactic ID \"%s\": want TA followed by four digits", t.ID)
		}
		if !shortNameRE.MatchString(t.ShortName) {
			at("short_name", "malformed tactic short name \"%s\"", t.ShortName)
		}
		if seenShort[t.ShortName] {
			at("short_name", "duplicate tactic short name \"%s\"", t.ShortName)
		}
		if seenOrder[t.Order] {
			at("order", "duplicate tactic order %d", t.Order)
		}
		seenShort[t.ShortName], seenOrder[t.Order] = true, true
		if blank(t.Name) || blank(t.Description) {
			at("name", "tactic %s needs a name and a description", t.ID)
		}
		text := map[string]string{"name": t.Name, "description": t.Description}
		if a := t.AttackV19; a != nil {
			text["attack_v19.name"], text["attack_v19.note"] = a.Name, a.Note
			if sp := a.Split; sp != nil {
				text["attack_v19.split.name"] = sp.Name
				if !tacticIDRE.MatchString(sp.ID) || !shortNameRE.MatchString(sp.ShortName) || blank(sp.Name) {
					at("attack_v19", "tactic %s: attack_v19.split needs an id (TA followed by four digits), a short_name and a name", t.ID)
				}
			}
		}
		v.noControls(pos.d, prefixed(fmt.Sprintf("tactics.%d.", pos.i), text))
	}
}

func (v *validator) services() {
	if len(v.c.services) == 0 {
		v.ps.add("services.yaml", 0, 0, "no services defined")
	}
	for _, s := range v.c.services {
		pos := v.serviceAt[s.Key]
		at := func(field, format string, args ...any) {
			v.ps.at(pos.d, []any{"services", pos.i, field}, format, args...)
		}
		if !serviceKeyRE.MatchString(s.Key) {
			at("key", "malformed service key \"%s\"", s.Key)
		}
		if blank(s.Name) {
			at("name", "service %s has no name", s.Key)
		}
		if len(s.EventSources) == 0 {
			at("event_sources", "service %s has no CloudTrail event source", s.Key)
		}
		text := map[string]string{"name": s.Name}
		for j, a := range s.Aliases {
			text[fmt.Sprintf("aliases.%d", j)] = a
		}
		v.noControls(pos.d, prefixed(fmt.Sprintf("services.%d.", pos.i), text))
		for j, es := range s.EventSources {
			if !eventSourceRE.MatchString(es) {
				v.ps.at(pos.d, []any{"services", pos.i,
					"event_sources", j}, "malformed event source \"%s\": want <name>.amazonaws.com", es)
			}
		}
		seen := map[string]bool{}
		for j, e := range s.DataEvents {
			at := []any{"services", pos.i, "data_events", j}
			switch {
			case seen[e]:
				v.ps.at(pos.d, at, "duplicate data event \"%s\"", e)
			case eventChecker != nil:
				if err := eventChecker(s.Key, s.SDKModules, e); err != nil {
					v.ps.at(pos.d, at, "%v", err)
				} else {
					v.loggedOtherwise(pos.d, at, s.Key, e)
				}
			}
			seen[e] = true
		}
	}
}

func (v *validator) mitigation(m *Mitigation) {
	d := v.docs[m]
	fields := map[string]string{"name": m.Name, "summary": m.Summary, "description": m.Description}
	for i, ctl := range m.Controls {
		for k, s := range map[string]string{"title": ctl.Title, "detail": ctl.Detail, "stops": ctl.Stops} {
			fields[fmt.Sprintf("controls.%d.%s", i, k)] = s
		}
	}
	referenceTitles(fields, m.References)
	v.noControls(d, fields)
	if !mitigationIDRE.MatchString(m.ID) {
		v.ps.at(d, []any{"id"},
			"malformed mitigation ID \"%s\": want lower-case words joined by -", m.ID)
	}
	v.required(d, map[string]string{"name": m.Name, "summary": m.Summary, "description": m.Description})
	if len(m.Services) == 0 {
		v.ps.at(d, []any{"services"}, "mitigation %s names no service", m.ID)
	}
	v.serviceList(d, m.Services)
	if len(m.Controls) == 0 {
		v.ps.at(d, []any{"controls"}, "mitigation %s has no controls", m.ID)
	}
	for i, ctl := range m.Controls {
		if !slices.Contains(ControlKinds, ctl.Kind) {
			v.ps.at(d, []any{"controls", i,
				"kind"}, "unknown control kind \"%s\": want one of %s", ctl.Kind, strings.Join(ControlKinds, ", "))
		}
		if (blank(ctl.Title) || blank(ctl.Detail) || blank(ctl.Stops)) && !d.brokenUnder("controls", i) {
			v.ps.at(d, []any{"controls", i}, "control needs title, detail and stops")
		}
	}
	v.references(d, m.References)
}

func (v *validator) technique(t *Technique) {
	d := v.docs[t]
	fields := map[string]string{
		"name": t.Name, "summary": t.Summary, "prerequisites": t.Prerequisites, "description": t.Description,
		"detection.guidance": t.Detection.Guidance, "detection.blind_spots": t.Detection.BlindSpots,
		"detection.no_cloudtrail": t.Detection.NoCloudTrail,
	}
	for i, m := range t.Mitigations {
		fields[fmt.Sprintf("mitigations.%d.effect", i)] = m.Effect
	}
	for i, s := range t.Detection.OtherSignals {
		fields[fmt.Sprintf("detection.other_signals.%d", i)] = s
	}
	if t.Attack != nil {
		for i, a := range t.Attack.Aliases {
			fields[fmt.Sprintf("attack.aliases.%d.note", i)] = a.Note
		}
	}
	referenceTitles(fields, t.References)
	v.noControls(d, fields)
	for _, path := range [][]any{{"aws_specific"}, {"detection", "data_events_required"}} {
		if n := d.node(path...); n != nil && n.ShortTag() != "!!bool" {
			v.ps.at(d, path, "%s must be true or false, got \"%s\"", path[len(path)-1], n.Value)
			d.broken = append(d.broken, path) // what the library made of it is not to be checked
		}
	}
	kind, err := ParseID(t.ID)
	if err != nil {
		v.ps.at(d, []any{"id"}, "%v", err)
	}
	v.required(d, map[string]string{
		"name": t.Name, "summary": t.Summary, "prerequisites": t.Prerequisites, "description": t.Description,
	})
	if blank(t.Detection.Guidance) {
		v.lacks(d, "detection", "guidance")
	}
	if blank(t.Detection.BlindSpots) {
		v.lacks(d, "detection", "blind_spots")
	}
	if err == nil {
		v.parent(d, t, kind)
	}
	if len(t.Tactics) == 0 {
		v.ps.at(d, []any{"tactics"}, "technique %s has no tactic", t.ID)
	}
	for i, ta := range t.Tactics {
		if _, ok := v.c.tacticByID[ta]; !ok {
			v.ps.at(d, []any{"tactics", i}, "unknown tactic \"%s\"", ta)
		}
	}
	v.serviceList(d, t.Services)
	v.detection(d, t)
	if len(t.Mitigations) == 0 {
		v.lacks(d, "mitigations")
	}
	for i, m := range t.Mitigations {
		if _, ok := v.c.mitigationBy[m.ID]; !ok {
			v.ps.at(d, []any{"mitigations", i, "id"}, "unknown mitigation \"%s\"", m.ID)
		}
		if blank(m.Effect) && !d.brokenUnder("mitigations", i, "effect") {
			v.ps.at(d, []any{"mitigations", i}, "mitigation %s: say what it stops (effect)", m.ID)
		}
	}
	for i, m := range t.AttackMitigations {
		if !attackMitRE.MatchString(m) {
			v.ps.at(d, []any{"attack_mitigations", i}, "malformed ATT&CK mitigation ID \"%s\"", m)
		}
	}
	for i, r := range t.Related {
		if r == t.ID {
			v.ps.at(d, []any{"related", i}, "technique lists itself as related")
		} else if _, ok := v.c.techniqueBy[r]; !ok {
			v.ps.at(d, []any{"related", i}, "unknown related technique \"%s\"", r)
		}
	}
	v.references(d, t.References)
	v.attack(d, t, kind, err == nil)
	v.dates(d, t)
}

func (v *validator) parent(d *doc, t *Technique, kind IDKind) {
	want := ParentID(t.ID)
	switch {
	case kind.IsSub() && t.Parent != want:
		v.ps.at(d, []any{"parent"},
			"parent is \"%s\", want \"%s\" for sub-technique %s", t.Parent, want, t.ID)
	case kind.IsSub():
		if p, ok := v.c.techniqueBy[want]; !ok {
			v.ps.at(d, []any{"parent"}, "missing parent technique %s", want)
		} else {
			v.parentTactics(d, t, p)
		}
	case t.Parent != "":
		v.ps.at(d, []any{"parent"},
			"technique %s is not a sub-technique but names parent \"%s\"", t.ID, t.Parent)
	}
	if t.AWSSpecific != kind.IsAWSSpecific() {
		v.ps.at(d, []any{"aws_specific"},
			"aws_specific is %t, but the ID form of %s says %t", t.AWSSpecific, t.ID, kind.IsAWSSpecific())
	}
}

// parentTactics reports the tactics of sub-technique t that its parent p
// does not list: a parent is filed under every tactic of its
// sub-techniques, as in ATT&CK, and the matrix shows a sub-technique
// under its parent, so one under a tactic the parent lacks would be
// missing there. The problem is the parent's, unless only the
// sub-technique comes from an overlay.
func (v *validator) parentTactics(d *doc, t, p *Technique) {
	var missing, named []string
	for _, ta := range t.Tactics {
		if tac, ok := v.c.tacticByID[ta]; ok && !slices.Contains(p.Tactics, ta) {
			missing = append(missing, ta)
			named = append(named, ta+" "+tac.Name)
		}
	}
	if len(missing) == 0 {
		return
	}
	// The message says how to fix it: the parent must gain the tactics, or
	// the sub-technique lose them.
	list, ids := strings.Join(named, ", "), strings.Join(missing, ", ")
	if v.c.fromOverlay[t.ID] && !v.c.fromOverlay[p.ID] {
		v.ps.at(d, []any{"tactics"}, "the parent %s is not filed under %s (it lists %s): "+
			"a sub-technique's tactics must be its parent's; "+
			"copy %s into the overlay with %s added, or drop %s from %s",
			p.ID, list, strings.Join(p.Tactics, ", "), p.ID, ids, ids, t.ID)
		return
	}
	v.ps.at(v.docs[p], []any{"tactics"}, "tactics leave out those of the sub-technique %s: %s "+
		"(a parent lists every tactic of its sub-techniques); add %s here, or drop %s from %s",
		t.ID, list, ids, ids, t.ID)
}

func (v *validator) detection(d *doc, t *Technique) {
	det := t.Detection
	seen := map[string]bool{}
	for i, e := range det.CloudTrailEvents {
		at := []any{"detection", "cloudtrail_events", i}
		m := eventRE.FindStringSubmatch(e)
		if m == nil {
			v.ps.at(d, at, "malformed event name \"%s\": want service:EventName", e)
			continue
		}
		if seen[e] {
			v.ps.at(d, at, "duplicate event name \"%s\"", e)
		}
		seen[e] = true
		svc, ok := v.c.serviceByKey[m[1]]
		if !ok {
			v.ps.at(d, at, "event \"%s\" names unknown service \"%s\"%s", e, m[1], v.c.serviceHint(m[1]))
			continue
		}
		if !slices.Contains(t.Services, svc.Key) && !d.brokenUnder("services") {
			v.ps.at(d, at, "event \"%s\" is of the service %s, which the technique's services do not list", e, svc.Key)
		}
		if eventChecker != nil {
			if err := eventChecker(svc.Key, svc.SDKModules, m[2]); err != nil {
				// An event of another service (one that moved to a service
				// of its own, as sso:CreateUser to sso-directory) says so,
				// rather than offer the service's unrelated names.
				if others := slices.DeleteFunc(v.c.servicesWithEvent(m[2]), func(k string) bool { return k == svc.Key }); len(others) > 0 {
					v.ps.at(d, at, "%s is an event of %s, not of %s", m[2], strings.Join(others, ", "), svc.Key)
				} else {
					v.ps.at(d, at, "%v", err)
				}
			} else {
				v.loggedOtherwise(d, at, svc.Key, m[2])
			}
		}
	}
	v.dataEventsFlag(d, t)
	// A list with a type error reads as empty; its error is reported.
	noEvents := len(det.CloudTrailEvents) == 0 && !d.brokenUnder("detection", "cloudtrail_events")
	if noEvents && blank(det.NoCloudTrail) {
		v.ps.at(d, []any{"detection"},
			"no CloudTrail events: say why and what sees it instead (detection.no_cloudtrail)")
	}
	if len(det.CloudTrailEvents) > 0 && len(t.Rules) == 0 {
		v.ps.at(d, []any{"detection",
			"cloudtrail_events"}, "technique leaves CloudTrail events but has no rule in rules/")
	}
	if noEvents && len(t.Rules) > 0 {
		v.ps.at(d, []any{"detection"}, "technique has rules but lists no CloudTrail events")
	}
	for i, g := range det.GuardDutyFindings {
		if !guardDutyRE.MatchString(g) {
			v.ps.at(d, []any{"detection",
				"guardduty_findings", i}, "malformed GuardDuty finding type \"%s\"", g)
		}
	}
	if len(t.Rules) > 0 {
		match, nomatch := 0, 0
		for _, s := range t.Samples {
			if s.Match {
				match++
			} else {
				nomatch++
			}
		}
		if match < 2 || nomatch < 2 {
			v.ps.at(d, []any{"id"},
				"technique with rules needs at least 2 samples/match and 2 samples/nomatch records, has %d and %d", match, nomatch)
		}
	}
}

func (v *validator) attack(d *doc, t *Technique, kind IDKind, idOK bool) {
	if !idOK {
		return
	}
	if AttackID(t.ID) == "" {
		if t.Attack != nil {
			v.ps.at(d, []any{"attack"},
				"AWS-defined technique %s has no ATT&CK ID; remove attack", t.ID)
		}
		return
	}
	if (t.Attack == nil || !versionRE.MatchString(t.Attack.Version)) && !d.brokenUnder("attack", "version") {
		v.ps.at(d, []any{"attack"},
			"technique %s needs attack.version: the ATT&CK version its ID belongs to", t.ID)
		return
	}
	for i, a := range t.Attack.Aliases {
		if !attackIDRE.MatchString(a.ID) || !versionRE.MatchString(a.Version) {
			v.ps.at(d, []any{"attack",
				"aliases", i}, "alias needs an ATT&CK ID and version, got \"%s\" in \"%s\"", a.ID, a.Version)
		}
	}
}

func (v *validator) dates(d *doc, t *Technique) {
	var first, upd time.Time
	for _, f := range []struct {
		key string
		val string
		dst *time.Time
	}{{"first_seen", t.FirstSeen, &first}, {"updated", t.Updated, &upd}} {
		tm, err := time.Parse(time.DateOnly, f.val)
		if err != nil {
			v.ps.at(d, []any{f.key}, "%s must be a date YYYY-MM-DD, got \"%s\"", f.key, f.val)
			continue
		}
		*f.dst = tm
	}
	if !first.IsZero() && !upd.IsZero() && upd.Before(first) {
		v.ps.at(d, []any{"updated"}, "updated %s is before first_seen %s", t.Updated, t.FirstSeen)
	}
}

func (v *validator) references(d *doc, refs []Reference) {
	if len(refs) == 0 {
		v.lacks(d, "references")
	}
	for i, r := range refs {
		u, err := url.Parse(r.URL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			v.ps.at(d, []any{"references", i,
				"url"}, "reference URL \"%s\" is not an absolute http(s) URL", r.URL)
		}
		if blank(r.Title) && !d.brokenUnder("references", i, "title") {
			v.ps.at(d, []any{"references", i}, "reference needs a title")
		}
	}
}

func (v *validator) required(d *doc, fields map[string]string) {
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		if blank(fields[k]) {
			v.lacks(d, k)
		}
	}
}

// lacks reports a required section at path that d leaves out (a key
// misspelt, which is reported too, leaves it out) or leaves empty.
func (v *validator) lacks(d *doc, path ...string) {
	at := make([]any, len(path))
	for i, p := range path {
		at[i] = p
	}
	what := "empty"
	if d.node(at...) == nil {
		what = "missing"
	}
	v.ps.at(d, at, "%s required section %s", what, strings.Join(path, "."))
}

// noControls reports text fields that hold control characters (other than
// tab and line breaks), format characters (bidirectional overrides,
// zero-width characters), line and paragraph separators, private-use
// characters or blank ones other than the space (jsonscan.Blank): catalog text is
// shown in terminals and pages, and an overlay must not be able to drive
// either, nor reorder or hide what they show.
func (v *validator) noControls(d *doc, fields map[string]string) {
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		v.safeLinks(d, k, Prose(fields[k])) // code is shown as written, never as a link
		if r, what := HiddenRune(fields[k]); what != "" {
			line, col := d.runePos(r, fieldPath(k)...)
			v.ps.add(d.file, line, col, "%s holds %s", k, what)
		} else if strings.Contains(strings.ReplaceAll(fields[k], "\r\n", ""), "\r") {
			// YAML makes every line break a line feed: a carriage return
			// left was written as an escape, and the views, which show it
			// as \r, and the checks, which read it as a space, would differ
			// on what a link's target is.
			line, col := d.runePos('\r', fieldPath(k)...)
			v.ps.add(d.file, line, col, "%s holds a carriage return", k)
		}
	}
}

// HiddenRune returns the first character of s that catalog text may not
// hold, and names it ("the invisible character U+202E"); "" when there is
// none. Such a character is a control character other than tab and line
// breaks, a format character (bidirectional overrides, zero-width
// characters), a line or paragraph separator, a private-use or
// noncharacter code point, or a blank one other than the space
// (jsonscan.Blank).
func HiddenRune(s string) (rune, string) {
	for _, r := range s {
		if r >= 0x20 && r < 0x7f || r == '\t' || r == '\n' || r == '\r' {
			continue // printable ASCII, most of catalog text: the tables below are slow
		}
		control := r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0)
		if control {
			return r, fmt.Sprintf("the control character %U", r)
		}
		if unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp, unicode.Co, unicode.Noncharacter_Code_Point) || jsonscan.Blank(r) {
			return r, fmt.Sprintf("the invisible character %U", r)
		}
	}
	return 0, ""
}

func blank(s string) bool { return strings.TrimSpace(s) == "" }

// referenceTitles adds the titles of refs to fields, for noControls.
func referenceTitles(fields map[string]string, refs []Reference) {
	for i, r := range refs {
		fields[fmt.Sprintf("references.%d.title", i)] = r.Title
	}
}

// serviceHint names the key a catalog file should use for name, unknown as
// a key: the service name is the event source, name or alias of, or the
// keys a letter or two off it.
func (c *Catalog) serviceHint(name string) string {
	if ss := c.ServicesFor(name); len(ss) > 0 {
		keys := make([]string, len(ss))
		for i, s := range ss {
			keys[i] = s.Key
		}
		return " (files name a service by its key: " + strings.Join(keys, ", ") + ")"
	}
	if near := c.NearServices(name); len(near) > 0 {
		return "; did you mean " + strings.Join(near, ", ") + "?"
	}
	return ""
}

// serviceList reports a services list's unknown and repeated keys.
func (v *validator) serviceList(d *doc, services []string) {
	for i, s := range services {
		switch {
		case v.c.serviceByKey[s] == nil:
			v.ps.at(d, []any{"services", i}, "unknown service \"%s\"%s", s, v.c.serviceHint(s))
		case slices.Index(services, s) < i:
			v.ps.at(d, []any{"services", i}, "service \"%s\" is listed twice", s)
		}
	}
}

// redefinedServices names, for a problem in a technique that may be
// another file's doing, the services of events that a later source's
// services.yaml defined anew (an overlay's entry replaces the embedded
// one whole, data_events included): "" when none was.
func (v *validator) redefinedServices(events []string) string {
	var out []string
	for _, e := range events {
		key, _, _ := strings.Cut(e, ":")
		at := v.serviceAt[key]
		if note := key + " is defined anew in " + at.file(); v.serviceRedefined[key] && !slices.Contains(out, note) {
			out = append(out, note)
		}
	}
	if len(out) == 0 {
		return ""
	}
	return "; " + strings.Join(out, "; ")
}

// prefixed returns fields with prefix before each key: the fields of one
// entry of a list file, named from the file's root.
func prefixed(prefix string, fields map[string]string) map[string]string {
	out := make(map[string]string, len(fields))
	for k, v := range fields {
		out[prefix+k] = v
	}
	return out
}

// fieldPath turns a dotted field name (detection.guidance) into the path
// doc.pos takes.
func fieldPath(field string) []any {
	var path []any
	for _, p := range strings.Split(field, ".") {
		if i, err := strconv.Atoi(p); err == nil {
			path = append(path, i) // a list item: references.0.title
			continue
		}
		path = append(path, p)
	}
	return path
}

// Links in catalog prose: inline [text](target), and reference
// definitions [label]: target, which the catalog's Markdown does not use
// but a Markdown renderer of `ttc show -o markdown` would honour.
var (
	// A destination may hold balanced parentheses, as CommonMark reads it
	// (https://en.wikipedia.org/wiki/X_(malware), javascript:alert(5)). It
	// is read at every "](", not only after the end of the last one read:
	// a destination may hold "](" itself, and hide the link after it.
	inlineLinkRE = regexp.MustCompile(`^\]\(\s*(<?)((?:[^()\s>]|\([^()\s]*\))*)`)
	// A definition may follow list markers and any indentation: Prose
	// leaves out the markers of the items it reads, but not of items
	// nested deeper than ProseBlocks reads them, which a renderer still
	// reads as items. Its label may hold brackets escaped ([a\]b]:).
	linkDefRE = regexp.MustCompile(`(?m)^(?:[ \t]*(?:[-*+]|[0-9]{1,9}[.)])[ \t]+)*[ \t]*\[(?:\\[\s\S]|[^\]\\])+\]:\s*(<?)(\S*)`)
)

// maxBadLinks bounds the bad links of one field that validation names.
const maxBadLinks = 10

// safeLinks reports a link in text whose target is not an absolute
// http(s) URL: the web UI drops such links, but the Markdown output
// carries the text as written, and a javascript: or data: target would
// run where it is rendered. It reports an image too, of any form (the
// catalog's text has none), and a target in angle brackets, which the
// Markdown output writes as entities, making it a relative link.
func (v *validator) safeLinks(d *doc, field, text string) {
	if i := strings.Index(text, "!["); i >= 0 {
		what := clip.String(text[i:], 40) // the image's alt text, as far as it goes
		if k := strings.IndexByte(text[i:], ']'); k >= 0 && k < 40 {
			what = text[i : i+k+1]
		}
		v.ps.at(d, fieldPath(field), "%s holds an image (%s): a Markdown viewer of ttc show -o markdown would fetch it; write a link", field, what)
	}
	// Each bad link is named, so that one run lists them all, up to a
	// few: a field of hundreds would bury the other problems.
	bad := 0
	// check reports target when it is no absolute http(s) URL, or written
	// in angle brackets, and says whether to go on looking.
	check := func(angled, target string) bool {
		u, err := url.Parse(target)
		if angled == "" && err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
			return true
		}
		if bad++; bad > maxBadLinks {
			v.ps.at(d, fieldPath(field), "%s links elsewhere too: only the first %d such links are named", field, maxBadLinks)
			return false
		}
		if angled != "" {
			v.ps.at(d, fieldPath(field), "%s links to \"<%s>\": write the URL without angle brackets", field, target)
		} else {
			v.ps.at(d, fieldPath(field), "%s links to \"%s\": links must be absolute http or https URLs", field, target)
		}
		return true
	}
	for i := 0; i < len(text); i++ {
		j := strings.Index(text[i:], "](")
		if j < 0 {
			break
		}
		i += j
		if m := inlineLinkRE.FindStringSubmatch(text[i:]); m != nil && !check(m[1], m[2]) {
			return
		}
	}
	for _, m := range linkDefRE.FindAllStringSubmatch(text, -1) {
		if !check(m[1], m[2]) {
			return
		}
	}
}
