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
	if err == nil || !strings.Contains(err.Error(), "YAML merge keys take in more than") {
		t.Fatalf("err = %v, want the merge bound", err)
	}
}

// TestMergeKeysRefused checks what merge keys may not do, each refused at
// the merge key, and that merges sharing their values (a tree doubling at
// each level, a list naming one big mapping thousands of times) neither
// grow the rule nor the work of reading it.
func TestMergeKeysRefused(t *testing.T) {
	var dag, list strings.Builder
	dag.WriteString("custom:\n  w0: &w0 {k: v}\n")
	for i := 1; i <= 60; i++ {
		fmt.Fprintf(&dag, "  w%d: &w%d {a: {<<: *w%d}, b: {<<: *w%d}}\n", i, i, i-1, i-1)
	}
	list.WriteString("custom:\n  big: &big {")
	for i := range 1000 {
		fmt.Fprintf(&list, "k%d: v, ", i)
	}
	list.WriteString("z: v}\n  many: {<<: [" + strings.Repeat("*big, ", 200) + "*big]}\n")
	detection := "detection:\n  sel: {eventName: A}\n  condition: sel\n"
	for _, tc := range []struct{ name, yaml, want string }{
		{"two merge keys", "custom:\n  a: &a {x: 1}\n  b: &b {y: 1}\n  c: {<<: *a, <<: *b}\n" + detection,
			`7:15: duplicate key "<<"`},
		{"an alias inside its own anchor", "custom: &x {b: *x}\n" + detection, "a YAML alias names a mapping or list that holds it"},
		{"a list naming one mapping 201 times", list.String() + detection, "YAML merge keys take in more than 65536 pairs"},
		{"a tree doubling at each level", dag.String() + detection, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseRule("test.yml", []byte("title: t\nid: 00000000-0000-4000-8000-000000000000\n"+
				"logsource: {product: aws, service: cloudtrail}\n"+tc.yaml))
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("err = %v, want none", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("err = %v, want one saying %q", err, tc.want)
			}
		})
	}
}

// TestMergeKeysOutsideSearches checks merges where rule fields are read
// (the top level, logsource, tags, the detection's condition), and that
// the bound holds for a file's documents together.
func TestMergeKeysOutsideSearches(t *testing.T) {
	text := "base: &base\n  level: high\n  logsource: {product: aws, service: cloudtrail}\n  tags: [attack.impact]\n" +
		"title: t\n<<: *base\nid: 00000000-0000-4000-8000-000000000000\n" +
		"detection:\n  <<: {condition: sel}\n  sel: {eventName: StopLogging}\n"
	r, err := ParseRule("test.yml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	if r.Level != "high" || r.Logsource.Service != "cloudtrail" || fmt.Sprint(r.Tags) != "[attack.impact]" {
		t.Errorf("level %q, logsource %+v, tags %v; want the merged ones", r.Level, r.Logsource, r.Tags)
	}
	if _, err := Compile([]*Rule{r}, Options{}); err != nil {
		t.Errorf("compile: %v", err)
	}

	// 100 documents each taking in 1,000 pairs: past the bound together.
	var b strings.Builder
	b.WriteString("x: &big {")
	for i := range 1000 {
		fmt.Fprintf(&b, "k%d: v, ", i)
	}
	b.WriteString("z: v}\n")
	big := b.String()
	b.Reset()
	for i := range 100 {
		if i > 0 {
			b.WriteString("---\n")
		}
		b.WriteString(ruleYAML("sel: {eventName: A}\ncondition: sel") + big + "y: {<<: *big}\n")
	}
	_, err = ParseRules("many.yml", []byte(b.String()))
	if err == nil || !strings.Contains(err.Error(), "YAML merge keys take in more than 65536 pairs in this file") {
		t.Errorf("err = %v, want the file's merge bound", err)
	}
}
