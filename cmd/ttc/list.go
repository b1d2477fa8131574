package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ttcproject/ttc/internal/catalog"
	"github.com/ttcproject/ttc/internal/clip"
	"github.com/ttcproject/ttc/internal/view"
)

// filterFlags are the technique filters shared by techniques, matrix and exports.
type filterFlags struct {
	services    []string
	tactics     []string
	awsSpecific bool
	events      []string
	search      string
}

func (f *filterFlags) add(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringArrayVar(&f.services, "service", nil, "only techniques involving this service: key (s3), event source (s3.amazonaws.com) or name; repeatable")
	fl.StringArrayVar(&f.tactics, "tactic", nil, "only techniques of this tactic: ID (TA0040) or short name (impact); repeatable")
	fl.BoolVar(&f.awsSpecific, "aws-specific", false, "only AWS-specific techniques")
	fl.StringArrayVar(&f.events, "event", nil, "only techniques that involve this CloudTrail event (s3:CopyObject); repeatable")
	fl.StringVar(&f.search, "search", "", "ranked text search over IDs, names, summaries, descriptions and event names")
}

// describe writes the filters given as the flags that gave them, for a
// layer to say what it holds ("" for none).
func (f *filterFlags) describe() string {
	var parts []string
	for _, s := range f.services {
		parts = append(parts, "--service "+s)
	}
	for _, t := range f.tactics {
		parts = append(parts, "--tactic "+t)
	}
	if f.awsSpecific {
		parts = append(parts, "--aws-specific")
	}
	for _, e := range f.events {
		parts = append(parts, "--event "+e)
	}
	if f.search != "" {
		parts = append(parts, "--search "+strconv.Quote(f.search))
	}
	return strings.Join(parts, " ")
}

func (f *filterFlags) filter() catalog.Filter {
	return catalog.Filter{Services: f.services, Tactics: f.tactics, AWSSpecific: f.awsSpecific, Events: f.events, Search: f.search}
}

// apply runs the filter; a value that names nothing is a usage error.
func (f *filterFlags) apply(c *catalog.Catalog) ([]catalog.Result, error) {
	rs, err := c.Filter(f.filter())
	var fe *catalog.FilterError
	if errors.As(err, &fe) {
		return nil, usagef("--%s: %v", fe.Field, err)
	}
	return rs, err
}

// listing finishes a catalog listing command: it adds -o with the listing
// formats, and its RunE parses the format, loads the catalog and calls write.
func listing(a *app, cmd *cobra.Command, write func(c *catalog.Catalog, f view.Format, args []string) error) *cobra.Command {
	var output string
	outputFlag(cmd, &output, view.ListFormats)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		f, err := parseFormat(output, view.ListFormats)
		if err != nil {
			return err
		}
		c, err := a.catalog()
		if err != nil {
			return err
		}
		return write(c, f, args)
	}
	return cmd
}

func newTacticsCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{Use: "tactics", Short: "List the tactics in matrix order", Args: noArgs}
	return listing(a, cmd, func(c *catalog.Catalog, f view.Format, _ []string) error {
		return view.WriteTactics(a.stdout, f, view.TacticRows(c), viewOptions(a.stdout))
	})
}

func newServicesCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{Use: "services", Short: "List the AWS services the catalog covers", Args: noArgs}
	return listing(a, cmd, func(c *catalog.Catalog, f view.Format, _ []string) error {
		return view.WriteServices(a.stdout, f, view.ServiceRows(c), viewOptions(a.stdout))
	})
}

func newMitigationsCmd(a *app) *cobra.Command {
	var services []string
	cmd := &cobra.Command{
		Use:     "mitigations",
		Short:   "List the mitigations and the techniques they address",
		Example: "  ttc mitigations --service s3 --service kms",
		Args:    noArgs,
	}
	cmd.Flags().StringArrayVar(&services, "service", nil, "only mitigations that name this service: key (s3), event source (s3.amazonaws.com) or name; repeatable")
	return listing(a, cmd, func(c *catalog.Catalog, f view.Format, _ []string) error {
		rows, _, err := view.MitigationsFor(c, view.MitigationRows(c), services)
		if err != nil {
			return usagef("--service: %w", err)
		}
		if len(rows) == 0 && f == view.Table {
			fmt.Fprintln(a.stderr, "no mitigation names the service")
		}
		return view.WriteMitigations(a.stdout, f, rows, viewOptions(a.stdout))
	})
}

func newTechniquesCmd(a *app) *cobra.Command {
	var ff filterFlags
	cmd := &cobra.Command{
		Use:   "techniques",
		Short: "List techniques, filtered by service, tactic, event or text",
		Example: `  ttc techniques --service s3
  ttc techniques --tactic impact --aws-specific
  ttc techniques --event s3:CopyObject -o json
  ttc techniques --search "lifecycle expiration"`,
		Args: noArgs,
	}
	ff.add(cmd)
	return listing(a, cmd, func(c *catalog.Catalog, f view.Format, _ []string) error {
		rs, err := ff.apply(c)
		if err != nil {
			return err
		}
		if len(rs) == 0 && f == view.Table {
			fmt.Fprintln(a.stderr, "no technique matches the filter")
		}
		return view.WriteTechniques(a.stdout, f, c, c.Summaries(rs), viewOptions(a.stdout))
	})
}

// maxQuoted is how much of an argument an error quotes back.
const maxQuoted = 64

func newShowCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "show ID",
		Short:   "Show a technique in full: description, detection, mitigations, family",
		Example: "  ttc show T1486.A001\n  ttc show T1485.001 -o json",
		Args:    exactArgs(1),
	}
	return listing(a, cmd, func(c *catalog.Catalog, f view.Format, args []string) error {
		t, ok := c.Technique(args[0])
		if !ok {
			// An ID is a few characters: a longer argument is quoted cut,
			// and not offered back as a search.
			if len(args[0]) > maxQuoted {
				return usagef("no technique \"%s\" in the catalog (its first %d bytes of %d)", clip.Prefix(args[0], maxQuoted), maxQuoted, len(args[0]))
			}
			// A search to paste, where the argument quotes back whole
			// between double quotes.
			if strings.ContainsAny(args[0], "\"\\$`") {
				return usagef("no technique \"%s\" in the catalog", args[0])
			}
			return usagef("no technique \"%s\" in the catalog (try: ttc techniques --search \"%s\")", args[0], args[0])
		}
		d := c.Detail(t)
		d.AttackData = a.attackParent(t.ID)
		d.AttackMitigationNames = a.attackMitigationNames(t.AttackMitigations)
		return view.WriteTechnique(a.stdout, f, d, viewOptions(a.stdout))
	})
}

func newMatrixCmd(a *app) *cobra.Command {
	var ff filterFlags
	cmd := &cobra.Command{
		Use:     "matrix",
		Short:   "Show the techniques as an ATT&CK-style matrix, tactics as columns",
		Example: "  ttc matrix\n  ttc matrix --service s3 --service iam",
		Args:    noArgs,
	}
	ff.add(cmd)
	return listing(a, cmd, func(c *catalog.Catalog, f view.Format, _ []string) error {
		rs, err := ff.apply(c)
		if err != nil {
			return err
		}
		cols := view.OnlyTactics(c, view.BuildMatrix(c, rs), ff.tactics)
		return view.WriteMatrix(a.stdout, f, cols, viewOptions(a.stdout))
	})
}
