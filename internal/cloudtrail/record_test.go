package cloudtrail

import (
	"testing"
	"time"
)

func TestParseTime(t *testing.T) {
	want := time.Date(2026, 3, 14, 2, 2, 31, 0, time.UTC)
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{"2026-03-14T02:02:31Z", true},
		{"2026-03-14t02:02:31z", true}, // RFC 3339 allows lower case
		{"2026-03-14T07:32:31+05:30", true},
		{"2026-03-13T22:02:31-04:00", true},
		{"2026-03-14 02:02:31", true},
		{"2026-03-14T02:02:31", true},
		{"2026-03-14T02:02:31+24:00", false}, // Go's parser takes these
		{"2026-03-14T02:02:31+00:60", false},
		{"2026-03-14T02:02:31-99:00", false},
		{"1704070800", false},
		{"", false},
	} {
		got := ParseTime(tc.in)
		if tc.ok && !got.Equal(want) || !tc.ok && !got.IsZero() {
			t.Errorf("ParseTime(%q) = %v, want ok=%v", tc.in, got, tc.ok)
		}
	}
}
