package main

import (
	"errors"
	"fmt"
	"slices"

	"github.com/spf13/cobra"

	"github.com/ttcproject/ttc/internal/attack"
	"github.com/ttcproject/ttc/internal/catalog"
	"github.com/ttcproject/ttc/internal/view"
)

func newAttackCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "attack",
		Short: "Import MITRE ATT&CK and check the catalog against it",
		Long: `ttc ships no ATT&CK data. Import MITRE's STIX data (version 2.0 or 2.1, as a single
bundle file or as a folder with a file per object) into the data directory; several
versions live side by side. With ATT&CK imported, 'ttc show' adds the ATT&CK parent's
data, exports name the ATT&CK version, and 'ttc attack check' lists catalog entries
ATT&CK has moved.`,
	}
	cmd.AddCommand(newAttackImportCmd(a), newAttackVersionsCmd(a), newAttackCheckCmd(a))
	return groupArgs(cmd)
}

func (a *app) attackStore() (*attack.Store, error) {
	return attack.NewStore(a.dataDir)
}

// attackData loads the requested ATT&CK version ("" for the newest); it
// returns nil without error when nothing was imported and none was asked for.
func (a *app) attackData(version string) (*attack.Dataset, error) {
	if version == "" && a.newestLoaded {
		return a.newest, a.newestErr // a page or entry per technique asks: read once
	}
	ds, err := a.loadAttackData(version)
	if version == "" {
		a.newest, a.newestErr, a.newestLoaded = ds, err, true
	}
	return ds, err
}

// loadAttackData reads the imported ATT&CK release version, the newest
// for "", or returns nil, nil when none is imported.
func (a *app) loadAttackData(version string) (*attack.Dataset, error) {
	st, err := a.attackStore()
	if err != nil {
		return nil, err
	}
	ds, err := st.Load(version)
	if errors.Is(err, attack.ErrNotImported) && version == "" {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load ATT&CK: %w", err)
	}
	return ds, nil
}

func newAttackImportCmd(a *app) *cobra.Command {
	var version string
	cmd := &cobra.Command{
		Use:   "import PATH",
		Short: "Import ATT&CK STIX data (a bundle file or a folder of per-object files)",
		Long: "Import ATT&CK STIX data (a bundle file or a folder of per-object files).\n\n" +
			"The ATT&CK version is read from the data's collection object (x-mitre-collection), as MITRE's\n" +
			"full bundles carry it; data without one (an extract, a folder of objects) needs --version.",
		Example: "  ttc attack import enterprise-attack-18.1.json\n  ttc attack import --version 18.1 enterprise-attack-cloud.json\n" +
			"  ttc attack import --version 18.1 cti/enterprise-attack/",
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if version != "" {
				if err := attack.CheckRelease(version); err != nil {
					return usagef("--version: %v", err)
				}
			}
			ds, err := attack.ImportPath(args[0], attack.ImportOptions{Version: version, Logger: a.log})
			if err != nil {
				if errors.Is(err, attack.ErrNoVersion) || errors.Is(err, attack.ErrBadVersion) {
					return usagef("%v (name it with --version, e.g. --version 18.1)", err)
				}
				return err
			}
			if ds.Version == "" {
				return usagef("%s does not say which ATT&CK version it is; name it with --version (e.g. --version 18.1)", args[0])
			}
			st, err := a.attackStore()
			if err != nil {
				return err
			}
			path, err := st.Save(ds)
			if err != nil {
				if errors.Is(err, attack.ErrBadVersion) {
					return usagef("%v (name the release with --version, e.g. --version 18.1)", err)
				}
				return err
			}
			active, revoked, deprecated := 0, 0, 0
			for _, t := range ds.AllTechniques() {
				switch {
				case t.Revoked:
					revoked++
				case t.Deprecated:
					deprecated++
				default:
					active++
				}
			}
			fmt.Fprintf(a.stdout, "imported ATT&CK %s (%s): %d tactics, %d current techniques (and %d revoked, %d deprecated), %d mitigations\nstored in %s\n",
				ds.Version, ds.Domain, len(ds.Tactics()), active, revoked, deprecated, len(ds.Mitigations()), view.Line(path))
			return nil
		},
	}
	cmd.Flags().StringVar(&version, "version", "", "the ATT&CK version of the data, when the data does not say (18.1)")
	return cmd
}

func newAttackVersionsCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "versions",
		Short: "List the imported ATT&CK versions",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := a.attackStore()
			if err != nil {
				return err
			}
			vs, err := st.Versions()
			if err != nil {
				return err
			}
			if len(vs) == 0 {
				fmt.Fprintln(a.stderr, "no ATT&CK data imported; run: ttc attack import PATH")
			}
			for _, v := range vs {
				fmt.Fprintln(a.stdout, view.Line(v))
			}
			return nil
		},
	}
}

func newAttackCheckCmd(a *app) *cobra.Command {
	var version, output string
	formats := []view.Format{view.Table, view.JSON, view.YAML, view.Markdown}
	cmd := &cobra.Command{
		Use:   "check",
		Short: "List catalog entries whose ATT&CK IDs are revoked, deprecated, renamed, moved or renumbered",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := parseFormat(output, formats)
			if err != nil {
				return err
			}
			c, err := a.catalog()
			if err != nil {
				return err
			}
			ds, err := a.attackData(version)
			if err != nil {
				return err
			}
			if ds == nil {
				return fmt.Errorf("no ATT&CK data imported; run: ttc attack import PATH")
			}
			findings := attack.Check(ds, c.Techniques())
			if f == view.JSON || f == view.YAML {
				return view.WriteDoc(a.stdout, f, view.List("attack-check", findings))
			}
			g := view.Grid{Headers: []string{"CATALOG ID", "ATT&CK ID", "KIND", "REPLACEMENT", "DETAIL"}, Flex: -1, Whole: []int{0, 1}}
			for _, x := range findings {
				g.Rows = append(g.Rows, []string{x.CatalogID, x.AttackID, string(x.Kind), x.Replacement, x.Detail})
			}
			if f == view.Markdown {
				return view.WriteMarkdown(a.stdout, g)
			}
			fmt.Fprintf(a.stdout, "catalog against ATT&CK %s: %d findings\n", ds.Version, len(findings))
			return view.WriteTable(a.stdout, g, viewOptions(a.stdout))
		},
	}
	cmd.Flags().StringVar(&version, "version", "", "ATT&CK version to check against (default: the newest imported)")
	outputFlag(cmd, &output, formats)
	return cmd
}

// attackMitigationNames names the ATT&CK mitigations ids as the newest
// imported ATT&CK data does, or returns nil without it.
func (a *app) attackMitigationNames(ids []string) map[string]string {
	if len(ids) == 0 {
		return nil
	}
	ds, err := a.attackData("")
	if err != nil || ds == nil {
		return nil // attackParent warns of data that cannot be read
	}
	names := map[string]string{}
	for _, m := range ds.Mitigations() {
		if slices.Contains(ids, m.ID) {
			names[m.ID] = m.Name
		}
	}
	return names
}

// attackParent returns ATT&CK's entry for a catalog technique from the newest
// imported release, or nil when none is imported or ATT&CK lacks the ID.
func (a *app) attackParent(id string) *catalog.AttackData {
	ds, err := a.attackData("")
	if err != nil || ds == nil {
		if err != nil {
			a.log.Warn("ATT&CK data not used", "error", err)
		}
		return nil
	}
	p, err := ds.Parent(id)
	if err != nil {
		a.log.Debug("no ATT&CK parent", "technique_id", id, "error", err)
		return nil
	}
	return &catalog.AttackData{ID: p.ID, Name: p.Name, Description: attack.Readable(p.Description), URL: p.URL, AttackVersion: p.AttackVersion,
		Revoked: p.Revoked, ReplacedBy: p.ReplacedBy, Deprecated: p.Deprecated, Attribution: p.Attribution}
}
