package main

import (
	"errors"
	"io"
	"log/slog"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ttcproject/ttc/internal/attack"
	"github.com/ttcproject/ttc/internal/awsapi"
	"github.com/ttcproject/ttc/internal/catalog"
	"github.com/ttcproject/ttc/internal/ruleset"
	"github.com/ttcproject/ttc/internal/view"
)

// app is what every command shares: where output goes, the logger and the catalog.
type app struct {
	stdout, stderr io.Writer
	log            *slog.Logger
	overlays       []string
	logLevel       string
	level          slog.Level
	// The newest imported ATT&CK release, read once (see attackData).
	newest       *attack.Dataset
	newestErr    error
	newestLoaded bool
	dataDir      string
	cat          *catalog.Catalog
}

const rootLong = `ttc is the Threat Technique Catalog for AWS: the techniques attackers use in AWS
accounts, with the CloudTrail events they leave, Sigma detections, and mitigations.

Browse it (tactics, services, techniques, show, matrix), classify CloudTrail logs
with it (scan), serve it as a web application (serve), and exchange it with ATT&CK
tools (attack, export).

EXIT STATUS
  0  success
  1  error (unreadable or empty input, rejected records, an interrupted scan,
     invalid catalog, ...)
  2  usage error (unknown command or flag, bad flag value, unknown technique,
     service or tactic, a scan PATH that names nothing)
  3  scan found findings, read every input whole, and --exit-code was given
141  scan's output pipe lost its reader (ttc scan ... | head)`

func newRootCmd(stdout, stderr io.Writer) *cobra.Command {
	a := &app{stdout: stdout, stderr: stderr}
	root := &cobra.Command{
		Use:           "ttc",
		Short:         "Threat Technique Catalog for AWS",
		Long:          rootLong,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			return a.setup()
		},
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetHelpCommand(&cobra.Command{
		Use:   "help [command]",
		Short: "Help about any command",
		// cobra's own help prints "Unknown help topic" with what was typed,
		// unescaped, and succeeds.
		RunE: func(_ *cobra.Command, args []string) error {
			cmd, rest, err := root.Find(args)
			if err != nil || len(rest) > 0 {
				return usagef(`no help topic "%s"`, strings.Join(args, " "))
			}
			return cmd.Help()
		},
		ValidArgsFunction: func(_ *cobra.Command, args []string, prefix string) ([]string, cobra.ShellCompDirective) {
			cmd, _, err := root.Find(args)
			if err != nil {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			var names []string
			for _, sub := range cmd.Commands() {
				if sub.IsAvailableCommand() && strings.HasPrefix(sub.Name(), prefix) {
					names = append(names, sub.Name()+"\t"+sub.Short)
				}
			}
			return names, cobra.ShellCompDirectiveNoFileComp
		},
	})
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		// pflag quotes the value of a flag it cannot parse with %q; its
		// other messages hold what was typed as it is.
		if !strings.HasPrefix(err.Error(), `invalid argument "`) {
			return &usageError{err: err}
		}
		return &usageError{err: errors.New(valueReason(err)), quoted: true}
	})
	pf := root.PersistentFlags()
	pf.StringArrayVar(&a.overlays, "catalog", nil, "overlay catalog folder with your own or replacement techniques (repeatable)")
	pf.StringVar(&a.dataDir, "data-dir", "", "where imported ATT&CK data lives (default: the per-user cache folder, ttc/attack)")
	pf.StringVar(&a.logLevel, "log-level", "warn", "diagnostics on stderr: debug, info, warn or error")
	root.AddCommand(
		newTacticsCmd(a), newServicesCmd(a), newTechniquesCmd(a), newShowCmd(a), newMatrixCmd(a),
		newMitigationsCmd(a), newCatalogCmd(a), newScanCmd(a), newRecordCmd(a), newServeCmd(a),
		newAttackCmd(a), newExportCmd(a),
	)
	// cobra's completion command, made now rather than when it runs, so
	// that an unknown shell is a usage error, as an unknown subcommand of
	// ttc's own groups is.
	root.InitDefaultCompletionCmd()
	if c, _, err := root.Find([]string{"completion"}); err == nil && c != root {
		groupArgs(c)
	}
	return root
}

func (a *app) setup() error {
	var level slog.Level
	if err := level.UnmarshalText([]byte(a.logLevel)); err != nil {
		return usagef(`--log-level: unknown level "%s": want debug, info, warn or error`, a.logLevel)
	}
	// A command's diagnostics are read by a person as it runs; a server's
	// log is kept, and read by time (see serve.go).
	a.level = level
	a.log = slog.New(view.NewLogHandler(a.stderr, level))
	catalog.SetEventChecker(awsapi.CheckEvent)
	catalog.SetBareEventChecker(awsapi.CheckBareEvent)
	catalog.SetEventNamer(awsapi.CloudTrailNames)
	catalog.SetRuleAnalyser(ruleset.AnalyseRules)
	return nil
}

// catalog loads the catalog once, with the overlays given on the command line.
func (a *app) catalog() (*catalog.Catalog, error) {
	if a.cat != nil {
		return a.cat, nil
	}
	c, err := catalog.Open(a.overlays...)
	if err != nil {
		return nil, err
	}
	for _, msg := range c.Clashes() {
		a.log.Warn("two overlays define one technique: the later is used", "clash", msg)
	}
	for _, msg := range c.MitigationClashes() {
		a.log.Warn("two overlays define one mitigation: the later is used", "clash", msg)
	}
	for _, d := range c.Repeated() {
		a.log.Warn("overlay folder given more than once: it is read once", "overlay", d)
	}
	for _, p := range c.Unread() {
		a.log.Warn("overlay entry passed over", "file", p.File, "reason", p.Message)
	}
	// The overlays' rules and samples are checked as catalog validate
	// checks them; a problem is a warning here (the scan runs the rules
	// that compile), and catalog validate fails on it.
	if len(a.overlays) > 0 {
		for _, p := range ruleset.CheckOverlaySamples(c) {
			a.log.Warn("overlay problem (ttc catalog validate fails on it)", "problem", p.String())
		}
	}
	for _, id := range c.Replaced() {
		a.log.Info("overlay replaces technique", "technique_id", id)
	}
	a.log.Info("catalog loaded", "techniques", len(c.Techniques()), "overlays", len(a.overlays))
	a.cat = c
	return c, nil
}

// noArgs and exactArgs report wrong argument counts as usage errors.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usagef("%s takes no arguments, got \"%s\"", cmd.CommandPath(), strings.Join(args, " "))
	}
	return nil
}

func exactArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			// The usage line names what is wanted: "ttc show ID".
			return usagef("usage: %s; %s takes %d argument(s), got %d", cmd.UseLine(), cmd.CommandPath(), n, len(args))
		}
		return nil
	}
}

func maxArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) > n {
			return usagef("%s takes at most %d argument(s), got %d", cmd.CommandPath(), n, len(args))
		}
		return nil
	}
}

// groupArgs makes a command that only groups others (attack, catalog,
// export) refuse an unknown subcommand as a usage error, as the root does,
// rather than print its help and succeed; without one it prints its help.
func groupArgs(cmd *cobra.Command) *cobra.Command {
	cmd.Args = cobra.ArbitraryArgs
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if len(args) > 0 {
			return usagef("unknown command \"%s\" for \"%s\"", args[0], cmd.CommandPath())
		}
		return cmd.Help()
	}
	return cmd
}

// valueReason is pflag's message for a flag value it cannot parse, with
// strconv's text at its end ("strconv.ParseInt: parsing "abc": invalid
// syntax"), which names a Go function and quotes the value a second time,
// replaced by what the flag wants.
func valueReason(err error) string {
	msg := err.Error()
	var ne *strconv.NumError
	if !errors.As(err, &ne) {
		return msg
	}
	head, ok := strings.CutSuffix(msg, ": "+ne.Error())
	switch {
	case !ok:
		return msg
	case ne.Func == "ParseBool":
		return head + ": want true or false"
	case errors.Is(ne.Err, strconv.ErrRange):
		return head + ": out of range"
	}
	return head + ": want a whole number, in decimal digits"
}

// maxWorkers bounds ttc scan --workers: each worker holds its buffers,
// and past the files a disk can feed at once more only cost memory.
const maxWorkers = 256

// decimalFlag is an integer flag read in decimal only. pflag's own integer
// flags read Go's literals: 010 as eight, 0x10 and 1_0 as sixteen and ten.
type decimalFlag[T int | int64] struct{ v *T }

func (d decimalFlag[T]) String() string { return strconv.FormatInt(int64(*d.v), 10) }

func (d decimalFlag[T]) Set(s string) error {
	bits, _ := d.kind()
	n, err := strconv.ParseInt(s, 10, bits)
	if err != nil {
		return err // a *strconv.NumError: valueReason says what is wanted
	}
	*d.v = T(n)
	return nil
}

func (d decimalFlag[T]) Type() string {
	_, name := d.kind()
	return name
}

// kind gives T's size in bits and its name, for Set and Type.
func (d decimalFlag[T]) kind() (bits int, name string) {
	if _, ok := any(*d.v).(int); ok {
		return strconv.IntSize, "int"
	}
	return 64, "int64"
}
