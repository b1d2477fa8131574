package detect

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestFieldrefMany checks that fieldref pairs fields of many values as it
// pairs fields of few, with the same evidence (the first value of the
// field that pairs with any referenced one), and in time linear in their
// size; and that fieldref|contains, which has no shortcut, refuses a
// record past its budget rather than run for minutes.
func TestFieldrefMany(t *testing.T) {
	record := func(a, b []string) string {
		q := func(vs []string) string { return `["` + strings.Join(vs, `","`) + `"]` }
		return `{"requestParameters":{"a":` + q(a) + `,"b":` + q(b) + `}}`
	}
	seq := func(prefix string, n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("%s%d", prefix, i)
		}
		return out
	}
	cases := []struct {
		mode string
		a, b []string
		want string // evidence; "" for no match
	}{
		{"", seq("x", 70), append(seq("y", 69), "X42"), "x42"},
		{"", seq("x", 10), append(seq("y", 9), "x7"), "x7"},
		{"", seq("x", 70), seq("y", 70), ""},
		{"|startswith", seq("pre-", 70), append(seq("z", 69), "PRE-4"), "pre-4"},
		{"|startswith", seq("pre-", 10), append(seq("z", 9), "pre-4"), "pre-4"},
		{"|endswith", seq("a", 70), append(seq("z", 69), "9"), "a9"},
		{"|endswith", seq("a", 70), append(seq("z", 69), ""), "a0"},
		{"|cased", seq("x", 70), append(seq("y", 69), "X42"), ""},
		{"|contains", seq("abc", 70), append(seq("z", 69), "c6"), "abc6"},
	}
	for _, tc := range cases {
		m, err := compileOne(t, "sel:\n  requestParameters.a|fieldref"+tc.mode+": requestParameters.b\ncondition: sel", Options{})
		if err != nil {
			t.Fatal(err)
		}
		got, err := m.Match([]byte(record(tc.a, tc.b)))
		switch {
		case err != nil:
			t.Errorf("%q, %d × %d values: %v", tc.mode, len(tc.a), len(tc.b), err)
		case tc.want == "" && len(got) > 0:
			t.Errorf("%q, %d × %d values: matched %+v, want no match", tc.mode, len(tc.a), len(tc.b), got)
		case tc.want != "" && (len(got) != 1 || got[0].Fields[0].Value != tc.want):
			t.Errorf("%q, %d × %d values: %+v, want a match on %q", tc.mode, len(tc.a), len(tc.b), got, tc.want)
		}
	}

	// 65,000 values on each side: linear through the set.
	m, err := compileOne(t, "sel:\n  requestParameters.a|fieldref|endswith: requestParameters.b\ncondition: sel", Options{})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	got, err := m.Match([]byte(record(seq("a", 65000), seq("b", 65000))))
	if err != nil || len(got) != 0 {
		t.Errorf("65,000 × 65,000 values: %v, %v; want no match", got, err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("65,000 × 65,000 values took %s", d)
	}
	// Equality of a long value with many short ones costs a length
	// comparison each: no refusal.
	m, err = compileOne(t, "sel:\n  requestParameters.a|fieldref: requestParameters.b\ncondition: sel", Options{})
	if err != nil {
		t.Fatal(err)
	}
	got, err = m.Match([]byte(record([]string{strings.Repeat("x", 300000)}, append(seq("y", 1000), strings.Repeat("X", 300000)))))
	if err != nil || len(got) != 1 {
		t.Errorf("one 300,000-byte value against 1,001 others: %d matches, %v; want one", len(got), err)
	}
	// contains over 20,000 × 20,000 values passes the budget: refused.
	m, err = compileOne(t, "sel:\n  requestParameters.a|fieldref|contains: requestParameters.b\ncondition: sel", Options{})
	if err != nil {
		t.Fatal(err)
	}
	got, err = m.Match([]byte(record(seq("a", 20000), seq("b", 20000))))
	if !errors.Is(err, ErrTooManyPairs) || len(got) != 0 {
		t.Errorf("contains over 20,000 × 20,000 values: %v, %v; want it refused", got, err)
	}
}

// TestLeavesOnce checks that an object's leaves are listed once a record
// however many patterns look into it: fifty patterns on an object of
// 10,000 leaves hold 10,000 values, not hundreds of thousands, past
// MaxValues.
func TestLeavesOnce(t *testing.T) {
	var pats, leaves []string
	for i := range 50 {
		pats = append(pats, fmt.Sprintf("  - '*needle%d*'", i))
	}
	for i := range 10000 {
		leaves = append(leaves, fmt.Sprintf(`"k%d":"hay%d"`, i, i))
	}
	m, err := compileOne(t, "sel:\n  requestParameters:\n"+strings.Join(pats, "\n")+"\ncondition: sel", Options{})
	if err != nil {
		t.Fatal(err)
	}
	rec := `{"requestParameters":{` + strings.Join(leaves, ",") + `,"z":"a needle49 b"}}`
	got, err := m.Match([]byte(rec))
	if err != nil || len(got) != 1 || len(got[0].Fields) != 1 || got[0].Fields[0].Value != "a needle49 b" {
		t.Errorf("%+v, %v; want a match on the last leaf", got, err)
	}
}

// TestRegexpBudget checks that a record on which the rules' regular
// expressions would take more steps than the budget is refused, and that
// the same expression runs on a value of ordinary length.
func TestRegexpBudget(t *testing.T) {
	m, err := compileOne(t, "sel:\n  userAgent|re: '"+strings.Repeat("x?", 900)+"y'\ncondition: sel", Options{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := m.Match([]byte(`{"userAgent":"` + strings.Repeat("x", 1<<20) + `y"}`))
	if !errors.Is(err, ErrRegexpTooCostly) || len(got) != 0 {
		t.Errorf("a 1 MiB value: %v, %v; want it refused", got, err)
	}
	got, err = m.Match([]byte(`{"userAgent":"aws-cli/2 xxy"}`))
	if err != nil || len(got) != 1 {
		t.Errorf("a short value: %v, %v; want a match", got, err)
	}

	// A match at 60 % of the budget is a match: the evidence looks at the
	// item again, and runs nothing twice.
	m, err = compileOne(t, "sel:\n  userAgent|re: 'a{1,999}!'\ncondition: sel", Options{})
	if err != nil {
		t.Fatal(err)
	}
	n := maxReWork * 6 / 10 / reSize("a{1,999}!")
	got, err = m.Match([]byte(`{"userAgent":"` + strings.Repeat("a", n) + `!"}`))
	if err != nil || len(got) != 1 {
		t.Errorf("a match at 60%% of the budget: %v, %v; want a match", got, err)
	}

	// The literal check costs a step a literal, even on empty values.
	var exprs []string
	for i := range 1000 {
		exprs = append(exprs, fmt.Sprintf("  - 'zq%05d[a-p]'", i))
	}
	m, err = compileOne(t, "keywords:\n  '|re':\n"+strings.Join(exprs, "\n")+"\ncondition: keywords", Options{})
	if err != nil {
		t.Fatal(err)
	}
	got, err = m.Match([]byte(`{"requestParameters":{"v":[` + strings.Repeat(`"",`, 130000) + `""]}}`))
	if !errors.Is(err, ErrRegexpTooCostly) || len(got) != 0 {
		t.Errorf("1,000 expressions on 130,000 empty values: %v, %v; want it refused", got, err)
	}
}
