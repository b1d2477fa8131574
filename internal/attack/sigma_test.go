package attack

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/ttcproject/ttc/internal/catalog"
	"github.com/ttcproject/ttc/internal/golden"
)

const ruleWithComments = `title: S3 Write With Customer Key # our own example
id: 00000000-0000-4000-8000-000000000001
status: experimental
description: >-
  Flags writes that carry an SSE-C key.
author: ttc
date: 2026-01-01
# logsource follows
logsource:
  product: aws
  service: cloudtrail
detection:
  selection:
    eventSource: s3.amazonaws.com
    eventName:
      - CopyObject
      - PutObject
    requestParameters.x-amz-server-side-encryption-customer-algorithm|exists: true
  condition: selection
level: high
`

func TestExportSigmaRule(t *testing.T) {
	sse := &catalog.Technique{ID: "T1486.A001", Name: "Data Encrypted for Impact: S3 SSE-C"}
	cases := []struct {
		name, rule string
		tech       *catalog.Technique
		want       []string // tags after export; nil means an error is expected
	}{
		{"inserts tags before logsource", ruleWithComments, sse, []string{"attack.t1486", "ttc.t1486.a001"}},
		{"keeps existing tags, no duplicates", "title: x\ntags:\n    - attack.impact\n    - attack.T1486\nlogsource: {}\n",
			sse, []string{"attack.impact", "attack.T1486", "ttc.t1486.a001"}},
		{"ATT&CK sub-technique", "title: x\ntags: [attack.stealth]\n",
			&catalog.Technique{ID: "T1562.008"}, []string{"attack.stealth", "attack.t1562.008", "ttc.t1562.008"}},
		{"AWS-defined technique", "title: x\n", &catalog.Technique{ID: "AT1667.001"}, []string{"ttc.at1667.001"}},
		{"tags not a list", "title: x\ntags: attack.t1486\n", sse, nil},
		{"not a mapping", "- a\n- b\n", sse, nil},
		{"not YAML", "title: [x\n", sse, nil},
		{"empty", "", sse, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := ExportSigmaRule([]byte(tc.rule), tc.tech)
			if tc.want == nil {
				if err == nil {
					t.Errorf("no error; output:\n%s", out)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got struct{ Tags []string }
			if err := yaml.Unmarshal(out, &got); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got.Tags, tc.want) {
				t.Errorf("tags %v, want %v\n%s", got.Tags, tc.want, out)
			}
		})
	}

	out, err := ExportSigmaRule([]byte(ruleWithComments), sse)
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "sigma_rule.golden.yml", out)
}

// TestExportSigmaRuleSigmaHQ runs the export over SigmaHQ's AWS rules and
// checks that only the tags changed.
func TestExportSigmaRuleSigmaHQ(t *testing.T) {
	dir := filepath.Join(sharedAttack(t), "..", "sigma", "rules", "cloud", "aws", "cloudtrail")
	files, _ := filepath.Glob(filepath.Join(dir, "*.yml"))
	if len(files) == 0 {
		t.Skip("shared Sigma rules not found")
	}
	exportKeepsValues(t, files, true)
}

// TestExportSigmaRuleCatalog runs the export over the catalog's own rules
// and checks that only the tags changed: a folded condition with
// more-indented lines was written back with one more line break.
func TestExportSigmaRuleCatalog(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("..", "..", "catalog", "techniques", "*", "rules", "*.yml"))
	if len(files) < 100 {
		t.Fatalf("%d catalog rules found", len(files))
	}
	exportKeepsValues(t, files, false)
}

// exportKeepsValues exports each rule file and checks that it reads back
// as the same rule with the tags added; fourSpaces checks that the
// files' four-space indentation was kept.
func exportKeepsValues(t *testing.T, files []string, fourSpaces bool) {
	tech := &catalog.Technique{ID: "T1562.A001"}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			in, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			out, err := ExportSigmaRule(in, tech)
			if err != nil {
				t.Fatal(err)
			}
			var before, after map[string]any
			if err := yaml.Unmarshal(in, &before); err != nil {
				t.Fatal(err)
			}
			if err := yaml.Unmarshal(out, &after); err != nil {
				t.Fatalf("output does not parse: %v\n%s", err, out)
			}
			oldTags, _ := before["tags"].([]any)
			newTags, _ := after["tags"].([]any)
			want := slices.Clone(oldTags)
			for _, tag := range []string{"attack.t1562", "ttc.t1562.a001"} {
				if !slices.Contains(want, any(tag)) {
					want = append(want, tag)
				}
			}
			if !reflect.DeepEqual(newTags, want) {
				t.Errorf("tags %v, want %v", newTags, want)
			}
			delete(before, "tags")
			delete(after, "tags")
			if !reflect.DeepEqual(before, after) {
				t.Errorf("export changed more than the tags:\n%s", out)
			}
			if fourSpaces && !strings.Contains(string(out), "\n    ") {
				t.Error("SigmaHQ's 4-space indentation was not kept")
			}
		})
	}
}

func FuzzExportSigmaRule(f *testing.F) {
	f.Add([]byte(ruleWithComments))
	f.Add([]byte("title: x\ntags: [a]\n---\ntitle: y\n"))
	f.Add([]byte("tags: {a: b}\n"))
	tech := &catalog.Technique{ID: "T1486.A001"}
	f.Fuzz(func(t *testing.T, rule []byte) {
		out, err := ExportSigmaRule(rule, tech)
		if err != nil {
			return
		}
		// Whatever was accepted must come back as YAML holding the tags.
		var doc struct{ Tags []string }
		if err := yaml.Unmarshal(out, &doc); err != nil {
			t.Fatalf("output does not parse: %v\n%s", err, out)
		}
		if !slices.Contains(doc.Tags, "ttc.t1486.a001") {
			t.Fatalf("tag missing from %v", doc.Tags)
		}
	})
}
