package scan

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/ttcproject/ttc/internal/jsonscan"
)

// plainFinding has Finding's fields and tags but not its MarshalJSON, so
// encoding/json encodes it by reflection: the reference the fast path must
// match, once the characters a terminal could act on or hide are escaped.
type plainFinding Finding

// reference encodes f as the fast path must.
func reference(t *testing.T, f *Finding) []byte {
	t.Helper()
	b, err := json.Marshal((*plainFinding)(f))
	if err != nil {
		t.Fatal(err)
	}
	return jsonscan.AppendShown(nil, b)
}

func sampleFinding(s string) *Finding {
	ro := true
	return &Finding{
		Type: "finding", TechniqueID: "T1486.A001", TechniqueName: s, Tactics: []string{"TA0040", s},
		Outcome: "attempt", ErrorCode: s, EventID: "id-" + s, EventTime: "2026-03-14T02:17:45Z",
		EventSource: "s3.amazonaws.com", EventName: s, AWSRegion: "us-east-1", RecipientAccountID: "111122223333",
		ReadOnly: &ro,
		Actor: Actor{Type: "IAMUser", ARN: s, UserAgent: s, SourceIP: "203.0.113.7", OnBehalfOfUserID: s,
			IdentityStoreARN: "arn:aws:identitystore::111122223333:identitystore/" + s},
		Rule:    RuleRef{ID: "r", Title: s, Origin: "catalog", File: "f.yml", Line: 14, ATTACK: []string{"T1550.001", s}},
		Record:  RecordRef{File: s, Ordinal: 3, Line: -1, Offset: 1 << 40},
		Matched: []MatchedField{{Field: "eventName", Value: s}},
		Target:  []MatchedField{{Field: "requestParameters.bucketName", Value: "b"}, {Field: "requestParameters.key", Value: s}},
		Correlation: &Correlation{Type: "value_count", Count: 12, Field: s, Condition: "gte 10", Timespan: "10m",
			FirstTime: s, LastTime: "2026-03-14T02:17:45Z", Group: GroupValues{{Field: s, Value: s}, {Field: "userName", Null: true}},
			Records: []RecordRef{{File: s, Ordinal: 1, Line: 2, Offset: 3}, {File: "b", Ordinal: 4}}},
	}
}

func TestFindingJSONMatchesEncodingJSON(t *testing.T) {
	for _, s := range []string{"", "plain", `quote " backslash \ slash /`, "<script>&amp;</script>",
		"ctl \x00\x01\x08\x0c\n\r\t\x1f\x7f", "bad \xff\xfe utf8", "line\u2028para\u2029", "é 日本 🙂", "\xed\xa0\x80",
		"rtl \u202egnp.exe"} {
		f := sampleFinding(s)
		fast, _ := f.MarshalJSON()
		want := reference(t, f)
		if !bytes.Equal(fast, want) {
			t.Errorf("%q:\n got %s\nwant %s", s, fast, want)
		}
	}
	// Empty and nil fields take the encoding/json forms too.
	var zero Finding
	fast, _ := zero.MarshalJSON()
	want := reference(t, &zero)
	if !bytes.Equal(fast, want) {
		t.Errorf("zero finding:\n got %s\nwant %s", fast, want)
	}
}

func FuzzFindingJSON(f *testing.F) {
	f.Add("plain")
	f.Add("<\u2028\xff\x00")
	f.Fuzz(func(t *testing.T, s string) {
		fi := sampleFinding(s)
		fast, _ := fi.MarshalJSON()
		want := reference(t, fi)
		if !bytes.Equal(fast, want) {
			t.Fatalf("%q:\n got %s\nwant %s", s, fast, want)
		}
	})
}
