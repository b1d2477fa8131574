package detect

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestNumbersExact checks that a YAML number in a rule matches a JSON
// number of exactly its value, on both paths: one value compared alone,
// and one in a lookup table (eight values or more). float64 alone would
// take neighbours for equals past 2^53, and a number below its range for
// zero.
func TestNumbersExact(t *testing.T) {
	cases := []struct {
		rule, record string
		want         bool
	}{
		{"5", "5.0", true},
		{"5", "5e0", true},
		{"-0", "0", true},
		{"0", "0.0", true},
		{"111122223333", "1.11122223333e11", true},
		{"12345678901234567890", "12345678901234567890", true},
		{"12345678901234567890", "1.2345678901234567890e19", true},
		{"12345678901234567890", "12345678901234567891", false},
		{"12345678901234567891", "12345678901234567890", false},
		{"9007199254740993", "9007199254740992", false}, // 2^53 + 1 and 2^53
		{"0.1", "0.1000000000000000055511151231257827", false},
		{"0", "1e-400", false},
		{"0", "-1e-400", false},
		{"0", "1e-1000000000", false},
		// Past float64's range, by exact value.
		{"1e400", "1e400", true},
		{"1e400", "10E+399", true},
		{"1e400", "1e401", false},
		{"0", "1e-2147483649", false},
		{"1e-1000000000", "1e-1000000000", true},
		{"1e-1000000000", "10e-1000000001", true},
		{"1e-1000000000", "0", false},
		{"0", "0e999999999", true},
		// Past 100 characters, float64 decides.
		{"1", "1." + strings.Repeat("0", 100) + "1", true},
		{"1", "1." + strings.Repeat("0", 97) + "1", false},
	}
	for _, tc := range cases {
		record := fmt.Sprintf(`{"eventName":"GetObject","requestParameters":{"count":%s}}`, tc.record)
		for _, listed := range []bool{false, true} {
			values := "  - " + tc.rule
			if listed {
				values += "\n  - seven\n  - other\n  - values\n  - make\n  - it\n  - a\n  - table"
			}
			m, err := compileOne(t, "sel:\n  requestParameters.count:\n"+values+"\ncondition: sel", Options{})
			if err != nil {
				t.Fatal(err)
			}
			if n := dropTables(m, false); (n > 0) != listed {
				t.Fatalf("rule %s, listed %v: %d lookup tables", tc.rule, listed, n)
			}
			start := time.Now()
			got, err := m.Match([]byte(record))
			if err != nil {
				t.Fatal(err)
			}
			if (len(got) > 0) != tc.want {
				t.Errorf("rule value %s, listed %v, record %s: matched %v, want %v", tc.rule, listed, tc.record, len(got) > 0, tc.want)
			}
			// A record decoded with json.Number keeps the text, and agrees.
			if slow := m.MatchDecoded(decode(t, record)); len(slow) != len(got) {
				t.Errorf("rule value %s, listed %v, record %s: decoded path %d matches, raw %d", tc.rule, listed, tc.record, len(slow), len(got))
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("record %s took %s", tc.record, d)
			}
		}
	}

	// Two listed neighbours that read as one float64: the record's value
	// is matched to the one it equals, and that one is the evidence.
	m, err := compileOne(t, "sel:\n  requestParameters.count:\n  - 12345678901234567890\n  - 12345678901234567891\n"+
		strings.Repeat("  - filler\n", 6)+"condition: sel", Options{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := m.Match([]byte(`{"requestParameters":{"count":12345678901234567891}}`))
	if err != nil || len(got) != 1 || got[0].Fields[0].Value != "12345678901234567891" {
		t.Errorf("got %v, %v; want a match on 12345678901234567891", got, err)
	}
}

// TestTooManyValues checks that a record whose fields, as the rules read
// them, hold more than MaxValues values is refused, whether they are the
// elements of one array or the leaves of an object, and that one at the
// bound is matched. A keyword search reads every value of the record,
// even when it is read only for the evidence of a match.
func TestTooManyValues(t *testing.T) {
	field, err := compileOne(t, "sel:\n  requestParameters.count: 7\ncondition: sel", Options{})
	if err != nil {
		t.Fatal(err)
	}
	keyword, err := compileOne(t, "sel:\n  requestParameters.count: 7\nkw:\n  - needle\ncondition: sel or kw", Options{})
	if err != nil {
		t.Fatal(err)
	}
	array := func(n int) string {
		return `{"requestParameters":{"count":[` + strings.Repeat("0,", n-1) + `7]}}`
	}
	for _, tc := range []struct {
		name    string
		m       *Matcher
		record  string
		refused bool
	}{
		{"array at the bound", field, array(MaxValues), false},
		{"array past the bound", field, array(MaxValues + 1), true},
		{"array at the bound, a keyword search besides", keyword, array(MaxValues), true},
		{"leaves past the bound", keyword, `{"eventName":"x","requestParameters":{"a":[` + strings.Repeat(`"a",`, MaxValues) + `"needle"]}}`, true},
	} {
		m := tc.m
		got, err := m.Match([]byte(tc.record))
		switch {
		case tc.refused && (!errors.Is(err, ErrTooManyValues) || len(got) != 0):
			t.Errorf("%s: %d matches, error %v; want it refused", tc.name, len(got), err)
		case !tc.refused && (err != nil || len(got) != 1):
			t.Errorf("%s: %d matches, error %v; want one", tc.name, len(got), err)
		}
		if slow := m.MatchDecoded(decode(t, tc.record)); (len(slow) == 0) != tc.refused {
			t.Errorf("%s: decoded path %d matches", tc.name, len(slow))
		}
	}
}

// TestNumberOrderExact checks that lt, lte, gt and gte order numbers that
// float64 rounds to one value by their exact values.
func TestNumberOrderExact(t *testing.T) {
	cases := []struct {
		cmp, rule, record string
		want              bool
	}{
		{"gte", "9007199254740993", "9007199254740992", false},
		{"gt", "9007199254740992", "9007199254740993", true},
		{"lt", "9007199254740993", "9007199254740992", true},
		{"lte", "9007199254740992", "9007199254740993", false},
		{"gte", "9007199254740993", "9007199254740993.0", true},
		{"lt", "0", "-1e-400", true},
		{"gt", "0", "1e-400", true},
		{"gt", "0", "-0", false},
		{"gte", "-12345678901234567891", "-12345678901234567890", true},
		{"lt", "5", "4", true},
		{"lt", "5", "'4'", true}, // a numeric string
		// NaN, which a string may spell, orders against no number.
		{"gte", "5", "'NaN'", false},
		{"lte", "5", "'nan'", false},
		// Past float64's range: an infinity against every finite number,
		// the exact value against each other.
		{"gt", "1", "1e400", true},
		{"lt", "0", "-1e400", true},
		{"gt", "1e400", "1e401", true},
		{"lt", "1e401", "1e400", true},
		{"gte", "1e400", "10e399", true},
		{"gt", "1e400", "1e400", false},
		{"gt", "1e400", "1e2147483648", true},
		{"lt", "1e-400", "1e-2147483649", true},
		{"lte", "0", "1e-2147483649", false},
	}
	for _, tc := range cases {
		record := fmt.Sprintf(`{"requestParameters":{"count":%s}}`, strings.ReplaceAll(tc.record, "'", `"`))
		m, err := compileOne(t, "sel:\n  requestParameters.count|"+tc.cmp+": "+tc.rule+"\ncondition: sel", Options{})
		if err != nil {
			t.Fatal(err)
		}
		got, err := m.Match([]byte(record))
		if err != nil || (len(got) > 0) != tc.want {
			t.Errorf("%s %s on %s: matched %v (%v), want %v", tc.cmp, tc.rule, tc.record, len(got) > 0, err, tc.want)
		}
	}
}

// TestParseDecimal checks the reduced form numbers are compared in.
func TestParseDecimal(t *testing.T) {
	for _, tc := range []struct {
		in     string
		neg    bool
		digits string
		exp    int64
		ok     bool
	}{
		{"0", false, "", 0, true},
		{"-0.000e5", false, "", 0, true},
		{"12.340", false, "1234", -2, true},
		{"0.005", false, "5", -3, true},
		{"-1E+3", true, "1", 3, true},
		{"+.5", false, "5", -1, true},
		{"5.", false, "5", 0, true},
		{"00120", false, "12", 1, true},
		{"1e", false, "", 0, false},
		{"0x10", false, "", 0, false},
		{"1.2.3", false, "", 0, false},
		{"Inf", false, "", 0, false},
		{".", false, "", 0, false},
		{"1e99999999999", false, "1", 99999999999, true},
		{"1e-99999999999999999999", false, "", 0, false},
		{strings.Repeat("1", 101), false, "", 0, false},
	} {
		d, ok := parseDecimal(nil, []byte(tc.in))
		if ok != tc.ok || (ok && (d.neg != tc.neg || string(d.digits) != tc.digits || d.exp != tc.exp)) {
			t.Errorf("%q: %+v (digits %q), %v; want %v %q %d, %v", tc.in, d, d.digits, ok, tc.neg, tc.digits, tc.exp, tc.ok)
		}
	}
}
