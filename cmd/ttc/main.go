// Command ttc is the Threat Technique Catalog for AWS: browse the catalog,
// classify CloudTrail logs, serve the web UI and speak ATT&CK's formats.
package main

import (
	"errors"
	"fmt"
	"os"
)

// Exit codes; documented in the root command's help and the README.
const (
	exitOK       = 0
	exitError    = 1
	exitUsage    = 2
	exitFindings = 3
)

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	root := newRootCmd(os.Stdout, os.Stderr)
	root.SetArgs(args)
	err := root.Execute()
	var ue *usageError
	var fe *findingsExit
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &fe):
		return exitFindings
	case errors.As(err, &ue):
		fmt.Fprintf(os.Stderr, "ttc: %v\n", err)
		return exitUsage
	default:
		fmt.Fprintf(os.Stderr, "ttc: %v\n", err)
		return exitError
	}
}

// usageError marks errors in how the command was called.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return &usageError{fmt.Errorf(format, args...)}
}

// findingsExit asks main to exit with exitFindings after a successful run.
type findingsExit struct{ n int }

func (e *findingsExit) Error() string { return fmt.Sprintf("%d findings", e.n) }
