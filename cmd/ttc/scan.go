package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/ttcproject/ttc/internal/attack/navigator"
	"github.com/ttcproject/ttc/internal/catalog"
	"github.com/ttcproject/ttc/internal/cloudtrail"
	"github.com/ttcproject/ttc/internal/detect"
	"github.com/ttcproject/ttc/internal/report"
	"github.com/ttcproject/ttc/internal/ruleset"
	"github.com/ttcproject/ttc/internal/scan"
	"github.com/ttcproject/ttc/internal/view"
)

var scanFormats = []view.Format{view.Table, view.JSON, view.JSONL, view.Markdown, view.HTML, view.Navigator}

type scanOptions struct {
	output     string
	groupBy    string
	rules      []string
	since      string
	until      string
	techniques []string
	tactics    []string
	exitCode   bool
	workers    int
	progress   string
	minLevel   string
}

func newScanCmd(a *app) *cobra.Command {
	var o scanOptions
	cmd := &cobra.Command{
		Use:   "scan PATH... | -",
		Short: "Classify CloudTrail logs into catalog techniques",
		Long: `Classify CloudTrail logs into catalog techniques with the catalog's Sigma rules
(and any given with --rules). PATH is a file or a folder (walked in the S3 delivery
layout; digest files are set aside); - reads standard input. Content is sniffed:
gzip, {"Records":[...]}, arrays, one record per line, EventBridge envelopes,
CloudWatch Logs exports and LookupEvents output.

Every record read ends as matched, unmatched or rejected (with file, position and
reason); the summary line adds them up. A failed call (errorCode or errorMessage
set, a console sign-in whose result is Failure, or a Cognito OAuth endpoint
request answered with an HTTP status of 400 or more) is reported with outcome
"attempt". When an input cannot be read to the end the results are
still printed, and the exit status is 1.

-o jsonl writes findings as they are found, and the table keeps only the first
1,000 it lists while it counts them all. The other formats (and the table with
--group-by actor) sort every finding by time; past a few thousand findings they
wait in temporary files under $TMPDIR (freed when ttc exits, however it exits),
so that memory stays flat however many there are. A scan also writes there
29 to 146 bytes for each record that correlation rules count, and for a record
of standard input its text as well (594 to 1,544 bytes in all, measured): past
what it keeps in memory for them (262,144 records of files, 65,536 of
standard input), it counts them again from there, a part of the groups at a
time.

A finding names its record by file and number (record.file, record.ordinal;
#N in the HTML and Markdown reports): ttc record FILE N prints it.`,
		Example: `  ttc scan AWSLogs/
  ttc scan --group-by actor incident/*.json.gz
  ttc scan -o jsonl --technique T1486 logs/ > findings.jsonl
  aws cloudtrail lookup-events --max-results 50 | ttc scan -`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("scan needs at least one PATH (or - for standard input)")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			// An empty time is refused, as an empty --technique is: it
			// would otherwise silently filter nothing.
			for _, name := range []string{"since", "until"} {
				if f := cmd.Flags().Lookup(name); f.Changed && strings.TrimSpace(f.Value.String()) == "" {
					return usagef("--%s: give a time (RFC 3339, or YYYY-MM-DD)", name)
				}
			}
			return runScan(cmd.Context(), a, o, args)
		},
	}
	fl := cmd.Flags()
	outputFlag(cmd, &o.output, scanFormats)
	fl.StringVar(&o.groupBy, "group-by", "", "group findings: actor (a timeline per identity or access key)")
	fl.StringVar(&o.minLevel, "min-level", "", "run only rules of this Sigma level or above: "+strings.Join(ruleset.Levels, ", ")+" (rules without a level always run)")
	fl.StringArrayVar(&o.rules, "rules", nil, "folder or file of extra Sigma rules; their attack.t* tags map onto catalog techniques (repeatable)")
	fl.StringVar(&o.since, "since", "", "only findings at or after this time (RFC 3339, UTC when it has no zone, or YYYY-MM-DD)")
	fl.StringVar(&o.until, "until", "", "only findings before this time (RFC 3339, UTC when it has no zone), or up to the end of a day (YYYY-MM-DD)")
	fl.StringArrayVar(&o.techniques, "technique", nil, "only findings of this technique or its sub-techniques, in the catalog or tagged by a rule in ATT&CK (repeatable)")
	fl.StringArrayVar(&o.tactics, "tactic", nil, "only findings of this tactic: ID or short name (repeatable)")
	fl.BoolVar(&o.exitCode, "exit-code", false, "exit with status 3 when there are findings (status 1, an incomplete scan, outranks it)")
	fl.Var(decimalFlag[int]{&o.workers}, "workers", fmt.Sprintf("files read at once (default: one per CPU; at most %d)", maxWorkers))
	fl.StringVar(&o.progress, "progress", "auto", "progress bar on stderr: auto (when stderr is a terminal), always or never")
	return cmd
}

func runScan(ctx context.Context, a *app, o scanOptions, paths []string) error {
	f, err := parseFormat(o.output, scanFormats)
	if err != nil {
		return err
	}
	if o.groupBy != "" && !strings.EqualFold(o.groupBy, "actor") {
		return usagef("--group-by: unknown grouping \"%s\": want actor", o.groupBy)
	}
	o.groupBy = strings.ToLower(o.groupBy)
	if o.groupBy != "" && (f == view.JSONL || f == view.Navigator) {
		a.log.Warn("--group-by applies to table, json, markdown and html; this format is written ungrouped", "output", string(f))
	}
	if o.progress != "auto" && o.progress != "always" && o.progress != "never" {
		return usagef("--progress: \"%s\": want auto, always or never", o.progress)
	}
	if o.workers < 0 || o.workers > maxWorkers {
		return usagef("--workers: %d: want 0 (one per CPU) to %d", o.workers, maxWorkers)
	}
	if i := slices.Index(paths, "-"); i >= 0 && slices.Contains(paths[i+1:], "-") {
		return usagef("standard input (-) is named twice: it can be read once")
	}
	if err := checkPaths(paths); err != nil {
		return err
	}
	if o.minLevel != "" && ruleset.LevelRank(o.minLevel) < 0 {
		return usagef("--min-level: unknown level \"%s\": want one of %s", o.minLevel, strings.Join(ruleset.Levels, ", "))
	}
	var faults []string
	for _, r := range o.rules {
		if err := checkRulesPath(r); err != nil {
			faults = append(faults, err.Error())
		}
	}
	if len(faults) > 0 {
		return usagef("--rules: %s", strings.Join(faults, "; "))
	}
	c, err := a.catalog()
	if err != nil {
		return err
	}
	sopts, err := o.scanOptions(c)
	if err != nil {
		return err
	}
	// A rule file named on its own must be usable; in a folder of rules,
	// those that cannot be used are left out and the rest run (see below).
	for _, r := range o.rules {
		if fi, err := os.Stat(r); err == nil && !fi.IsDir() {
			if errs := ruleFileErrors(c, r); len(errs) > 0 {
				return errors.Join(errs...)
			}
		}
	}
	rules, err := ruleset.Load(c, o.rules)
	// A rule ttc refuses by design (a correlation, another logsource) is
	// left out with a warning. A broken one (bad YAML, a condition that
	// does not parse) is left out too, so that the scan still runs, but the
	// run then fails at its end like one with an unreadable input: its
	// author would otherwise take its silence for a rule that matched
	// nothing.
	// Both kinds are also listed in the report's warnings, which outlive
	// stderr (and --log-level error).
	var broken, refused []scan.Rejection
	if err != nil {
		for _, e := range leafErrors(err) {
			w, cause := scan.Rejection{File: "--rules", Whole: true}, e
			if re := (*detect.RuleError)(nil); errors.As(e, &re) {
				w.File, w.Line, w.Column, cause = re.File, int64(re.Line), int64(re.Column), re.Err
			}
			switch {
			case errors.Is(e, detect.ErrUnsupported) || errors.Is(e, detect.ErrLogsource):
				a.log.Warn("rule not used", "error", e)
				w.Reason = "rule not used: " + cause.Error()
				refused = append(refused, w)
			case errors.Is(e, ruleset.ErrNoRuleFiles):
				a.log.Warn("--rules adds no rule", "error", e)
				w.Reason = e.Error()
				refused = append(refused, w)
			default:
				a.log.Error("rule not used: it is broken", "error", e)
				w.Reason = "rule not used: it is broken: " + cause.Error()
				broken = append(broken, w)
			}
		}
	}
	for _, r := range rules.Rules() {
		// The embedded catalog's rules are checked by its tests, but an
		// overlay's reach the scan unchecked unless `catalog validate` ran;
		// their technique is their folder, so only the level counts.
		msgs := ruleset.LintLevel(r)
		if r.Origin == ruleset.FromExternal {
			msgs = ruleset.Lint(c, r) // its level, and its tags
		}
		for _, msg := range msgs {
			a.log.Warn("rule loaded, but likely mistaken", "rule", r.Where(), "problem", msg)
			refused = append(refused, scan.Rejection{File: r.File, Line: int64(r.BundleLine()), Whole: true, Reason: "rule used, but " + msg})
		}
	}
	if copies := rules.Copies(); len(copies) > 0 {
		a.log.Warn("rules under --rules that are the catalog's own (the same id, and the same but for their tags, as ttc export sigma writes them) are not run a second time",
			"rules", len(copies), "first", copies[0])
	}
	for _, msg := range rules.Shared() {
		a.log.Warn("rules share an id or a name: both run", "rules", msg)
	}
	if o.minLevel != "" {
		before := rules.Rules()
		all := len(before)
		var dropped int
		if rules, dropped, err = rules.AtLeast(o.minLevel); err != nil {
			return fmt.Errorf("select rules: %w", err)
		}
		if dropped == all {
			return usagef("--min-level %s: none of the %d rules is at that level or above (the highest is %s)",
				o.minLevel, all, highestLevel(before))
		}
		a.log.Info("rules below the minimum level left out", "min_level", o.minLevel, "left_out", dropped, "of", all)
	}
	if err := checkTechniques(c, rules, sopts.Techniques); err != nil {
		return err
	}
	a.log.Info("rules compiled", "rules", len(rules.Rules()))
	sopts.Log, sopts.Stdin = a.log, os.Stdin
	// JSON Lines streams findings as they are found, so memory stays flat
	// whatever the number of findings; so does the table, which counts
	// them and keeps the first it lists. The other formats list every
	// finding in order, or by actor: they hold a budget of findings in
	// memory and spill the rest, sorted, to temporary files, so that
	// theirs stays flat too.
	var jw *report.JSONLWriter
	var table *report.TableStream
	switch {
	case f == view.JSONL:
		jw = report.NewJSONLWriter(a.stdout)
		sopts.EmitJSON = jw.Lines
	case f == view.Table && o.groupBy != "actor":
		table = report.NewTableStream()
		sopts.Collect = table.Add
	default:
		sopts.SpillAfter = spillAfter
	}
	// A timeline per actor says who obtained the sessions it used (in the
	// formats with timelines: the table's and HTML's headings, JSON, and
	// Markdown's list after each actor's table): the scan keeps the origin
	// of every key the logs show issued.
	sopts.Sessions = o.groupBy == "actor" && (f == view.Table || f == view.JSON || f == view.HTML || f == view.Markdown)
	s := scan.New(c, rules, sopts)

	if ctx == nil {
		ctx = context.Background()
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	// The first interrupt stops the scan or its report, and ttc exits once
	// it has cleaned up; a second one ends it at once, as it would have
	// without ttc catching it (a report blocked writing to a reader that
	// went away). Spilled findings leave no file behind either way.
	go func() {
		<-ctx.Done()
		stop()
	}()
	// With SIGPIPE caught, writing to a pipe whose reader went away (ttc
	// scan … | head) fails with EPIPE instead of killing ttc on the spot:
	// the progress line is cleared, and run then exits quietly as the
	// signal would have (exitBrokenPipe).
	sigpipe := make(chan os.Signal, 1)
	signal.Notify(sigpipe, syscall.SIGPIPE)
	defer signal.Stop(sigpipe)
	pr := startProgress(a.stderr, o.progress, s)
	res, err := scanUntilStopped(ctx, s, paths)
	// The line goes on while a report is written to other than the
	// terminal it is drawn on (a report of millions of findings takes a
	// while); one written to the terminal would be cut into by it.
	if f, ok := a.stdout.(*os.File); err == nil && (!ok || !term.IsTerminal(int(f.Fd()))) {
		pr.phase("writing the report")
		defer pr.stop()
	} else {
		pr.stop()
	}
	if errors.Is(err, errWouldNotStop) {
		return err
	}
	if err != nil {
		if ctx.Err() != nil && errors.Is(err, context.Canceled) {
			if jw != nil {
				return errors.New("scan interrupted: the findings written are those found before it, and no summary follows")
			}
			return errors.New("scan interrupted: no results")
		}
		return fmt.Errorf("scan: %w", err)
	}
	defer res.Close()
	res.Warnings = append(slices.Concat(broken, refused), res.Warnings...)
	res.Summary.Warnings += int64(len(broken) + len(refused))
	if res.Spilled() {
		a.log.Info("findings spilled to temporary files", "findings", res.Summary.Findings)
	}
	// Writing a large report takes a while: an interrupt stops it too, and
	// the temporary files still go.
	out := interruptible{ctx, a.stdout}
	switch f {
	case view.JSONL:
		err = jw.Close(res)
	case view.Navigator:
		var layer *navigator.Layer
		if layer, err = a.scanLayer(c, res); err == nil {
			err = navigator.Encode(out, layer)
		}
	default:
		err = writeScan(out, f, c, res, table, report.Options{View: viewOptions(a.stdout), GroupByActor: o.groupBy == "actor"})
	}
	pr.stop() // before anything else is written to stderr
	if err != nil {
		if ctx.Err() != nil && errors.Is(err, context.Canceled) {
			return errors.New("scan interrupted: the report is cut short")
		}
		return err
	}
	if f != view.Table {
		fmt.Fprintln(a.stderr, report.SummaryLine(res.Summary))
	}
	if n := res.Summary.SessionsNotKept; n > 0 {
		a.log.Warn("the logs issue more sessions than a scan keeps the origins of: timelines do not say who obtained these", "sessions", n)
	}
	if n := res.Summary.CorrelationNotKept; n > 0 {
		a.log.Warn("the rules that correlation rules count matched more records than a scan keeps for them: correlations did not count these, and may miss a burst",
			"records", n)
	}
	var incomplete []string
	// An input that held nothing is no log: a pipe whose command failed,
	// a download cut to nothing. No findings from it would say nothing.
	if n := res.Summary.FilesEmpty; n > 0 {
		incomplete = append(incomplete, fmt.Sprintf("%s held nothing to read (standard input whose command failed? a file cut to nothing? the report's skipped files say which)",
			view.Count(n, "input", "inputs")))
	}
	if n := res.Summary.InputsWithoutLogs; n > 0 {
		incomplete = append(incomplete, fmt.Sprintf("%s gave no log to read (a folder empty, or every file set aside; a file set aside, such as a digest file: the report's warnings say which)",
			view.Count(n, "input", "inputs")))
	}
	if failed := res.Summary.FilesFailed; failed > 0 {
		incomplete = append(incomplete, fmt.Sprintf("%d of the inputs could not be read to the end (the report's rejections say why)", failed))
	}
	// A rejected record was not judged: however clean the rest, the scan
	// cannot say that it holds nothing (a forged record that repeats a
	// key, say, to hide a call).
	if n := res.Summary.Rejected; n > 0 {
		why := "the report's rejections say why"
		if m := res.Summary.MatchedRejected; m > 0 {
			why = fmt.Sprintf("%d of them matched rules but have no usable eventTime; the report's rejections say why", m)
		}
		incomplete = append(incomplete, fmt.Sprintf("%s rejected (%s)", view.Count(n, "record was", "records were"), why))
	}
	// A record a correlation could not count was not judged by it either.
	if n := res.Summary.CorrelationNotKept; n > 0 {
		incomplete = append(incomplete, fmt.Sprintf("%s past what correlations keep, or in a file that changed before they read it again (a burst among them may be missed; "+
			"the report's warnings say where they are)", view.Count(n, "record was", "records were")))
	}
	if len(broken) > 0 {
		incomplete = append(incomplete, fmt.Sprintf("%s could not be used (see the errors above)", view.Count(int64(len(broken)), "rule", "rules")))
	}
	if len(incomplete) > 0 {
		// An incomplete scan outranks --exit-code's status 3. The message
		// still says whether there were findings.
		return fmt.Errorf("%s; %s reported from the rest",
			strings.Join(incomplete, "; "), view.Count(int64(res.Summary.Findings), "finding", "findings"))
	}
	if o.exitCode && res.Summary.Findings > 0 {
		return &findingsExit{res.Summary.Findings}
	}
	return nil
}

// interruptGrace is how long an interrupted scan may take to stop.
var interruptGrace = 5 * time.Second

// errWouldNotStop ends a scan that did not stop within interruptGrace of
// an interrupt.
var errWouldNotStop = errors.New("scan interrupted: an input did not stop being read")

// scanUntilStopped runs the scan, and once ctx is done waits at most
// interruptGrace for it to stop. A worker blocked opening a named pipe
// that has no writer never comes back, and would keep ttc from exiting
// on the interrupt; its goroutine is left behind as ttc exits, and the
// scan's temporary files, removed from their folder when made, go too.
func scanUntilStopped(ctx context.Context, s *scan.Scanner, paths []string) (*scan.Result, error) {
	type outcome struct {
		res *scan.Result
		err error
	}
	ch := make(chan outcome, 1)
	go func() {
		res, err := s.Scan(ctx, paths)
		ch <- outcome{res, err}
	}()
	select {
	case o := <-ch:
		return o.res, o.err
	case <-ctx.Done():
	}
	select {
	case o := <-ch:
		return o.res, o.err
	case <-time.After(interruptGrace):
		return nil, fmt.Errorf("%w within %v (a named pipe nobody writes to?): no results", errWouldNotStop, interruptGrace)
	}
}

// interruptible is a writer that fails once ctx is done.
type interruptible struct {
	ctx context.Context
	w   io.Writer
}

func (iw interruptible) Write(p []byte) (int, error) {
	if err := iw.ctx.Err(); err != nil {
		return 0, fmt.Errorf("interrupted: %w", err)
	}
	return iw.w.Write(p)
}

// spillAfter is how many findings each worker of a scan holds in memory
// (about 2.7 KB each) before it writes them to a temporary file.
const spillAfter = 8192

// checkRulesPath accepts a folder, or a file that looks like a Sigma rule.
func checkRulesPath(p string) error {
	if fault := pathFault(p, false); fault != "" {
		return fmt.Errorf("\"%s\": %s", p, fault)
	}
	fi, err := os.Stat(p)
	if err != nil {
		return err
	}
	if !fi.IsDir() && !strings.HasSuffix(p, ".yml") && !strings.HasSuffix(p, ".yaml") {
		return fmt.Errorf("%s: not a folder nor a .yml Sigma rule file", p)
	}
	return nil
}

// writeScan writes res in format f; table, when not nil, holds what a
// table lists of a scan that streamed its findings to it.
func writeScan(w io.Writer, f view.Format, c *catalog.Catalog, res *scan.Result, table *report.TableStream, opts report.Options) error {
	names := func(ids []string) string {
		var out []string
		for _, id := range ids {
			if t, ok := c.AttackTactic(id); ok {
				out = append(out, t.ShortName)
			}
		}
		return strings.Join(out, ",")
	}
	switch f {
	case view.JSON:
		return report.WriteJSON(w, res, opts)
	case view.Markdown:
		return report.WriteMarkdown(w, res, names, opts)
	case view.HTML:
		return report.WriteHTML(w, res, names, opts)
	}
	if table != nil {
		return table.Write(w, res, names, opts)
	}
	return report.WriteTable(w, res, names, opts)
}

func (o scanOptions) scanOptions(c *catalog.Catalog) (scan.Options, error) {
	so := scan.Options{Workers: o.workers}
	var err error
	if so.Since, err = parseWhen(o.since); err != nil {
		return so, usagef("--since: %v", err)
	}
	if so.Until, err = parseWhen(o.until); err != nil {
		return so, usagef("--until: %v", err)
	}
	if _, err := time.Parse(time.DateOnly, o.until); err == nil {
		// A date alone means up to the end of that day.
		so.Until = so.Until.AddDate(0, 0, 1)
	}
	if !so.Since.IsZero() && !so.Until.IsZero() && !so.Since.Before(so.Until) {
		return so, usagef("--since %s is not before --until %s", o.since, o.until)
	}
	for _, id := range o.techniques {
		t, ok := c.Technique(id)
		switch up := strings.ToUpper(id); {
		case ok:
			so.Techniques = append(so.Techniques, t.ID)
		case up != "" && catalog.AttackID(up) == up:
			// An ATT&CK technique the catalog lacks: rules may still be
			// tagged with it (see scan.RuleRef.ATTACK); checkTechniques
			// sees that one is, once the rules are loaded.
			so.Techniques = append(so.Techniques, up)
		default:
			return so, usagef("--technique: \"%s\" is neither a technique in the catalog nor an ATT&CK technique ID", id)
		}
	}
	for _, ta := range o.tactics {
		t, ok := c.AttackTactic(ta)
		if !ok {
			return so, usagef("--tactic: \"%s\" is no ATT&CK Enterprise tactic (ID, name or short name)", ta)
		}
		so.Tactics = append(so.Tactics, t.ID)
	}
	return so, nil
}

func parseWhen(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	// Without a zone a time is UTC, as CloudTrail's eventTime is.
	// RFC 3339 allows a lower-case t and z.
	up := strings.ToUpper(s)
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02T15:04Z07:00", "2006-01-02T15:04",
		"2006-01-02 15:04:05Z07:00", time.DateTime, "2006-01-02 15:04Z07:00", "2006-01-02 15:04", time.DateOnly} {
		if t, err := time.Parse(layout, up); err == nil {
			if !cloudtrail.ValidZone(up) {
				return time.Time{}, fmt.Errorf("cannot read time \"%s\": a zone offset runs to 23:59 at most", s)
			}
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("cannot read time \"%s\": want RFC 3339 (2026-03-14T02:00:00Z), the same without a zone for UTC, or a date (2026-03-14)", s)
}

// progress is the line startProgress draws.
type progress struct {
	stop  func()       // clears the line and stops drawing it
	phase func(string) // names what follows reading
}

// startProgress draws a progress line on stderr until its stop is called:
// the counts while inputs are read, then what the scan does after
// (sorting findings, and what phase names).
func startProgress(w io.Writer, mode string, s *scan.Scanner) progress {
	f, ok := w.(*os.File)
	show := mode == "always" || (mode == "auto" && ok && term.IsTerminal(int(f.Fd())))
	if !show {
		return progress{stop: func() {}, phase: func(string) {}}
	}
	var phase atomic.Value
	phase.Store("")
	stop := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		begun := time.Now()
		for {
			select {
			case <-stop:
				fmt.Fprint(w, "\r\x1b[K")
				return
			case <-t.C:
				p := s.Progress()
				mbs := float64(p.Bytes) / (1 << 20) / max(p.Elapsed.Seconds(), 0.001)
				counts := fmt.Sprintf("%s, %s, %.0f MiB", view.Count(p.Files, "file", "files"), view.Count(p.Records, "record", "records"), float64(p.Bytes)/(1<<20))
				switch what := phase.Load().(string); {
				case what != "":
					fmt.Fprintf(w, "\r\x1b[K%s (%s read in %s) … %s", what, counts, p.Elapsed.Round(time.Second), time.Since(begun).Round(time.Second))
				case p.Passes > 0:
					fmt.Fprintf(w, "\r\x1b[Kcounting correlations a part of the groups at a time, pass %d of %d (%s read in %s) … %s",
						p.Pass, p.Passes, counts, p.Elapsed.Round(time.Second), time.Since(begun).Round(time.Second))
				case p.ReadAll:
					fmt.Fprintf(w, "\r\x1b[Kcounting correlations, sorting the findings (%s read in %s) … %s",
						counts, p.Elapsed.Round(time.Second), time.Since(begun).Round(time.Second))
				default:
					fmt.Fprintf(w, "\r\x1b[Kscanning: %s, %.0f MiB/s", counts, mbs)
				}
			}
		}
	}()
	var once sync.Once
	return progress{
		stop:  func() { once.Do(func() { close(stop); <-finished }) },
		phase: func(s string) { phase.Store(s) },
	}
}

// leafErrors lists the errors joined in err, however deeply joins nest
// (rules are loaded folder by folder, then compiled together): one for
// each rule, so that each is told refused or broken on its own.
func leafErrors(err error) []error {
	for e := err; e != nil; e = errors.Unwrap(e) {
		if j, ok := e.(interface{ Unwrap() []error }); ok {
			var out []error
			for _, x := range j.Unwrap() {
				out = append(out, leafErrors(x)...)
			}
			return out
		}
	}
	return []error{err}
}

// ruleFileErrors loads the rule file r beside the catalog's rules and
// returns what is wrong with r, each error naming it: a broken rule of the
// catalog (an overlay's) is not r's fault, and is dealt with as any rule
// in a folder is, left out with a warning.
func ruleFileErrors(c *catalog.Catalog, r string) []error {
	_, err := ruleset.Load(c, []string{r})
	if err == nil {
		return nil
	}
	var errs []error
	for _, e := range leafErrors(err) {
		if re := (*detect.RuleError)(nil); errors.As(e, &re) && filepath.Clean(re.File) != filepath.Clean(r) {
			continue
		}
		errs = append(errs, fmt.Errorf("--rules %s: %w", r, e))
	}
	return errs
}

// checkTechniques refuses a --technique that names no catalog technique
// unless a loaded rule is tagged with it, or one of its sub-techniques, in
// a tag that names no catalog entry itself (the finding may still be the
// parent's): only such tags reach findings as ATT&CK IDs of their own, so
// any other filter could only ever come out empty.
func checkTechniques(c *catalog.Catalog, rules *ruleset.Set, ids []string) error {
	for _, id := range ids {
		if _, ok := c.Technique(id); ok {
			continue
		}
		tagged := false
		for _, r := range rules.Rules() {
			for _, u := range r.Unmapped {
				tagged = tagged || u == id || strings.HasPrefix(u, id+".")
			}
		}
		if !tagged {
			return usagef("--technique: no technique \"%s\" in the catalog, nor among the rules' ATT&CK tags", id)
		}
	}
	return nil
}

// highestLevel names the highest Sigma level among rules.
func highestLevel(rules []*ruleset.Rule) string {
	best := -1
	for _, r := range rules {
		best = max(best, ruleset.LevelRank(r.Level))
	}
	if best < 0 {
		return "none: no rule has a level"
	}
	return ruleset.Levels[best]
}

// checkPaths refuses, as a usage error, the PATHs that name nothing: a
// typo, or a shell pattern that matched no file (the shell passes it on as
// written), is better told before the scan than among its rejections. A
// path that exists but cannot be read is the scan's to report.
func checkPaths(paths []string) error {
	var faults []string
	for _, p := range paths {
		if p == "-" {
			continue
		}
		if fault := pathFault(p, false); fault != "" {
			faults = append(faults, fmt.Sprintf("\"%s\": %s", p, fault))
		}
	}
	if len(faults) > 0 {
		return usagef("%s", strings.Join(faults, "; "))
	}
	return nil
}
