package scan_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ttcproject/ttc/internal/ruleset"
	"github.com/ttcproject/ttc/internal/scan"
)

// paramRules writes a rule for decrypted Parameter Store reads and two
// value_count correlations over it, one counting requestParameters.name
// (GetParameter) and one requestParameters.names (GetParameters, a
// list), and loads them beside the catalog's.
func paramRules(tb testing.TB, gte int) *ruleset.Set {
	tb.Helper()
	c, _ := fixtures(tb)
	dir := tb.TempDir()
	files := map[string]string{"base.yml": `title: Parameter decrypted
name: param_read
id: 0d1e2f30-0000-4000-8000-000000000011
tags: [attack.credential-access, attack.t1555.006]
logsource: {product: aws, service: cloudtrail}
detection:
  sel: {eventSource: ssm.amazonaws.com, eventName: [GetParameter, GetParameters], requestParameters.withDecryption: true}
  condition: sel
level: informational
`}
	for i, field := range []string{"requestParameters.name", "requestParameters.names"} {
		files[fmt.Sprintf("count%d.yml", i)] = fmt.Sprintf(`title: Many parameters by %s
id: 0d1e2f30-0000-4000-8000-00000000002%d
tags: [attack.credential-access, attack.t1555.006]
correlation:
  type: value_count
  rules: [param_read]
  group-by: [userIdentity.arn]
  timespan: 10m
  condition: {field: %s, gte: %d}
level: medium
`, field, i, field, gte)
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	rs, err := ruleset.Load(c, []string{dir})
	if err != nil {
		tb.Fatal(err)
	}
	return rs
}

// paramRead is a decrypted read by arn at second sec: a GetParameter of
// the one name given, or a GetParameters of the others (an empty list
// when none).
func paramRead(arn, id string, sec int, names ...string) string {
	at := time.Date(2027, 1, 11, 3, 0, 0, 0, time.UTC).Add(time.Duration(sec) * time.Second).Format(time.RFC3339)
	event, params := "GetParameters", `"names":[]`
	switch {
	case len(names) == 1:
		event, params = "GetParameter", `"name":"`+names[0]+`"`
	case len(names) > 1:
		params = `"names":["` + strings.Join(names, `","`) + `"]`
	}
	return fmt.Sprintf(`{"eventVersion":"1.11","userIdentity":{"type":"AssumedRole","arn":"%s"},"eventTime":"%s",`+
		`"eventSource":"ssm.amazonaws.com","eventName":"%s","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.9",`+
		`"requestParameters":{%s,"withDecryption":true},"eventID":"%s","recipientAccountId":"111122223333"}`, arn, at, event, params, id)
}

// names returns n parameter names from /p/from on.
func names(from, n int) []string {
	var out []string
	for i := range n {
		out = append(out, fmt.Sprintf("/p/%d", from+i))
	}
	return out
}

// paramFindings sums up the findings of paramRules' correlations in res,
// one a line: the field counted, the count, the group and the last record.
func paramFindings(res *scan.Result) string {
	var out []string
	for _, f := range corrFindings(res) {
		if strings.HasPrefix(f.Rule.Title, "Many parameters by ") {
			c := f.Correlation
			out = append(out, fmt.Sprintf("%s %d %s %s", c.Field, c.Count, c.Group[0].Value, f.EventID))
		}
	}
	slices.Sort(out)
	return strings.Join(out, "\n")
}

// TestCorrelationLists checks that a value_count counts the elements of a
// field that holds a list, each distinct one once across the records of
// a window, and that a scan of files, which keeps compact notes, and one
// of streams, which keeps whole findings, agree, however many workers
// read them.
func TestCorrelationLists(t *testing.T) {
	c, _ := fixtures(t)
	rs := paramRules(t, 10)
	const s1, s2 = "arn:aws:sts::111122223333:assumed-role/app/s1", "arn:aws:sts::111122223333:assumed-role/app/s2"
	rotate := func(k int) []string {
		ns := names(0, 9)
		return append(ns[k%9:], ns[:k%9]...)
	}
	cases := []struct {
		name  string
		files [][]string
		want  string
	}{
		{"three calls of four names", [][]string{
			{paramRead(s1, "a3", 120, names(8, 4)...), paramRead(s1, "a1", 0, names(0, 4)...)},
			{paramRead(s1, "a2", 60, names(4, 4)...)},
			{paramRead(s1, "a2", 60, names(4, 4)...)}, // a second trail's copy
		}, "requestParameters.names 12 " + s1 + " a3"},
		{"the same nine names again and again, in other orders", [][]string{
			func() []string {
				var recs []string
				for k := range 12 {
					recs = append(recs, paramRead(s1, fmt.Sprintf("b%d", k), k*30, rotate(k)...))
				}
				return recs
			}(),
		}, ""},
		{"names shared between calls count once", [][]string{
			{paramRead(s1, "c1", 0, names(0, 6)...), paramRead(s1, "c2", 30, names(3, 6)...)},
			{paramRead(s1, "c3", 60, names(6, 4)...)},
		}, "requestParameters.names 10 " + s1 + " c3"},
		{"duplicates, nulls and empty lists", [][]string{{
			strings.Replace(paramRead(s1, "d1", 0, "/p/0", "/p/0", "/p/1"), `"/p/1"]`, `"/p/1",null]`, 1),
			paramRead(s1, "d2", 10),
			strings.Replace(paramRead(s1, "d3", 20), `"names":[]`, `"names":null`, 1),
			strings.Replace(paramRead(s1, "d4", 30), `"names":[],`, ``, 1),
			paramRead(s1, "d5", 40, names(1, 9)...),
		}}, "requestParameters.names 10 " + s1 + " d5"},
		// GetParameter and GetParameters count apart, each its own field.
		{"a burst of both calls counts per field", [][]string{{
			paramRead(s2, "e1", 0, "/p/0"), paramRead(s2, "e2", 10, "/p/1"), paramRead(s2, "e3", 20, "/p/2"),
			paramRead(s2, "e4", 30, "/p/3"), paramRead(s2, "e5", 40, "/p/4"), paramRead(s2, "e6", 50, "/p/5"),
			paramRead(s2, "e7", 60, names(6, 6)...),
		}}, ""},
		{"groups count apart", [][]string{
			{paramRead(s1, "f1", 0, names(0, 5)...), paramRead(s2, "f2", 10, names(5, 5)...)},
			{paramRead(s2, "f3", 20, names(0, 5)...), paramRead(s1, "f4", 30, names(0, 5)...)},
		}, "requestParameters.names 10 " + s2 + " f3"},
		{"a window past the first", [][]string{{
			paramRead(s1, "g1", 0, names(0, 4)...), paramRead(s1, "g2", 300, names(100, 5)...),
			paramRead(s1, "g3", 601, names(200, 5)...),
		}}, "requestParameters.names 10 " + s1 + " g3"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			paths := writeLogs(t, tc.files...)
			for _, workers := range []int{1, 3} {
				s := scan.New(c, rs, scan.Options{Workers: workers})
				res, err := s.Scan(context.Background(), paths)
				if err != nil {
					t.Fatal(err)
				}
				streams := streamsOf(t, scan.New(c, rs, scan.Options{Workers: workers}), paths)
				if got := paramFindings(res); got != tc.want {
					t.Errorf("workers %d: findings\n%s\nwant\n%s", workers, got, tc.want)
				}
				if got, want := corrJSON(t, res), corrJSON(t, streams); got != want {
					t.Errorf("workers %d: files:\n%s\nstreams:\n%s", workers, got, want)
				}
				if res.Summary.CorrelationNotKept != 0 || streams.Summary.CorrelationNotKept != 0 || res.Summary.Warnings != 0 {
					t.Errorf("workers %d: not kept %d and %d, %d warnings", workers,
						res.Summary.CorrelationNotKept, streams.Summary.CorrelationNotKept, res.Summary.Warnings)
				}
			}
		})
	}
}

// TestCorrelationListBounds: a record whose counted list holds a thousand
// names is charged for them, in the bytes of the bounds, as a file's
// compact note and as a stream's whole record: past the room left it is
// counted as not kept, where the records of one name each still are.
func TestCorrelationListBounds(t *testing.T) {
	c, _ := fixtures(t)
	rs := paramRules(t, 10)
	const s1, s2 = "arn:aws:sts::111122223333:assumed-role/app/s1", "arn:aws:sts::111122223333:assumed-role/app/s2"
	recs := []string{paramRead(s1, "big", 0, names(0, 1000)...)}
	for i := range 12 {
		recs = append(recs, paramRead(s2, fmt.Sprintf("one%d", i), 10+i, fmt.Sprintf("/p/%d", i)))
	}
	paths := writeLogs(t, recs)
	scans := map[string]func(*scan.Scanner) *scan.Result{
		"files": func(s *scan.Scanner) *scan.Result {
			res, err := s.Scan(context.Background(), paths)
			if err != nil {
				t.Fatal(err)
			}
			return res
		},
		"streams": func(s *scan.Scanner) *scan.Result { return streamsOf(t, s, paths) },
	}
	for name, run := range scans {
		t.Run(name, func(t *testing.T) {
			res := run(scan.New(c, rs, scan.Options{Workers: 1}))
			want := "requestParameters.name 12 " + s2 + " one11\nrequestParameters.names 1000 " + s1 + " big"
			if got := paramFindings(res); got != want || res.Summary.CorrelationNotKept != 0 {
				t.Errorf("findings\n%s\nwant\n%s\n(not kept %d)", got, want, res.Summary.CorrelationNotKept)
			}
			// 64 KiB: half of it is the pool, in which the thousand names
			// (some 56 KB) have no room.
			defer scan.SetCorrelationLimits(1<<16, 64<<10)()
			res = run(scan.New(c, rs, scan.Options{Workers: 1}))
			want = "requestParameters.name 12 " + s2 + " one11"
			if got := paramFindings(res); got != want || res.Summary.CorrelationNotKept != 1 {
				t.Errorf("bounded: findings\n%s\nwant\n%s\n(not kept %d, want 1)", got, want, res.Summary.CorrelationNotKept)
			}
		})
	}
}

// TestCorrelationListBytes measures what a value of a counted list costs
// at the peak of a scan's correlations, beside its record's compact note,
// and checks it against what a record is charged for it.
func TestCorrelationListBytes(t *testing.T) {
	if testing.Short() {
		t.Skip("scans 8,000 records of 200 names")
	}
	c, _ := fixtures(t)
	rs := paramRules(t, 1<<30)
	defer scan.SetCorrelationLimits(1<<20, 1<<30)() // room for all
	const n, size = 2000, 200
	peakOf := func(n, size int) float64 {
		var files [][]string
		for f := range 2 {
			var recs []string
			for i := range n / 2 {
				k := f*n/2 + i
				arn := fmt.Sprintf("arn:aws:sts::111122223333:assumed-role/app/s%d", k%50)
				recs = append(recs, paramRead(arn, fmt.Sprintf("id%d", k), k, names(k*size, size)...))
			}
			files = append(files, recs)
		}
		return correlationPeak(t, scan.New(c, rs, scan.Options{Workers: 2}), writeLogs(t, files...), n)
	}
	// Records of one name each, then of size names: what the lists add.
	one := (peakOf(3*n, 1) - peakOf(n, 1)) / (2 * n)
	listed := (peakOf(3*n, size) - peakOf(n, size)) / (2 * n)
	per := (listed - one) / size
	t.Logf("%.1f bytes a record of one name, %.1f of %d names: %.1f a value at the peak (charged: %d)",
		one, listed, size, per, scan.ListValueBytes)
	if per > scan.ListValueBytes {
		t.Errorf("a value of a list costs %.1f bytes at the peak, more than the %d charged", per, scan.ListValueBytes)
	}
}
