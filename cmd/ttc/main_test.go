package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ttcproject/ttc/internal/catalog"
	"github.com/ttcproject/ttc/internal/golden"
	"github.com/ttcproject/ttc/internal/scan"
)

// TestMain keeps the tests away from the user's imported ATT&CK data.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "ttc-test-cache")
	if err != nil {
		panic(err)
	}
	os.Setenv("XDG_CACHE_HOME", dir)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// ttc runs one command line in-process and returns its output and exit code.
func ttc(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(args, &out, &errb)
	return out.String(), errb.String(), code
}

// TestGolden runs every catalog command in every format against golden files.
func TestGolden(t *testing.T) {
	t.Setenv("COLUMNS", "100")
	commands := map[string][]string{
		"tactics":           {"tactics"},
		"services":          {"services"},
		"mitigations":       {"mitigations"},
		"mitigations-kms":   {"mitigations", "--service", "kms", "--service", "AWS Backup"},
		"techniques":        {"techniques"},
		"techniques-s3":     {"techniques", "--service", "s3"},
		"techniques-source": {"techniques", "--service", "s3.amazonaws.com", "--tactic", "impact"},
		"techniques-aws":    {"techniques", "--aws-specific", "--tactic", "TA0005"},
		"techniques-event":  {"techniques", "--event", "s3:CopyObject", "--event", "DeleteTrail"},
		"techniques-search": {"techniques", "--search", "lifecycle expiration"},
		"show-T1486.A001":   {"show", "T1486.A001"},
		"show-T1485":        {"show", "T1485"},
		"show-T1537":        {"show", "T1537"}, // rules of other techniques report it
		"matrix":            {"matrix"},
		"matrix-s3-iam":     {"matrix", "--service", "s3", "--service", "iam"},
	}
	formats := []string{"table", "json", "yaml", "markdown"}
	for name, args := range commands {
		for _, f := range formats {
			t.Run(name+"."+f, func(t *testing.T) {
				out, errOut, code := ttc(t, append(args, "-o", f)...)
				if code != 0 {
					t.Fatalf("exit %d: %s", code, errOut)
				}
				golden.Check(t, filepath.Join("golden", name+"."+f), []byte(out))
			})
		}
	}
}

func TestValidate(t *testing.T) {
	out, errOut, code := ttc(t, "catalog", "validate")
	if code != 0 {
		t.Fatalf("embedded catalog does not validate (exit %d):\n%s%s", code, out, errOut)
	}
	golden.Check(t, "golden/validate.txt", []byte(out))

	// The help lists what is checked, the Sigma checks of a rule among them.
	out, errOut, code = ttc(t, "catalog", "validate", "--help")
	if code != 0 {
		t.Fatalf("catalog validate --help: exit %d: %s", code, errOut)
	}
	golden.Check(t, "golden/validate-help.txt", []byte(out))

	out, _, code = ttc(t, "catalog", "validate", "../../internal/catalog/testdata/overlays/events")
	if code != 1 || !strings.Contains(out, "ModifySecurityGroupIngress is not an operation of ec2") {
		t.Errorf("broken overlay: exit %d, output:\n%s", code, out)
	}

	// A technique file's problem does not hide the problems of another
	// technique's rules and samples: every problem comes in one run.
	out, errOut, code = ttc(t, "catalog", "validate", "testdata/overlay-mixed")
	for _, want := range []string{`T9030/technique.yaml:4:11: unknown tactic "TA9999"`,
		`T9031/rules/run_instances.yml:12:28: condition "selection and nothere": unknown search identifier "nothere"`,
		"T9031/samples/match/m1.json: match sample is not flagged by any rule of T9031"} {
		if !strings.Contains(out, want) {
			t.Errorf("overlay with a technique and a rule problem: output lacks %q:\n%s", want, out)
		}
	}
	if code != 1 || !strings.Contains(errOut, "catalog has 4 problems (3 in rules and samples)") {
		t.Errorf("overlay with a technique and a rule problem: exit %d, stderr %q", code, errOut)
	}
}

// TestValidateSaysWhatOverlaysBring checks that catalog validate names
// the techniques and mitigations an overlay adds and replaces (a
// replacement is otherwise silent), and says when overlays add no
// technique.
func TestValidateSaysWhatOverlaysBring(t *testing.T) {
	dir := t.TempDir()
	src := "../../catalog/techniques/T1486.A001"
	if err := os.CopyFS(filepath.Join(dir, "techniques", "T1486.A001"), os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := ttc(t, "catalog", "validate", dir)
	if code != 0 || !strings.Contains(out, "\noverlays replace 1 technique of the catalog's: T1486.A001\n") || strings.Contains(out, "overlays add") {
		t.Errorf("validate an overlay replacing T1486.A001: exit %d, stdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	out, errOut, code = ttc(t, "catalog", "validate", t.TempDir())
	if code != 0 || !strings.Contains(out, "\noverlays add no technique\n") {
		t.Errorf("validate an empty overlay: exit %d, stdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	// A technique only an overlay has is added, however many overlays
	// define it; the later one replacing the earlier is said as such.
	added := t.TempDir()
	if err := os.CopyFS(added, os.DirFS("../../internal/catalog/testdata/overlays/valid")); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(filepath.Join(added, "techniques", "T1486.A001")); err != nil {
		t.Fatal(err)
	}
	again := t.TempDir()
	if err := os.CopyFS(again, os.DirFS(added)); err != nil {
		t.Fatal(err)
	}
	out, errOut, code = ttc(t, "--catalog", added, "catalog", "validate", again)
	if code != 0 || !strings.Contains(out, "\noverlays add 1 technique: T9050\n") || strings.Contains(out, "of the catalog's") ||
		!strings.Contains(out, "\na later overlay replaces an earlier one's technique: T9050 of ") {
		t.Errorf("validate two overlays of T9050: exit %d, stdout:\n%s\nstderr:\n%s",
			code, out, errOut)
	}
	// One folder given twice is read once, and said to be given twice:
	// its technique does not replace itself.
	out, errOut, code = ttc(t, "--catalog", added, "catalog", "validate", added+"/.")
	warning := "warning: overlay folder " + added + " is given more than once: it is read once\n"
	if code != 0 || !strings.Contains(out, "\noverlays add 1 technique: T9050\n") ||
		strings.Contains(out, "replaces") || !strings.Contains(out, warning) {
		t.Errorf("validate one overlay twice: exit %d, stdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	// Mitigations are named as techniques are.
	mit := filepath.Join(t.TempDir(), "mitigations")
	own, err := os.ReadFile("../../catalog/mitigations/least-privilege-permissions.yaml")
	if err != nil {
		t.Fatal(err)
	}
	newMit := strings.Replace(string(own), "id: least-privilege-permissions",
		"id: my-own-mitigation", 1)
	if err := os.MkdirAll(mit, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, text := range map[string]string{
		"least-privilege-permissions.yaml": string(own),
		"my-own-mitigation.yaml":           newMit,
	} {
		if err := os.WriteFile(filepath.Join(mit, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out, errOut, code = ttc(t, "catalog", "validate", filepath.Dir(mit))
	want := "\noverlays add no technique\noverlays add 1 mitigation: my-own-mitigation\n" +
		"overlays replace 1 mitigation of the catalog's: least-privilege-permissions\n"
	if code != 0 || !strings.Contains(out, want) {
		t.Errorf("validate an overlay of mitigations: exit %d, stdout:\n%s\nstderr:\n%s",
			code, out, errOut)
	}
}

// TestValidateWarnsOfUnread checks that a rule put beside technique.yaml,
// where the loader does not read it, is named as a warning by catalog
// validate (which still succeeds) and by any command on stderr.
func TestValidateWarnsOfUnread(t *testing.T) {
	dir := t.TempDir()
	tdir := filepath.Join(dir, "techniques", "T9050")
	if err := os.MkdirAll(tdir, 0o755); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile("../../internal/catalog/testdata/overlays/valid/techniques/T9050/technique.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for name, text := range map[string][]byte{"technique.yaml": data, "my_rule.yml": []byte("title: mine\n")} {
		if err := os.WriteFile(filepath.Join(tdir, name), text, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	const warn = "T9050/my_rule.yml: file not read: a technique folder holds technique.yaml"
	out, errOut, code := ttc(t, "catalog", "validate", dir)
	if code != 0 || !strings.Contains(out, "warning: "+dir) || !strings.Contains(out, warn) || !strings.Contains(out, "\noverlays add 1 technique: T9050\n") {
		t.Errorf("validate: exit %d, stdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	_, errOut, code = ttc(t, "--catalog", dir, "tactics")
	if code != 0 || !strings.Contains(errOut, "ttc: warning: ") || !strings.Contains(errOut, "my_rule.yml") {
		t.Errorf("tactics with the overlay: exit %d, stderr:\n%s", code, errOut)
	}
}

// TestBrokenOverlayRule checks that an overlay rule that does not compile,
// which no scan runs, is marked as such by show (-o json too) and stops
// export sigma before it writes anything.
func TestBrokenOverlayRule(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join("testdata", "overlay-mixed", "techniques", "T9031")
	if err := os.CopyFS(filepath.Join(dir, "techniques", "T9031"), os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	const broken = `unknown search identifier "nothere"`
	out, errOut, code := ttc(t, "--catalog", dir, "show", "T9031")
	words := strings.Join(strings.Fields(out), " ") // the table wraps long lines
	if code != 0 || !strings.Contains(words, "not used, it does not compile") || !strings.Contains(words, broken) {
		t.Errorf("show: exit %d, stdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	out, _, code = ttc(t, "--catalog", dir, "show", "T9031", "-o", "json")
	if code != 0 || !strings.Contains(out, `"problem":`) {
		t.Errorf("show -o json: exit %d, no problem in:\n%s", code, out)
	}
	// Any command that loads the overlay warns of what catalog validate fails on.
	if _, errOut, code := ttc(t, "--catalog", dir, "tactics"); code != 0 || !strings.Contains(errOut, "overlay problem") || !strings.Contains(errOut, "nothere") {
		t.Errorf("tactics: exit %d, stderr:\n%s", code, errOut)
	}
	dest := filepath.Join(t.TempDir(), "rules")
	_, errOut, code = ttc(t, "--catalog", dir, "export", "sigma", dest)
	if code != 1 || !strings.Contains(errOut, broken) {
		t.Errorf("export sigma: exit %d, stderr:\n%s", code, errOut)
	}
	if _, err := os.Stat(dest); !os.IsNotExist(err) {
		t.Errorf("export sigma touched %s: %v", dest, err)
	}
}

func TestExitCodes(t *testing.T) {
	// A log that cannot be read to the end: a file of no shape ttc knows.
	broken := filepath.Join(t.TempDir(), "log.json")
	if err := os.WriteFile(broken, []byte("not a log\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		args []string
		code int
		err  string
	}{
		{[]string{"tactics"}, exitOK, ""},
		{[]string{"no-such-command"}, exitUsage, "unknown command"},
		{[]string{"tactics", "--no-such-flag"}, exitUsage, "unknown flag"},
		{[]string{"tactics", "-o", "xml"}, exitUsage, `unknown output format "xml"`},
		{[]string{"techniques", "--service", "nosuch"}, exitUsage, `unknown service "nosuch"`},
		{[]string{"mitigations", "--service", "nosuch"}, exitUsage, `--service: unknown service "nosuch"`},
		{[]string{"show"}, exitUsage, `usage: ttc show ID`},
		{[]string{"record", "../../examples/incident", "3"}, exitUsage, `is a folder: name the log file`},
		{[]string{"record", "../../examples/incident", "-1"}, exitUsage, `record number "-1": want a whole number from 1`},
		{[]string{"techniques", "--tactic", "command-and-control"}, exitUsage, `the catalog has no technique for the ATT&CK tactic TA0011 Command and Control`},
		{[]string{"techniques", "--tactic", "exfil"}, exitUsage, `unknown tactic "exfil"`},
		// An event of no service, or not of its service, is a typing error.
		{[]string{"techniques", "--event", "nosvc:Foo"}, exitUsage, `the catalog has no service "nosvc"`},
		{[]string{"techniques", "--event", "s3:GetObjectAcI"}, exitUsage, `s3:GetObjectAcI is not an operation of s3, s3control; did you mean GetObjectAcl`},
		{[]string{"techniques", "--event", "ec2:CopyObject"}, exitUsage, `CopyObject is an event of s3, not of ec2`},
		{[]string{"techniques", "--event", "sso:Federate"}, exitOK, ""},
		{[]string{"techniques", "--event", ""}, exitUsage, `it names no event`},
		{[]string{"techniques", "--event", "s3:GetBucketAcl"}, exitOK, ""},
		{[]string{"techniques", "--event", "CopyObjekt"}, exitUsage, `no service of the catalog has an event "CopyObjekt"; did you mean s3:CopyObject`},
		{[]string{"techniques", "--event", "GetBucketAcl"}, exitOK, ""},
		{[]string{"techniques", "--event", "iam:"}, exitUsage, "it names no event after the service"},
		{[]string{"techniques", "--event", ":StopLogging"}, exitUsage, "it names no service before the colon"},
		{[]string{"techniques", "--event", "cloudshell:CreateSession"}, exitOK, ""},
		{[]string{"techniques", "--event", "cognito-idp:Token_POST"}, exitOK, ""},
		{[]string{"techniques", "--event", "lambda:UpdateFunctionCode"}, exitOK, ""},
		{[]string{"show"}, exitUsage, "takes 1 argument"},
		{[]string{"show", "T9999"}, exitUsage, `no technique "T9999"`},
		{[]string{"--catalog", "no/such/dir", "tactics"}, exitError, "no/such/dir"},
		{[]string{"--log-level", "loud", "tactics"}, exitUsage, "--log-level"},
		{[]string{"techniques", "--search", "*"}, exitUsage, "no letters or digits"},
		{[]string{"scan"}, exitUsage, "at least one PATH"},
		{[]string{"scan", "--progress", "bogus", "../../examples/incident"}, exitUsage, "--progress"},
		{[]string{"scan", "--workers", "-1", "../../examples/incident"}, exitUsage, "--workers"},
		{[]string{"scan", "--since", "", "../../examples/incident"}, exitUsage, "--since: give a time"},
		{[]string{"scan", "--until", " ", "../../examples/incident"}, exitUsage, "--until: give a time"},
		// A flag value that is no number says what the flag wants, not
		// which Go function failed.
		{[]string{"scan", "--workers", "abc", "../../examples/incident"}, exitUsage, `invalid argument "abc" for "--workers" flag: want a whole number, in decimal digits` + "\n"},
		{[]string{"scan", "--workers", "99999999999999999999", "../../examples/incident"}, exitUsage, `for "--workers" flag: out of range` + "\n"},
		{[]string{"scan", "--workers", "0x10", "../../examples/incident"}, exitUsage, `invalid argument "0x10" for "--workers" flag: want a whole number, in decimal digits`},
		{[]string{"scan", "--workers", "257", "../../examples/incident"}, exitUsage, `--workers: 257: want 0 (one per CPU) to 256`},
		// A PATH that names nothing is a typo or a pattern that matched no file.
		{[]string{"scan", "../../examples/incident", "no-such-\x1b.json"}, exitUsage, `"no-such-\x1b.json": no such file or folder`},
		{[]string{"scan", "a.json", "b.json"}, exitUsage, `"a.json": no such file or folder; "b.json": no such file or folder`},
		{[]string{"scan", "../../README.md/x"}, exitUsage, `"../../README.md" is a file, not a folder`},
		{[]string{"scan", "../../examples/incident/*.json.gz"}, exitUsage, `"../../examples/incident/*.json.gz": no such file or folder`},
		{[]string{"scan", "--workers", "010", "-o", "jsonl", "../../examples/incident"}, exitOK, ""},
		{[]string{"serve", "--max-upload", "1_0"}, exitUsage, `invalid argument "1_0" for "--max-upload" flag: want a whole number, in decimal digits`},
		{[]string{"scan", "--group-by", "X\x1b\xff", "../../examples/incident"}, exitUsage, `unknown grouping "X\x1b\xff"`},
		{[]string{"scan", "--exit-code=maybe", "../../examples/incident"}, exitUsage, `invalid argument "maybe" for "--exit-code" flag: want true or false` + "\n"},
		{[]string{"serve", "--max-upload", "1.5"}, exitUsage, `invalid argument "1.5" for "--max-upload" flag: want a whole number, in decimal digits` + "\n"},
		{[]string{"serve", "--max-upload", "9223372036854775807"}, exitUsage, `--max-upload: 9223372036854775807: want 1 to 1099511627776 bytes`},
		{[]string{"serve", "--addr", "nonsense"}, exitUsage, `--addr "nonsense": want host:port`},
		{[]string{"serve", "--addr", "127.0.0.1:99999"}, exitUsage, `--addr "127.0.0.1:99999": the port must be a number from 0 to 65535`},
		{[]string{"scan", "--rules", "no/such/rules", "--rules", "x.yml", "../../examples/incident"}, exitUsage, `--rules: "no/such/rules": no such file or folder; "x.yml": no such file or folder`},
		{[]string{"scan", "-", "-"}, exitUsage, "named twice"},
		// A control character typed into an argument is escaped once, by
		// pflag's or cobra's %q or by ours, never twice.
		{[]string{"scan", "--workers", "\x1b", "../../examples/incident"}, exitUsage, `invalid argument "\x1b" for "--workers"`},
		{[]string{"sc\x1ban"}, exitUsage, `unknown command "sc\x1ban"`},
		{[]string{"scan", "--w\x1borkers", "1", "../../examples/incident"}, exitUsage, `unknown flag: --w\x1borkers`},
		{[]string{"scan", `--w\x1borkers`, "1", "../../examples/incident"}, exitUsage, `unknown flag: --w\\x1borkers`},
		{[]string{"--log-level", "de\x1b", "tactics"}, exitUsage, `unknown level "de\x1b"`},
		{[]string{"scan", "-\x1b", "../../examples/incident"}, exitUsage, `unknown shorthand flag in -\x1b`},
		{[]string{"scan", `-\x1b`, "../../examples/incident"}, exitUsage, `unknown shorthand flag in -\\x1b`},
		{[]string{"help", "sc\u202ean"}, exitUsage, `no help topic "sc\u202ean"`},
		{[]string{"help", "scan"}, exitOK, ""},
		{[]string{"scan", "-o", "x\x1b", "../../examples/incident"}, exitUsage, `unknown output format "x\x1b"`},
		{[]string{"scan", "--tactic", "x\x1b", "../../examples/incident"}, exitUsage, `--tactic: "x\x1b" is no`},
		{[]string{"scan", "--since", "2026-03-15", "--until", "2026-03-14", "../../examples/incident"}, exitUsage, "is not before"},
		{[]string{"scan", "-o", "jsonl", broken}, exitError, "could not be read"},
		{[]string{"scan", "-o", "jsonl", "../../examples/incident"}, exitOK, ""},
		{[]string{"scan", "-o", "jsonl", "--exit-code", "../../examples/incident"}, exitFindings, ""},
		// An input that fails outranks findings, and the message says there were some.
		{[]string{"scan", "-o", "jsonl", "--exit-code", "../../examples/incident", broken}, exitError, "findings reported from the rest"},
		{[]string{"scan", "-o", "jsonl", "--exit-code", broken}, exitError, "; 0 findings reported"},
		{[]string{"scan", "--min-level", "urgent", "../../examples/incident"}, exitUsage, `--min-level: unknown level "urgent"`},
		{[]string{"scan", "--min-level", "critical", "../../examples/incident"}, exitUsage, `rules is at that level or above (the highest is high)`},
		// ATT&CK tactics the catalog has no technique for filter rules from elsewhere.
		{[]string{"scan", "-o", "jsonl", "--tactic", "reconnaissance", "--tactic", "TA0011", "../../examples/incident"}, exitOK, ""},
		{[]string{"scan", "--tactic", "exfil", "../../examples/incident"}, exitUsage, `"exfil" is no ATT&CK Enterprise tactic`},
		{[]string{"scan", "--rules", "../../internal/ruleset/testdata/broken/techniques/T1485/rules/broken.yml", "../../examples/incident"}, exitError, "broken.yml"},
		// In a folder, a broken rule is left out, the scan runs, and the run fails at its end.
		{[]string{"scan", "-o", "jsonl", "--rules", "../../internal/ruleset/testdata/broken/techniques/T1485/rules", "../../examples/incident"}, exitError,
			"1 rule could not be used (see the errors above); 14 findings reported from the rest"},
		{[]string{"scan", "-o", "jsonl", "--exit-code", "--rules", "../../../shared/testdata/sigma", "../../examples/incident"}, exitFindings, ""},
		{[]string{"scan", "-o", "jsonl", "--group-by", "Actor", "../../examples/incident"}, exitOK, "this format is written ungrouped"},
		{[]string{"scan", "-o", "navigator", "--group-by", "actor", "../../examples/incident"}, exitOK, "this format is written ungrouped"},
		// A usable rule file is not blamed for an overlay's broken rule, which
		// is left out as any broken rule is, and the scan runs.
		{[]string{"--catalog", "../../internal/ruleset/testdata/broken", "scan", "-o", "jsonl", "--rules", "../../internal/scan/testdata/anyrule/any_record.yml",
			"../../examples/incident"}, exitError, "1 rule could not be used (see the errors above); 65 findings reported from the rest"},
		// An overlay rule's level that Sigma does not define is warned of, as
		// an external rule's is.
		{[]string{"--catalog", "../../internal/ruleset/testdata/broken", "scan", "-o", "jsonl", "../../examples/incident"}, exitError,
			`ttc: warning: rule loaded, but likely mistaken: level "Extreme" is no Sigma level (informational, low, medium, high, critical): --min-level keeps the rule (rule=../../internal/ruleset/testdata/broken/techniques/T1485/rules/hidden_text.yml)`},
		// cobra's suggestion keeps its lines.
		{[]string{"tecniques"}, exitUsage, "ttc: Did you mean this?\nttc:   techniques\n"},
		{[]string{"attack", "status"}, exitUsage, `unknown command "status" for "ttc attack"`},
		{[]string{"export", "yaml"}, exitUsage, `unknown command "yaml" for "ttc export"`},
		{[]string{"catalog", "check"}, exitUsage, `unknown command "check" for "ttc catalog"`},
		{[]string{"catalog"}, exitOK, ""},
		{[]string{"completion", "tcsh"}, exitUsage, `unknown command "tcsh" for "ttc completion"`},
		{[]string{"completion", "bash"}, exitOK, ""},
		{[]string{"record", "-", "1"}, exitUsage, "standard input cannot be"},
		{[]string{"record", incidentLog, "0"}, exitUsage, `record number "0"`},
		{[]string{"record", incidentLog}, exitUsage, "usage: ttc record FILE NUMBER... [flags]; ttc record takes a FILE and at least one record NUMBER"},
		{[]string{"record", incidentLog, "2", "999"}, exitError, "holds 25 records: no record 999"},
		{[]string{"record", "no/such/log.json", "1"}, exitError, "no/such/log.json"},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			_, errOut, code := ttc(t, tc.args...)
			if code != tc.code || !strings.Contains(errOut, tc.err) {
				t.Errorf("exit %d, stderr %q; want exit %d mentioning %q", code, errOut, tc.code, tc.err)
			}
		})
	}
}

// TestScanMinLevel checks that --min-level runs fewer rules, and only
// loses the findings of the rules below the level.
func TestScanMinLevel(t *testing.T) {
	summary := func(args ...string) (rules, findings int) {
		out, errOut, code := ttc(t, append([]string{"scan", "-o", "json"}, args...)...)
		if code != exitOK {
			t.Fatalf("ttc %v: exit %d: %s", args, code, errOut)
		}
		var res struct {
			Summary struct {
				Rules    int `json:"rules"`
				Findings int `json:"findings"`
			} `json:"summary"`
			Findings []struct {
				Rule struct{ Level string } `json:"rule"`
			} `json:"findings"`
		}
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatal(err)
		}
		for _, f := range res.Findings {
			if len(args) > 2 && f.Rule.Level != "high" && f.Rule.Level != "critical" {
				t.Errorf("--min-level high reported a finding of a %q rule", f.Rule.Level)
			}
		}
		return res.Summary.Rules, res.Summary.Findings
	}
	allRules, allFindings := summary("../../examples/incident")
	highRules, highFindings := summary("../../examples/incident", "--min-level", "high")
	if highRules >= allRules || highFindings > allFindings || highFindings == 0 {
		t.Errorf("--min-level high: %d rules and %d findings, all levels: %d and %d", highRules, highFindings, allRules, allFindings)
	}
}

func loadCatalog(t *testing.T) *catalog.Catalog {
	t.Helper()
	c, err := catalog.Open()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestScanRulesFolderMixed checks that each rule of a --rules folder is
// told broken or refused on its own, whatever else the folder holds:
// broken ones fail the run at its end and are counted one by one, a rule of
// another logsource only warns.
func TestScanRulesFolderMixed(t *testing.T) {
	dir := t.TempDir()
	rule := func(name, logsource, detection string) {
		t.Helper()
		body := "title: " + name + "\nid: 11111111-1111-1111-1111-" + fmt.Sprintf("%012d", len(name)) + "\nlogsource: " + logsource + "\ndetection:\n" + detection
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	aws := "{product: aws, service: cloudtrail}"
	rule("good.yml", aws, "  sel: {eventName: StopLogging}\n  condition: sel\n")
	rule("badcond.yml", aws, "  sel: {eventName: X}\n  condition: sel and and (\n")
	rule("sub/badmod.yml", aws, "  sel: {eventName|bogus: X}\n  condition: sel\n")
	rule("sub/deeper/windows.yml", "{product: windows, service: security}", "  sel: {EventID: 1}\n  condition: sel\n")
	out, errOut, code := ttc(t, "scan", "-o", "jsonl", "--rules", dir, "../../examples/incident")
	if code != exitError || !strings.Contains(errOut, "2 rules could not be used") || strings.Count(errOut, "it is broken") != 2 {
		t.Errorf("exit %d, stderr:\n%s\nwant exit 1 and two broken rules", code, errOut)
	}
	if !strings.Contains(errOut, "ttc: warning: ") || !strings.Contains(errOut, "windows.yml") {
		t.Errorf("the windows rule is not warned about:\n%s", errOut)
	}
	// The report itself says which rules were left out, as warnings: the
	// broken ones and those refused by design.
	var warned []string
	refusedListed := false
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var w struct{ Type, File, Reason string }
		if err := json.Unmarshal([]byte(line), &w); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		if w.Type == "warning" && strings.Contains(w.Reason, "it is broken") {
			warned = append(warned, filepath.Base(w.File))
		}
		if w.Type == "warning" && filepath.Base(w.File) == "windows.yml" {
			refusedListed = true
		}
	}
	if sort.Strings(warned); strings.Join(warned, ",") != "badcond.yml,badmod.yml" {
		t.Errorf("report warns about broken rules %v, want badcond.yml and badmod.yml", warned)
	}
	if !refusedListed {
		t.Error("the report does not list the windows rule, refused for its logsource")
	}
}

// TestScanRulesFolderEmpty checks that a --rules folder without a rule
// file, likely a wrong path, is warned about, and the scan runs.
func TestScanRulesFolderEmpty(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "README.md"), []byte("rules go here\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, errOut, code := ttc(t, "scan", "-o", "jsonl", "--rules", dir, "../../examples/incident")
	if code != exitOK || !strings.Contains(errOut, "ttc: warning: ") || !strings.Contains(errOut, "no Sigma rule files") {
		t.Errorf("exit %d, stderr:\n%s\nwant exit 0 and a warning", code, errOut)
	}
	// The same folder named twice is read once, and warned about once.
	_, errOut, _ = ttc(t, "scan", "-o", "jsonl", "--rules", dir, "--rules", dir, "../../examples/incident")
	if n := strings.Count(errOut, "no Sigma rule files"); n != 1 {
		t.Errorf("%d warnings for one folder named twice:\n%s", n, errOut)
	}
}

// incidentLog is a log file of the example incident, of 25 records.
const incidentLog = "../../examples/incident/AWSLogs/111122223333/CloudTrail/us-east-1/2026/03/14/111122223333_CloudTrail_us-east-1_20260314T0205Z_Qm9vT3JQbGxYZTQ2.json.gz"

// TestRecordPrintsFindingEvidence checks that ttc record prints the record
// each finding points at (the same event), in the order asked, with what a
// terminal could act on escaped, and reports a rejected record.
func TestRecordPrintsFindingEvidence(t *testing.T) {
	out, errOut, code := ttc(t, "scan", "-o", "jsonl", "../../examples/incident")
	if code != exitOK {
		t.Fatalf("scan: exit %d, %s", code, errOut)
	}
	type finding struct {
		EventID string `json:"event_id"`
		Record  struct {
			File    string `json:"file"`
			Ordinal int64  `json:"ordinal"`
		} `json:"record"`
	}
	checked := 0
	for i, f := range findingLines[finding](t, out) {
		// The reports' #N form is taken as well as the bare number.
		n := fmt.Sprint(f.Record.Ordinal)
		if i%2 == 1 {
			n = "#" + n
		}
		args := []string{"record", f.Record.File, n}
		if i%3 == 0 {
			args = append(args, "--event-id", f.EventID)
		}
		rec, errOut, code := ttc(t, args...)
		var r struct {
			EventID string `json:"eventID"`
		}
		if code != exitOK || json.Unmarshal([]byte(rec), &r) != nil || r.EventID != f.EventID {
			t.Errorf("record %s #%d: exit %d, %q, stderr %q; want event %s", f.Record.File, f.Record.Ordinal, code, rec, errOut, f.EventID)
		}
		checked++
	}
	if checked < 10 {
		t.Fatalf("checked %d findings' records; the example incident has more", checked)
	}

	hostile := filepath.Join(t.TempDir(), "hostile.json")
	// Pretty-printed with CRLF: the space between tokens goes, and no bare
	// CR reaches the terminal.
	body := "{\"Records\":[\r\n {\"eventVersion\": \"1.08\",\r\n  \"x\":\"a\u202eb\u009b31m\\u0041\"},{\"bad\":tru},\r{\"eventVersion\":\"1.09\"}]}"
	if err := os.WriteFile(hostile, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	rec, errOut, code := ttc(t, "record", hostile, "3", "2", "1")
	want := `{"eventVersion":"1.09"}` + "\n" + `{"eventVersion":"1.08","x":"a\u202eb\u009b31m\u0041"}` + "\n"
	if code != exitError || rec != want || !strings.Contains(errOut, "record 2 of "+hostile+" (line 3) was rejected: invalid JSON") {
		t.Errorf("hostile: exit %d, stdout %q, stderr %q; want exit %d, stdout %q and record 2 rejected", code, rec, errOut, exitError, want)
	}
	// A number past int64 is out of range like any other, not a usage error.
	if _, errOut, code := ttc(t, "record", hostile, "99999999999999999999999"); code != exitError || !strings.Contains(errOut, "no file holds that many") {
		t.Errorf("huge number: exit %d, stderr %q", code, errOut)
	}
}

// TestRecordEventID checks that --event-id refuses, unprinted, a record
// whose eventID is not the one the finding named: the file changed since
// the scan read it.
func TestRecordEventID(t *testing.T) {
	dir := t.TempDir()
	lines := func(ids ...string) string {
		var b strings.Builder
		for _, id := range ids {
			fmt.Fprintf(&b, `{"eventVersion":"1.11","eventTime":"2026-03-14T02:00:00Z","eventID":"%s","eventSource":"s3.amazonaws.com","eventName":"GetObject"}`+"\n", id)
		}
		return b.String()
	}
	log := filepath.Join(dir, "log.jsonl")
	write := func(body string) {
		t.Helper()
		if err := os.WriteFile(log, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(lines("evt-1", "evt-2", "evt-3"))
	if out, errOut, code := ttc(t, "record", "--event-id", "evt-3", "--event-id", "evt-1", log, "3", "#1"); code != exitOK ||
		strings.Count(out, "\n") != 2 || !strings.Contains(out, `"evt-3"`) || errOut != "" {
		t.Errorf("unchanged file: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	// A record added at the top: number 3 is now evt-2.
	write(lines("evt-0", "evt-1", "evt-2", "evt-3") + `{"eventVersion":"1.11","eventTime":"2026-03-14T02:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject"}` + "\n")
	cases := []struct {
		args       []string
		code       int
		out, inErr string
	}{
		{[]string{"--event-id", "evt-3", log, "3"}, exitError, "", `record 3 of ` + log + ` (line 3) has eventID "evt-2", not "evt-3": the file is not as the scan read it`},
		{[]string{"--event-id", "evt-3", "--event-id", "evt-3", log, "4", "3"}, exitError, `"evt-3"`, `has eventID "evt-2", not "evt-3"`},
		{[]string{"--event-id", "evt-4", log, "5"}, exitError, "", `has no eventID string (a finding gives "" for it), not "evt-4"`},
		{[]string{"--event-id", strings.Repeat("y", 9000), log, "1"}, exitError, "", `not "` + strings.Repeat("y", 128) + `…"`},
		{[]string{"--event-id", "", log, "5"}, exitOK, `"GetObject"`, ""},
		{[]string{"--event-id", "a\x1b[31m", log, "1"}, exitError, "", `not "a\x1b[31m"`},
		{[]string{"--event-id", "evt-3", log, "3", "4"}, exitUsage, "", "1 --event-id values for 2 record numbers"},
		{[]string{log, "##3"}, exitUsage, "", `record number "##3"`},
	}
	// The event_id a scan reports is what --event-id takes, whatever the
	// record's eventID: a number (none, ""), or one past the length
	// findings clip.
	odd := filepath.Join(dir, "odd.jsonl")
	body := `{"eventVersion":"1.11","eventTime":"2026-03-14T02:00:00Z","eventID":12345,"eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging"}` +
		"\n" + strings.Replace(lines(strings.Repeat("x", 9000)), "GetObject", "DeleteBucket", 1)
	if err := os.WriteFile(odd, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	out, _, _ := ttc(t, "scan", "-o", "jsonl", odd)
	type finding struct {
		EventID string `json:"event_id"`
		Record  struct {
			Ordinal int64 `json:"ordinal"`
		} `json:"record"`
	}
	fs := findingLines[finding](t, out)
	if len(fs) != 2 {
		t.Fatalf("scan gave %d findings, want 2:\n%s", len(fs), out)
	}
	for _, f := range fs {
		if rec, errOut, code := ttc(t, "record", "--event-id", f.EventID, odd, fmt.Sprint(f.Record.Ordinal)); code != exitOK || rec == "" {
			t.Errorf("record #%d --event-id of its finding (%d bytes): exit %d, stderr %q", f.Record.Ordinal, len(f.EventID), code, errOut)
		}
	}
	// Two IDs alike as far as a message quotes them: it says where they part.
	if _, errOut, code := ttc(t, "record", "--event-id", strings.Repeat("x", 8191)+"z", odd, "2"); code != exitError ||
		!strings.Contains(errOut, "differing from byte 8192 of the 8192 given") {
		t.Errorf("long IDs alike when quoted: exit %d, stderr %.300q", code, errOut)
	}
	for _, tc := range cases {
		out, errOut, code := ttc(t, append([]string{"record"}, tc.args...)...)
		if code != tc.code || (tc.out == "") != (out == "") || !strings.Contains(out, tc.out) ||
			!strings.Contains(errOut, tc.inErr) || strings.ContainsRune(errOut, 0x1b) {
			t.Errorf("record %q: exit %d, stdout %q, stderr %q; want exit %d, stdout with %q, stderr with %q",
				tc.args, code, out, errOut, tc.code, tc.out, tc.inErr)
		}
	}
}

// TestErrorsEscaped checks that an error quoting a hostile file name comes
// out on one line of stderr, its escape sequence and line break shown as
// escapes, and that errors put together each get their line.
func TestErrorsEscaped(t *testing.T) {
	name := filepath.Join(t.TempDir(), "n\x1b[31mX\u202e\nfake line.json")
	if err := os.WriteFile(name, []byte(`{"Records":[{"eventVersion":"1"},{"a":tru}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	_, errOut, code := ttc(t, "record", name, "2", "7")
	lines := strings.Split(strings.TrimSuffix(errOut, "\n"), "\n")
	if code != exitError || len(lines) != 2 || strings.ContainsAny(errOut, "\x1b\u202e") ||
		!strings.Contains(lines[0], `n\x1b[31mX\u202e\nfake line.json (line 1) was rejected`) ||
		!strings.HasPrefix(lines[1], "ttc: ") || !strings.Contains(lines[1], "holds 2 records: no record 7") {
		t.Errorf("exit %d, stderr %q; want two escaped lines", code, errOut)
	}
}

// findingLines decodes the findings of JSON Lines scan output into T,
// leaving out the other lines.
func findingLines[T any](t *testing.T, out string) []T {
	t.Helper()
	var fs []T
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var kind struct {
			Type string `json:"type"`
		}
		var f T
		if err := json.Unmarshal([]byte(line), &kind); err != nil {
			t.Fatal(err)
		}
		if kind.Type != "finding" {
			continue
		}
		if err := json.Unmarshal([]byte(line), &f); err != nil {
			t.Fatal(err)
		}
		fs = append(fs, f)
	}
	return fs
}

// TestPrintError checks how errors are split into lines: a join a line for
// each error, an error that wraps several in a sentence of its own whole,
// and every line escaped.
func TestPrintError(t *testing.T) {
	a, b := errors.New("a\x1b[1m"), errors.New("b\nc")
	cases := []struct {
		err  error
		want string
	}{
		{errors.Join(a, b), "ttc: a\\x1b[1m\nttc: b\\nc\n"},
		{fmt.Errorf("%w (dangling): %w", a, b), "ttc: a\\x1b[1m (dangling): b\\nc\n"},
		{fmt.Errorf("wrapped: %w", errors.Join(a, b)), "ttc: wrapped: a\\x1b[1m\\nb\\nc\n"},
		// A list's indent is kept; spaces of its own after it are escaped.
		{linesError{"2 problems:", "  x.yaml:1:1: a\x1b", "    y.yaml:2:1: b"},
			"ttc: 2 problems:\nttc:   x.yaml:1:1: a\\x1b\nttc:   \\x20 y.yaml:2:1: b\n"},
	}
	for _, tc := range cases {
		var buf bytes.Buffer
		printError(&buf, tc.err)
		if buf.String() != tc.want {
			t.Errorf("printError(%q) wrote %q, want %q", tc.err, buf.String(), tc.want)
		}
	}
}

// TestExitRejected checks that a scan with rejected records exits 1, with
// or without --exit-code: a record that was not judged may hide a
// technique (a forged record that repeats a key to hide a call, a record
// that matched rules but has no usable eventTime, a cut last line).
func TestExitRejected(t *testing.T) {
	const stop = `{"eventVersion":"1.10","eventTime":"2026-01-01T01:00:00Z","eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging",` +
		`"awsRegion":"us-east-1","eventID":"e1","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/x"}}`
	const quiet = `{"eventVersion":"1.10","eventTime":"2026-01-01T01:00:00Z","eventSource":"cloudtrail.amazonaws.com","eventName":"DescribeTrails",` +
		`"awsRegion":"us-east-1","eventID":"e2","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/x"}}`
	for _, tc := range []struct {
		name, log  string
		code, plus int // exit status without and with --exit-code
		say        string
	}{
		{"clean, findings", stop + "\n", exitOK, exitFindings, ""},
		{"clean, none", quiet + "\n", exitOK, exitOK, ""},
		{"no usable time", strings.Replace(stop, `"2026-01-01T01:00:00Z"`, `"1704070800"`, 1) + "\n", exitError, exitError,
			"1 record was rejected (1 of them matched rules but have no usable eventTime"},
		{"repeated key", strings.Replace(quiet, `"eventName":"DescribeTrails"`, `"eventName":"DescribeTrails","eventName":"StopLogging"`, 1) + "\n",
			exitError, exitError, "1 record was rejected"},
		{"cut last line", quiet + "\n" + stop[:60] + "\n", exitError, exitError, "1 record was rejected"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			log := filepath.Join(t.TempDir(), "log.json")
			if err := os.WriteFile(log, []byte(tc.log), 0o644); err != nil {
				t.Fatal(err)
			}
			for _, args := range [][]string{{"scan", "-o", "jsonl", log}, {"scan", "--exit-code", "-o", "jsonl", log}} {
				want := tc.code
				if len(args) == 5 {
					want = tc.plus
				}
				_, errOut, code := ttc(t, args...)
				if code != want || !strings.Contains(errOut, tc.say) {
					t.Errorf("%v: exit %d, stderr %q; want exit %d saying %q", args, code, errOut, want, tc.say)
				}
			}
		})
	}
}

// linesError is an error that prints as several lines, as a catalog's
// load error does.
type linesError []string

func (e linesError) Error() string   { return strings.Join(e, "\n") }
func (e linesError) Lines() []string { return e }

func TestParseWhen(t *testing.T) {
	want := time.Date(2026, 3, 14, 2, 17, 45, 0, time.UTC)
	for _, s := range []string{"2026-03-14T02:17:45Z", "2026-03-14T04:17:45+02:00", "2026-03-14T02:17:45", "2026-03-14 02:17:45",
		"2026-03-14t02:17:45z", "2026-03-14 02:17:45Z", "2026-03-14 03:17:45+01:00"} {
		if got, err := parseWhen(s); err != nil || !got.Equal(want) {
			t.Errorf("parseWhen(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	for s, w := range map[string]time.Time{
		"2026-03-14T02:17": want.Truncate(time.Minute), "2026-03-14 02:17": want.Truncate(time.Minute),
		"2026-03-14T02:17Z": want.Truncate(time.Minute), "2026-03-14 04:17+02:00": want.Truncate(time.Minute),
		"2026-03-14": time.Date(2026, 3, 14, 0, 0, 0, 0, time.UTC),
	} {
		if got, err := parseWhen(s); err != nil || !got.Equal(w) {
			t.Errorf("parseWhen(%q) = %v, %v; want %v", s, got, err, w)
		}
	}
	for _, s := range []string{"14/03/2026", "2026-03-14T25:00:00", "yesterday", "2026-03-14T02:17:45+24:00",
		"2026-03-14T02:17:45+00:60", "2026-03-14 02:17-25:00"} {
		if _, err := parseWhen(s); err == nil {
			t.Errorf("parseWhen(%q) took it", s)
		}
	}
}

// TestEmptyListingSaysSo checks that a listing the filter leaves empty says
// so on stderr, beside the table's header, and stays an empty list in JSON.
func TestEmptyListingSaysSo(t *testing.T) {
	out, errOut, code := ttc(t, "techniques", "--search", "xyzzy")
	if code != exitOK || !strings.Contains(errOut, "no technique matches the filter") || strings.Contains(out, "T1") {
		t.Errorf("exit %d, stdout %q, stderr %q; want an empty table and the note", code, out, errOut)
	}
	out, errOut, _ = ttc(t, "techniques", "--search", "xyzzy", "-o", "json")
	if errOut != "" || !strings.Contains(out, `"items": []`) {
		t.Errorf("json: stdout %q, stderr %q; want an empty list and no note", out, errOut)
	}
}

// TestScanBrokenPipe checks that a scan whose output pipe lost its reader
// (ttc scan … | head) exits as SIGPIPE would have it, 141, and says
// nothing.
func TestScanBrokenPipe(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
	defer w.Close()
	var errb bytes.Buffer
	if code := run([]string{"scan", "-o", "jsonl", "../../examples/incident"}, w, &errb); code != exitBrokenPipe || errb.Len() > 0 {
		t.Errorf("exit %d, stderr %q; want %d and nothing said", code, errb.String(), exitBrokenPipe)
	}
}

// TestRecordShowsRejectedJSON checks that ttc record prints a rejected
// record that is valid JSON (one that repeats a key, the shape of a forged
// record), beside its reason and exit status 1, and only the reason for
// one that is not JSON.
func TestRecordShowsRejectedJSON(t *testing.T) {
	log := filepath.Join(t.TempDir(), "log.jsonl")
	forged := `{"eventVersion":"1.10","eventTime":"2026-01-01T01:00:00Z","eventName":"DescribeTrails","eventName":"StopLogging"}`
	if err := os.WriteFile(log, []byte(forged+"\n{\"eventName\" 1}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := ttc(t, "record", log, "1")
	if code != exitError || !strings.Contains(out, `"eventName":"StopLogging"`) || !strings.Contains(errOut, "duplicate key") {
		t.Errorf("exit %d, stdout %q, stderr %q; want 1, the record and its reason", code, out, errOut)
	}
	out, errOut, code = ttc(t, "record", log, "2")
	if code != exitError || out != "" || !strings.Contains(errOut, "was rejected") {
		t.Errorf("exit %d, stdout %q, stderr %q; want 1 and the reason alone", code, out, errOut)
	}
}

// TestRecordNamesNoEvent checks that ttc record prints a record that is
// JSON but names no event, or has no eventTime a scan can place, with the
// reason a scan rejects it, and exit status 1, as a scan has, and an
// Insights record without a word.
func TestRecordNamesNoEvent(t *testing.T) {
	log := filepath.Join(t.TempDir(), "log.jsonl")
	lines := []string{
		`{"eventVersion":"1.10","eventTime":"2026-01-01T01:00:00Z","eventSource":"s3.amazonaws.com","eventName":5}`,
		`{"eventVersion":"1.10","eventTime":"2026-01-01T01:00:00Z","EventSource":"s3.amazonaws.com","EventName":"GetObject"}`,
		`{"eventVersion":"1.07","eventTime":"2026-01-01T01:00:00Z","eventType":"AwsCloudTrailInsight","insightDetails":{"eventName":"PutObject"}}`,
		`{"eventVersion":"1.10","eventTime":"0001-01-01T00:00:00Z","eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging"}`,
		`{"eventVersion":"1.10","eventTime":"yesterday","eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging"}`,
		`{"eventVersion":"1.10","eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging"}`,
		`{"eventVersion":"1.07","eventType":"AwsCloudTrailInsight","insightDetails":{"eventName":"PutObject"}}`,
	}
	if err := os.WriteFile(log, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// The second the reader rejects already: its keys differ from
	// CloudTrail's in letter case only.
	// The last three a scan rejects when a rule matches them: no finding
	// can be placed in time for them.
	for n, why := range map[string]string{"1": "not a CloudTrail record", "2": "in other letter case",
		"4": "outside the years 1678 to 2261", "5": `eventTime "yesterday" is not a timestamp`, "6": "eventTime is missing"} {
		out, errOut, code := ttc(t, "record", log, n)
		if code != exitError || !strings.Contains(out, `"eventVersion"`) || !strings.Contains(errOut, why) {
			t.Errorf("record %s: exit %d, stdout %q, stderr %q; want 1, the record and %q", n, code, out, errOut, why)
		}
	}
	for _, n := range []string{"3", "7"} { // the second with no eventTime, which a scan never asks of it
		if out, errOut, code := ttc(t, "record", log, n); code != 0 || !strings.Contains(out, "insightDetails") || errOut != "" {
			t.Errorf("Insights record %s: exit %d, stdout %q, stderr %q; want it printed alone", n, code, out, errOut)
		}
	}
}

// TestRecordNameNotUTF8 checks that ttc record, given a file name as a JSON
// report writes one that is not UTF-8 (U+FFFD for its other bytes), says
// why the file is not found and how to name it.
func TestRecordNameNotUTF8(t *testing.T) {
	_, errOut, code := ttc(t, "record", filepath.Join(t.TempDir(), "inv\ufffd.json"), "1")
	if code != exitError || !strings.Contains(errOut, "not UTF-8 as U+FFFD") {
		t.Errorf("exit %d, stderr %q; want 1 and the reason", code, errOut)
	}
}

// TestScanSessionOriginsInEveryTimeline runs ttc scan --group-by actor on a
// role session whose issuing AssumeRole is in the log, and checks that
// each format with timelines says who obtained the key: the scan must
// keep session origins for every one of them, Markdown included.
func TestScanSessionOriginsInEveryTimeline(t *testing.T) {
	const key = "ASIAEXAMPLEROLEKEY01"
	assume := `{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","principalId":"AIDAEXAMPLEALICE","arn":"arn:aws:iam::111122223333:user/alice","accountId":"111122223333","accessKeyId":"AKIAEXAMPLEALICE0001","userName":"alice"},` +
		`"eventTime":"2026-11-30T03:00:00Z","eventSource":"sts.amazonaws.com","eventName":"AssumeRole","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.9","userAgent":"aws-cli/2.22.9",` +
		`"requestParameters":{"roleArn":"arn:aws:iam::111122223333:role/ops","roleSessionName":"alice"},` +
		`"responseElements":{"credentials":{"accessKeyId":"` + key + `","sessionToken":"x","expiration":"Nov 30, 2026, 4:00:00 AM"},"assumedRoleUser":{"assumedRoleId":"AROAEXAMPLEOPS:alice","arn":"arn:aws:sts::111122223333:assumed-role/ops/alice"}},` +
		`"requestID":"r1","eventID":"e1","readOnly":true,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"111122223333","eventCategory":"Management"}`
	enable := `{"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLEOPS:alice","arn":"arn:aws:sts::111122223333:assumed-role/ops/alice","accountId":"111122223333","accessKeyId":"` + key + `",` +
		`"sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROAEXAMPLEOPS","arn":"arn:aws:iam::111122223333:role/ops","accountId":"111122223333","userName":"ops"},"attributes":{"creationDate":"2026-11-30T03:00:00Z","mfaAuthenticated":"false"}}},` +
		`"eventTime":"2026-11-30T03:05:00Z","eventSource":"ec2.amazonaws.com","eventName":"EnableSerialConsoleAccess","awsRegion":"eu-west-1","sourceIPAddress":"198.51.100.4","userAgent":"aws-cli/2.22.9",` +
		`"requestParameters":{"EnableSerialConsoleAccessRequest":""},"responseElements":null,"requestID":"r2","eventID":"e2","readOnly":false,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"111122223333","eventCategory":"Management"}`
	path := filepath.Join(t.TempDir(), "trail.json")
	if err := os.WriteFile(path, []byte(`{"Records":[`+assume+`,`+enable+`]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ format, want string }{
		{"table", "session: " + key + " · sts:AssumeRole · by arn:aws:iam::111122223333:user/alice"},
		{"json", `"by": "arn:aws:iam::111122223333:user/alice"`},
		{"html", "session <code>" + key + "</code> · sts:AssumeRole · by <code>arn:aws:iam::111122223333:user/alice</code>"},
		{"markdown", "\n- session " + key + " · sts:AssumeRole · by arn:aws:iam::111122223333:user/alice · at 2026-11-30T03:00:00Z · from 203.0.113.9\n"},
	} {
		out, errOut, code := ttc(t, "scan", "--group-by", "actor", "-o", tc.format, path)
		if code != exitOK || !strings.Contains(out, tc.want) {
			t.Errorf("-o %s: exit %d, want %q in:\n%s\n%s", tc.format, code, tc.want, out, errOut)
		}
	}
}

// TestScanIdentityCenterUsersApart runs ttc scan --group-by actor on two
// IAM Identity Center users of one account registering devices in the
// access portal, whose records name no ARN, principal ID or user name, and
// checks that each has a timeline of its own, named by its user ID.
func TestScanIdentityCenterUsersApart(t *testing.T) {
	samples := "../../catalog/techniques/T1098.005/samples/match/identity_center_user_"
	var records []string
	for _, name := range []string{"registers_authenticator_app.json", "registers_security_key.json"} {
		b, err := os.ReadFile(samples + name)
		if err != nil {
			t.Fatal(err)
		}
		records = append(records, string(b))
	}
	path := filepath.Join(t.TempDir(), "trail.json")
	if err := os.WriteFile(path, []byte(`{"Records":[`+strings.Join(records, ",")+`]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	const store = "arn:aws:identitystore::111122223333:identitystore/d-9367a1b2c3"
	users := []string{ // the security key's registration comes first
		"IdentityCenterUser f6b1d8a3-40c2-7025-9e7f-3a1c5b8d2e64",
		"IdentityCenterUser c2a5f4e8-7091-70d4-1b3e-8f6a2d9c4e17",
	}

	out, errOut, code := ttc(t, "scan", "--group-by", "actor", "-o", "json", path)
	var doc struct {
		Actors []struct {
			Actor    string `json:"actor"`
			Findings []struct {
				Actor struct {
					UserID string `json:"on_behalf_of_user_id"`
					Store  string `json:"identity_store_arn"`
				} `json:"actor"`
			} `json:"findings"`
		} `json:"actors"`
	}
	if err := json.Unmarshal([]byte(out), &doc); code != exitOK || err != nil {
		t.Fatalf("exit %d, %v:\n%s\n%s", code, err, out, errOut)
	}
	if len(doc.Actors) != len(users) {
		t.Fatalf("%d actors, want %d:\n%s", len(doc.Actors), len(users), out)
	}
	for i, a := range doc.Actors {
		if a.Actor != users[i] || len(a.Findings) != 1 {
			t.Errorf("actor %d: %q with %d findings, want %q with 1", i, a.Actor, len(a.Findings), users[i])
			continue
		}
		got := a.Findings[0].Actor
		if "IdentityCenterUser "+got.UserID != users[i] || got.Store != store {
			t.Errorf("actor %d: finding's actor %+v", i, got)
		}
	}

	out, errOut, code = ttc(t, "scan", "--group-by", "actor", path)
	if code != exitOK || strings.Contains(out, "account 111122223333") {
		t.Errorf("table: exit %d, want no timeline of the account:\n%s\n%s", code, out, errOut)
	}
	for _, u := range users {
		if !strings.Contains(out, "\n"+u+"  IdentityCenterUser, 1 finding") {
			t.Errorf("table: no timeline of %s:\n%s", u, out)
		}
	}
}

// TestScanFolderWithoutLogs: a folder named to be scanned that gives no
// log to read (a sync that failed, the wrong prefix) makes the scan
// incomplete, as an empty input does; a folder whose files were all read
// under another name (named twice, or inside another folder named) does
// not.
func TestScanFolderWithoutLogs(t *testing.T) {
	dir := t.TempDir()
	empty, notes := filepath.Join(dir, "empty"), filepath.Join(dir, "notes")
	for _, d := range []string{empty, notes} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(notes, "readme.txt"), []byte("case notes\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	logs := "../../examples/incident"
	digests := logs + "/AWSLogs/111122223333/CloudTrail-Digest"
	found, err := filepath.Glob(digests + "/*/*/*/*/*.json.gz")
	if err != nil || len(found) != 1 {
		t.Fatalf("digest files of the example: %v, %v", found, err)
	}
	digestFile := found[0]
	for _, tc := range []struct {
		name    string
		args    []string
		folders int    // inputs_without_logs in the summary
		reason  string // in the warnings, when folders > 0
	}{
		{"empty folder", []string{empty}, 1, "folder holds no file"},
		{"folder of notes", []string{notes}, 1, "its one file was set aside"},
		// Digest files are told by what they hold, by the workers.
		{"folder of digest files", []string{digests}, 1, "its one file was set aside"},
		{"digest file named", []string{digestFile}, 1, "input holds no log: it was set aside"},
		{"logs beside an empty folder", []string{logs, empty}, 1, "folder holds no file"},
		{"logs", []string{logs}, 0, ""},
		{"logs named twice", []string{logs, logs + "/"}, 0, ""},
		{"logs and a folder inside them", []string{logs, logs + "/AWSLogs"}, 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := ttc(t, append([]string{"scan", "-o", "json"}, tc.args...)...)
			var doc struct {
				Summary  scan.Summary
				Warnings []scan.Rejection
			}
			if err := json.Unmarshal([]byte(out), &doc); err != nil {
				t.Fatalf("output is not JSON: %v\n%s", err, out)
			}
			if got := doc.Summary.InputsWithoutLogs; got != int64(tc.folders) {
				t.Errorf("inputs_without_logs %d, want %d", got, tc.folders)
			}
			want := exitOK
			if tc.folders > 0 {
				want = exitError
				if !strings.Contains(errOut, "gave no log to read") {
					t.Errorf("stderr does not say that an input gave no log:\n%s", errOut)
				}
				if len(doc.Warnings) == 0 || !strings.Contains(doc.Warnings[0].Reason, tc.reason) {
					t.Errorf("warnings %+v, want one saying %q", doc.Warnings, tc.reason)
				}
			}
			if code != want {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, want, errOut)
			}
		})
	}
}

// TestScanEmptyInput: an input that holds nothing is no log (a pipe whose
// command failed, a download cut to nothing), so a scan of it says so and
// exits 1, whatever --exit-code says of findings.
func TestScanEmptyInput(t *testing.T) {
	empty := filepath.Join(t.TempDir(), "cut.json.gz")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := ttc(t, "scan", "--exit-code", empty)
	if code != exitError || !strings.Contains(errOut, "ttc: 1 input held nothing to read") || !strings.Contains(out, "empty input: nothing to read") {
		t.Errorf("scan of an empty file: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	out, _, code = ttc(t, "scan", "-o", "jsonl", empty, "../../examples/incident")
	if code != exitError || !strings.Contains(out, `"files_empty":1`) {
		t.Errorf("scan of an empty file beside logs: exit %d, summary %q", code, out[strings.LastIndex(out, "\n{"):])
	}
}

// TestScanSkipsListedOnce: a file set aside, reached again through a
// folder that holds the one named before it, is listed and counted once.
func TestScanSkipsListedOnce(t *testing.T) {
	dir := t.TempDir()
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{filepath.Join(sub, "x.md"), filepath.Join(dir, "y.md")} {
		if err := os.WriteFile(f, []byte("notes\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out, _, _ := ttc(t, "scan", "-o", "json", sub, dir)
	var doc struct {
		Summary scan.Summary
		Skipped []scan.Rejection `json:"skipped_files"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out)
	}
	if doc.Summary.FilesSkipped != 2 || len(doc.Skipped) != 2 {
		t.Errorf("%d files skipped, %d listed (%+v); want 2 and 2", doc.Summary.FilesSkipped, len(doc.Skipped), doc.Skipped)
	}
}

// TestBrokenRuleWarningPlace checks that a broken --rules rule is named at
// its line and column, in the JSON warning as on the table.
func TestBrokenRuleWarningPlace(t *testing.T) {
	dir := t.TempDir()
	rule := "title: t\nid: 11111111-1111-4111-8111-111111111111\nlogsource:\n  product: aws\n  service: cloudtrail\n" +
		"detection:\n  sel:\n    eventName|x: A\n  condition: sel\nlevel: low\n"
	if err := os.WriteFile(filepath.Join(dir, "a.yml"), []byte(rule), 0o644); err != nil {
		t.Fatal(err)
	}
	out, _, code := ttc(t, "scan", "-o", "json", "--rules", dir, "../../examples/incident")
	var doc struct {
		Warnings []struct {
			File         string
			Line, Column int64
		}
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || code != exitError {
		t.Fatalf("exit %d, %v:\n%s", code, err, out)
	}
	found := false
	for _, w := range doc.Warnings {
		found = found || (strings.HasSuffix(w.File, "a.yml") && w.Line == 8 && w.Column == 5)
	}
	if !found {
		t.Errorf("no warning at a.yml line 8, column 5: %+v", doc.Warnings)
	}
	out, _, _ = ttc(t, "scan", "--rules", dir, "../../examples/incident")
	if !strings.Contains(out, "a.yml:8:5: rule not used: it is broken") {
		t.Errorf("the table's warning does not name a.yml:8:5:\n%s", out)
	}
}
