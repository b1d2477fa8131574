package view

import "testing"

func TestSubName(t *testing.T) {
	cases := []struct{ parent, name, want string }{
		{"Brute Force", "Brute Force: Password Guessing", "Password Guessing"},
		{"Acquire Infrastructure", "Acquire Infrastructure - Domains", "Domains"},
		{"Cloud Storage Object Discovery", "Cloud Storage Discovery: S3 Objects and Buckets", "S3 Objects and Buckets"},
		{"Data from Cloud Storage", "S3 Object Collection", "S3 Object Collection"},
		{"Brute Force", "Brute Force", "Brute Force"},
		{"Brute Force", "Brute Force: ", "Brute Force: "},
	}
	for _, c := range cases {
		if got := subName(c.parent, c.name); got != c.want {
			t.Errorf("subName(%q, %q) = %q, want %q", c.parent, c.name, got, c.want)
		}
	}
}

func TestFitWords(t *testing.T) {
	cases := []struct {
		s    string
		n    int
		want string
	}{
		{"T1078 Valid Accounts", 28, "T1078 Valid Accounts"},
		{"T1190 Exploit Public-Facing Application", 28, "T1190 Exploit Public-Facing…"},
		{"T1583 Acquire Infrastructure", 24, "T1583 Acquire Infrastru…"},                      // a cut after a word would lose 9 columns
		{" .A007* Cloud Service Hijacking - Bedrock", 33, " .A007* Cloud Service Hijacking…"}, // not after the lone dash
		{"(T1078) Valid Accounts", 12, "(T1078)…"},
	}
	for _, c := range cases {
		if got := fitWords(c.s, c.n); got != c.want {
			t.Errorf("fitWords(%q, %d) = %q, want %q", c.s, c.n, got, c.want)
		}
	}
}
