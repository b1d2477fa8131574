package catalog_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"

	embedded "github.com/ttcproject/ttc/catalog"
	"github.com/ttcproject/ttc/internal/awsapi"
	"github.com/ttcproject/ttc/internal/catalog"
	"github.com/ttcproject/ttc/internal/catalog/catalogtest"
	"github.com/ttcproject/ttc/internal/ruleset"
)

func loadEmbedded(t *testing.T) *catalog.Catalog {
	t.Helper()
	c, err := catalog.Open()
	if err != nil {
		t.Fatalf("embedded catalog does not load:\n%v", err)
	}
	return c
}

// TestSweep re-checks every rule of the catalog format over the whole
// embedded catalog, independently of the loader's own validation.
func TestSweep(t *testing.T) {
	c := loadEmbedded(t)
	services := map[string]catalog.Service{}
	for _, s := range c.Services() {
		services[s.Key] = s
	}
	for _, tech := range c.Techniques() {
		kind, err := catalog.ParseID(tech.ID)
		if err != nil {
			t.Errorf("%s: %v", tech.ID, err)
			continue
		}
		if kind.IsSub() {
			if _, ok := c.Technique(catalog.ParentID(tech.ID)); !ok || tech.Parent != catalog.ParentID(tech.ID) {
				t.Errorf("%s: parent %q missing or wrong", tech.ID, tech.Parent)
			}
		}
		if tech.AWSSpecific != kind.IsAWSSpecific() {
			t.Errorf("%s: aws_specific %t disagrees with the ID form", tech.ID, tech.AWSSpecific)
		}
		for _, s := range []string{tech.Name, tech.Summary, tech.Prerequisites, tech.Description, tech.Detection.Guidance, tech.Detection.BlindSpots} {
			if strings.TrimSpace(s) == "" {
				t.Errorf("%s: an empty required section", tech.ID)
			}
		}
		for _, ta := range tech.Tactics {
			if _, ok := c.Tactic(ta); !ok {
				t.Errorf("%s: unknown tactic %s", tech.ID, ta)
			}
		}
		for _, s := range tech.Services {
			if _, ok := services[s]; !ok {
				t.Errorf("%s: unknown service %s", tech.ID, s)
			}
		}
		for _, ev := range tech.Detection.CloudTrailEvents {
			svc, name, ok := strings.Cut(ev, ":")
			s, known := services[svc]
			if !ok || !known {
				t.Errorf("%s: event %q of unknown service", tech.ID, ev)
				continue
			}
			if err := awsapi.CheckEvent(svc, s.SDKModules, name); err != nil {
				t.Errorf("%s: %v", tech.ID, err)
			}
		}
		if len(tech.Detection.CloudTrailEvents) == 0 && strings.TrimSpace(tech.Detection.NoCloudTrail) == "" {
			t.Errorf("%s: no CloudTrail events and no word on what sees it", tech.ID)
		}
		if len(tech.Detection.CloudTrailEvents) > 0 && len(tech.Rules) == 0 {
			t.Errorf("%s: CloudTrail events but no rule", tech.ID)
		}
		if len(tech.Mitigations) == 0 || len(tech.References) == 0 {
			t.Errorf("%s: needs mitigations and references", tech.ID)
		}
		for _, m := range tech.Mitigations {
			if _, ok := c.Mitigation(m.ID); !ok {
				t.Errorf("%s: unknown mitigation %s", tech.ID, m.ID)
			}
		}
		for _, r := range tech.Related {
			if _, ok := c.Technique(r); !ok {
				t.Errorf("%s: unknown related %s", tech.ID, r)
			}
		}
		for _, r := range tech.References {
			if !strings.HasPrefix(r.URL, "https://") {
				t.Errorf("%s: reference %q is not https", tech.ID, r.URL)
			}
		}
		if catalog.AttackID(tech.ID) != "" && (tech.Attack == nil || tech.Attack.Version == "") {
			t.Errorf("%s: no ATT&CK version", tech.ID)
		}
	}
}

// TestSourceErrorsFixed checks that the errors known in the public catalog
// were not carried over.
func TestSourceErrorsFixed(t *testing.T) {
	c := loadEmbedded(t)
	if got := c.ByEvent("ec2:ModifySecurityGroupIngress"); len(got) > 0 {
		t.Errorf("ec2:ModifySecurityGroupIngress is not an EC2 API but is listed by %s", got[0].ID)
	}
	tech, ok := c.Technique("T1485.A001")
	if !ok {
		t.Fatal("T1485.A001 missing")
	}
	for _, e := range tech.Detection.CloudTrailEvents {
		if strings.HasPrefix(e, "s3:") && strings.Contains(e, "DB") {
			t.Errorf("T1485.A001 lists RDS call %s under s3", e)
		}
	}
}

// TestIndexCoverage checks the catalog against the facts of the public catalog.
func TestIndexCoverage(t *testing.T) {
	data, err := os.ReadFile("../../../shared/reference/aws-catalog-index.json")
	if err != nil {
		t.Skipf("shared reference not available: %v", err)
	}
	var index []struct {
		ID       string `json:"id"`
		Name     string `json:"name"`
		ParentID string `json:"parent_id"`
	}
	if err := json.Unmarshal(data, &index); err != nil {
		t.Fatal(err)
	}
	c := loadEmbedded(t)
	for _, e := range index {
		tech, ok := c.Technique(e.ID)
		switch {
		case !ok:
			t.Errorf("%s (%s) is missing", e.ID, e.Name)
		case tech.Name != e.Name:
			t.Errorf("%s: name %q, want %q", e.ID, tech.Name, e.Name)
		case e.ParentID != "" && tech.Parent != e.ParentID:
			t.Errorf("%s: parent %q, want %q", e.ID, tech.Parent, e.ParentID)
		}
	}
	for _, id := range []string{"AT1667", "AT1023"} {
		if _, ok := c.Technique(id); !ok {
			t.Errorf("AWS-defined parent %s missing", id)
		}
	}
	// The public catalog's eleven tactics, and Exfiltration, which T1537
	// brings (the public catalog files its sharing techniques elsewhere).
	var got []string
	for _, ta := range c.Tactics() {
		got = append(got, ta.ID)
	}
	want := []string{"TA0042", "TA0001", "TA0002", "TA0003", "TA0004", "TA0005", "TA0006", "TA0007", "TA0008", "TA0009", "TA0010", "TA0040"}
	if !slices.Equal(got, want) {
		t.Errorf("tactics %v, want %v", got, want)
	}
}

// TestSchema validates every technique file of the embedded catalog against
// the checked-in JSON Schema.
func TestSchema(t *testing.T) {
	comp := jsonschema.NewCompiler()
	schemaFile := "../../docs/schema/technique.schema.json"
	raw, err := os.ReadFile(schemaFile)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	if err := comp.AddResource("technique.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := comp.Compile("technique.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	files, err := fs.Glob(embedded.Files, "techniques/*/technique.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no technique files: %v", err)
	}
	for _, f := range files {
		data, _ := fs.ReadFile(embedded.Files, f)
		v, err := yamlToJSONValue(data)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if err := sch.Validate(v); err != nil {
			t.Errorf("%s does not conform to %s:\n%v", f, path.Base(schemaFile), err)
		}
	}
	// The schema must also reject what the format forbids.
	bad, _ := yamlToJSONValue([]byte("id: T1485.A03\nname: x\ncolour: blue\n"))
	if err := sch.Validate(bad); err == nil {
		t.Error("schema accepts a malformed ID, missing sections and an unknown field")
	}
}

// yamlToJSONValue turns YAML into the values a JSON decoder would produce,
// keeping dates as strings.
func yamlToJSONValue(data []byte) (any, error) {
	var n yaml.Node
	if err := yaml.Unmarshal(data, &n); err != nil {
		return nil, err
	}
	return nodeValue(n.Content[0])
}

func nodeValue(n *yaml.Node) (any, error) {
	switch n.Kind {
	case yaml.MappingNode:
		m := map[string]any{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			v, err := nodeValue(n.Content[i+1])
			if err != nil {
				return nil, err
			}
			m[n.Content[i].Value] = v
		}
		return m, nil
	case yaml.SequenceNode:
		out := []any{}
		for _, c := range n.Content {
			v, err := nodeValue(c)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return nil, nil
		case "!!bool", "!!int", "!!float":
			var v any
			if err := json.Unmarshal([]byte(strings.ToLower(n.Value)), &v); err != nil {
				var x any
				if err := n.Decode(&x); err != nil {
					return nil, err
				}
				return x, nil
			}
			return v, nil
		}
		return n.Value, nil
	case yaml.AliasNode:
		return nodeValue(n.Alias)
	}
	return nil, fmt.Errorf("unsupported YAML node at line %d", n.Line)
}

// TestRuleReportsAnyCase checks that a rule's ttc.<ID> tags name entries in
// any case, as the scan reads them, so that the other entry's page lists
// the rule whenever the scan reports it; tags that name no entry, or the
// rule's own, add nothing.
func TestRuleReportsAnyCase(t *testing.T) {
	c := loadEmbedded(t)
	for _, tc := range []struct {
		tags []string
		want []string
	}{
		{[]string{"TTC.T1537", "ttc.t1578.001"}, []string{"T1537"}},
		{[]string{"Ttc.T1537", "attack.t1537"}, []string{"T1537"}},
		{[]string{"attack.t1537", "ttc.t9999"}, nil},
		// A parent lists no CloudTrail events: no rule reports it.
		{[]string{"ttc.t1491", "ttc.t1537"}, []string{"T1537"}},
	} {
		if got := c.RuleReports("T1578.001", tc.tags); !slices.Equal(got, tc.want) {
			t.Errorf("%q reports %v, want %v", tc.tags, got, tc.want)
		}
	}

	// One tag written as a string, as the scan's Sigma parser takes it.
	dir, rule := catalogtest.EditedOverlay(t, func(data []byte) []byte { return append([]byte("tags: TTC.T1537\n"), data...) })
	tdir := filepath.Dir(filepath.Dir(rule))
	// A rule no scan runs reports nothing.
	broken := []byte("title: Broken\ntags: [ttc.t1537]\nlogsource: {product: aws, service: cloudtrail}\ndetection: {condition: nothing}\n")
	if err := os.WriteFile(filepath.Join(tdir, "rules", "broken.yml"), broken, 0o644); err != nil {
		t.Fatal(err)
	}
	// The rule analysis as the command installs it, but that only
	// broken.yml does not compile (the overlay's other rule is broken on
	// purpose for tests of its own).
	catalog.SetRuleAnalyser(func(rules []catalog.File) []catalog.RuleWays {
		out := ruleset.AnalyseRules(rules)
		for i, f := range rules {
			out[i].Err = nil
			if filepath.Base(f.Path) == "broken.yml" {
				out[i].Err = errors.New("does not compile")
			}
		}
		return out
	})
	t.Cleanup(func() { catalog.SetRuleAnalyser(nil) })
	oc, err := catalog.Load(catalog.Embedded(), catalog.Overlay(dir))
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	target, _ := oc.Technique("T1537")
	var by []string
	for _, r := range oc.Detail(target).ReportedBy {
		by = append(by, r.Technique+"/"+r.File)
	}
	if !slices.Contains(by, "T9031/run_instances.yml") || slices.Contains(by, "T9031/broken.yml") {
		t.Errorf("T1537 is reported by %v, want the overlay's T9031/run_instances.yml among them and not its broken.yml", by)
	}
	own, _ := oc.Technique("T9031")
	for _, r := range oc.Detail(own).RuleFiles {
		if want := r.File == "run_instances.yml"; slices.Equal(r.AlsoReports, []string{"T1537"}) != want {
			t.Errorf("T9031's %s also reports %v", r.File, r.AlsoReports)
		}
	}
}

// TestDatesNotAhead checks that no entry of the embedded catalog is dated
// after today (with a day's grace for authors east of UTC): an earlier
// session wrote a date a month ahead. The loader does not check this,
// since a machine whose clock is set back (a forensic VM kept at the
// incident's date) must still load the catalog.
func TestDatesNotAhead(t *testing.T) {
	c := loadEmbedded(t)
	tomorrow := time.Now().UTC().AddDate(0, 0, 1)
	for _, te := range c.Techniques() {
		for key, val := range map[string]string{"first_seen": te.FirstSeen, "updated": te.Updated} {
			if d, err := time.Parse(time.DateOnly, val); err == nil && d.After(tomorrow) {
				t.Errorf("%s: %s %s is in the future", te.ID, key, val)
			}
		}
	}
}
