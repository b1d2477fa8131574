package jsonscan

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"testing"
)

func TestValueEnd(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{`"abc"`, 5},
		{`"a\"b"x`, 6},
		{`"a\\"`, 5},
		{`"unterminated`, -1},
		{`{"a":[1,{"b":"}"}]} tail`, 19},
		{`[1,2,3]`, 7},
		{`[1,2`, -1},
		{`true,`, 4},
		{`-1.5e3}`, 6},
		{`}`, -1},
		{``, -1},
	}
	for _, tt := range tests {
		if got := ValueEnd([]byte(tt.in), 0); got != tt.want {
			t.Errorf("ValueEnd(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestNextMember(t *testing.T) {
	b := []byte(`{ "a" : 1 , "k\u0065y":{"x":[2]},"c":"s"}`)
	var keys, vals []string
	var esc []bool
	for i := 1; ; {
		m, next, done, ok := NextMember(b, i)
		if !ok {
			t.Fatalf("NextMember at %d: not ok", i)
		}
		if done {
			if next != len(b) {
				t.Errorf("object ends at %d, want %d", next, len(b))
			}
			break
		}
		keys = append(keys, string(DecodeString(nil, b[m.KStart:m.KEnd])))
		vals = append(vals, string(b[m.VStart:m.VEnd]))
		esc = append(esc, m.KEsc)
		i = next
	}
	want := []string{"a", "key", "c"}
	wantVals := []string{"1", `{"x":[2]}`, `"s"`}
	for i := range want {
		if i >= len(keys) || keys[i] != want[i] || vals[i] != wantVals[i] {
			t.Fatalf("members = %q / %q, want %q / %q", keys, vals, want, wantVals)
		}
	}
	if esc[0] || !esc[1] || esc[2] {
		t.Errorf("KEsc = %v, want only the second key escaped", esc)
	}
	for _, bad := range []string{`{"a" 1}`, `{"a":}`, `{a:1}`, `{"a":1 "b":2}`, `{"a":1,`} {
		if _, _, _, ok := NextMember([]byte(bad), 1); ok {
			// The first member may read; the object as a whole must not.
			if !walkFails([]byte(bad)) {
				t.Errorf("%s: read as a well-formed object", bad)
			}
		}
	}
}

func walkFails(b []byte) bool {
	for i := 1; ; {
		_, next, done, ok := NextMember(b, i)
		if !ok {
			return true
		}
		if done {
			return false
		}
		i = next
	}
}

var stringCases = []string{"", "plain", "exactly8", "sixteen bytes ok", `quote " backslash \ slash /`,
	"<script>&amp;</script>", "ctl \x00\x01\x08\x0c\n\r\t\x1f\x7f", "bad \xff\xfe utf8", "line\u2028para\u2029",
	"é 日本 🙂", "\xed\xa0\x80", "rtl \u202egnp.exe", "zero\u200bwidth \U000e0041 tag", "nbsp\u00a0", "\ufffd kept",
	"long plain text that runs past several words, then a <", "a&"}

func TestAppendStringMatchesEncodingJSON(t *testing.T) {
	for _, s := range stringCases {
		checkAppendString(t, s)
	}
}

// TestAppendStringHidden spells out what a log's string cannot smuggle
// into JSON output raw: characters that reorder or hide the text around
// them.
func TestAppendStringHidden(t *testing.T) {
	for in, want := range map[string]string{
		"evil\u202etxt.exe": `"evil\u202etxt.exe"`,
		"a\u200bb\u2066c":   `"a\u200bb\u2066c"`,
		"tag \U000e0041":    `"tag \udb40\udc41"`,
		"no\u00a0break":     `"no\u00a0break"`,
		"é 日本 🙂 \ufffd":     `"é 日本 🙂 \ufffd"`[:0] + "\"é 日本 🙂 \ufffd\"",
		"bad \xff":          `"bad \ufffd"`,
		"<b>\u2028</b>":     `"\u003cb\u003e\u2028\u003c/b\u003e"`,
	} {
		if got := string(AppendString(nil, in)); got != want {
			t.Errorf("AppendString(%q) = %s, want %s", in, got, want)
		}
	}
}

// checkAppendString checks that AppendString and AppendBytes write s
// byte for byte as encoding/json does, with the characters AppendShown
// escapes escaped.
func checkAppendString(t *testing.T, s string) {
	t.Helper()
	enc, _ := json.Marshal(s)
	want := AppendShown(nil, enc)
	if got := AppendString(nil, s); !bytes.Equal(got, want) {
		t.Errorf("AppendString(%q) = %s, want %s", s, got, want)
	}
	if got := AppendBytes(nil, []byte(s)); !bytes.Equal(got, want) {
		t.Errorf("AppendBytes(%q) = %s, want %s", s, got, want)
	}
}

func TestDecodeString(t *testing.T) {
	for _, s := range stringCases {
		enc, _ := json.Marshal(s)
		var want string
		_ = json.Unmarshal(enc, &want)
		if got := string(DecodeString(nil, enc)); got != want {
			t.Errorf("DecodeString(%s) = %q, want %q", enc, got, want)
		}
	}
}

func TestASCII(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want bool
	}{{"", true}, {"abc", true}, {"0123456789abcdef", true}, {"0123456789abcdeé", false}, {"é", false}, {"01234567\x80", false}} {
		if got := ASCII([]byte(tt.in)); got != tt.want {
			t.Errorf("ASCII(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func FuzzAppendString(f *testing.F) {
	for _, s := range stringCases {
		f.Add(s)
	}
	f.Fuzz(checkAppendString)
}

func TestDecodeEscapes(t *testing.T) {
	for _, raw := range []string{`"\/a\"b\\c"`, `"\ud83d\ude00"`, `"\ud800x"`, `"\ud800\u0041"`, `"\u00e9\u2028"`,
		`"\b\f\n\r\t"`, `"end\\"`, `"\uDFFF"`, `"a\u0000b"`} {
		var want string
		if err := json.Unmarshal([]byte(raw), &want); err != nil {
			t.Fatalf("%s: %v", raw, err)
		}
		if got := string(DecodeString(nil, []byte(raw))); got != want {
			t.Errorf("DecodeString(%s) = %q, want %q", raw, got, want)
		}
	}
	// Escapes JSON does not allow are kept as written.
	if got := string(DecodeString(nil, []byte(`"a\xb\u12"`))); got != `a\xb\u12` {
		t.Errorf("invalid escapes: got %q", got)
	}
}

func FuzzDecodeString(f *testing.F) {
	for _, s := range stringCases {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		enc := AppendString(nil, s)
		var want string
		if err := json.Unmarshal(enc, &want); err != nil {
			t.Fatalf("%s: %v", enc, err)
		}
		if got := string(DecodeString(nil, enc)); got != want {
			t.Fatalf("DecodeString(%s) = %q, want %q", enc, got, want)
		}
	})
}

// TestPlain8 checks the eight-byte test against the byte table for every
// byte value at every place in a word.
func TestPlain8(t *testing.T) {
	for c := 0; c < 256; c++ {
		for at := range 8 {
			w := []byte("abcdefgh")
			w[at] = byte(c)
			if got, want := plain8(binary.LittleEndian.Uint64(w)), plainByte[c]; got != want {
				t.Fatalf("plain8 of %q is %v, want %v", w, got, want)
			}
		}
	}
}
