package main

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ttcproject/ttc/internal/attack"
	"github.com/ttcproject/ttc/internal/attack/navigator"
	"github.com/ttcproject/ttc/internal/attack/stix"
	"github.com/ttcproject/ttc/internal/catalog"
	"github.com/ttcproject/ttc/internal/detect"
	"github.com/ttcproject/ttc/internal/report"
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
		Args:  noArgs,
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
// one. Entries carry no tactic: the catalog files some techniques under other
// tactics than ATT&CK does (T1578 under Impact), and Navigator shows an entry
// without a tactic wherever ATT&CK places the technique.
func (a *app) navigatorOptions(name, desc string) navigator.Options {
	opts := navigator.Options{Name: name, Description: desc}
	if ds, err := a.attackData(""); err == nil && ds != nil {
		opts.AttackVersion = ds.Version
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
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
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

// sigmaMark is the file ttc export sigma leaves in its folder, by which a
// later export knows the folder as its own and may replace what is in it.
const sigmaMark = ".ttc-export-sigma"

// exportSigma writes every catalog rule, retagged, as DIR/<technique>/<file>,
// and checks that each written rule parses as Sigma again. DIR must be new,
// empty, or an earlier export, whose rules are removed first: a rule left
// from an older catalog would otherwise run with the new ones under
// --rules DIR. Files are created, never written through an existing path,
// so that a link in the folder cannot send a rule elsewhere.
func exportSigma(c *catalog.Catalog, dir string) (int, error) {
	if err := clearSigmaExport(dir); err != nil {
		return 0, fmt.Errorf("export sigma: %w", err)
	}
	n := 0
	for _, t := range c.Techniques() {
		for _, r := range t.Rules {
			out, err := attack.ExportSigmaRule(r.Data, t)
			if err != nil {
				return n, fmt.Errorf("export %s: %w", r.Path, err)
			}
			path := filepath.Join(dir, t.ID, filepath.Base(r.Path))
			if _, err := detect.ParseRule(path, out); err != nil {
				return n, fmt.Errorf("exported rule does not parse: %w", err)
			}
			if err := os.Mkdir(filepath.Dir(path), 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
				return n, fmt.Errorf("export sigma: %w", err)
			}
			if err := createFile(path, out); err != nil {
				return n, fmt.Errorf("export sigma: %w", err)
			}
			n++
		}
	}
	if err := createFile(filepath.Join(dir, sigmaMark), []byte("Written by ttc export sigma; the next export replaces this folder's rules.\n")); err != nil {
		return n, fmt.Errorf("export sigma: %w", err)
	}
	return n, nil
}

// clearSigmaExport makes dir ready for an export: it creates it when
// missing, leaves it when empty, and empties it when an earlier export
// wrote it (its mark is there), removing only folders of regular .yml
// files and the mark. Anything else, a link included, is refused.
func clearSigmaExport(dir string) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return os.MkdirAll(dir, 0o755)
	case err != nil:
		return err
	case len(entries) == 0:
		return nil
	}
	if fi, err := os.Lstat(filepath.Join(dir, sigmaMark)); err != nil || !fi.Mode().IsRegular() {
		return fmt.Errorf("%s is not empty and no earlier ttc export sigma wrote it: name a new or empty folder", dir)
	}
	var rules []string // checked whole before anything is removed
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		if e.Name() == sigmaMark {
			continue
		}
		if e.Type() != fs.ModeDir {
			return fmt.Errorf("%s holds %s, which no export wrote: move it, or name a new folder", dir, p)
		}
		files, err := os.ReadDir(p)
		if err != nil {
			return err
		}
		for _, f := range files {
			if !f.Type().IsRegular() || !strings.HasSuffix(f.Name(), ".yml") {
				return fmt.Errorf("%s holds %s, which no export wrote: move it, or name a new folder", dir, filepath.Join(p, f.Name()))
			}
			rules = append(rules, filepath.Join(p, f.Name()))
		}
	}
	for _, r := range rules {
		if err := os.Remove(r); err != nil {
			return err
		}
	}
	for _, e := range entries {
		if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
			return err
		}
	}
	return nil
}

// createFile writes data to a new file at path, failing if anything is
// there already, a link included.
func createFile(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
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
		first, last     string
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
				g = &agg{events: map[string]bool{}, first: f.EventTime}
				by[id] = g
			}
			g.count++
			if f.Outcome == "attempt" {
				g.attempts++
			}
			g.events[strings.TrimSuffix(f.EventSource, ".amazonaws.com")+":"+f.EventName] = true
			g.actors.Add(f)
			g.last = f.EventTime
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
				g.first, g.last, strings.Join(slices.Sorted(maps.Keys(g.events)), ", "))}
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
