package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/ttcproject/ttc/internal/clip"
	"github.com/ttcproject/ttc/internal/cloudtrail"
	"github.com/ttcproject/ttc/internal/jsonscan"
	"github.com/ttcproject/ttc/internal/scan"
)

func newRecordCmd(a *app) *cobra.Command {
	var indent bool
	var eventIDs []string
	cmd := &cobra.Command{
		Use:   "record FILE NUMBER...",
		Short: "Print the records of a CloudTrail log file that findings point at",
		Long: `Print records of a CloudTrail log file by number: the evidence behind a finding,
which names its record.file and record.ordinal (the #N of the HTML and Markdown reports).
Records are numbered from 1 in the order the file holds them, rejected ones
included, whatever the container (gzip, {"Records":[...]}, one per line, ...).

Each record is printed on one line of JSON, as the file holds it but for the
space between its tokens, and with the characters a terminal could act on or
hide (DEL and C1 controls, bidirectional overrides, zero-width characters,
line separators, private-use and unassigned code points, spaces other than
ASCII's and other blank characters) written as \u escapes,
which mean the same; invalid UTF-8 becomes \ufffd. A record the reader
rejected is reported with its reason, and the exit status is then 1; one
that is valid JSON (it repeats a key, say) is printed too, as evidence. So is
one whose eventTime a scan cannot place in time, which it rejects when a rule
matches it.
The file is read to its end, and when it fails after the records asked for
(a gzip checksum that does not match, which covers them too; data after
the end) that is reported, and the exit status is 1.

A record number names a record as the file held it when the scan read it: a
file changed since then (records added at the top) holds another record under
that number. Give --event-id once per NUMBER, the finding's event_id, to have
a record whose eventID differs refused, not printed, exit status 1.`,
		Example: "  ttc record AWSLogs/111122223333/CloudTrail/us-east-1/2026/01/05/log.json.gz 13\n" +
			"  ttc record --indent incident.json 2 7\n" +
			"  ttc record --event-id 3b9e0d51-0b7e-4f43-9c63-0e4a2f1f7c11 incident.json 7",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) < 2 {
				return usagef("usage: %s; %s takes a FILE and at least one record NUMBER", cmd.UseLine(), cmd.CommandPath())
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(eventIDs) > 0 && len(eventIDs) != len(args)-1 {
				return usagef("%d --event-id values for %d record numbers: give one per NUMBER, in the same order",
					len(eventIDs), len(args)-1)
			}
			return runRecord(a, args[0], args[1:], eventIDs, indent)
		},
	}
	cmd.Flags().BoolVar(&indent, "indent", false, "indent each record over several lines")
	cmd.Flags().StringArrayVar(&eventIDs, "event-id", nil,
		"the eventID each NUMBER's record must have, in order (a finding's event_id; repeatable)")
	// A negative record number reads as a flag to the flag parser; say what
	// is wrong with it as a number instead.
	cmd.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		if m := negativeNumber.FindStringSubmatch(err.Error()); m != nil {
			return usagef("record number \"%s\": want a whole number from 1", m[1])
		}
		return c.Root().FlagErrorFunc()(c, err)
	})
	return cmd
}

// negativeNumber finds the argument of pflag's unknown shorthand error
// when it is a negative number ("... in -1").
var negativeNumber = regexp.MustCompile(`unknown shorthand flag.* in (-[0-9]+)$`)

func runRecord(a *app, path string, args, eventIDs []string, indent bool) error {
	if path == "-" {
		return usagef("record reads a file again by name; standard input cannot be: save it to a file first")
	}
	nums := make([]int64, len(args))
	for i, arg := range args {
		// The HTML and Markdown reports write a record's number as #N.
		s := strings.TrimPrefix(arg, "#")
		if s == "" || strings.Trim(s, "0123456789") != "" {
			return usagef("record number \"%s\": want a whole number from 1", arg)
		}
		n, err := strconv.ParseInt(s, 10, 64)
		switch {
		case errors.Is(err, strconv.ErrRange):
			return fmt.Errorf("%s: no record %s: no file holds that many", path, s)
		case err != nil || n < 1:
			return usagef("record number \"%s\": want a whole number from 1", arg)
		}
		nums[i] = n
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return usagef("%s is a folder: name the log file a finding's record.file names", path)
	}
	f, err := cloudtrail.Open(path, nil)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) && strings.ContainsRune(path, utf8.RuneError) {
			// JSON carries text only: a file name that is not UTF-8 reaches
			// record.file with U+FFFD where its other bytes were.
			return fmt.Errorf("%w (JSON reports write the bytes of a file name that are not UTF-8 as U+FFFD, and tables and Markdown as escapes: name the file as the shell lists it)", err)
		}
		return err
	}
	defer f.Close()
	picked, pickErr := cloudtrail.Pick(f, path, nums, cloudtrail.Options{})
	// Written as each is ready, not gathered: the same large record asked
	// for many times would otherwise be held as often.
	out := bufio.NewWriter(a.stdout)
	var line bytes.Buffer
	var rejected []error
	for i, n := range nums {
		p, ok := picked[n]
		switch {
		case !ok:
			continue // not reached: pickErr says why
		case p.Reason != "":
			rejected = append(rejected, fmt.Errorf("record %d of %s (line %d) was rejected: %s", n, path, p.Pos.Line, p.Reason))
			if p.Raw == nil {
				continue // not JSON the reader held whole: only the reason is known
			}
		}
		if eventIDs != nil {
			// As the finding reports it: "" for a record with no eventID
			// string, and a long one clipped.
			if got := scan.EventIDOf(p.Raw); got != eventIDs[i] {
				rejected = append(rejected, fmt.Errorf("record %d of %s (line %d) %s: "+
					"the file is not as the scan read it (changed since, or another file), "+
					"and the record is not printed", n, path, p.Pos.Line, idMismatch(got, eventIDs[i])))
				continue
			}
		}
		// One line, whatever space the file put between the record's
		// tokens (line breaks, a bare CR that would rewrite the line on a
		// terminal), or indented.
		line.Reset()
		var err error
		if indent {
			err = json.Indent(&line, p.Raw, "", "  ")
		} else {
			err = json.Compact(&line, p.Raw)
		}
		if err != nil {
			return fmt.Errorf("record %d of %s: %w", n, path, err)
		}
		out.Write(jsonscan.AppendShown(nil, line.Bytes()))
		out.WriteByte('\n')
		switch {
		case p.Reason == "" && !p.NamesEvent:
			// Read whole, but no CloudTrail record: the scan rejects it.
			rejected = append(rejected, fmt.Errorf("record %d of %s (line %d) was rejected: not a CloudTrail record: "+
				"its eventSource or eventName is missing, empty or not a string", n, path, p.Pos.Line))
		case p.Reason == "" && p.Kind != cloudtrail.KindInsight: // an Insights record is counted apart, never matched
			// A record no finding can be placed for: the scan rejects it
			// when a rule matches it (matched_rejected), and counts it as
			// unmatched otherwise.
			var rec struct{ EventTime any }
			_ = json.Unmarshal(p.Raw, &rec) // read whole by the reader: valid JSON
			t, _ := rec.EventTime.(string)
			if _, problem := scan.PlaceTime(t); problem != "" {
				rejected = append(rejected, fmt.Errorf("record %d of %s (line %d) cannot be placed in time, and a scan rejects it if a rule matches it: %s",
					n, path, p.Pos.Line, problem))
			}
		}
	}
	if err := out.Flush(); err != nil {
		return fmt.Errorf("write records: %w", err)
	}
	return errors.Join(append(rejected, pickErr)...)
}

// maxQuotedID bounds an event ID quoted in a message: CloudTrail's are
// 36 characters, and a forged one can run to the 8 KiB findings keep.
const maxQuotedID = 128

// idMismatch says how a record's event ID, got, differs from the one
// given, want: each quoted cut to maxQuotedID bytes, and where they part
// when they are alike that far.
func idMismatch(got, want string) string {
	g, w := clip.String(got, maxQuotedID), clip.String(want, maxQuotedID)
	shown := fmt.Sprintf("eventID \"%s\"", g)
	switch {
	case got == "":
		shown = "no eventID string (a finding gives \"\" for it)"
	case g == w:
		at := 0
		for at < min(len(got), len(want)) && got[at] == want[at] {
			at++
		}
		shown += fmt.Sprintf(" (%d bytes, differing from byte %d of the %d given)", len(got), at+1, len(want))
	}
	return fmt.Sprintf("has %s, not \"%s\"", shown, w)
}
