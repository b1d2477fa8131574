package report_test

import (
	"bytes"
	"os"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ttcproject/ttc/internal/report"
	"github.com/ttcproject/ttc/internal/view"
)

// TestTableFitsKeepsTimeAndEvent scans the README's example incident and
// checks that tables fitted to a terminal cut other columns before the
// time and the event of a finding.
func TestTableFitsKeepsTimeAndEvent(t *testing.T) {
	const dir = "../../examples/incident"
	if _, err := os.Stat(dir); err != nil {
		t.Skip("examples/incident is missing")
	}
	res, names := scanDir(t, dir)
	if len(res.Findings) == 0 {
		t.Fatal("the example incident has no findings, so the test proves nothing")
	}
	row := regexp.MustCompile(`^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)  \S+ +\S+ +(\S+)`)
	cases := []struct {
		name  string
		width int
		actor bool
	}{
		{"findings at 100 columns", 100, false},
		{"timelines at 100 columns", 100, true},
		{"findings at 120 columns", 120, false},
		{"timelines at 90 columns", 90, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			opts := report.Options{View: view.Options{Width: tc.width}, GroupByActor: tc.actor}
			if err := report.WriteTable(&b, res, names, opts); err != nil {
				t.Fatal(err)
			}
			var times, events []string
			for _, l := range tableLines(b.String()) {
				if n := utf8.RuneCountInString(l); n > tc.width {
					t.Errorf("line of %d columns: %q", n, l)
				}
				if m := row.FindStringSubmatch(l); m != nil {
					times, events = append(times, m[1]), append(events, m[2])
				}
			}
			if len(times) != len(res.Findings) {
				t.Fatalf("%d rows begin with a whole time, want one per finding (%d):\n%s", len(times), len(res.Findings), b.String())
			}
			order := res.Findings
			if tc.actor {
				order = nil
				for _, a := range report.Timelines(res.Findings) {
					order = append(order, a.Findings...)
				}
			}
			for i, f := range order {
				want := strings.TrimSuffix(f.EventSource, ".amazonaws.com") + ":" + f.EventName
				if times[i] != f.EventTime || events[i] != want {
					t.Errorf("row %d shows %s %s, want %s %s", i, times[i], events[i], f.EventTime, want)
				}
			}
		})
	}
}

// tableLines returns the lines of the tables in a text report: from a
// header line to the next blank line.
func tableLines(out string) []string {
	var lines []string
	in := false
	for _, l := range strings.Split(out, "\n") {
		switch {
		case strings.HasPrefix(l, "TECHNIQUE ") || strings.HasPrefix(l, "TIME "):
			in = true
		case l == "" || strings.HasPrefix(l, "arn:"):
			in = false
		}
		if in {
			lines = append(lines, l)
		}
	}
	return lines
}
