package scan_test

import (
	"context"
	"errors"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/ttcproject/ttc/internal/catalog"
	"github.com/ttcproject/ttc/internal/ruleset"
	"github.com/ttcproject/ttc/internal/scan"
)

// TestStreamMatchesResult checks that streaming hands on the same findings,
// duplicates and filters included, as a scan that keeps them.
func TestStreamMatchesResult(t *testing.T) {
	c, rs := fixtures(t)
	// The second file is delivered twice in the fixture, so duplicates occur.
	inputs := []string{"testdata/logs"}
	kept, res, streamed, want := bothWays(t, c, rs, inputs)
	// The lines are the kept findings' JSON, byte for byte, but for where
	// the record lies: of two copies of an event in two files, a streamed
	// scan keeps the one a worker reads first, a kept scan the first by time
	// and file.
	where := regexp.MustCompile(`"record":\{[^}]*\}`)
	for _, list := range [][]string{streamed, want} {
		for i, l := range list {
			list[i] = where.ReplaceAllString(l, `"record":{}`)
		}
	}
	sort.Strings(streamed)
	sort.Strings(want)
	// Both ways read the target: from the reader's listing of the record,
	// and from the record's text.
	if !strings.Contains(strings.Join(streamed, "\n"), `"target":[{"field":"requestParameters.bucketName","value":"acme-finance-records"}`) {
		t.Errorf("no streamed finding names its bucket as its target:\n%s", strings.Join(streamed, "\n"))
	}
	if strings.Join(streamed, "\n") != strings.Join(want, "\n") {
		t.Errorf("streamed:\n%s\nkept:\n%s", strings.Join(streamed, "\n"), strings.Join(want, "\n"))
	}
	if len(res.Findings) != 0 || res.Summary.Findings != len(want) || res.Summary.Duplicates != kept.Summary.Duplicates {
		t.Errorf("streaming summary %+v, want %d findings and %d duplicates, none kept", res.Summary, len(want), kept.Summary.Duplicates)
	}
}

// bothWays scans inputs keeping the findings and streaming them, and
// returns both results, the streamed lines and the kept findings' lines.
func bothWays(t *testing.T, c *catalog.Catalog, rs *ruleset.Set, inputs []string) (kept, res *scan.Result, streamed, want []string) {
	t.Helper()
	kept, err := scan.New(c, rs, scan.Options{Workers: 2}).Scan(context.Background(), inputs)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex // EmitJSON is called from several workers at once
	res, err = scan.New(c, rs, scan.Options{Workers: 2, EmitJSON: func(lines []byte) error {
		mu.Lock()
		defer mu.Unlock()
		if len(lines) == 0 || lines[len(lines)-1] != '\n' {
			t.Errorf("EmitJSON got %d bytes that are not whole lines", len(lines))
		}
		for _, l := range strings.SplitAfter(string(lines), "\n") {
			if l != "" {
				streamed = append(streamed, l)
			}
		}
		return nil
	}}).Scan(context.Background(), inputs)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range kept.Findings {
		want = append(want, string(f.AppendJSON(nil))+"\n")
	}
	return kept, res, streamed, want
}

func TestStreamStopsOnError(t *testing.T) {
	c, rs := fixtures(t)
	boom := errors.New("broken pipe")
	_, err := scan.New(c, rs, scan.Options{EmitJSON: func([]byte) error { return boom }}).Scan(context.Background(), []string{"testdata/logs"})
	if !errors.Is(err, boom) {
		t.Errorf("Scan = %v, want the emit error", err)
	}
}
