package main

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ttcproject/ttc/internal/catalog"
	"github.com/ttcproject/ttc/internal/ruleset"
	"github.com/ttcproject/ttc/internal/view"
)

func newCatalogCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "catalog",
		Short: "Work with the catalog itself",
	}
	cmd.AddCommand(newCatalogValidateCmd(a))
	return groupArgs(cmd)
}

func newCatalogValidateCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "validate [DIR]",
		Short: "Check the embedded catalog, with DIR as an overlay, and report every problem",
		Long: `Check the embedded catalog and, if DIR is given, an overlay folder on top of it:
ID forms, duplicates, parents, references to tactics, services and mitigations,
event names (each must be a real operation of its service), required sections,
Sigma rules and their samples (each rule must flag its match samples and no rule
may flag a nomatch sample). A rule must compile and be valid Sigma: a UUID id, a
level and a status Sigma defines, tags of the form namespace.value in lower case,
attack.* tags that name an ATT&CK technique, tactic, group, software or campaign,
and no search of the detection that the condition never names.

Every problem is printed as file:line:column: message; the exit status is 1 when
there is any. Files and folders of an overlay that look like catalog content but
are not where the loader reads them (a rule beside technique.yaml, a technique
file at the root) are listed as warnings, which do not change the exit status.`,
		Args: maxArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			overlays := a.overlays
			if len(args) == 1 {
				overlays = append(overlays, args[0])
			}
			return runValidate(a, overlays)
		},
	}
}

func runValidate(a *app, overlays []string) error {
	c, err := catalog.Open(overlays...)
	var le *catalog.LoadError
	if errors.As(err, &le) {
		// The rules and samples of the entries that did load are checked
		// too, so that every problem is reported in one run.
		var rules []catalog.Problem
		if le.Partial != nil {
			rules = ruleset.CheckSamples(le.Partial)
			printUnread(a, le.Partial)
		}
		for _, p := range append(le.Problems, rules...) {
			fmt.Fprintln(a.stdout, view.Line(p.String())) // a problem quotes paths and what files hold
		}
		n := int64(len(le.Problems) + len(rules))
		if len(rules) > 0 {
			return fmt.Errorf("catalog has %s (%d in rules and samples)", view.Count(n, "problem", "problems"), len(rules))
		}
		return fmt.Errorf("catalog has %s", view.Count(n, "problem", "problems"))
	}
	if err != nil {
		return err
	}
	problems := ruleset.CheckSamples(c)
	printUnread(a, c)
	for _, p := range problems {
		fmt.Fprintln(a.stdout, view.Line(p.String())) // a problem quotes paths and what files hold
	}
	if len(problems) > 0 {
		return fmt.Errorf("catalog rules have %s", view.Count(int64(len(problems)), "problem", "problems"))
	}
	fmt.Fprintf(a.stdout, "catalog OK: %d techniques, %d tactics, %d services, %d mitigations, %d CloudTrail event names\n",
		len(c.Techniques()), len(c.Tactics()), len(c.Services()), len(c.Mitigations()), len(c.Events()))
	if len(overlays) > 0 {
		printOverlaid(a, c)
	}
	return nil
}

// printOverlaid says which techniques and mitigations the overlays add and
// which of the catalog's they replace (a replacement that was not meant is
// otherwise silent), or that they add no technique (an empty overlay, or
// one of mitigations alone), and which entry of an overlay a later overlay
// replaces.
func printOverlaid(a *app, c *catalog.Catalog) {
	ids := c.FromOverlays()
	if len(ids) == 0 {
		// Not a warning: an overlay may hold mitigations or services alone.
		fmt.Fprintln(a.stdout, "overlays add no technique")
	}
	printAdded(a, "technique", "techniques", ids, c.Replaced())
	printAdded(a, "mitigation", "mitigations",
		c.MitigationsFromOverlays(), c.ReplacedMitigations())
	// A clash's message quotes paths.
	const later = "a later overlay replaces an earlier one's "
	for _, msg := range c.Clashes() {
		fmt.Fprintln(a.stdout, view.Line(later+"technique: "+msg))
	}
	for _, msg := range c.MitigationClashes() {
		fmt.Fprintln(a.stdout, view.Line(later+"mitigation: "+msg))
	}
}

// printAdded says which of the IDs the overlays supplied are new and which
// replace the catalog's (replaced); one and many name the kind of entry.
func printAdded(a *app, one, many string, ids, replaced []string) {
	var added []string
	for _, id := range ids {
		if !slices.Contains(replaced, id) {
			added = append(added, id)
		}
	}
	if len(added) > 0 {
		fmt.Fprintf(a.stdout, "overlays add %s: %s\n",
			view.Count(int64(len(added)), one, many), strings.Join(added, ", "))
	}
	if len(replaced) > 0 {
		fmt.Fprintf(a.stdout, "overlays replace %s of the catalog's: %s\n",
			view.Count(int64(len(replaced)), one, many), strings.Join(replaced, ", "))
	}
}

// printUnread lists the overlay folders given more than once and the
// overlay entries the loader passed over, as warnings: they do not make
// the catalog invalid.
func printUnread(a *app, c *catalog.Catalog) {
	for _, d := range c.Repeated() {
		msg := "warning: overlay folder " + d + " is given more than once: it is read once"
		fmt.Fprintln(a.stdout, view.Line(msg))
	}
	for _, p := range c.Unread() {
		fmt.Fprintln(a.stdout, view.Line("warning: "+p.String())) // a file name is the user's text
	}
}
