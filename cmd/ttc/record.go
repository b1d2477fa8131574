package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/ttcproject/ttc/internal/cloudtrail"
	"github.com/ttcproject/ttc/internal/jsonscan"
)

func newRecordCmd(a *app) *cobra.Command {
	var indent bool
	cmd := &cobra.Command{
		Use:   "record FILE NUMBER...",
		Short: "Print the records of a CloudTrail log file that findings point at",
		Long: `Print records of a CloudTrail log file by number: the evidence behind a finding,
which names its record.file and record.ordinal (the #N of the HTML report).
Records are numbered from 1 in the order the file holds them, rejected ones
included, whatever the container (gzip, {"Records":[...]}, one per line, ...).

Each record is printed on one line of JSON as the file holds it, except that
characters a terminal could act on or hide (C1 controls, bidirectional
overrides, zero-width characters, line separators) are written as \u escapes,
which mean the same; invalid UTF-8 becomes \ufffd. A record the reader rejected
is reported with its reason, and the exit status is then 1.`,
		Example: "  ttc record AWSLogs/111122223333/CloudTrail/us-east-1/2026/01/05/log.json.gz 13\n" +
			"  ttc record --indent incident.json 2 7",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) < 2 {
				return usagef("%s takes a FILE and at least one record NUMBER", cmd.CommandPath())
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runRecord(a, args[0], args[1:], indent)
		},
	}
	cmd.Flags().BoolVar(&indent, "indent", false, "indent each record over several lines")
	return cmd
}

func runRecord(a *app, path string, args []string, indent bool) error {
	if path == "-" {
		return usagef("record reads a file again by name; standard input cannot be: save it to a file first")
	}
	nums := make([]int64, len(args))
	for i, s := range args {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 1 {
			return usagef("record number %q: want a whole number from 1", s)
		}
		nums[i] = n
	}
	f, err := cloudtrail.Open(path, nil)
	if err != nil {
		return err
	}
	defer f.Close()
	picked, pickErr := cloudtrail.Pick(f, path, nums, cloudtrail.Options{})
	var out, line bytes.Buffer
	var rejected []error
	for _, n := range nums {
		p, ok := picked[n]
		switch {
		case !ok:
			continue // not reached: pickErr says why
		case p.Raw == nil:
			rejected = append(rejected, fmt.Errorf("record %d of %s (line %d) was rejected: %s", n, path, p.Pos.Line, p.Reason))
			continue
		}
		shown := jsonscan.AppendShown(nil, p.Raw)
		if indent {
			line.Reset()
			if err := json.Indent(&line, shown, "", "  "); err != nil {
				return fmt.Errorf("record %d of %s: %w", n, path, err)
			}
			shown = line.Bytes()
		}
		out.Write(shown)
		out.WriteByte('\n')
	}
	if _, err := a.stdout.Write(out.Bytes()); err != nil {
		return fmt.Errorf("write records: %w", err)
	}
	return errors.Join(append(rejected, pickErr)...)
}
