package detect

import (
	"fmt"
	"strings"
	"testing"
)

// TestMergeKeys checks YAML merge keys in a detection, as PyYAML (and so
// pySigma) reads them: the merged mapping's pairs join the selection, a
// key the selection writes itself wins, and of a list the earlier
// mapping; anything else after "<<" is refused at its place.
func TestMergeKeys(t *testing.T) {
	const trail = `{"eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging","awsRegion":"eu-west-1"}`
	const bucket = `{"eventSource":"s3.amazonaws.com","eventName":"DeleteBucket","awsRegion":"eu-west-1"}`
	base := "_base: &base\n  eventSource: cloudtrail.amazonaws.com\n  awsRegion: eu-west-1\n"
	for _, tc := range []struct {
		name, detection string
		matches         []string // of trail, bucket
		err             string
	}{
		{"merged", base + "sel:\n  <<: *base\n  eventName: StopLogging\ncondition: sel", []string{trail}, ""},
		{"own key wins", base + "sel:\n  <<: *base\n  eventSource: s3.amazonaws.com\ncondition: sel", []string{bucket}, ""},
		{"earlier of a list wins", base + "_s3: &s3\n  eventSource: s3.amazonaws.com\n" +
			"sel:\n  <<: [*s3, *base]\ncondition: sel", []string{bucket}, ""},
		{"merged inline", "sel:\n  <<: {eventName: DeleteBucket}\ncondition: sel", []string{bucket}, ""},
		{"nested merge", base + "_trail: &trail\n  <<: *base\n  eventName: StopLogging\n" +
			"sel:\n  <<: *trail\ncondition: sel", []string{trail}, ""},
		{"merge of a list of values", "_v: &v [a, b]\nsel:\n  <<: *v\ncondition: sel", nil,
			"a YAML merge key takes a mapping or a list of mappings, not a scalar"},
		{"merge of a scalar", "_v: &v a\nsel:\n  <<: *v\ncondition: sel", nil,
			"a YAML merge key takes a mapping or a list of mappings, not a scalar"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := compileOne(t, tc.detection, Options{})
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want one saying %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, rec := range []string{trail, bucket} {
				if len(matchBoth(t, m, rec)) > 0 {
					got = append(got, rec)
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.matches) {
				t.Errorf("matched %v, want %v", got, tc.matches)
			}
		})
	}
}

// TestMergeKeysBounded checks that a chain of mappings, each merging the
// one before, is refused once it copies more pairs than maxMergedPairs,
// rather than growing with the square of its length.
func TestMergeKeysBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString("_m0: &m0\n  k0: a\n")
	n := 400 // 400 maps of up to 400 keys: about 80,000 pairs copied
	for i := 1; i < n; i++ {
		fmt.Fprintf(&b, "_m%d: &m%d\n  <<: *m%d\n  k%d: a\n", i, i, i-1, i)
	}
	fmt.Fprintf(&b, "sel:\n  <<: *m%d\ncondition: sel", n-1)
	_, err := ParseRule("test.yml", []byte(ruleYAML(b.String())))
	if err == nil || !strings.Contains(err.Error(), "YAML merge keys copy more than") {
		t.Fatalf("err = %v, want the merge bound", err)
	}
}
