// Command ttc is the Threat Technique Catalog for AWS: browse the catalog,
// classify CloudTrail logs, serve the web UI and speak ATT&CK's formats.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"

	"github.com/ttcproject/ttc/internal/view"
)

// Exit codes; documented in the root command's help and the README.
const (
	exitOK       = 0
	exitError    = 1
	exitUsage    = 2
	exitFindings = 3
	// exitBrokenPipe is the status a process killed by SIGPIPE has in a
	// shell (128 + 13), which ttc scan exits with, quietly, when it
	// catches the signal to clear its progress line first.
	exitBrokenPipe = 141
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run executes one command line and returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	root := newRootCmd(stdout, stderr)
	root.SetArgs(args)
	err := root.Execute()
	var ue *usageError
	var fe *findingsExit
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &fe):
		return exitFindings
	case errors.Is(err, syscall.EPIPE):
		return exitBrokenPipe
	case isCobraUsage(err):
		// cobra's own messages ("unknown command … Did you mean") run to
		// several lines, indented, and quote what was typed with %q.
		for _, line := range strings.Split(err.Error(), "\n") {
			if line = strings.ReplaceAll(line, "\t", "  "); strings.TrimSpace(line) != "" {
				fmt.Fprintf(stderr, "ttc: %s\n", cobraLine(line))
			}
		}
		return exitUsage
	case errors.As(err, &ue) && ue.quoted:
		fmt.Fprintf(stderr, "ttc: %s\n", view.Quoted(err.Error()))
		return exitUsage
	case errors.As(err, &ue):
		printError(stderr, err)
		return exitUsage
	default:
		printError(stderr, err)
		return exitError
	}
}

// cobraLine escapes one line of a cobra usage error. "unknown command"
// quotes what was typed with %q already, so its escapes are kept as they
// are; the flag messages hold what was typed as it is; the rest (indented
// suggestions) names ttc's own commands.
func cobraLine(line string) string {
	if rest, ok := strings.CutPrefix(line, "unknown shorthand flag: "); ok {
		// pflag quotes the one character with %q, and writes the argument
		// that holds it as typed: the argument alone says it.
		if _, arg, ok := strings.Cut(rest, " in "); ok {
			return "unknown shorthand flag in " + view.Line(arg)
		}
	}
	if strings.HasPrefix(line, "unknown flag") || strings.HasPrefix(line, "unknown shorthand flag") {
		return view.Line(line)
	}
	return view.Quoted(line)
}

// printError writes err to stderr, one line for each error errors.Join
// put together and for each line of an error that has several (Lines),
// each made safe for a terminal and marked as ttc's: messages quote file
// names and values that come from logs and folders, which may hold escape
// sequences or line breaks of their own.
func printError(w io.Writer, err error) {
	switch e := err.(type) {
	case interface{ Unwrap() []error }:
		if !joined(err, e.Unwrap()) {
			fmt.Fprintf(w, "ttc: %s\n", view.Line(err.Error()))
			return
		}
		for _, e := range e.Unwrap() {
			printError(w, e)
		}
	case interface{ Lines() []string }:
		// A list's two-space indent is the error's own; what follows it
		// is escaped, spaces at its start included.
		for _, line := range e.Lines() {
			indent := ""
			if body, ok := strings.CutPrefix(line, "  "); ok {
				indent, line = "  ", body
			}
			fmt.Fprintf(w, "ttc: %s%s\n", indent, view.Line(line))
		}
	default:
		fmt.Fprintf(w, "ttc: %s\n", view.Line(err.Error()))
	}
}

// usageError marks errors in how the command was called.
type usageError struct {
	err error
	// quoted marks pflag's messages, which quote what was typed with %q.
	quoted bool
}

// Error returns the wrapped message.
func (e *usageError) Error() string { return e.err.Error() }

// Unwrap returns the wrapped error.
func (e *usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return &usageError{err: fmt.Errorf(format, args...)}
}

// findingsExit asks main to exit with exitFindings after a successful run.
type findingsExit struct{ n int }

// Error says how many findings there were.
func (e *findingsExit) Error() string { return fmt.Sprintf("%d findings", e.n) }

// isCobraUsage recognises the usage errors cobra raises itself, which carry
// no type of their own.
func isCobraUsage(err error) bool {
	msg := err.Error()
	return strings.HasPrefix(msg, "unknown command") || strings.HasPrefix(msg, "unknown flag") ||
		strings.HasPrefix(msg, "unknown shorthand flag") || strings.HasPrefix(msg, "required flag")
}

// joined reports whether err says no more than its errors, a line each, as
// errors.Join writes them; an error that wraps several in a sentence of its
// own ("%w (dangling): %w") is printed whole.
func joined(err error, errs []error) bool {
	var msgs []string
	for _, e := range errs {
		if e != nil {
			msgs = append(msgs, e.Error())
		}
	}
	return err.Error() == strings.Join(msgs, "\n")
}
