package awsapi

import (
	"slices"
	"strings"
	"testing"
)

func TestParseOperations(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		wantErr string
	}{
		{name: "good", in: "# module ec2 v1.2.3\n# missing support\nec2 RunInstances\nec2 StopInstances\n"},
		{name: "no header", in: "ec2 RunInstances\n", wantErr: "no module header"},
		{name: "three fields", in: "# module ec2 v1\nec2 Run Instances\n", wantErr: "line 2"},
		{name: "lower-case op", in: "# module ec2 v1\nec2 runInstances\n", wantErr: "line 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := parseOperations([]byte(tt.in))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if want := []string{"RunInstances", "StopInstances"}; !slices.Equal(o.sorted["ec2"], want) {
				t.Errorf("ops = %v, want %v", o.sorted["ec2"], want)
			}
			if !slices.Equal(o.missing, []string{"support"}) {
				t.Errorf("missing = %v", o.missing)
			}
		})
	}
}

func TestParseExceptions(t *testing.T) {
	const entry = "  - {service: signin, event: ConsoleLogin, reason: r, source: s}\n"
	tests := []struct {
		name    string
		in      string
		wantErr string
	}{
		{name: "good", in: "exceptions:\n" + entry},
		{name: "twice", in: "exceptions:\n" + entry + entry, wantErr: "listed twice"},
		{name: "no reason", in: "exceptions:\n  - {service: signin, event: ConsoleLogin, source: s}\n", wantErr: "required"},
		{name: "bad event", in: "exceptions:\n  - {service: signin, event: console-login, reason: r, source: s}\n", wantErr: "not an event name"},
		{name: "unknown field", in: "exceptions:\n  - {service: signin, event: X, reason: r, source: s, why: y}\n", wantErr: "why"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseExceptions([]byte(tt.in))
			if tt.wantErr == "" && err != nil {
				t.Fatal(err)
			}
			if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestWords(t *testing.T) {
	tests := map[string][]string{
		"ModifySecurityGroupIngress":   {"modify", "security", "group", "ingress"},
		"CreateSAMLProvider":           {"create", "saml", "provider"},
		"UpdateFunctionCode20150331v2": {"update", "function", "code", "20150331", "v", "2"},
		"S3":                           {"s", "3"},
	}
	for in, want := range tests {
		t.Run(in, func(t *testing.T) {
			if got := words(in); !slices.Equal(got, want) {
				t.Errorf("words(%q) = %v, want %v", in, got, want)
			}
		})
	}
}

func BenchmarkCheckEventUnknown(b *testing.B) {
	for b.Loop() {
		_ = CheckEvent("ec2", []string{"ec2"}, "ModifySecurityGroupIngress")
	}
}
