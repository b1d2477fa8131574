package report_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/ttcproject/ttc/internal/catalog/catalogtest"
	"github.com/ttcproject/ttc/internal/golden"
	"github.com/ttcproject/ttc/internal/report"
	"github.com/ttcproject/ttc/internal/scan"
	"github.com/ttcproject/ttc/internal/view"
)

// result scans the scan package's fixture logs: findings, a duplicate, a
// rejected record, a digest, and record values carrying markup and escapes.
func result(t *testing.T) *scan.Result {
	t.Helper()
	res, _ := scanDir(t, "../scan/testdata/logs")
	return res
}

// scanDir scans dir with the catalog's rules and returns the result and a
// namer that writes tactics by their short names, as the CLI does.
func scanDir(t *testing.T, dir string) (*scan.Result, func([]string) string) {
	t.Helper()
	c, rs := catalogtest.Rules(t)
	res, err := scan.New(c, rs, scan.Options{Workers: 1}).Scan(context.Background(), []string{dir})
	if err != nil {
		t.Fatal(err)
	}
	res.Summary.Duration = 0 // the only field that changes between runs
	names := func(ids []string) string {
		out := make([]string, len(ids))
		for i, id := range ids {
			out[i] = id
			if ta, ok := c.Tactic(id); ok {
				out[i] = ta.ShortName
			}
		}
		return strings.Join(out, ",")
	}
	return res, names
}

func tactics(ids []string) string { return strings.Join(ids, ",") }

func TestFormats(t *testing.T) {
	res := result(t)
	// A warning as the scan writes one, with a file name that carries
	// markup and a line break: every format must show it inert.
	res.Warnings = append(res.Warnings, scan.Rejection{File: "logs/<b>forged</b>\n.json", Whole: true,
		Reason: "an object repeats its container key, or holds more than one (Records, Events, logEvents): 1 array after the first, all read here, but other tools read only one: a forged or damaged log"})
	res.Summary.Warnings = 1
	cases := []struct {
		name  string
		write func(*bytes.Buffer) error
	}{
		{"table.txt", func(b *bytes.Buffer) error {
			return report.WriteTable(b, res, tactics, report.Options{View: view.Options{Width: 120}})
		}},
		{"table-actor.txt", func(b *bytes.Buffer) error {
			return report.WriteTable(b, res, tactics, report.Options{View: view.Options{Width: 120}, GroupByActor: true})
		}},
		{"report.json", func(b *bytes.Buffer) error { return report.WriteJSON(b, res, report.Options{GroupByActor: true}) }},
		{"report.jsonl", func(b *bytes.Buffer) error { return report.WriteJSONL(b, res) }},
		{"report.md", func(b *bytes.Buffer) error { return report.WriteMarkdown(b, res, tactics, report.Options{}) }},
		{"report.html", func(b *bytes.Buffer) error { return report.WriteHTML(b, res, tactics, report.Options{}) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := tc.write(&b); err != nil {
				t.Fatal(err)
			}
			golden.Check(t, tc.name, b.Bytes())
		})
	}
}

// TestHostileValuesInert checks that markup and terminal escapes from records
// never reach the output raw.
func TestHostileValuesInert(t *testing.T) {
	res := result(t)
	var b bytes.Buffer
	cases := []struct {
		name  string
		write func() error
		bad   []string
	}{
		// A terminal shows markup as text; only control sequences are dangerous there.
		{"table", func() error { return report.WriteTable(&b, res, tactics, report.Options{GroupByActor: true}) }, []string{"\x1b[31m"}},
		{"markdown", func() error { return report.WriteMarkdown(&b, res, tactics, report.Options{GroupByActor: true}) }, []string{"<script>", "<img", "\x1b"}},
		{"html", func() error { return report.WriteHTML(&b, res, tactics, report.Options{}) }, []string{"<script>", "<img", "\x1b"}},
	}
	for _, tc := range cases {
		b.Reset()
		if err := tc.write(); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		if !strings.Contains(out, "alert(1)") {
			t.Errorf("%s: the hostile values are missing, so the test proves nothing", tc.name)
		}
		for _, bad := range tc.bad {
			if strings.Contains(out, bad) {
				t.Errorf("%s output carries %q raw", tc.name, bad)
			}
		}
	}
}

func TestJSONLTypes(t *testing.T) {
	res := result(t)
	var b bytes.Buffer
	if err := report.WriteJSONL(&b, res); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	types := map[string]int{}
	for _, l := range lines {
		var v struct {
			Type string `json:"type"`
		}
		if err := json.Unmarshal([]byte(l), &v); err != nil {
			t.Fatalf("line is not JSON: %s", l)
		}
		types[v.Type]++
	}
	if types["finding"] != len(res.Findings) || types["summary"] != 1 || types["rejection"] != len(res.Rejections) || types["skipped"] != len(res.Skipped) {
		t.Errorf("line types %v for %d findings", types, len(res.Findings))
	}
	var last struct {
		Type                               string
		Read, Matched, Unmatched, Rejected int64
	}
	_ = json.Unmarshal([]byte(lines[len(lines)-1]), &last)
	if last.Type != "summary" || last.Read != last.Matched+last.Unmatched+last.Rejected {
		t.Errorf("summary line does not account for every record: %+v", last)
	}
}

func TestSummaryLine(t *testing.T) {
	tests := []struct {
		sum  scan.Summary
		want []string
	}{
		{scan.Summary{Files: 1, Read: 3, Matched: 1, Unmatched: 1, Rejected: 1, Findings: 1},
			[]string{"1 file ", "3 records read = 1 matched + 1 unmatched + 1 rejected; 1 finding"}},
		{scan.Summary{Files: 2, Read: 10, Matched: 10, Findings: 7, Duplicates: 3, Forgotten: 2, Filtered: 1},
			[]string{"2 files", "7 findings", "3 duplicate findings dropped", "duplicate check out of memory for 2 findings", "1 finding filtered out"}},
		{scan.Summary{Files: 1, Read: 70000, Matched: 70000, CorrelationNotKept: 4464},
			[]string{"4464 records past what correlations keep, not counted"}},
	}
	for _, tt := range tests {
		got := report.SummaryLine(tt.sum)
		for _, w := range tt.want {
			if !strings.Contains(got, w) {
				t.Errorf("SummaryLine = %q, want it to say %q", got, w)
			}
		}
	}
	if got := report.SummaryLine(scan.Summary{Files: 1}); strings.Contains(got, "out of memory") {
		t.Errorf("SummaryLine of a plain scan = %q, mentions the duplicate check", got)
	}
}

func TestSummaryLineControlItems(t *testing.T) {
	got := report.SummaryLine(scan.Summary{Files: 1, ControlItems: 2})
	if !strings.Contains(got, "2 CloudWatch control messages not read") {
		t.Errorf("SummaryLine = %q, want it to count the control messages set aside", got)
	}
}

// TestJSONLWriterOrder checks that lines keep their order whether they go
// through the buffer (small) or straight out (chunks), and that Close
// writes the summary last.
func TestJSONLWriterOrder(t *testing.T) {
	var out bytes.Buffer
	jw := report.NewJSONLWriter(&out)
	var want []string
	for i, n := range []int{10, 40 << 10, 5, 5, 100 << 10, 1} {
		line := fmt.Sprintf(`{"n":%d,"pad":"%s"}`, i, strings.Repeat("x", n))
		want = append(want, line)
		if err := jw.Lines([]byte(line + "\n")); err != nil {
			t.Fatal(err)
		}
	}
	if err := jw.Close(&scan.Result{}); err != nil {
		t.Fatal(err)
	}
	got := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(got) != len(want)+1 || !strings.HasPrefix(got[len(got)-1], `{"type":"summary"`) {
		t.Fatalf("got %d lines, want %d and the summary last", len(got), len(want)+1)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("line %d is %.40q…, want %.40q…", i, got[i], want[i])
		}
	}
}

// TestGroupedJSONEmpty checks that a grouped JSON document keeps its shape
// when there is nothing to group: an empty actors list, no findings list.
func TestGroupedJSONEmpty(t *testing.T) {
	var b bytes.Buffer
	if err := report.WriteJSON(&b, &scan.Result{Rejections: []scan.Rejection{}, Skipped: []scan.Rejection{}}, report.Options{GroupByActor: true}); err != nil {
		t.Fatal(err)
	}
	var d map[string]json.RawMessage
	if err := json.Unmarshal(b.Bytes(), &d); err != nil {
		t.Fatalf("%v:\n%s", err, b.String())
	}
	if string(d["actors"]) != "[]" || d["findings"] != nil {
		t.Errorf("actors %s, findings %s; want [] and none", d["actors"], d["findings"])
	}
}

// TestTallyRulesWithoutID checks that findings of rules with no catalog
// technique are counted per rule, by id and file: two rules without an id
// are two rows, not one under the first one's title.
func TestTallyRulesWithoutID(t *testing.T) {
	f := func(title, file string) scan.Finding {
		return scan.Finding{EventID: title, Rule: scan.RuleRef{Title: title, File: file, Origin: "external"}}
	}
	res := &scan.Result{Findings: []scan.Finding{f("one", "rules/a.yml"), f("two", "rules/b.yml"), f("one again", "rules/a.yml")}}
	counts, err := report.Tally(res)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, c := range counts {
		got[c.TechniqueName] = c.Findings
	}
	want := map[string]int{"(no catalog technique) one": 2, "(no catalog technique) two": 1}
	if len(got) != len(want) || got["(no catalog technique) one"] != 2 || got["(no catalog technique) two"] != 1 {
		t.Errorf("tally rows %v, want %v", got, want)
	}
}

// TestTechniqueCellOfUnmappedRules checks the TECHNIQUE cells of the
// table for findings of rules with no catalog technique: the rule's first
// ATT&CK tag in parentheses, with + when it has more, and "-" for a rule
// with no tag, in both the techniques and the findings tables.
func TestTechniqueCellOfUnmappedRules(t *testing.T) {
	f := func(id, title string, attack ...string) scan.Finding {
		return scan.Finding{Type: "finding", EventID: id, EventTime: "2026-01-01T00:00:0" + id + "Z", EventSource: "ec2.amazonaws.com", EventName: "RunInstances",
			Outcome: "success", Rule: scan.RuleRef{ID: title, Title: title, File: "rules/" + title + ".yml", Origin: "external", ATTACK: attack}}
	}
	res := &scan.Result{Findings: []scan.Finding{f("1", "several", "T1548", "T1550"), f("2", "one", "T1110"), f("3", "none")}}
	res.Summary.Findings = len(res.Findings)
	var b bytes.Buffer
	if err := report.WriteTable(&b, res, tactics, report.Options{}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"\n(T1548+)  ", "\n(T1110)  ", "\n-  ", "Z  (T1548+)  ", "Z  (T1110)  ", "Z  -  "} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	b.Reset()
	if err := report.WriteHTML(&b, res, tactics, report.Options{}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<td><code>(T1548&#43;)</code></td>", `<code class="nw">(T1110)</code>`, `<code class="nw">-</code>`} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("HTML report lacks %q", want)
		}
	}
}

// TestWarningsMoreNotListed checks that the table and Markdown say how many
// warnings went unlisted past the scan's cap, and count all of them.
func TestWarningsMoreNotListed(t *testing.T) {
	w := scan.Rejection{File: "a.json", Reason: "forged", Whole: true}
	res := &scan.Result{Warnings: []scan.Rejection{w, w}, Summary: scan.Summary{Warnings: 5, Unlisted: scan.Unlisted{Warnings: 3}}}
	var table, md bytes.Buffer
	if err := report.WriteTable(&table, res, tactics, report.Options{}); err != nil {
		t.Fatal(err)
	}
	if err := report.WriteMarkdown(&md, res, tactics, report.Options{}); err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string]string{"table": table.String(), "markdown": md.String()} {
		if !strings.Contains(out, "5 warnings") || !strings.Contains(out, "… 3 more not listed") {
			t.Errorf("%s does not count the warnings it leaves out:\n%s", name, out)
		}
	}
	if !strings.Contains(table.String(), "WARNINGS (5)") {
		t.Errorf("table heading does not count every warning:\n%s", table.String())
	}
}
