package main

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ttcproject/ttc/internal/attack"
	"github.com/ttcproject/ttc/internal/attack/navigator"
	"github.com/ttcproject/ttc/internal/attack/stix"
	"github.com/ttcproject/ttc/internal/catalog"
	"github.com/ttcproject/ttc/internal/report"
	"github.com/ttcproject/ttc/internal/ruleset"
	"github.com/ttcproject/ttc/internal/scan"
	"github.com/ttcproject/ttc/internal/view"
)

func newExportCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Export the catalog as STIX 2.1, an ATT&CK Navigator layer or Sigma rules",
	}
	cmd.AddCommand(newExportSTIXCmd(a), newExportNavigatorCmd(a), newExportSigmaCmd(a))
	return groupArgs(cmd)
}

func newExportSTIXCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "stix",
		Short: "Write the catalog as one STIX 2.1 bundle in ATT&CK's conventions to stdout",
		Long: `Write the catalog as one STIX 2.1 bundle in ATT&CK's conventions to stdout: a
collection with the catalog's tactics, techniques (AWS sub-techniques beside ATT&CK's
own), mitigations and their relationships, for tools that read ATT&CK data.
It is not ATT&CK's own data: 'ttc attack import' refuses it.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := a.catalog()
			if err != nil {
				return err
			}
			in := stix.Input{Techniques: c.Techniques(), Tactics: c.Tactics(), Mitigations: c.Mitigations()}
			// ATT&CK mitigation names come from imported ATT&CK data; without it they are left out.
			if ds, err := a.attackData(""); err == nil && ds != nil {
				in.AttackMitigations = map[string]string{}
				for _, m := range ds.Mitigations() {
					in.AttackMitigations[m.ID] = m.Name
				}
			}
			return stix.Export(a.stdout, in, stix.ExportOptions{})
		},
	}
}

// navigatorOptions names the layer's ATT&CK version after the newest imported
// one, and filters it on the platforms that data gives its techniques (no
// filter without it). Entries carry no tactic: the catalog files some techniques under other
// tactics than ATT&CK does (T1578 under Impact), and Navigator shows an entry
// without a tactic wherever ATT&CK places the technique.
func (a *app) navigatorOptions(name, desc string) navigator.Options {
	opts := navigator.Options{Name: name, Description: desc}
	if ds, err := a.attackData(""); err == nil && ds != nil {
		opts.AttackVersion = ds.Version
		opts.PlatformsOf = func(id string) []string {
			if t := ds.AnyTechnique(id); t != nil {
				return t.Platforms
			}
			return nil
		}
	}
	return opts
}

func newExportNavigatorCmd(a *app) *cobra.Command {
	var ff filterFlags
	cmd := &cobra.Command{
		Use:   "navigator",
		Short: "Write an ATT&CK Navigator layer (4.5) of the catalog, honouring the listing filters",
		Long: `Write an ATT&CK Navigator layer (format 4.5) of the techniques that pass the filters.
Navigator knows only ATT&CK's own IDs: AWS-specific sub-techniques (T1485.A003) are
rolled up to their ATT&CK parent, with their IDs and names kept in comments and
metadata; AWS-defined techniques (AT1667) are listed in the layer's description.`,
		Example: "  ttc export navigator --service s3 --service iam > my-services.json",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := a.catalog()
			if err != nil {
				return err
			}
			rs, err := ff.apply(c)
			if err != nil {
				return err
			}
			techs := make([]*catalog.Technique, len(rs))
			for i, r := range rs {
				techs[i] = r.Technique
			}
			name := "ttc catalog"
			if len(ff.services) > 0 {
				name += ": " + strings.Join(ff.services, ", ")
			}
			desc := "Techniques of the Threat Technique Catalog for AWS"
			if f := ff.describe(); f != "" {
				desc += ", filtered: " + f
			}
			layer := navigator.CatalogLayer(techs, a.navigatorOptions(name, desc))
			return navigator.Encode(a.stdout, layer)
		},
	}
	ff.add(cmd)
	return cmd
}

func newExportSigmaCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "sigma DIR",
		Short: "Write the catalog's detections as a Sigma rule folder tagged with ATT&CK and catalog IDs",
		Long: `Write every Sigma rule of the catalog into DIR, one folder per technique, each rule
tagged with its ATT&CK technique and its catalog entry (ttc.t1486.a001), so that
'ttc scan --rules DIR' and other Sigma tools read them back onto the same techniques.

DIR must be new, empty, or an earlier export: its .ttc-export-sigma lists the files
the export wrote, and they are replaced. A folder holding anything else is refused,
and no link in it can lead a write outside it. Every rule is made and checked before
the folder is touched, so an export that fails leaves it as it was.`,
		Example: "  ttc export sigma ./ttc-rules\n  ttc scan --rules ./ttc-rules --rules ./sigma/rules/cloud/aws logs/",
		Args:    exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := args[0]
			switch {
			case strings.TrimSpace(dir) == "":
				// A folder named with blanks alone is allowed, and is a slip.
				return usagef("export sigma: DIR is empty: name the folder to write")
			case dir == "-":
				return usagef("export sigma writes a folder of rule files, not one stream: name a folder (./- for one named \"-\")")
			}
			// A link to nothing, or a file on the way, would read as "file
			// exists" or "not a directory" when the folder is made.
			if fault := pathFault(dir, true); fault != "" {
				return usagef("export sigma: \"%s\": %s", dir, fault)
			}
			if fi, err := os.Stat(dir); err == nil && !fi.IsDir() {
				return usagef("export sigma: \"%s\" is a file, not a folder", dir)
			}
			c, err := a.catalog()
			if err != nil {
				return err
			}
			n, err := exportSigma(c, args[0])
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "wrote %d Sigma rules to %s\n", n, view.Line(args[0]))
			return nil
		},
	}
}

// sigmaMark is the file ttc export sigma leaves in its folder, listing the
// files it wrote, by which a later export knows the folder as its own and
// what in it it may replace.
const sigmaMark = ".ttc-export-sigma"

const sigmaMarkHead = "Written by ttc export sigma; the next export replaces the files listed below.\n"

// exportSigma writes every catalog rule, retagged, as DIR/<technique>/<file>,
// and checks that each written rule parses as Sigma again. DIR must be new,
// empty, or an earlier export, whose files are removed first: a rule left
// from an older catalog would otherwise run with the new ones under
// --rules DIR. Everything happens through an os.Root on DIR, so that no
// link, planted before or during the export, leads a write outside it,
// and files are created, never written through an existing path.
//
// Every rule is made and checked before DIR is touched, so that a rule
// that fails leaves DIR as it was; the mark is written before the rules,
// so that an export cut short by the disk still leaves a folder the next
// export knows as its own.
func exportSigma(c *catalog.Catalog, dir string) (int, error) {
	type rule struct {
		dir, rel string
		data     []byte
	}
	var rules []rule
	for _, t := range c.Techniques() {
		for _, r := range t.Rules {
			out, err := attack.ExportSigmaRule(r.Data, t)
			if err != nil {
				return 0, fmt.Errorf("export %s: %w", r.Path, err)
			}
			rel := filepath.Join(t.ID, filepath.Base(r.Path))
			// Checked as a scan would use it: a rule that does not compile
			// (an overlay's broken rule) would be left out of every scan
			// that reads the export, so none is written.
			if err := ruleset.CheckRule(r.Path, r.Data); err != nil {
				return 0, fmt.Errorf("export sigma: a rule does not compile: %w", err)
			}
			// Other Sigma tools refuse what Sigma does not allow (a status
			// of its own, an id that is no UUID), though ttc would run it.
			if err := ruleset.CheckSigma(c, r.Path, r.Data); err != nil {
				return 0, fmt.Errorf("export sigma: a rule is not valid Sigma: %w", err)
			}
			if err := ruleset.CheckRule(filepath.Join(dir, rel), out); err != nil {
				return 0, fmt.Errorf("exported rule does not compile: %w", err)
			}
			rules = append(rules, rule{dir: t.ID, rel: rel, data: out})
		}
	}
	root, err := clearSigmaExport(dir)
	if err != nil {
		return 0, fmt.Errorf("export sigma: %w", err)
	}
	defer root.Close()
	var mark strings.Builder // one quoted path a line: a name may hold a line break
	mark.WriteString(sigmaMarkHead)
	for _, r := range rules {
		mark.WriteString(strconv.Quote(r.rel) + "\n")
	}
	if err := createIn(root, sigmaMark, []byte(mark.String())); err != nil {
		return 0, fmt.Errorf("export sigma: %w", err)
	}
	for i, r := range rules {
		if err := root.Mkdir(r.dir, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
			return i, fmt.Errorf("export sigma: %w", err)
		}
		if err := createIn(root, r.rel, r.data); err != nil {
			return i, fmt.Errorf("export sigma: %w", err)
		}
	}
	return len(rules), nil
}

// clearSigmaExport makes dir ready for an export and opens it as a root:
// it creates it when missing, leaves it when empty, and empties it when an
// earlier export wrote it, removing the files its mark lists and their
// folders. Anything else in it (a file the export did not write, a link)
// is refused, and nothing is removed then.
func clearSigmaExport(dir string) (*os.Root, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	if err := clearRoot(root, dir); err != nil {
		root.Close()
		return nil, err
	}
	return root, nil
}

func clearRoot(root *os.Root, dir string) error {
	entries, err := fs.ReadDir(root.FS(), ".")
	if err != nil || len(entries) == 0 {
		return err
	}
	foreign := func(p string) error {
		return fmt.Errorf("%s holds %s, which no export wrote: move it, or name a new or empty folder", dir, filepath.Join(dir, p))
	}
	fi, err := root.Lstat(sigmaMark)
	if err != nil || !fi.Mode().IsRegular() {
		return fmt.Errorf("%s is not empty and no earlier ttc export sigma wrote it: name a new or empty folder", dir)
	}
	mark, err := root.ReadFile(sigmaMark)
	if err != nil {
		return err
	}
	listed, listedDirs := map[string]bool{}, map[string]bool{}
	for _, l := range strings.Split(strings.TrimPrefix(string(mark), sigmaMarkHead), "\n") {
		p, err := strconv.Unquote(l)
		if err != nil {
			p = strings.TrimSuffix(l, "\r") // an earlier export wrote paths unquoted
		}
		if p != "" {
			listed[filepath.Clean(p)] = true
			listedDirs[filepath.Dir(filepath.Clean(p))] = true
		}
	}
	var files, dirs []string // checked whole before anything is removed
	for _, e := range entries {
		if e.Name() == sigmaMark {
			continue
		}
		if e.Type() != fs.ModeDir || !listedDirs[e.Name()] { // a folder no listed file is in is not the export's
			return foreign(e.Name())
		}
		inner, err := fs.ReadDir(root.FS(), e.Name())
		if err != nil {
			return err
		}
		for _, f := range inner {
			rel := filepath.Join(e.Name(), f.Name())
			if !f.Type().IsRegular() || !listed[rel] {
				return foreign(rel)
			}
			files = append(files, rel)
		}
		dirs = append(dirs, e.Name())
	}
	for _, p := range append(append(files, dirs...), sigmaMark) {
		if err := root.Remove(p); err != nil {
			return err
		}
	}
	return nil
}

// createIn writes data to a new file at path inside root, failing if
// anything is there already, a link included.
func createIn(root *os.Root, path string, data []byte) error {
	f, err := root.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// scanLayer turns scan findings into a Navigator layer: score = count,
// comment = evidence summary.
func (a *app) scanLayer(c *catalog.Catalog, res *scan.Result) (*navigator.Layer, error) {
	type agg struct {
		count, attempts int
		events          map[string]bool
		actors          report.ActorSet
		first, last     time.Time // findings come in time order
		tactics         []string
	}
	by := map[string]*agg{}
	unplaced := 0
	err := res.Each(func(f *scan.Finding) error {
		// A finding of a rule whose techniques the catalog lacks counts
		// under the ATT&CK techniques the rule is tagged with; one of a
		// rule tagged with none has no cell in a layer.
		ids := []string{f.TechniqueID}
		if f.TechniqueID == "" {
			ids = f.Rule.ATTACK
		}
		if len(ids) == 0 {
			unplaced++
		}
		for _, id := range ids {
			g, ok := by[id]
			if !ok {
				g = &agg{events: map[string]bool{}, first: f.Time()}
				by[id] = g
			}
			g.count++
			if f.Outcome == "attempt" {
				g.attempts++
			}
			g.events[strings.TrimSuffix(f.EventSource, ".amazonaws.com")+":"+f.EventName] = true
			g.actors.Add(f)
			g.last = f.Time()
			for _, ta := range f.Tactics {
				if f.TechniqueID == "" && !slices.Contains(g.tactics, ta) {
					g.tactics = append(g.tactics, ta)
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	obs := map[string]navigator.Observation{}
	for id, g := range by {
		actors := view.Count(int64(g.actors.Len()), "actor", "actors")
		if g.actors.Approximate() {
			actors = "about " + actors
		}
		obs[id] = navigator.Observation{Count: g.count, Tactics: g.tactics,
			Evidence: fmt.Sprintf("%s (%s) by %s, %s … %s: %s", view.Count(int64(g.count), "finding", "findings"),
				view.Count(int64(g.attempts), "attempt", "attempts"), actors,
				g.first.UTC().Format(time.RFC3339), g.last.UTC().Format(time.RFC3339), strings.Join(slices.Sorted(maps.Keys(g.events)), ", "))}
	}
	desc := layerDescription(res)
	if unplaced > 0 {
		a.log.Warn("findings of rules tagged with no ATT&CK technique have no place in a Navigator layer; the other formats list them",
			"findings", unplaced)
		desc += fmt.Sprintf("; %s of rules tagged with no technique not shown", view.Count(int64(unplaced), "finding", "findings"))
	}
	return navigator.ScanLayer(c.Techniques(), obs, a.navigatorOptions("ttc scan", desc)), nil
}

func layerDescription(res *scan.Result) string {
	s := res.Summary
	return fmt.Sprintf("Techniques observed in %s (%d matched, %d rejected)", view.Count(s.Read, "CloudTrail record", "CloudTrail records"), s.Matched, s.Rejected)
}
