package detect

import (
	"math/rand/v2"
	"reflect"
	"regexp"
	"testing"
)

func TestRequiredLiterals(t *testing.T) {
	tests := []struct {
		expr string
		want [][]string
	}{
		{`.+:assumed-role/aws:.+`, [][]string{{":assumed-role/aws:"}}},
		{`"Action"\s*:\s*(\[[^\]]*)?"(\*|iam:\*)"`, [][]string{{`"Action"`}, {`"*"`, `"iam:*"`}}},
		{`(?i)secret`, nil}, // 64 spellings: too many to filter on
		{`"Action"\s*:\s*(\[[^\]]*)?"(\*|(?i:iam):\*)"`, [][]string{{`"Action"`}, {`"*"`, `"IAM:*"`, `"IAm:*"`, `"IaM:*"`, `"Iam:*"`, `"iAM:*"`, `"iAm:*"`, `"iaM:*"`, `"iam:*"`}}},
		{`(?i:k)ey`, [][]string{{"Key", "key", "\u212aey"}}}, // the Kelvin sign folds to k
		{`\x{fffd}abc`, nil}, // U+FFFD also matches a byte that is not UTF-8
		{`ab|cd`, nil},
		{`(abc|xyz)[0-9]+def`, [][]string{{"abc", "xyz"}, {"def"}}},
		{`abc|x+yzw`, [][]string{{"abc", "yzw"}}},
		{`abc|x+yz`, nil}, // yz is too short to filter on
		{`a[bc]d`, [][]string{{"abd", "acd"}}},
		{`.*`, nil},
		{`(foo)?bar`, [][]string{{"bar"}}},
		{`[a-z]{2,}longer`, [][]string{{"longer"}}},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			var got [][]string
			for _, set := range requiredLiterals(tt.expr) {
				var s []string
				for _, l := range set {
					s = append(s, string(l))
				}
				got = append(got, s)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("requiredLiterals(%q) = %q, want %q", tt.expr, got, tt.want)
			}
		})
	}
}

// TestRequiredLiteralsSound checks on random texts that the filter never
// rejects a text the expression matches.
func TestRequiredLiteralsSound(t *testing.T) {
	exprs := []string{
		`"Action"\s*:\s*(\[[^\]]*)?"(\*|iam:\*)"`,
		`.+:assumed-role/aws:.+`,
		`(abc|xyz)[0-9]+def`,
		`abc|x+yzw`,
		`a[bc]d(e|f)g?hij`,
		`(?i)ab[cd]ef`,
		`"Action"\s*:\s*(\[[^\]]*)?"(\*|(?i:iam):\*)"`,
		`(?i:k)ey[0-9]`,
		`abc\x{fffd}def`,
		`^(ab|cd)ef$`,
	}
	alphabet := []string{"a", "b", "c", "d", "e", "f", "g", "hij", "x", "yzw", "1", "[", "]", `"`, "*", ":",
		" ", `"Action"`, `"iam:*"`, `"IaM:*"`, `"*"`, "k", "K", "\u212a", "ey", "ey1", "\xff", "\ufffd", "abc\xffdef", "abc", "xyz", "def", "assumed-role/aws", "E", "F", "AB", "acd", "ehij", "[\"s3:*\",", "Action\":"}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, expr := range exprs {
		re := regexp.MustCompile(expr)
		f := requiredLiterals(expr)
		matched := 0
		for range 100000 {
			var text []byte
			for range rng.IntN(8) {
				text = append(text, alphabet[rng.IntN(len(alphabet))]...)
			}
			if re.Match(text) {
				matched++
				if !f.pass(text) {
					t.Fatalf("%s matches %q but the filter rejects it", expr, text)
				}
			}
		}
		if matched == 0 {
			t.Errorf("%s: no random text matched; the check proved nothing", expr)
		}
	}
}
