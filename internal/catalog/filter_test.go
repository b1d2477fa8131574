package catalog_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/ttcproject/ttc/internal/catalog"
)

// TestFilterEvent checks how --event names an event: as the catalog writes
// it, with its event source, bare, in any case, and by its API name where
// CloudTrail adds the API version to it.
func TestFilterEvent(t *testing.T) {
	c, err := catalog.Load(catalog.Embedded())
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		event string
		want  string // a technique among the results; "" for none, "error" for a FilterError
	}{
		{"s3:CopyObject", "T1486.A001"},
		{"s3.amazonaws.com:CopyObject", "T1486.A001"},
		// A finding's label names the event source without .amazonaws.com.
		{"sso-directory:CreateUser", "T1136.003"},
		{"identitystore:ListUsers", "T1087.004"},
		{"monitoring:DeleteAlarms", ""},
		{"copyobject", "T1486.A001"},
		{"lambda:UpdateFunctionCode20150331v2", "AT1667.001"},
		{"lambda:UpdateFunctionCode", "AT1667.001"},
		{"UpdateFunctionCode", "AT1667.001"},
		{"UpdateFunction", ""},
		// The catalog lists the function URL calls by the operation's name;
		// a record's name with the API version after it finds them too.
		{"lambda:CreateFunctionUrlConfig20211031", "AT1667"},
		{"CreateFunctionUrlConfig20211031", "AT1667"},
		{"CreateFunctionUrlConfig2021", ""},
		// An SDK operation CloudTrail logs under another name finds the
		// techniques that list that name.
		{"s3:PutBucketLifecycleConfiguration", "T1485.001"},
		{"PutBucketLifecycleConfiguration", "T1485.001"},
		{"s3:DeletePublicAccessBlock", "T1562"},
		{"s3:ListObjectsV2", "T1619.A001"},
		// A service named by one of its other names (the SDK module's).
		{"networkfirewall:DeleteFirewall", "T1562.007"},
		{"network-firewall:DeleteFirewall", "T1562.007"},
		// A qualified event must be one of its service (with the SDK's
		// operations as the check, as the command installs it): an event
		// of another service, or a near miss of one of its own, is
		// refused.
		{"ec2:CopyObject", "error"},
		{"s3:UpdateFunctionCode", "error"},
		{"nosvc:CopyObject", "error"},
		{"s3:CopyObjekt", "error"},
		{"CopyObjekt", "error"},
		// One close to no known event may be real (AWS writes events no
		// SDK lists): no technique lists it.
		{"sso:Federate", ""},
		{"signin:RenewRole", ""},
		{"Federate", ""},
		// A CloudTrail-only event of the exceptions that techniques list.
		{"signin:CredentialVerification", "T1110.001"},
		{"CredentialChallenge", "T1110.003"},
	}
	for _, tc := range cases {
		rs, err := c.Filter(catalog.Filter{Events: []string{tc.event}})
		var fe *catalog.FilterError
		if tc.want == "error" {
			if !errors.As(err, &fe) || fe.Field != "event" {
				t.Errorf("--event %s: %v, want an event error", tc.event, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", tc.event, err)
		}
		var ids []string
		for _, r := range rs {
			ids = append(ids, r.Technique.ID)
		}
		if tc.want == "" && len(ids) > 0 || tc.want != "" && !slices.Contains(ids, tc.want) {
			t.Errorf("--event %s: %v, want %q among them", tc.event, ids, tc.want)
		}
	}
}

// TestFilterSearchTerms checks that a search counts each word once, so
// that repeating one neither weighs it more nor costs more, and that a
// search of more distinct words than MaxSearchTerms is refused.
func TestFilterSearchTerms(t *testing.T) {
	c, err := catalog.Load(catalog.Embedded())
	if err != nil {
		t.Fatal(err)
	}
	once, err := c.Filter(catalog.Filter{Search: "lifecycle"})
	if err != nil || len(once) == 0 {
		t.Fatalf("lifecycle: %d results, %v", len(once), err)
	}
	many, err := c.Filter(catalog.Filter{Search: strings.Repeat("lifecycle LIFECYCLE ", 10000)})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(once, many) {
		t.Errorf("a repeated word gives %v, want %v", many, once)
	}
	if got := catalog.SearchTerms("s3 S3 copy s3"); !slices.Equal(got, []string{"s3", "copy"}) {
		t.Errorf("SearchTerms: %q", got)
	}
	// An invisible character pasted inside a word leaves it one word.
	for _, q := range []string{"s\u202e3", "\u200bs3", "s\u200d3\ufeff", "s\x003", "s\u034f3", "s\ufe0f3", "s\u180b3", "s\u17b43", "s\u31643", "\u115fs3\u1160"} {
		if got := catalog.SearchTerms(q); !slices.Equal(got, []string{"s3"}) {
			t.Errorf("SearchTerms(%+q) = %q, want [s3]", q, got)
		}
	}
	words := make([]string, catalog.MaxSearchTerms+1)
	for i := range words {
		words[i] = fmt.Sprintf("w%d", i)
	}
	_, err = c.Filter(catalog.Filter{Search: strings.Join(words, " ")})
	var fe *catalog.FilterError
	if !errors.As(err, &fe) || fe.Field != "search" {
		t.Errorf("%d words: %v, want a search error", len(words), err)
	}
	if _, err := c.Filter(catalog.Filter{Search: strings.Join(words[1:], " ")}); err != nil {
		t.Errorf("%d words: %v", len(words)-1, err)
	}
}

// TestFilterServiceSuggests checks that a service key a letter or two off
// is refused with the nearest keys, and one near none without a guess.
func TestFilterServiceSuggests(t *testing.T) {
	c, err := catalog.Load(catalog.Embedded())
	if err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]string{"s4": "did you mean s3?", "cloudtrial": "did you mean cloudtrail?", "zzzzzzzz": `unknown service "zzzzzzzz"`} {
		_, err := c.Filter(catalog.Filter{Services: []string{in}})
		var fe *catalog.FilterError
		if !errors.As(err, &fe) || !strings.Contains(err.Error(), want) {
			t.Errorf("service %q: error %v, want a FilterError saying %q", in, err, want)
		}
	}
}

// TestSearchRanksWhatIsMeant checks, for what responders type, the
// technique a search puts first: the one the words are about, not one
// that mentions them in passing, and a phrase met whole before its words
// met apart.
func TestSearchRanksWhatIsMeant(t *testing.T) {
	c, err := catalog.Open()
	if err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string]string{
		"ransom":         "T1486.A001",
		"sse-c":          "T1486.A001",
		"lifecycle":      "T1485.001",
		"StopLogging":    "T1562.008",
		"password spray": "T1110.003",
		"access key":     "T1098.001",
		"root user":      "T1078.A002",
		"security group": "T1190.A019",
	} {
		got, err := c.Filter(catalog.Filter{Search: q})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) == 0 || got[0].Technique.ID != want {
			first := "nothing"
			if len(got) > 0 {
				first = got[0].Technique.ID
			}
			t.Errorf("search %q ranks %s first, want %s", q, first, want)
		}
	}
}
