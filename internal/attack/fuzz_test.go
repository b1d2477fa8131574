package attack

import (
	"bytes"
	"testing"
)

// FuzzImport feeds arbitrary bytes to the STIX importer: it must return a
// Dataset or an error, never panic, and a Dataset must answer its lookups.
func FuzzImport(f *testing.F) {
	f.Add([]byte(`{"type":"bundle","id":"bundle--1","objects":[]}`))
	f.Add([]byte(`{"type":"attack-pattern","id":"attack-pattern--1"}`))
	f.Add([]byte(`{"type":"bundle","objects":[{"type":"x-mitre-matrix","id":"m","tactic_refs":["t"]},` +
		`{"type":"x-mitre-tactic","id":"t","x_mitre_shortname":"impact","external_references":[{"source_name":"mitre-attack","external_id":"TA0040"}]},` +
		`{"type":"attack-pattern","id":"a","revoked":true,"external_references":[{"source_name":"mitre-attack","external_id":"T1"}]},` +
		`{"type":"attack-pattern","id":"b","x_mitre_is_subtechnique":true,"external_references":[{"source_name":"mitre-attack","external_id":"T1.001"}]},` +
		`{"type":"relationship","id":"r","relationship_type":"revoked-by","source_ref":"a","target_ref":"a"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		ds, err := Import(bytes.NewReader(data), ImportOptions{})
		if err != nil {
			return
		}
		for _, tech := range ds.AllTechniques() {
			ds.Replacement(tech.ID)
			ds.Technique(tech.ID)
		}
		if _, err := encodeDataset(ds); err != nil {
			t.Fatal(err)
		}
	})
}
