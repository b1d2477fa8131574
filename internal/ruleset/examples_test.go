package ruleset_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ttcproject/ttc/internal/catalog"
	"github.com/ttcproject/ttc/internal/ruleset"
)

// TestExampleBaselineRules loads the README's example baseline rules
// (examples/rules) as ttc scan --rules does, and checks that each flags a
// record outside its example baseline and passes over one inside it, and
// that their tags land on the catalog techniques they name.
func TestExampleBaselineRules(t *testing.T) {
	c, err := catalog.Open()
	if err != nil {
		t.Fatal(err)
	}
	set, err := ruleset.Load(c, []string{"../../examples/rules"})
	if err != nil {
		t.Fatalf("example rules: %v", err)
	}
	pr, err := os.ReadFile("../../catalog/techniques/T1199.A002/samples/match/github_pull_request_workflow_assumes_deploy_role.json")
	if err != nil {
		t.Fatal(err)
	}
	github := strings.ReplaceAll(string(pr), "pull_request", "ref:refs/heads/main")
	xa, err := os.ReadFile("../../catalog/techniques/T1199.A002/samples/match/foreign_account_assumes_admin_role.json")
	if err != nil {
		t.Fatal(err)
	}
	xacct := string(xa)
	login := `{"eventVersion":"1.09","userIdentity":{"type":"IAMUser","principalId":"AIDAEXAMPLE","arn":"arn:aws:iam::111122223333:user/alice","accountId":"111122223333","userName":"alice"},
		"eventTime":"2026-12-05T08:00:00Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"us-east-1","sourceIPAddress":"IP",
		"userAgent":"Mozilla/5.0","requestParameters":null,"responseElements":{"ConsoleLogin":"Success"},"additionalEventData":{"MFAUsed":"Yes"},
		"eventID":"e1","readOnly":false,"eventType":"AwsConsoleSignIn","managementEvent":true,"recipientAccountId":"111122223333"}`
	launch := `{"eventVersion":"1.11","userIdentity":{"type":"IAMUser","principalId":"AIDAEXAMPLE","arn":"arn:aws:iam::111122223333:user/build","accountId":"111122223333","accessKeyId":"AKIAEXAMPLEBUILD0001","userName":"build"},
		"eventTime":"2026-12-06T08:00:00Z","eventSource":"ec2.amazonaws.com","eventName":"RunInstances","awsRegion":"REGION","sourceIPAddress":"203.0.113.50",
		"userAgent":"aws-cli/2.22.4","requestParameters":{"instanceType":"c5.24xlarge"},"responseElements":null,
		"eventID":"e2","readOnly":false,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"111122223333"}`
	inRegion := func(region string) string { return strings.Replace(launch, `"REGION"`, `"`+region+`"`, 1) }
	tests := []struct {
		name, record, rule, technique string
		match                         bool
	}{
		{"repository of another owner", github, "GitHub Actions Role Session From a Repository Not on Your List", "T1199.A002", true},
		{"repository on the list", strings.ReplaceAll(github, "repo:acme/", "repo:example-org/"), "GitHub Actions Role Session From a Repository Not on Your List", "T1199.A002", false},
		{"owner that only starts like a listed one", strings.ReplaceAll(github, "repo:acme/", "repo:example-org-x/"), "GitHub Actions Role Session From a Repository Not on Your List", "T1199.A002", true},
		{"role assumed from an account not listed", xacct, "Role Assumed by a Principal of an Account Not on Your List", "T1199.A002", true},
		{"role assumed from a listed account", strings.ReplaceAll(xacct, "444455556666", "222222222222"), "Role Assumed by a Principal of an Account Not on Your List", "T1199.A002", false},
		{"role assumed within the account", strings.ReplaceAll(xacct, "444455556666", "111122223333"), "Role Assumed by a Principal of an Account Not on Your List", "T1199.A002", false},
		{"sign-in from elsewhere", strings.Replace(login, `"IP"`, `"203.0.113.50"`, 1), "Console Sign-In From Outside Your Networks", "T1078", true},
		{"sign-in from a listed network", strings.Replace(login, `"IP"`, `"192.0.2.77"`, 1), "Console Sign-In From Outside Your Networks", "T1078", false},
		{"launch in a Region not listed", inRegion("ap-east-1"), "Changes Made in a Region Not on Your List", "T1535", true},
		{"launch in a listed Region", inRegion("eu-west-1"), "Changes Made in a Region Not on Your List", "T1535", false},
		{"read in a Region not listed", strings.Replace(inRegion("ap-east-1"), `"readOnly":false`, `"readOnly":true`, 1), "Changes Made in a Region Not on Your List", "T1535", false},
		{"no readOnly in a Region not listed", strings.Replace(inRegion("ap-east-1"), `"readOnly":false,`, ``, 1), "Changes Made in a Region Not on Your List", "T1535", true},
		{"AWS service acting in a Region not listed", strings.Replace(inRegion("ap-east-1"), `"type":"IAMUser"`, `"type":"AWSService"`, 1), "Changes Made in a Region Not on Your List", "T1535", false},
		{"sign-in over IPv6 from a listed network", strings.Replace(login, `"IP"`, `"2001:db8::1"`, 1), "Console Sign-In From Outside Your Networks", "T1078", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ms, err := set.Matcher.Match([]byte(tt.record))
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, m := range ms {
				if m.Rule.Title != tt.rule {
					continue
				}
				found = true
				if r := set.Lookup(m.Rule); r == nil || len(r.Techniques) != 1 || r.Techniques[0] != tt.technique {
					t.Errorf("%s maps onto %v, want %s", tt.rule, r, tt.technique)
				}
			}
			if found != tt.match {
				t.Errorf("%s: matched %v, want %v", tt.rule, found, tt.match)
			}
		})
	}
}

// TestExampleHuntingRules loads the hunting rules left out of the catalog
// (examples/hunting) as ttc scan --rules does, and checks each correlation
// on its own samples (samples/<rule file name>/): it finds a burst in each
// log under match, and none in each log under nomatch. The rules map onto
// the catalog's AWS sub-techniques by their ttc.<ID> tags.
func TestExampleHuntingRules(t *testing.T) {
	c, err := catalog.Open()
	if err != nil {
		t.Fatal(err)
	}
	const dir = "../../examples/hunting"
	set, err := ruleset.Load(c, []string{dir})
	if err != nil {
		t.Fatalf("hunting rules: %v", err)
	}
	n := 0
	for _, r := range set.Correlations() {
		if !strings.HasPrefix(r.Rule.File, dir) {
			continue
		}
		n++
		if len(r.Techniques) != 1 || !strings.Contains(r.Techniques[0], ".A0") {
			t.Errorf("%s maps onto %v, want its AWS sub-technique", r.Rule.File, r.Techniques)
		}
		name := strings.TrimSuffix(filepath.Base(r.Rule.File), ".yml")
		for _, kind := range []string{"match", "nomatch"} {
			files, err := filepath.Glob(filepath.Join(dir, "samples", name, kind, "*.json"))
			if err != nil || len(files) < 2 {
				t.Fatalf("%s: %s samples: %v (%d files, want 2 or more)", name, kind, err, len(files))
			}
			for _, f := range files {
				data, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				flagged := len(ruleset.Correlate(set.Matcher, []*ruleset.Rule{r}, ruleset.Records(data))) > 0
				if flagged != (kind == "match") {
					t.Errorf("%s: flagged by %s %v, want %v", f, name, flagged, kind == "match")
				}
			}
		}
	}
	if n != 3 {
		t.Errorf("found %d hunting correlations, want 3", n)
	}
}
