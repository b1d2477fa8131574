package cloudtrail

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestArrayResync checks that in an array of records an item whose
// brackets do not balance (a record cut short, a corrupted byte) costs that
// item only: reading goes on at the next record that begins as CloudTrail's
// do, whatever the buffer size, and the bytes between are one rejection.
// Arrays of envelopes, and damage with no record after it, still end the
// file.
func TestArrayResync(t *testing.T) {
	rec := func(name string) string {
		return `{"eventVersion":"1.08","eventName":"` + name + `","eventSource":"s3.amazonaws.com","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/x"}}`
	}
	cut := rec("X")[:60] // ends inside a string of userIdentity
	tests := []struct {
		name     string
		in       string
		names    []string
		rejected int
		fileErr  bool
	}{
		{name: "records, cut record", in: `{"Records":[` + rec("A") + "," + cut + "," + rec("B") + "," + rec("C") + `]}`,
			names: []string{"A", "B", "C"}, rejected: 1},
		{name: "records, cut record then no comma", in: `{"Records":[` + rec("A") + "," + cut + rec("B") + `]}`,
			names: []string{"A", "B"}, rejected: 1},
		{name: "bare array, extra brace", in: `[` + rec("A") + "," + strings.Replace(rec("X"), `"type"`, `{"type"`, 1) + "," + rec("B") + `]`,
			names: []string{"A", "B"}, rejected: 1},
		{name: "two damaged records", in: `{"Records":[` + cut + "," + rec("A") + "," + cut + "," + rec("B") + `]}`,
			names: []string{"A", "B"}, rejected: 2},
		{name: "cut at the end", in: `{"Records":[` + rec("A") + "," + cut, names: []string{"A"}, fileErr: true},
		{name: "damage with no record after", in: `{"Records":[` + rec("A") + "," + cut + `]}`, names: []string{"A"}, fileErr: true},
		{name: "envelopes", in: `[` + envelope(rec("A")) + "," + envelope(cut) + "," + envelope(rec("B")) + `]`,
			names: []string{"A"}, fileErr: true},
	}
	for _, tt := range tests {
		for size := 1; size < 48; size += 3 {
			got := sameForBuffers(t, []byte(tt.in), Options{}, Options{BufferSize: size})
			var names []string
			for _, raw := range got.Raws {
				var rec struct{ EventName string }
				if err := json.Unmarshal([]byte(raw), &rec); err != nil {
					t.Fatal(err)
				}
				names = append(names, rec.EventName)
			}
			if strings.Join(names, ",") != strings.Join(tt.names, ",") {
				t.Errorf("%s (buffer %d): records %v, want %v", tt.name, size, names, tt.names)
			}
			if len(got.Rejects) != tt.rejected {
				t.Errorf("%s (buffer %d): %d rejections %v, want %d", tt.name, size, len(got.Rejects), got.Rejects, tt.rejected)
			}
			for _, r := range got.Rejects {
				if !strings.Contains(r, "reading resumed at the next record") {
					t.Errorf("%s (buffer %d): rejection %q does not say where reading resumed", tt.name, size, r)
				}
			}
			if (got.Err != "") != tt.fileErr {
				t.Errorf("%s (buffer %d): file error %q, want one: %v", tt.name, size, got.Err, tt.fileErr)
			}
		}
	}
}
