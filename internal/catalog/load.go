package catalog

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"
	"unicode/utf8"
)

// Source is one folder of catalog files: the embedded catalog or an overlay.
type Source struct {
	// FS holds the files; Dir is the catalog's folder inside it ("." for the root).
	FS  fs.FS
	Dir string
	// Label is put in front of file names in problems, e.g. "catalog" or an overlay path.
	Label string
	// Overlay marks a source whose techniques and mitigations may replace earlier ones by ID
	// and whose tactics.yaml and services.yaml are optional.
	Overlay bool
}

// raw holds what one source contributed before merging.
type raw struct {
	tactics     []Tactic
	tacticDocs  *doc
	services    []Service
	serviceDocs *doc
	mitigations []*Mitigation
	techniques  []*Technique
	docs        map[any]*doc // *Technique or *Mitigation to its file
}

// Load reads the sources in order, later ones overlaying earlier ones, and
// validates the result. On problems it returns a *LoadError with all of them.
func Load(sources ...Source) (*Catalog, error) {
	ps := &problems{}
	c := newCatalog()
	docs := map[any]*doc{}
	// Where each tactic and service was last defined: the list is sorted
	// once merged, and an overlay may define some of them, so a problem
	// is placed by the entry's own file and index.
	tacticAt, serviceAt, redefined := map[string]entryAt{}, map[string]entryAt{}, map[string]bool{}
	for _, src := range sources {
		r := readSource(src, ps)
		for k, v := range r.docs {
			docs[k] = v
		}
		for i, t := range r.tactics {
			tacticAt[t.ID] = entryAt{r.tacticDocs, i}
		}
		for i, s := range r.services {
			if _, ok := serviceAt[s.Key]; ok {
				redefined[s.Key] = true
			}
			serviceAt[s.Key] = entryAt{r.serviceDocs, i}
		}
		c.merge(r, src, ps)
	}
	c.finish()
	c.unread = ps.unread
	sort.Slice(c.unread, func(i, j int) bool { return c.unread[i].File < c.unread[j].File })
	v := &validator{c: c, ps: ps, docs: docs, tacticAt: tacticAt, serviceAt: serviceAt, serviceRedefined: redefined}
	v.run()
	if err := ps.err(); err != nil {
		err.(*LoadError).Partial = c
		return nil, err
	}
	return c, nil
}

// shownName reports whether the file name of a rule or sample may be
// shown as it is (technique pages list them, and anchor to them): a name
// that is not UTF-8, or holds a character catalog text may not, is a
// problem, and the file is left out.
func shownName(src Source, rel string, ps *problems) bool {
	name := path.Base(rel)
	what := ""
	if !utf8.ValidString(name) {
		what = "bytes that are not UTF-8"
	} else if _, w := HiddenRune(name); w != "" {
		what = w
	}
	if what == "" {
		return true
	}
	ps.add(path.Join(src.Label, rel), 0, 0, "the file name holds %s; rename the file", what)
	return false
}

func readSource(src Source, ps *problems) *raw {
	r := &raw{docs: map[any]*doc{}}
	name := func(p string) string { return path.Join(src.Label, p) }
	join := func(p string) string { return path.Join(src.Dir, p) }

	if data, err := readLimited(src.FS, join("tactics.yaml")); err == nil {
		var f struct {
			Tactics []Tactic `yaml:"tactics"`
		}
		if d, ok := parseDoc(name("tactics.yaml"), data, &f, ps); ok {
			r.tactics, r.tacticDocs = f.Tactics, d
		}
	} else if !src.Overlay || !errors.Is(err, fs.ErrNotExist) {
		ps.add(name("tactics.yaml"), 0, 0, "cannot read: %v", err)
	}

	if data, err := readLimited(src.FS, join("services.yaml")); err == nil {
		var f struct {
			Services []Service `yaml:"services"`
		}
		if d, ok := parseDoc(name("services.yaml"), data, &f, ps); ok {
			r.services, r.serviceDocs = f.Services, d
		}
	} else if !src.Overlay || !errors.Is(err, fs.ErrNotExist) {
		ps.add(name("services.yaml"), 0, 0, "cannot read: %v", err)
	}

	for _, e := range readDir(src.FS, src.Dir, src.Label, ps) {
		switch e.Name() {
		case "tactics.yaml", "services.yaml", "mitigations", "techniques":
		default:
			ps.passOver(src, ".", e, "an overlay holds tactics.yaml, services.yaml, mitigations/ and techniques/<ID>/")
		}
	}

	for _, e := range readDir(src.FS, join("mitigations"), name("mitigations"), ps) {
		if e.IsDir() || !isYAML(e.Name()) {
			ps.passOver(src, "mitigations", e, "a mitigation is a .yaml or .yml file directly in mitigations/")
			continue
		}
		rel := path.Join("mitigations", e.Name())
		data, err := readLimited(src.FS, join(rel))
		if err != nil {
			ps.add(name(rel), 0, 0, "cannot read: %v", err)
			continue
		}
		m := &Mitigation{Source: name(rel)}
		if d, ok := parseDoc(name(rel), data, m, ps); ok {
			if want := strings.TrimSuffix(strings.TrimSuffix(e.Name(), ".yaml"), ".yml"); m.ID != want {
				ps.at(d, []any{"id"}, "mitigation id \"%s\" does not match its file name \"%s\"", m.ID, want)
			}
			r.mitigations = append(r.mitigations, m)
			r.docs[m] = d
		}
	}

	for _, e := range readDir(src.FS, join("techniques"), name("techniques"), ps) {
		if e.Type()&fs.ModeSymlink != 0 {
			ps.add(name(path.Join("techniques", e.Name())), 0, 0, "symbolic link not followed: a catalog holds its own files")
			continue
		}
		if !e.IsDir() {
			ps.passOver(src, "techniques", e, "a technique is a folder techniques/<ID>/ that holds technique.yaml")
			continue
		}
		if t := readTechnique(src, e.Name(), ps, r.docs); t != nil {
			r.techniques = append(r.techniques, t)
		}
	}
	return r
}

func readTechnique(src Source, dir string, ps *problems, docs map[any]*doc) *Technique {
	rel := path.Join("techniques", dir)
	file := path.Join(src.Label, rel, "technique.yaml")
	data, err := readLimited(src.FS, path.Join(src.Dir, rel, "technique.yaml"))
	if errors.Is(err, fs.ErrNotExist) {
		ps.add(path.Join(src.Label, rel), 0, 0, "technique folder without technique.yaml")
		return nil
	}
	if err != nil {
		ps.add(file, 0, 0, "cannot read: %v", err)
		return nil
	}
	t := &Technique{Source: file}
	d, ok := parseDoc(file, data, t, ps)
	if !ok {
		return nil
	}
	docs[t] = d
	if t.ID != dir {
		ps.at(d, []any{"id"}, "technique id \"%s\" does not match its folder name \"%s\"", t.ID, dir)
	}
	for _, e := range readDir(src.FS, path.Join(src.Dir, rel), "", nil) {
		switch e.Name() {
		case "technique.yaml", "rules", "samples":
		default:
			ps.passOver(src, rel, e, "a technique folder holds technique.yaml, rules/*.yml and samples/match|nomatch/*.json")
		}
	}
	for _, e := range readDir(src.FS, path.Join(src.Dir, rel, "rules"), "", nil) {
		if e.IsDir() || !isYAML(e.Name()) {
			ps.passOver(src, path.Join(rel, "rules"), e, "a rule is a .yml or .yaml file directly in rules/")
			continue
		}
		if !shownName(src, path.Join(rel, "rules", e.Name()), ps) {
			continue
		}
		if f, ok := readFile(src, path.Join(rel, "rules", e.Name()), ps); ok {
			t.Rules = append(t.Rules, f)
		}
	}
	const samplesGo = "a sample is a .json file directly in samples/match/ or samples/nomatch/"
	for _, e := range readDir(src.FS, path.Join(src.Dir, rel, "samples"), "", nil) {
		if n := e.Name(); !e.IsDir() || n != "match" && n != "nomatch" {
			ps.passOver(src, path.Join(rel, "samples"), e, samplesGo)
		}
	}
	for _, kind := range []string{"match", "nomatch"} {
		sdir := path.Join(rel, "samples", kind)
		for _, e := range readDir(src.FS, path.Join(src.Dir, sdir), "", nil) {
			if e.IsDir() || path.Ext(e.Name()) != ".json" {
				ps.passOver(src, sdir, e, samplesGo)
				continue
			}
			if !shownName(src, path.Join(sdir, e.Name()), ps) {
				continue
			}
			if f, ok := readFile(src, path.Join(sdir, e.Name()), ps); ok {
				t.Samples = append(t.Samples, Sample{File: f, Match: kind == "match"})
			}
		}
	}
	return t
}

func readFile(src Source, rel string, ps *problems) (File, bool) {
	data, err := readLimited(src.FS, path.Join(src.Dir, rel))
	if err != nil {
		ps.add(path.Join(src.Label, rel), 0, 0, "cannot read: %v", err)
		return File{}, false
	}
	return File{Path: path.Join(src.Label, rel), Data: data}, true
}

// readDir lists a folder; a missing folder is empty. With ps nil, errors are ignored.
func readDir(fsys fs.FS, dir, label string, ps *problems) []fs.DirEntry {
	es, err := fs.ReadDir(fsys, dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) && ps != nil {
		ps.add(label, 0, 0, "cannot read folder: %v", err)
	}
	sort.Slice(es, func(i, j int) bool { return es[i].Name() < es[j].Name() })
	return es
}

// MaxFileSize bounds every file the loader reads: catalog files are small, and
// an overlay is untrusted input.
const MaxFileSize = 4 << 20

// readLimited reads a regular file of at most MaxFileSize bytes. Symbolic
// links, devices and pipes are refused, so that an overlay cannot make the
// loader read outside its folder, block or exhaust memory.
func readLimited(fsys fs.FS, name string) ([]byte, error) {
	fi, err := fs.Lstat(fsys, name)
	if err != nil {
		return nil, err
	}
	switch {
	case fi.Mode()&fs.ModeSymlink != 0:
		return nil, errors.New("symbolic link not followed: a catalog holds its own files")
	case !fi.Mode().IsRegular():
		return nil, fmt.Errorf("not a regular file (%s)", fi.Mode().Type())
	case fi.Size() > MaxFileSize:
		return nil, fmt.Errorf("file of %d bytes is over the %d MiB limit", fi.Size(), MaxFileSize>>20)
	}
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("file is over the %d MiB limit", MaxFileSize>>20)
	}
	return data, nil
}

func isYAML(name string) bool {
	return strings.HasSuffix(name, ".yaml") || strings.HasSuffix(name, ".yml")
}
