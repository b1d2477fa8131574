package detect

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// TestLiteralTable checks that an item listing many plain values, which is
// matched through a lookup table, matches exactly as comparing value by
// value does: the same rules, and the same evidence when several values of
// a field match different listed values.
func TestLiteralTable(t *testing.T) {
	var ips []string
	for i := 1; i <= 12; i++ {
		ips = append(ips, fmt.Sprintf("  - 203.0.113.%d", i))
	}
	detections := map[string]string{
		"any":     "sel:\n  sourceIPAddress:\n" + strings.Join(ips, "\n") + "\ncondition: sel",
		"cased":   "sel:\n  eventName|cased:\n  - GetObject\n  - getobject\n  - PutObject\n  - DeleteObject\n  - CopyObject\n  - HeadObject\n  - ListObjects\n  - ListBuckets\n  - GetBucketAcl\ncondition: sel",
		"folded":  "sel:\n  requestParameters.key:\n  - Alpha\n  - beta\n  - GAMMA\n  - delta\n  - epsilon\n  - zeta\n  - eta\n  - theta\n  - alpha\ncondition: sel",
		"not":     "sel:\n  eventName: GetObject\nfilter:\n  sourceIPAddress:\n" + strings.Join(ips, "\n") + "\ncondition: sel and not filter",
		"numbers": "sel:\n  requestParameters.count:\n  - 1\n  - '5'\n  - two\n  - 7.5\n  - 5\n  - 1e3\n  - 0x10\n  - -0\n  - 111122223333\ncondition: sel",
	}
	records := []string{
		`{"eventName":"GetObject","sourceIPAddress":"203.0.113.7"}`,
		`{"eventName":"GetObject","sourceIPAddress":"198.51.100.7"}`,
		`{"eventName":"getobject","sourceIPAddress":["198.51.100.1","203.0.113.9","203.0.113.2"]}`,
		`{"eventName":"GetObject","sourceIPAddress":{"a":"203.0.113.12","b":{"c":"203.0.113.3"}}}`,
		`{"eventName":"GetObject","sourceIPAddress":null}`,
		`{"eventName":"GetObject","requestParameters":{"key":["ETA","zeta","ALPHA"]}}`,
		`{"eventName":"GetObject","requestParameters":{"key":"Theta"}}`,
		`{"eventName":"GETOBJECT","requestParameters":{"key":"omega"}}`,
		`{"eventName":"GetObject","sourceIPAddress":203.0}`,
		`{"eventName":"GetObject","requestParameters":{"count":5.0}}`,
		`{"eventName":"GetObject","requestParameters":{"count":"5"}}`,
		`{"eventName":"GetObject","requestParameters":{"count":[2,1000,7.50,5]}}`,
		`{"eventName":"GetObject","requestParameters":{"count":[0.0,"TWO"]}}`,
		`{"eventName":"GetObject","requestParameters":{"count":16}}`,
		`{"eventName":"GetObject","requestParameters":{"count":1.11122223333e11}}`,
		`{"eventName":"GetObject","requestParameters":{"count":"111122223333"}}`,
	}
	for name, det := range detections {
		tabled, err := compileOne(t, det, Options{})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		plain, _ := compileOne(t, det, Options{})
		if dropTables(tabled, false) == 0 {
			t.Fatalf("%s: no item got a lookup table", name)
		}
		dropTables(plain, true)
		for _, rec := range records {
			want, err1 := plain.Match([]byte(rec))
			got, err2 := tabled.Match([]byte(rec))
			if !reflect.DeepEqual(got, want) || (err1 == nil) != (err2 == nil) {
				t.Errorf("%s on %s: with the table %v, %v; value by value %v, %v", name, rec, got, err2, want, err1)
			}
		}
	}
	// The earliest listed value wins, whichever comes first in the record.
	m, _ := compileOne(t, detections["any"], Options{})
	got, _ := m.Match([]byte(records[2]))
	if len(got) != 1 || got[0].Fields[0].Value != "203.0.113.2" {
		t.Errorf("evidence %v, want 203.0.113.2, listed before 203.0.113.9", got)
	}
}

// dropTables counts the items of m with a lookup table, removing the
// tables when drop is set.
func dropTables(m *Matcher, drop bool) int {
	n := 0
	for _, cr := range m.rules {
		for _, s := range cr.searches {
			for _, alt := range s.alts {
				for _, it := range alt {
					if it.exact != nil {
						n++
						if drop {
							it.exact = nil
						}
					}
				}
			}
		}
	}
	return n
}
