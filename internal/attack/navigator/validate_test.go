package navigator

import (
	"errors"
	"strings"
	"testing"
)

func validLayer() *Layer {
	score := 3.0
	return &Layer{
		Name: "ok", Domain: "enterprise-attack",
		Versions:    &Versions{Attack: "18", Navigator: "5.1.0", Layer: "4.5"},
		Sorting:     ptr(2),
		Layout:      &Layout{Layout: "flat", AggregateFunction: "max", ExpandedSubtechniques: "all"},
		Techniques:  []Technique{{TechniqueID: "T1078.004", Tactic: "initial-access", Score: &score, Color: "#ff6666"}},
		Gradient:    &Gradient{Colors: []string{"#ffffff", "#ff6666ff"}, MinValue: 0, MaxValue: 10},
		LegendItems: []LegendItem{{Label: "seen", Color: "#ff6666"}},
		Metadata:    []Metadata{{Name: "a", Value: "b"}, {Divider: true}},
		Links:       []Link{{Label: "ATT&CK", URL: "https://attack.mitre.org/"}, {Divider: true}},
	}
}

// TestValidate checks each rule the 4.5 format states for required fields and
// allowed values.
func TestValidate(t *testing.T) {
	cases := []struct {
		name   string
		change func(l *Layer)
		want   string // part of the error; "" means valid
	}{
		{"valid", func(l *Layer) {}, ""},
		{"versions optional", func(l *Layer) { l.Versions = nil }, ""},
		{"attack version optional", func(l *Layer) { l.Versions.Attack = "" }, ""},
		{"name required", func(l *Layer) { l.Name = "" }, "name is required"},
		{"domain required", func(l *Layer) { l.Domain = "" }, "domain"},
		{"legacy domain", func(l *Layer) { l.Domain = "mitre-enterprise" }, "domain"},
		{"layer version", func(l *Layer) { l.Versions.Layer = "4.4" }, "versions.layer"},
		{"navigator required", func(l *Layer) { l.Versions.Navigator = "" }, "versions.navigator is required"},
		{"navigator too old", func(l *Layer) { l.Versions.Navigator = "4.8.2" }, "below 4.9.0"},
		{"sorting range", func(l *Layer) { l.Sorting = ptr(4) }, "sorting"},
		{"layout", func(l *Layer) { l.Layout.Layout = "wide" }, "layout.layout"},
		{"aggregate", func(l *Layer) { l.Layout.AggregateFunction = "median" }, "aggregateFunction"},
		{"expanded", func(l *Layer) { l.Layout.ExpandedSubtechniques = "some" }, "expandedSubtechniques"},
		{"technique ID required", func(l *Layer) { l.Techniques[0].TechniqueID = "" }, "techniqueID"},
		{"AWS sub-technique ID", func(l *Layer) { l.Techniques[0].TechniqueID = "T1486.A001" }, "techniqueID"},
		{"tactic shortname", func(l *Layer) { l.Techniques[0].Tactic = "TA0001" }, "tactic"},
		{"technique colour", func(l *Layer) { l.Techniques[0].Color = "red" }, "color"},
		{"gradient two colours", func(l *Layer) { l.Gradient.Colors = l.Gradient.Colors[:1] }, "at least 2"},
		{"gradient max above min", func(l *Layer) { l.Gradient.MaxValue = 0 }, "must exceed"},
		{"legend colour required", func(l *Layer) { l.LegendItems[0].Color = "" }, "legendItems[0]"},
		{"metadata value required", func(l *Layer) { l.Metadata[0].Value = "" }, "metadata[0]"},
		{"technique metadata", func(l *Layer) { l.Techniques[0].Metadata = []Metadata{{Name: "x"}} }, "techniques[0].metadata[0]"},
		{"link scheme", func(l *Layer) { l.Links[0].URL = "attack.mitre.org" }, "no scheme"},
		{"link label", func(l *Layer) { l.Links[0].Label = "" }, "label"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l := validLayer()
			tc.change(l)
			err := l.Validate()
			if tc.want == "" {
				if err != nil {
					t.Errorf("Validate() = %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) || !errors.Is(err, errLayerFormat) {
				t.Errorf("Validate() = %v, want an error about %q", err, tc.want)
			}
		})
	}
}

// TestDecodeTypes checks that values of the wrong JSON type are refused.
func TestDecodeTypes(t *testing.T) {
	cases := []struct{ name, doc string }{
		{"name not a string", `{"name": 3, "domain": "enterprise-attack"}`},
		{"score not a number", `{"name": "x", "domain": "enterprise-attack", "techniques": [{"techniqueID": "T1078", "score": "5"}]}`},
		{"enabled not a boolean", `{"name": "x", "domain": "enterprise-attack", "techniques": [{"techniqueID": "T1078", "enabled": "yes"}]}`},
		{"techniques not an array", `{"name": "x", "domain": "enterprise-attack", "techniques": {}}`},
		{"gradient colors not strings", `{"name": "x", "domain": "enterprise-attack", "gradient": {"colors": [1, 2], "minValue": 0, "maxValue": 1}}`},
		{"sorting not a number", `{"name": "x", "domain": "enterprise-attack", "sorting": "asc"}`},
		{"versions not an object", `{"name": "x", "domain": "enterprise-attack", "versions": "4.5"}`},
		{"array of non-layers", `[1, 2]`},
		{"null layer in array", `[{"name": "x", "domain": "enterprise-attack"}, null]`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Decode(strings.NewReader(tc.doc)); err == nil {
				t.Error("Decode accepted a value of the wrong type")
			}
		})
	}
	layers, err := Decode(strings.NewReader("\ufeff  [{\"name\": \"a\", \"domain\": \"ics-attack\"}, {\"name\": \"b\", \"domain\": \"mobile-attack\"}]"))
	if err != nil || len(layers) != 2 || layers[1].Name != "b" {
		t.Errorf("array with BOM: %v %v", layers, err)
	}
}
