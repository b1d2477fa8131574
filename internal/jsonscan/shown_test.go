package jsonscan

import (
	"encoding/json"
	"reflect"
	"testing"
	"unicode/utf8"
)

func TestAppendShown(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", `{"a":"b c","n":[1,true,null]}`, `{"a":"b c","n":[1,true,null]}`},
		{"escapes kept", `{"a":"\u202e\n\"x\""}`, `{"a":"\u202e\n\"x\""}`},
		{"letters kept", `{"a":"café 日本 😀"}`, `{"a":"café 日本 😀"}`},
		{"bidi override", "{\"a\":\"x\u202ey\"}", `{"a":"x\u202ey"}`},
		{"zero width and BOM", "{\"a\":\"\u200b\ufeff\"}", `{"a":"\u200b\ufeff"}`},
		{"C1 control (CSI)", "{\"a\":\"\u009b31m\"}", `{"a":"\u009b31m"}`},
		{"line separator", "{\"a\":\"1\u20282\"}", `{"a":"1\u20282"}`},
		{"tag outside the BMP", "{\"a\":\"\U000e0001\"}", `{"a":"\udb40\udc01"}`},
		{"invalid UTF-8", "{\"a\":\"b\xffc\"}", `{"a":"b\ufffdc"}`},
		{"in a key", "{\"\u202e\":1}", `{"\u202e":1}`},
		{"private use and unassigned", "{\"a\":\"\ue000\u0378\"}", `{"a":"\ue000\u0378"}`},
		{"marks kept, no-break space escaped", "{\"a\":\"a\u00a0b\u0301\"}", "{\"a\":\"a\\u00a0b\u0301\"}"},
		{"DEL", "{\"a\":\"x\x7fy\"}", `{"a":"x\u007fy"}`},
		{"blank fillers", "{\"a\":\"admin\u3164\u034f\u2800\"}", `{"a":"admin\u3164\u034f\u2800"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := string(AppendShown(nil, []byte(tc.in))); got != tc.want {
				t.Errorf("AppendShown(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// FuzzAppendShown checks that AppendShown keeps valid JSON valid, with the
// same value when it is valid UTF-8, and leaves no character it hides.
func FuzzAppendShown(f *testing.F) {
	for _, s := range []string{`{"a":"b"}`, "{\"a\":\"x\u202ey\u009b\"}", "[\"\U000e0001\",1]", "\"\xff\""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if !json.Valid(b) {
			return
		}
		out := AppendShown(nil, b)
		if !json.Valid(out) {
			t.Fatalf("AppendShown(%q) = %q, not valid JSON", b, out)
		}
		for _, r := range string(out) {
			if r == 0x7f || r >= utf8.RuneSelf && (r == utf8.RuneError || hidden(r)) {
				t.Fatalf("AppendShown(%q) = %q holds %U", b, out, r)
			}
		}
		var x, y any
		if utf8.Valid(b) && json.Unmarshal(b, &x) == nil { // not for numbers out of float64's range
			if json.Unmarshal(out, &y) != nil || !reflect.DeepEqual(x, y) {
				t.Fatalf("AppendShown(%q) = %q changes the value", b, out)
			}
		}
	})
}
