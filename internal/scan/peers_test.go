package scan_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/ttcproject/ttc/internal/catalog"
	"github.com/ttcproject/ttc/internal/scan"
)

const peers = "../../../shared/testdata/peers/"

// scanRecords scans records given as raw JSON and returns the technique IDs
// found, each with whether any of its findings was a successful call. Every
// record must be read and none rejected.
func scanRecords(t *testing.T, recs []json.RawMessage) map[string]bool {
	t.Helper()
	found, rejected := scanRecordsRejecting(t, recs)
	if rejected != 0 {
		t.Errorf("rejected %d of %d records, want 0", rejected, len(recs))
	}
	return found
}

// scanRecordsRejecting is scanRecords for sources whose records may be
// fragments: it returns how many records the scanner rejected instead of
// failing on them.
func scanRecordsRejecting(t *testing.T, recs []json.RawMessage) (map[string]bool, int64) {
	t.Helper()
	c, rs := fixtures(t)
	var buf bytes.Buffer
	for _, r := range recs {
		buf.Write(r)
		buf.WriteByte('\n')
	}
	res, err := scan.New(c, rs, scan.Options{}).ScanReader(context.Background(), "peer", &buf)
	if err != nil {
		t.Fatal(err)
	}
	if res.Summary.Read != int64(len(recs)) {
		t.Errorf("read %d records, want %d", res.Summary.Read, len(recs))
	}
	found := map[string]bool{}
	for _, f := range res.Findings {
		found[f.TechniqueID] = found[f.TechniqueID] || f.Outcome == "success"
	}
	return found, res.Summary.Rejected
}

// yields reports whether a finding of technique id, or of a descendant, is
// among found, and whether one of them was a successful call.
func yields(found map[string]bool, id string) (hit, success bool) {
	for f, ok := range found {
		if f == id || strings.HasPrefix(f, id+".") {
			hit, success = true, success || ok
		}
	}
	return hit, success
}

func readLines(t *testing.T, name string) [][]byte {
	t.Helper()
	data, err := os.ReadFile(peers + name)
	if err != nil {
		t.Skipf("peer cases not available: %v", err)
	}
	var out [][]byte
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 64<<20)
	for sc.Scan() {
		if len(bytes.TrimSpace(sc.Bytes())) > 0 {
			out = append(out, append([]byte(nil), sc.Bytes()...))
		}
	}
	return out
}

// ownStratusMapping names the catalog technique that Stratus Red Team
// techniques without an ATT&CK mapping of their own must yield. The mapping
// is ttc's, not the source's: Stratus lists no technique ID for these.
var ownStratusMapping = map[string]string{
	"aws.credential-access.secretsmanager-batch-retrieve-secrets": "T1555.006",
	"aws.credential-access.secretsmanager-retrieve-secrets":       "T1555.006",
	"aws.execution.ssm-send-command":                              "T1651",
	"aws.persistence.lambda-overwrite-code":                       "T1648",
}

// TestStratusPeers: each Stratus Red Team technique's detonation records must
// yield the catalog technique the source maps it to, where the catalog has it,
// or the one ownStratusMapping gives.
func TestStratusPeers(t *testing.T) {
	c, _ := fixtures(t)
	for _, line := range readLines(t, "stratus-aws-techniques.jsonl") {
		var tc struct {
			TechniqueID      string                `json:"technique_id"`
			AttackTechniques []struct{ ID string } `json:"attack_techniques"`
			Records          []json.RawMessage     `json:"sample_records"`
		}
		if err := json.Unmarshal(line, &tc); err != nil {
			t.Fatal(err)
		}
		t.Run(tc.TechniqueID, func(t *testing.T) {
			if len(tc.Records) == 0 {
				t.Skip("no detonation records")
			}
			found := scanRecords(t, tc.Records)
			var want []string
			for _, at := range tc.AttackTechniques {
				if _, ok := c.Technique(at.ID); ok {
					want = append(want, at.ID)
				}
			}
			if id, ok := ownStratusMapping[tc.TechniqueID]; ok {
				want = append(want, id)
			}
			if len(want) == 0 {
				// A detonation with records must be checked against something:
				// Stratus named no technique the catalog has, so ttc names one.
				t.Errorf("detonation records but no technique to expect; found %v: add one to ownStratusMapping", keys(found))
			}
			for _, id := range want {
				if hit, _ := yields(found, id); !hit {
					t.Errorf("records do not yield %s; found %v", id, keys(found))
				}
			}
			t.Logf("found %v", keys(found))
		})
	}
}

// pantherCase is one Panther rule test: a record and whether it shows the rule's behaviour.
type pantherCase struct {
	RuleID   string          `json:"rule_id"`
	Mitre    []string        `json:"mitre"`
	TestName string          `json:"test_name"`
	Expected bool            `json:"expected"`
	Log      json.RawMessage `json:"log"`
	Mocks    bool            `json:"has_mocks"`
}

// covered returns the labels of a case that name catalog techniques.
func covered(c *catalog.Catalog, mitre []string) []string {
	var out []string
	for _, m := range mitre {
		_, id, ok := strings.Cut(m, ":")
		if !ok {
			continue
		}
		if _, ok := c.Technique(id); ok {
			out = append(out, id)
		}
	}
	return out
}

// TestPantherPeers measures recall (labelled behaviour yields the labelled
// technique) and precision (near misses do not) on Panther's rule tests, and
// fails on any case that is not listed as a known disagreement. A failed call
// that ttc reports as an attempt is not a false positive: reporting attempts
// is by design, and Panther's near misses include failed calls. Some of
// Panther's records are trimmed fragments; one that the scanner rejects is a
// miss reported as "rejected".
func TestPantherPeers(t *testing.T) {
	c, _ := fixtures(t)
	var tp, fn, tn, fp, attempts int
	var misses []string
	for _, line := range readLines(t, "panther-cloudtrail-rule-tests.jsonl") {
		var pc pantherCase
		if err := json.Unmarshal(line, &pc); err != nil {
			t.Fatal(err)
		}
		labels := covered(c, pc.Mitre)
		if len(labels) == 0 || pc.Mocks {
			continue
		}
		found, rejected := scanRecordsRejecting(t, []json.RawMessage{pc.Log})
		missed := "missed: "
		if rejected > 0 {
			missed = "rejected: "
		}
		hit, success := false, false
		for _, l := range labels {
			h, s := yields(found, l)
			hit, success = hit || h, success || s
		}
		name := pc.RuleID + " / " + pc.TestName
		switch {
		case pc.Expected && hit:
			tp++
		case pc.Expected:
			fn++
			misses = append(misses, missed+name+" "+strings.Join(labels, ","))
		case hit && !success:
			attempts++
		case hit:
			fp++
			misses = append(misses, "flagged near miss: "+name+" "+strings.Join(labels, ","))
		default:
			tn++
		}
	}
	sort.Strings(misses)
	recall := float64(tp) / float64(max(tp+fn, 1))
	precision := float64(tp) / float64(max(tp+fp, 1))
	t.Logf("Panther cases on covered techniques: TP %d FN %d TN %d FP %d, near misses reported as attempts %d; recall %.2f precision %.2f",
		tp, fn, tn, fp, attempts, recall, precision)
	for _, m := range misses {
		if reason, ok := knownPantherDisagreements[m]; ok {
			t.Logf("%s (known: %s)", m, reason)
			continue
		}
		t.Error(m)
	}
	// A disagreement listed that no longer happens is a stale excuse: the
	// list must say what ttc does now.
	for m := range knownPantherDisagreements {
		if !slices.Contains(misses, m) {
			t.Errorf("listed as a known disagreement, but no such case happens now (ttc agrees with Panther, or the case is gone): %s", m)
		}
	}
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
