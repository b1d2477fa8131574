// Package ruleset gathers the Sigma rules a scan runs, the catalog's own and
// external ones, compiles them into one matcher and maps every rule onto the
// catalog techniques it detects.
package ruleset

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/ttcproject/ttc/internal/catalog"
	"github.com/ttcproject/ttc/internal/detect"
)

// Origin says where a rule came from.
type Origin string

// Rule origins.
const (
	FromCatalog  Origin = "catalog"
	FromExternal Origin = "external"
)

// Rule is a compiled Sigma rule with what it means in the catalog.
type Rule struct {
	*detect.Rule
	Origin Origin
	// Techniques are the catalog techniques the rule detects: the folder it
	// sits in for catalog rules, then the entries its ttc.<ID> tags name
	// (see catalog.Catalog.AlsoReports); its tags for external ones (see MapTags).
	Techniques []string
	// Tactics are tactic IDs from the rule's attack.<tactic> tags, used when
	// no technique is known.
	Tactics []string
	// Unmapped are the ATT&CK technique IDs of the rule's attack.t* tags
	// that name no catalog entry themselves: findings keep them, so that
	// attack.t1078.004, found as the catalog's T1078, is not lost, and
	// --technique T1078.004 finds it.
	Unmapped []string
	// Bases are the rules a correlation rule names, resolved (nil for a
	// detection rule).
	Bases []*Rule
	// Feeds lists the correlation rules of the set that count this rule's
	// matches.
	Feeds []*Rule
	// Silent says that the rule reports no finding of its own: it only
	// feeds correlations, each of which leaves generate false (or the
	// rule is below the set's --min-level, and kept for them alone).
	Silent bool
}

// Set is the rules of one scan, compiled into one matcher.
type Set struct {
	Matcher *detect.Matcher
	rules   []*Rule
	byRule  map[*detect.Rule]*Rule
	corrs   []*Rule
	copies  []string
}

// Rules returns the rules in the set, catalog rules first, correlation
// rules among them.
func (s *Set) Rules() []*Rule { return s.rules }

// Correlations returns the set's correlation rules, each with its Bases.
func (s *Set) Correlations() []*Rule { return s.corrs }

// Shared describes each rule of the set whose Sigma id, or name, an
// earlier rule of the set holds too, naming both (by file, and by line in
// a file of several rules). Both run, and
// their findings are told apart by file; but an id is meant to name one
// rule, and tools downstream (a SIEM, a ticket) may take the two for one;
// and a correlation that names the rule counts only one of them (see
// resolve), which a --rules rule named like a catalog rule could make
// another than its author meant.
func (s *Set) Shared() []string {
	type ref struct{ kind, file string }
	var out []string
	refs := map[string]ref{} // a name or id, and the first rule that has it
	for _, r := range s.rules {
		for _, k := range []ref{{"id", r.ID}, {"name", r.Name}} {
			key := k.file // the id or the name
			if key == "" || (k.kind == "name" && r.Name == r.ID) {
				continue
			}
			prev, ok := refs[key]
			switch {
			case !ok:
				refs[key] = ref{k.kind, r.Where()}
			case k.kind == "id" && prev.kind == "id":
				out = append(out, fmt.Sprintf("rule id %s of %s is also the id of %s", key, r.Where(), prev.file))
			default:
				out = append(out, fmt.Sprintf("rule %s %s of %s is also the %s of %s: a correlation naming it "+
					"counts the rule of its own origin (the catalog or --rules), then of its own folder", k.kind, key, r.Where(), prev.kind, prev.file))
			}
		}
	}
	return out
}

// Lookup returns the set's view of a rule the matcher returned.
func (s *Set) Lookup(r *detect.Rule) *Rule { return s.byRule[r] }

// Load compiles the catalog's rules and every rule file below the external
// folders. Rules that cannot be used are left out and reported in the
// returned error (one error per rule, joined); the set holds the others.
func Load(c *catalog.Catalog, external []string) (*Set, error) {
	var errs []error
	var rules []*Rule
	own := map[string]*detect.Rule{} // the catalog's rules, by id
	for _, t := range c.Techniques() {
		for _, f := range t.Rules {
			r, err := detect.ParseRule(f.Path, f.Data)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			rules = append(rules, &Rule{Rule: r, Origin: FromCatalog, Techniques: append([]string{t.ID}, c.AlsoReports(f)...), Tactics: t.Tactics})
			if r.ID != "" {
				own[r.ID] = r
			}
		}
	}
	// One walk over every folder given: a rule file reached twice, by two
	// folders or links, is loaded once.
	files, walkErrs := ruleFiles(external)
	errs = append(errs, walkErrs...)
	ext, copies, err := loadExternal(c, files, own)
	errs = append(errs, err)
	rules = append(rules, ext...)
	// Sigma's levels are lower case; a rule that writes one otherwise
	// ("HIGH") is reported as Sigma spells it, as reports compare levels.
	for _, r := range rules {
		if LevelRank(r.Level) >= 0 {
			r.Level = strings.ToLower(r.Level)
		}
	}
	s, err := compile(rules, -1)
	s.copies = copies // AtLeast's sets do not keep them: they are told at once
	errs = append(errs, err)
	return s, errors.Join(errs...)
}

// sameRule reports whether two rules say the same but for their tags: a
// catalog rule as `ttc export sigma` writes it (with its ATT&CK and
// ttc.<ID> tags added, and maybe quoted or wrapped otherwise), alone in
// its file or a document among others, and the catalog's own.
func sameRule(a, b *detect.Rule) bool {
	var x, y map[string]any
	if a.Source == nil || b.Source == nil || a.Source.Decode(&x) != nil || b.Source.Decode(&y) != nil {
		return false
	}
	delete(x, "tags")
	delete(y, "tags")
	return reflect.DeepEqual(x, y)
}

// Copies lists the external rules left out of the set as copies of the
// catalog's own (see sameRule): the same id, saying the same. Run twice,
// each of their matches would be reported twice. Each is named by its
// file, and its line when the file holds other rules (detect.Rule.Where).
func (s *Set) Copies() []string { return s.copies }

// CheckRule parses and compiles one rule file of the catalog as a scan
// would, returning why it cannot be used (a *detect.RuleError naming the
// file and position). Such a file holds one rule (see detect.ParseRule);
// one of several YAML documents, as --rules takes, is refused at the
// second. A correlation rule is only parsed: the rules it names are not at
// hand.
func CheckRule(path string, data []byte) error {
	r, err := detect.ParseRule(path, data)
	if err != nil {
		return err
	}
	_, err = detect.Compile([]*detect.Rule{r}, detect.Options{})
	return err
}

// compile compiles the detection rules into one matcher and resolves the
// correlation rules' references among those that compiled. floor is the
// lowest level a rule reports at (a LevelRank), -1 for any: a rule below
// it is kept only to feed correlations, silently.
func compile(rules []*Rule, floor int) (*Set, error) {
	var drules []*detect.Rule
	for _, r := range rules {
		r.Bases, r.Feeds, r.Silent = nil, nil, false
		drules = append(drules, r.Rule)
	}
	m, err := detect.Compile(drules, detect.Options{})
	errs := []error{err}
	s := &Set{Matcher: m, byRule: map[*detect.Rule]*Rule{}}
	kept := map[*detect.Rule]bool{}
	for _, r := range m.Rules() {
		kept[r] = true
	}
	for _, r := range rules {
		if kept[r.Rule] || r.Correlation != nil {
			s.rules = append(s.rules, r)
		}
	}
	s.rules, err = resolve(s.rules)
	errs = append(errs, err)
	for _, r := range s.rules {
		s.byRule[r.Rule] = r
		if r.Correlation != nil {
			s.corrs = append(s.corrs, r)
		}
	}
	for _, r := range s.rules {
		if len(r.Feeds) == 0 {
			continue
		}
		r.Silent = true
		for _, c := range r.Feeds {
			r.Silent = r.Silent && !c.Correlation.Generate
		}
		if rank := LevelRank(r.Level); floor >= 0 && rank >= 0 && rank < floor {
			r.Silent = true
		}
	}
	return s, errors.Join(errs...)
}

// resolve finds the rules each correlation rule names, by name or id,
// among rules, and notes it on them (Bases, Feeds). When several rules
// have the name, those of the correlation's origin (the catalog, or
// --rules), then those of its folder, are preferred: a folder of the
// catalog's rules exported and scanned beside the catalog names each rule
// twice. A correlation that names a rule none or several of them have, or
// another correlation (ttc does not chain them), is left out and reported
// at the reference.
func resolve(rules []*Rule) ([]*Rule, error) {
	byRef := map[string][]*Rule{}
	for _, r := range rules {
		if r.Name != "" {
			byRef[r.Name] = append(byRef[r.Name], r)
		}
		if r.ID != "" && r.ID != r.Name {
			byRef[r.ID] = append(byRef[r.ID], r)
		}
	}
	var errs []error
	out := rules[:0:0]
	for _, r := range rules {
		if r.Correlation == nil {
			out = append(out, r)
			continue
		}
		bases, err := basesOf(r, byRef)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		r.Bases = bases
		out = append(out, r)
	}
	for _, c := range out {
		for _, b := range c.Bases {
			b.Feeds = append(b.Feeds, c)
		}
	}
	return out, errors.Join(errs...)
}

// nearest narrows the rules a reference of correlation c finds to those
// of c's origin, then to those of its folder, when some are.
func nearest(c *Rule, found []*Rule) []*Rule {
	for _, same := range []func(r *Rule) bool{
		func(r *Rule) bool { return r.Origin == c.Origin },
		func(r *Rule) bool { return filepath.Dir(r.File) == filepath.Dir(c.File) },
	} {
		if len(found) < 2 {
			break
		}
		var near []*Rule
		for _, r := range found {
			if same(r) {
				near = append(near, r)
			}
		}
		if len(near) > 0 {
			found = near
		}
	}
	return found
}

// basesOf resolves the references of correlation rule c.
func basesOf(c *Rule, byRef map[string][]*Rule) ([]*Rule, error) {
	var bases []*Rule
	for _, ref := range c.Correlation.Rules {
		at := func(err error) error {
			return &detect.RuleError{File: c.File, Line: ref.Line, Column: ref.Column, Err: err}
		}
		found := nearest(c, byRef[ref.Ref])
		switch {
		case len(found) == 0:
			return nil, at(fmt.Errorf("correlation names rule \"%s\", which no rule loaded has as its name or id", ref.Ref))
		case len(found) > 1:
			return nil, at(fmt.Errorf("correlation names rule \"%s\", which %s and %s both have as their name or id: it must name one",
				ref.Ref, found[0].Where(), found[1].Where()))
		case found[0] == c:
			return nil, at(fmt.Errorf("correlation names itself (\"%s\")", ref.Ref))
		case found[0].Correlation != nil:
			return nil, at(fmt.Errorf("%w: correlation names correlation rule \"%s\" (%s): chained correlations are not supported",
				detect.ErrUnsupported, ref.Ref, found[0].Where()))
		}
		if !slices.Contains(bases, found[0]) {
			bases = append(bases, found[0])
		}
	}
	return bases, nil
}

// Levels are the rule levels Sigma defines, lowest first.
var Levels = []string{"informational", "low", "medium", "high", "critical"}

// LevelRank returns the position of level in Levels (ignoring case), or -1
// for a level Sigma does not define.
func LevelRank(level string) int {
	for i, l := range Levels {
		if strings.EqualFold(level, l) {
			return i
		}
	}
	return -1
}

// LevelProblem says what is wrong with a rule's level: "" for a level Sigma
// defines, or none.
func LevelProblem(level string) string {
	if level == "" || LevelRank(level) >= 0 {
		return ""
	}
	return fmt.Sprintf("level \"%s\" is no Sigma level (%s)", level, strings.Join(Levels, ", "))
}

// AtLeast returns the set of the rules whose level is min or above,
// compiled into a new matcher, and how many rules it left out. Rules
// without a level, or with one Sigma does not define, are kept: their
// weight is unknown, and leaving them out would hide what they find.
func (s *Set) AtLeast(min string) (*Set, int, error) {
	floor := LevelRank(min)
	if floor < 0 {
		return nil, 0, fmt.Errorf("unknown rule level \"%s\": want one of %s", min, strings.Join(Levels, ", "))
	}
	keep := map[*Rule]bool{}
	for _, r := range s.rules {
		if rank := LevelRank(r.Level); rank < 0 || rank >= floor {
			keep[r] = true
			// The rules a correlation counts stay for it, silent if below.
			for _, b := range r.Bases {
				keep[b] = true
			}
		}
	}
	// Copies: compile notes the correlations on the rules, and s keeps its own.
	var kept []*Rule
	for _, r := range s.rules {
		if keep[r] {
			cp := *r
			kept = append(kept, &cp)
		}
	}
	sub, err := compile(kept, floor)
	return sub, len(s.rules) - len(kept), err
}

// loadExternal parses the rule files given, each of one rule or of
// several YAML documents, each a rule (see detect.ParseRules): a document
// that cannot be used is reported and the file's others are kept. It
// leaves out the rules that are copies of the catalog's rules in own (by
// id), which it lists.
func loadExternal(c *catalog.Catalog, files []string, own map[string]*detect.Rule) (rules []*Rule, copies []string, _ error) {
	var errs []error
	for _, path := range files {
		data, err := readRule(path)
		if err != nil {
			errs = append(errs, fmt.Errorf("read rule: %w", err))
			continue
		}
		parsed, err := detect.ParseRules(path, data)
		errs = append(errs, err)
		for _, r := range parsed {
			if mine, ok := own[r.ID]; ok && r.ID != "" && sameRule(mine, r) {
				copies = append(copies, r.Where())
				continue
			}
			techniques, tactics := MapTags(c, r.Tags)
			rules = append(rules, &Rule{Rule: r, Origin: FromExternal, Techniques: techniques, Tactics: tactics,
				Unmapped: unmappedTags(c, r.Tags)})
		}
	}
	return rules, copies, errors.Join(errs...)
}

// readRule reads a rule file, and no more of it than one byte past the
// size a rule may have, which ParseRule refuses with the size.
func readRule(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, detect.MaxRuleSize+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return data, nil
}

// isRuleFile reports whether a file name is that of a Sigma rule.
func isRuleFile(name string) bool {
	return strings.HasSuffix(name, ".yml") || strings.HasSuffix(name, ".yaml")
}

// ruleFiles lists the rule files below each of paths in lexical order, or
// the path itself when it is a file. Links are followed, to folders as to
// files: rule collections are often linked into one folder, and a link
// left unread would leave its rules out without a word. A folder or file
// reached a second time (by two paths, two links, a loop of links) is read
// once. Hidden entries (".git", ".github" with its workflow YAML, an
// editor's lock files) are passed over, and so are links that lead
// nowhere unless named like a rule.
func ruleFiles(paths []string) ([]string, []error) {
	w := &ruleWalk{seen: map[fileKey][]os.FileInfo{}}
	for _, p := range paths {
		fi, err := os.Stat(p)
		switch {
		case err != nil:
			w.errs = append(w.errs, fmt.Errorf("read rules: %w", err))
		case fi.IsDir():
			n, errs := len(w.files), len(w.errs)
			if w.folder(p, fi) && len(w.files) == n && len(w.errs) == errs {
				w.errs = append(w.errs, fmt.Errorf("read rules: %s: %w", p, ErrNoRuleFiles))
			}
		default:
			w.file(p, fi)
		}
	}
	return w.files, w.errs
}

// ErrNoRuleFiles marks a rules folder that holds no rule file: likely a
// wrong path, though it stops nothing.
var ErrNoRuleFiles = errors.New("no Sigma rule files (.yml, .yaml) in the folder or below it")

// ruleWalk gathers the rule files of folder trees.
type ruleWalk struct {
	seen  map[fileKey][]os.FileInfo // folders and files read so far
	files []string
	errs  []error
}

// fileKey buckets files that may be the same file, for os.SameFile to
// tell, so that finding one among thousands stays cheap.
type fileKey struct {
	size, mod int64
	dir       bool
}

// first reports whether fi is met for the first time, and notes it.
func (w *ruleWalk) first(fi os.FileInfo) bool {
	k := fileKey{fi.Size(), fi.ModTime().UnixNano(), fi.IsDir()}
	for _, s := range w.seen[k] {
		if os.SameFile(s, fi) {
			return false
		}
	}
	w.seen[k] = append(w.seen[k], fi)
	return true
}

// folder notes the rule files below dir, and reports whether it read dir:
// not when an earlier path led to it.
func (w *ruleWalk) folder(dir string, fi os.FileInfo) bool {
	if !w.first(fi) {
		return false
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		w.errs = append(w.errs, fmt.Errorf("read rules: %w", err))
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			continue
		}
		path := filepath.Join(dir, e.Name())
		switch {
		case e.Type()&fs.ModeSymlink != 0:
			target, err := os.Stat(path)
			switch {
			case err != nil:
				if isRuleFile(path) {
					w.errs = append(w.errs, fmt.Errorf("read rules: %s: a link that leads to nothing readable: %w", path, err))
				}
			case target.IsDir():
				w.folder(path, target)
			case isRuleFile(path):
				w.file(path, target)
			}
		case e.IsDir():
			if info, err := e.Info(); err != nil {
				w.errs = append(w.errs, fmt.Errorf("read rules: %w", err))
			} else {
				w.folder(path, info)
			}
		case isRuleFile(path):
			if info, err := e.Info(); err != nil {
				w.errs = append(w.errs, fmt.Errorf("read rules: %w", err))
			} else {
				w.file(path, info)
			}
		}
	}
	return true
}

// file notes a rule file, once; one that is not a regular file (a pipe, a
// device) is refused rather than read, as reading it could wait forever.
// A file named on its own is read whatever its name.
func (w *ruleWalk) file(path string, fi os.FileInfo) {
	switch {
	case !fi.Mode().IsRegular():
		w.errs = append(w.errs, fmt.Errorf("read rule: %s: not a regular file", path))
	case w.first(fi):
		w.files = append(w.files, path)
	}
}

// unmappedTags returns the ATT&CK IDs of the technique tags that name no
// catalog entry themselves (MapTags may still map one onto its parent),
// upper-cased, in tag order, each once.
func unmappedTags(c *catalog.Catalog, tags []string) []string {
	var out []string
	aliases := aliasIndex(c)
	for _, tag := range tags {
		m := techniqueTagRE.FindStringSubmatch(strings.ToLower(strings.TrimSpace(tag)))
		if m == nil {
			continue
		}
		id := strings.ToUpper(m[1])
		_, held := c.Technique(id)
		_, alias := aliases[id]
		if !held && !alias && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

var techniqueTagRE = regexp.MustCompile(`^attack\.(t[0-9]{4}(\.[0-9]{3})?)$`)

// otherAttackTagRE is the other ATT&CK tags Sigma defines: groups,
// software and campaigns, which name no technique.
var otherAttackTagRE = regexp.MustCompile(`^attack\.[gsc][0-9]{4}$`)

// Lint describes what in a rule is likely a mistake though it loads: a
// level Sigma does not define (--min-level then keeps the rule whatever
// its level), and attack.* tags that are no ATT&CK ID or tactic name
// (attack.tXYZ, attack.exfil), which map onto nothing and are dropped.
func Lint(c *catalog.Catalog, r *Rule) []string {
	out := LintLevel(r)
	for _, tag := range r.Tags {
		t := strings.ToLower(strings.TrimSpace(tag))
		name, ok := strings.CutPrefix(t, "attack.")
		if !ok || techniqueTagRE.MatchString(t) {
			continue
		}
		if p := attackTagProblem(c, tag, name); p != "" {
			out = append(out, p)
		}
	}
	if _, unknown := c.TaggedEntries(r.Tags); len(unknown) > 0 {
		out = append(out, fmt.Sprintf("tag \"%s\" names no entry of the catalog: its attack.* tags are used instead", unknown[0]))
	}
	return out
}

// attackTagProblem says why an attack.<name> tag other than a technique's
// maps onto nothing, or "" when it names a tactic, group, software or
// campaign; name is the tag's value in lower case.
func attackTagProblem(c *catalog.Catalog, tag, name string) string {
	if otherAttackTagRE.MatchString("attack." + name) {
		return ""
	}
	if _, known := tacticTag(c, name); known {
		return ""
	}
	if id := strings.ToUpper(name); catalog.AttackID(id) != id {
		if _, held := c.Technique(id); held {
			// An ID of the catalog's own (T1485.A003, AT1667.001) is
			// no ATT&CK ID: the ttc namespace names it.
			return fmt.Sprintf("tag \"%s\" names the catalog's %s, which is no ATT&CK ID: write ttc.%s to report it", tag, id, name)
		}
	}
	return fmt.Sprintf("tag \"%s\" is no ATT&CK technique, tactic, group, software or campaign: "+
		"it maps onto nothing", tag)
}

// LintLevel is Lint's word on the level alone, for a catalog rule, whose
// technique is its folder rather than its tags.
func LintLevel(r *Rule) []string {
	if p := LevelProblem(r.Level); p != "" {
		return []string{p + ": --min-level keeps the rule"}
	}
	return nil
}

// tacticTag finds the ATT&CK tactic an attack.<name> tag names, name in
// lower case: older tags write it with underscores (defense_evasion), and
// ATT&CK v19's stealth and defense-impairment map onto the catalog's
// Defense Evasion (see catalog.AttackTactic).
func tacticTag(c *catalog.Catalog, name string) (*catalog.Tactic, bool) {
	return c.AttackTactic(strings.ReplaceAll(name, "_", "-"))
}

// MapTags maps a rule's tags onto the catalog. A ttc.<ID> tag (ttc export
// sigma writes them) names that entry, AWS-specific ones included, and
// such tags, when one names an entry, decide the rule's techniques alone:
// its attack.t* tags then name only the ATT&CK parent, for other tools.
// Otherwise attack.t1562.008 names T1562.008 when the catalog has it, else
// the entry that lists it as an alias from another ATT&CK version
// (T1685.002 in v19 is the catalog's T1562.008), else its parent, found the
// same way. attack.<tactic-short-name> names a tactic. ATT&CK v19 tactic
// names (stealth, defense-impairment) map onto the catalog's Defense
// Evasion.
func MapTags(c *catalog.Catalog, tags []string) (techniques, tactics []string) {
	own, _ := c.TaggedEntries(tags)
	techniques = own
	aliases := aliasIndex(c)
	lookup := func(id string) (string, bool) {
		if _, ok := c.Technique(id); ok {
			return id, true
		}
		a, ok := aliases[id]
		return a, ok
	}
	seenT, seenTa := map[string]bool{}, map[string]bool{}
	for _, tag := range tags {
		tag = strings.ToLower(strings.TrimSpace(tag))
		if m := techniqueTagRE.FindStringSubmatch(tag); m != nil {
			if own != nil {
				continue
			}
			id, ok := lookup(strings.ToUpper(m[1]))
			if !ok {
				if id, ok = lookup(catalog.ParentID(strings.ToUpper(m[1]))); !ok {
					continue
				}
			}
			if !seenT[id] {
				seenT[id] = true
				techniques = append(techniques, id)
			}
			continue
		}
		name, ok := strings.CutPrefix(tag, "attack.")
		if !ok {
			continue
		}
		if t, ok := tacticTag(c, name); ok && !seenTa[t.ID] {
			seenTa[t.ID] = true
			tactics = append(tactics, t.ID)
		}
	}
	sort.Strings(techniques)
	return techniques, tactics
}

// aliasIndex maps the ATT&CK IDs of other versions that catalog entries list
// as aliases onto the entries.
func aliasIndex(c *catalog.Catalog) map[string]string {
	out := map[string]string{}
	for _, t := range c.Techniques() {
		if t.Attack == nil {
			continue
		}
		for _, a := range t.Attack.Aliases {
			out[a.ID] = t.ID
		}
	}
	return out
}
