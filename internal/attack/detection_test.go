package attack

import (
	"slices"
	"strings"
	"testing"

	"github.com/ttcproject/ttc/internal/attack/stix"
)

// miniDomain returns a matrix, one tactic and one technique: the least a
// Dataset needs.
func miniDomain() []stix.Object {
	ref := func(id string) []stix.ExternalReference {
		return []stix.ExternalReference{{SourceName: "mitre-attack", ExternalID: id}}
	}
	return []stix.Object{
		{Type: "x-mitre-matrix", ID: "x-mitre-matrix--m", ExternalReferences: ref("enterprise-attack"),
			TacticRefs: []string{"x-mitre-tactic--t"}},
		{Type: "x-mitre-tactic", ID: "x-mitre-tactic--t", Name: "Collection", Shortname: "collection",
			ExternalReferences: ref("TA0009")},
		{Type: "attack-pattern", ID: "attack-pattern--a", Name: "Data from Cloud Storage",
			ExternalReferences: ref("T1530"),
			KillChainPhases:    []stix.KillChainPhase{{KillChainName: "mitre-attack", PhaseName: "collection"}}},
	}
}

func detectionObjects(model string) []stix.Object {
	ref := func(id string) []stix.ExternalReference {
		return []stix.ExternalReference{{SourceName: "mitre-attack", ExternalID: id}}
	}
	dc := stix.Object{Type: "x-mitre-data-component", ID: "x-mitre-data-component--c",
		Name: "Cloud Storage Access", ExternalReferences: ref("DC0025"), DataSourceRef: "x-mitre-data-source--s",
		LogSources: []stix.LogSource{{Name: "AWS:CloudTrail", Channel: "GetObject"}}}
	ds := stix.Object{Type: "x-mitre-data-source", ID: "x-mitre-data-source--s", Name: "Cloud Storage",
		ExternalReferences: ref("DS0010")}
	if model == "v17" {
		return []stix.Object{collection("17.1"), dc, ds,
			{Type: "relationship", ID: "relationship--1", RelationshipType: "detects",
				SourceRef: dc.ID, TargetRef: "attack-pattern--a"}}
	}
	return []stix.Object{collection("18.1"), dc, ds,
		{Type: "x-mitre-analytic", ID: "x-mitre-analytic--n", Name: "Analytic 1", ExternalReferences: ref("AN0001"),
			Platforms: []string{"IaaS"},
			LogSourceReferences: []stix.LogSourceReference{
				{DataComponentRef: dc.ID, Name: "AWS:CloudTrail", Channel: "GetObject, ListObjects"}},
			MutableElements: []stix.MutableElement{{Field: "TimeWindow", Description: "how long"}}},
		{Type: "x-mitre-detection-strategy", ID: "x-mitre-detection-strategy--d", Name: "Strategy",
			ExternalReferences: ref("DET0001"), AnalyticRefs: []string{"x-mitre-analytic--n"}},
		{Type: "relationship", ID: "relationship--1", RelationshipType: "detects",
			SourceRef: "x-mitre-detection-strategy--d", TargetRef: "attack-pattern--a"}}
}

func TestImportDetectionModels(t *testing.T) {
	t.Run("data components detect (up to v17)", func(t *testing.T) {
		objs := append(miniDomain(), detectionObjects("v17")...)
		ds, err := Import(strings.NewReader(bundleOf(t, objs...)), ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if ds.Version != "17.1" {
			t.Errorf("version %q", ds.Version)
		}
		tech := ds.Technique("T1530")
		if !slices.Equal(tech.DataComponents, []string{"DC0025"}) || len(tech.DetectionStrategies) != 0 {
			t.Errorf("T1530 detection = %v / %v", tech.DataComponents, tech.DetectionStrategies)
		}
		dc := ds.DataComponent("DC0025")
		if dc == nil || dc.DataSource != "Cloud Storage" || dc.LogSources[0].Channel != "GetObject" {
			t.Errorf("DC0025 = %+v", dc)
		}
	})
	t.Run("detection strategies and analytics (v18 on)", func(t *testing.T) {
		objs := append(miniDomain(), detectionObjects("v18")...)
		ds, err := Import(strings.NewReader(bundleOf(t, objs...)), ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		tech := ds.Technique("T1530")
		if !slices.Equal(tech.DetectionStrategies, []string{"DET0001"}) || len(tech.DataComponents) != 0 {
			t.Errorf("T1530 detection = %v / %v", tech.DataComponents, tech.DetectionStrategies)
		}
		s := ds.DetectionStrategy("DET0001")
		if s == nil || !slices.Equal(s.Analytics, []string{"AN0001"}) {
			t.Fatalf("DET0001 = %+v", s)
		}
		a := ds.Analytic("AN0001")
		if a == nil || a.LogSources[0].DataComponent != "DC0025" || a.LogSources[0].Name != "AWS:CloudTrail" ||
			a.MutableElements[0].Field != "TimeWindow" {
			t.Errorf("AN0001 = %+v", a)
		}
	})
}
