package cloudtrail

import (
	"fmt"
	"strings"
	"testing"
)

// TestEscapedKeys checks that a key written with escapes counts as the key
// it decodes to, wherever the reader looks keys up: the input with the
// escaped spellings (Esc) reads exactly as the same input with plain ones.
func TestEscapedKeys(t *testing.T) {
	cw := func(typ string) string {
		return `{"message{T}ype":"` + typ + `","log{E}vents":[{"id":"1","timestamp":1,"message":` + quote(recA) + `}]}`
	}
	tests := []struct {
		name    string
		in      string // {R}, {E}, {T}, {N}, {S}, {U} stand for letters spelled plain or escaped
		names   []string
		skipped int64
		err     error
	}{
		{name: "records then escaped records", in: `{"Records":[` + recA + `],"{R}ecords":[` + recB + `]}`,
			names: []string{"A", "B"}},
		{name: "escaped records then records", in: `{"{R}ecords":[` + recA + `],"Records":[` + recB + `]}`,
			names: []string{"A", "B"}},
		{name: "escaped records twice", in: `{"{R}ecords":[` + recA + `],"{R}ecords":[` + recB + `]}`,
			names: []string{"A", "B"}},
		{name: "escaped records", in: `{"x":1,"{R}ecords":[` + recA + "," + recB + `]}`, names: []string{"A", "B"}},
		{name: "escaped records repeated before its records", in: `{"Records":1,"{R}ecords":[` + recA + `]}`,
			err: ErrDuplicateKey},
		{name: "escaped records not an array", in: `{"{R}ecords":null}`, err: ErrUnknownShape},
		{name: "escaped events", in: `{"{E}vents":[{"CloudTrailEvent":` + quote(recA) + `}]}`, names: []string{"A"}},
		{name: "escaped log events", in: cw("DATA_MESSAGE"), names: []string{"A"}},
		{name: "escaped control message", in: cw("CONTROL_MESSAGE"), skipped: 1},
		{name: "escaped record fields", in: `{"event{N}ame":"A","event{U}ource":"s3.amazonaws.com"}` + "\n" + recB,
			names: []string{"A", "B"}},
		{name: "escaped nested container", in: `[` + recA + `,{"{R}ecords":[` + recB + `]}]`, names: []string{"A"}},
		{name: "escaped envelope", in: `{"{S}ource":"aws.s3","detail-type":"x","detail":` + recA + "}", names: []string{"A"}},
	}
	plain := strings.NewReplacer("{R}", "R", "{E}", "E", "{T}", "T", "{N}", "N", "{S}", "s", "{U}", "S")
	escaped := strings.NewReplacer("{R}", `\u0052`, "{E}", `\u0045`, "{T}", `\u0054`, "{N}", `\u004e`, "{S}", `\u0073`, "{U}", `\u0053`)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, opts := range []Options{{}, {BufferSize: 5}} {
				want := outcomeOf(t, []byte(plain.Replace(tt.in)), opts)
				got := outcomeOf(t, []byte(escaped.Replace(tt.in)), opts)
				if fmt.Sprint(eventNamesOf(t, got.Raws)) != fmt.Sprint(tt.names) {
					t.Errorf("records %v, want %v", eventNamesOf(t, got.Raws), tt.names)
				}
				if tt.err == nil && got.Err != "" || tt.err != nil && !strings.Contains(got.Err, tt.err.Error()) {
					t.Errorf("error %q, want %v", got.Err, tt.err)
				}
				if got.Stats.Skipped != tt.skipped {
					t.Errorf("skipped %d, want %d", got.Stats.Skipped, tt.skipped)
				}
				// The escaped input is longer: only the counts compare.
				got.Stats.Bytes, want.Stats.Bytes = 0, 0
				if got.Stats != want.Stats || len(got.Rejects) != len(want.Rejects) || (got.Err == "") != (want.Err == "") {
					t.Errorf("escaped spelling reads\n%+v\nplain reads\n%+v", got, want)
				}
			}
		})
	}
}

func eventNamesOf(t *testing.T, raws []string) []string {
	var b [][]byte
	for _, r := range raws {
		b = append(b, []byte(r))
	}
	return eventNames(t, b)
}
