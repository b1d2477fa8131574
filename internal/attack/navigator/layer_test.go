package navigator

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// sharedNavigator returns the shared Navigator test data folder, or skips.
func sharedNavigator(t *testing.T) string {
	t.Helper()
	dir := filepath.Join("..", "..", "..", "..", "shared", "testdata", "navigator")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("shared Navigator test data not found: %v", err)
	}
	return dir
}

// TestSpecExamples validates the example layers the 4.5 spec itself gives.
func TestSpecExamples(t *testing.T) {
	spec, err := os.ReadFile(filepath.Join(sharedNavigator(t), "spec", "v4.5", "layerformat.md"))
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```json\n(.*?)```").FindAllSubmatch(spec, -1)
	if len(blocks) != 2 {
		t.Fatalf("found %d JSON examples in the spec, want 2", len(blocks))
	}
	total := 0
	for i, b := range blocks {
		layers, err := Decode(bytes.NewReader(b[1]))
		if err != nil {
			t.Fatalf("example %d: %v", i, err)
		}
		for _, l := range layers {
			if err := l.Validate(); err != nil {
				t.Errorf("example %d layer %q: %v", i, l.Name, err)
			}
			total++
		}
	}
	if total != 3 {
		t.Errorf("decoded %d example layers, want 3 (one single, two in the array)", total)
	}
}

// TestSampleLayers loads every sample layer, encodes it back, and checks that
// nothing the Layer type models was lost; older layers validate once upgraded.
func TestSampleLayers(t *testing.T) {
	dir := sharedNavigator(t)
	var files []string
	for _, pattern := range []string{"samples/*.json", "samples/*/*.json",
		"ctid-security-stack-mappings-aws/*.json", "ctid-security-stack-mappings-aws/tags/*.json"} {
		m, _ := filepath.Glob(filepath.Join(dir, pattern))
		files = append(files, m...)
	}
	if len(files) < 40 {
		t.Fatalf("found %d sample layers", len(files))
	}
	for _, f := range files {
		t.Run(strings.TrimPrefix(f, dir+"/"), func(t *testing.T) {
			orig, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			layers, err := Decode(bytes.NewReader(orig))
			if strings.HasSuffix(f, "tags/Amazon_Inspector.json") {
				// This published layer writes "enabled": "True", a string where
				// the format wants a boolean; decoding must refuse it.
				if err == nil || !strings.Contains(err.Error(), "enabled") {
					t.Errorf("Decode accepted a string for enabled: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			if err := Encode(&out, layers...); err != nil {
				t.Fatal(err)
			}
			assertKept(t, orig, out.Bytes())
			for _, l := range layers {
				l.Upgrade()
				if err := l.Validate(); err != nil {
					t.Errorf("after Upgrade: %v", err)
				}
			}
		})
	}
}

// assertKept compares original and re-encoded JSON on the modeled keys,
// treating empty strings, arrays and objects as absent: the format's default
// for each of them is empty.
func assertKept(t *testing.T, orig, again []byte) {
	t.Helper()
	var a, b any
	if err := json.Unmarshal(orig, &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(again, &b); err != nil {
		t.Fatal(err)
	}
	a = prune(a, layerKeys)
	b = prune(b, layerKeys)
	if !reflect.DeepEqual(a, b) {
		ja, _ := json.Marshal(a)
		jb, _ := json.Marshal(b)
		t.Errorf("round trip changed the layer\nwas: %.600s\nnow: %.600s", ja, jb)
	}
}

// layerKeys are the keys the Layer type models, at any depth.
var layerKeys = map[string]bool{}

func init() {
	for _, v := range []any{Layer{}, Versions{}, Filters{}, Layout{}, Technique{}, Gradient{}, LegendItem{}, Metadata{}, Link{}} {
		rt := reflect.TypeOf(v)
		for i := range rt.NumField() {
			name, _, _ := strings.Cut(rt.Field(i).Tag.Get("json"), ",")
			layerKeys[name] = true
		}
	}
}

// prune drops keys not in keep, empty arrays and empty objects.
func prune(v any, keep map[string]bool) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, val := range x {
			if !keep[k] {
				continue
			}
			if p := prune(val, keep); !empty(p) {
				out[k] = p
			}
		}
		return out
	case []any:
		out := []any{}
		for _, e := range x {
			out = append(out, prune(e, keep))
		}
		return out
	}
	return v
}

func empty(v any) bool {
	switch x := v.(type) {
	case []any:
		return len(x) == 0
	case map[string]any:
		return len(x) == 0
	case string:
		return x == ""
	}
	return false
}

// TestEncodeEscapesHiddenText checks that text a layer quotes from logs
// (a comment, a metadata value) cannot hide or reorder what a terminal or
// viewer shows: bidirectional overrides, C1 controls, zero-width and blank
// characters are written as \u escapes, and decode back to what they were.
func TestEncodeEscapesHiddenText(t *testing.T) {
	hostile := "admin\u202egpj.exe \u009b31m \u200b\ufeff\u3164\u00a0\u007f end"
	l := &Layer{Name: "scan", Domain: "enterprise-attack", Techniques: []Technique{{TechniqueID: "T1078", Comment: hostile,
		Metadata: []Metadata{{Name: "user", Value: hostile}}}}}
	var out bytes.Buffer
	if err := Encode(&out, l); err != nil {
		t.Fatal(err)
	}
	for _, r := range "\u202e\u009b\u200b\ufeff\u3164\u00a0\u007f" {
		if strings.ContainsRune(out.String(), r) {
			t.Errorf("layer holds %U unescaped:\n%s", r, out.String())
		}
	}
	back, err := Decode(bytes.NewReader(out.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if got := back[0].Techniques[0].Comment; got != hostile {
		t.Errorf("comment decodes to %q, want %q", got, hostile)
	}
}
