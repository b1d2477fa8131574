package catalog_test

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"encoding/json"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/ttcproject/ttc/internal/awsapi"
	"github.com/ttcproject/ttc/internal/catalog"
)

// cliCommandRE finds the command an AWS CLI user agent names: md/command#
// in AWS CLI v2's agents (md/command#s3api.put-object), command/ in older
// ones (command/iam.list-users).
var cliCommandRE = regexp.MustCompile(`(?:md/command#|\bcommand/)([^\s\]]*)`)

// cliCommands are AWS CLI commands that make calls of other names: the
// high-level S3 commands (s3 cp writes PutObject, CopyObject, the
// multipart calls and HEAD requests), and a few customisations. Each
// lists the events it may leave.
var cliCommands = map[string][]string{
	"s3.cp":                    {"GetObject", "PutObject", "CopyObject", "HeadObject", "ListObjects", "CreateMultipartUpload", "UploadPart", "CompleteMultipartUpload"},
	"s3.mv":                    {"GetObject", "PutObject", "CopyObject", "HeadObject", "ListObjects", "DeleteObject", "CreateMultipartUpload", "UploadPart", "CompleteMultipartUpload"},
	"s3.sync":                  {"GetObject", "PutObject", "CopyObject", "HeadObject", "ListObjects", "DeleteObject", "CreateMultipartUpload", "UploadPart", "CompleteMultipartUpload"},
	"s3.rm":                    {"DeleteObject", "DeleteObjects", "ListObjects"},
	"s3.ls":                    {"ListBuckets", "ListObjects"},
	"s3.mb":                    {"CreateBucket"},
	"s3.rb":                    {"DeleteBucket", "DeleteObjects", "ListObjects"},
	"s3.website":               {"PutBucketWebsite"},
	"ec2-instance-connect.ssh": {"SendSSHPublicKey"},
	"ecr.get-login-password":   {"GetAuthorizationToken"},
	"eks.update-kubeconfig":    {"DescribeCluster"},
	"emr.create-cluster":       {"RunJobFlow"},
	"ddb.put":                  {"PutItem"},
}

// cliServices maps the AWS CLI's service names to the event sources, as
// written before .amazonaws.com, where the two differ.
var cliServices = map[string]string{
	"s3api": "s3", "configservice": "config", "apigatewayv2": "apigateway", "ddb": "dynamodb",
	"emr": "elasticmapreduce", "sso-admin": "sso", "ds": "ds", "ec2-instance-connect": "ec2-instance-connect",
	"resourcegroupstaggingapi": "tagging", "logs": "logs", "cloudwatch": "monitoring",
	"stepfunctions": "states", "rds-data": "rdsdata", "service-quotas": "servicequotas",
	"s3control": "s3", "elbv2": "elasticloadbalancing", "elb": "elasticloadbalancing", "sesv2": "ses",
	"bedrock-runtime": "bedrock", "bedrock-agent": "bedrock", "bedrock-agent-runtime": "bedrock", "opensearch": "es", "es": "es", "identitystore": "identitystore",
}

// TestSampleUserAgents checks that a record of the catalog's samples and
// the examples whose user agent names an AWS CLI command names the
// record's own call: a command of the record's service (s3api for S3),
// which is the operation in the CLI's lower-case hyphenated form (the
// API's name, where CloudTrail logs it under another), or a command of
// cliCommands that leaves that event. A sample whose agent ran another
// command reads as made up. Every file must read as records.
func TestSampleUserAgents(t *testing.T) {
	c := loadEmbedded(t)
	checked := 0
	for _, root := range []string{"../../catalog/techniques", "../../examples"} {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			if !strings.HasSuffix(path, ".json") && !strings.HasSuffix(path, ".json.gz") {
				return nil
			}
			for i, r := range sampleRecords(t, path) {
				if why := commandProblem(c, r); why != "" {
					t.Errorf("%s: record %d: %s", path, i+1, why)
				}
				checked++
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if checked < 1000 {
		t.Fatalf("%d sample records read; the catalog has more", checked)
	}
}

// TestCommandProblem checks commandProblem on agents right and wrong.
func TestCommandProblem(t *testing.T) {
	c := loadEmbedded(t)
	for _, tc := range []struct {
		agent, source, event string
		ok                   bool
	}{
		{"aws-cli/2.15.30 md/command#ec2.run-instances", "ec2", "RunInstances", true},
		{"aws-cli/2.15.30 md/command#iam.run-instances", "ec2", "RunInstances", false},
		{"aws-cli/2.15.30 md/command#ec2.runinstances", "ec2", "RunInstances", false},
		{"aws-cli/2.15.30 md/command#ec2.Run-Instances", "ec2", "RunInstances", false},
		{"aws-cli/2.9.0 command/iam.list-users", "iam", "ListUsers", true},
		{"aws-cli/2.9.0 command/ec2.describe-key-pairs", "ec2", "RunInstances", false},
		{"aws-cli/2.15.30 md/command#iam.list-mfa-devices", "iam", "ListMFADevices", true},
		{"aws-cli/2.15.30 md/command#s3api.list-objects-v2", "s3", "ListObjects", true},
		{"aws-cli/2.15.30 md/command#s3api.put-bucket-lifecycle-configuration", "s3", "PutBucketLifecycle", true},
		{"aws-cli/2.15.30 md/command#lambda.update-function-code", "lambda", "UpdateFunctionCode20150331v2", true},
		{"aws-cli/2.15.30 md/command#s3.cp", "s3", "PutObject", true},
		{"aws-cli/2.15.30 md/command#s3.ls", "s3", "DeleteBucket", false},
		{"aws-cli/2.15.30 md/command#s3api.rm", "s3", "GetObject", false},
		{"aws-cli/2.15.30 md/command#ecr.get-login-password", "ecr", "GetAuthorizationToken", true},
		{"aws-cli/2.15.30 md/command#configservice.stop-configuration-recorder", "config", "StopConfigurationRecorder", true},
		{"aws-cli/2.15.30 md/command#iam", "iam", "ListUsers", false},
		{"Boto3/1.34.0 md/Botocore#1.34.0", "iam", "ListUsers", true},
	} {
		r := map[string]any{"userAgent": tc.agent, "eventSource": tc.source + ".amazonaws.com", "eventName": tc.event}
		if why := commandProblem(c, r); (why == "") != tc.ok {
			t.Errorf("%s on %s: problem %q, want ok %v", tc.agent, tc.event, why, tc.ok)
		}
	}
}

// sampleRecords reads the records of a sample or log file: one record, an
// array of them, or a log's {"Records": [...]}, gzip-compressed or not.
func sampleRecords(t *testing.T, path string) []map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if data, err = io.ReadAll(zr); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
	}
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var list []any
	switch v := v.(type) {
	case []any:
		list = v
	case map[string]any:
		if rs, ok := v["Records"].([]any); ok {
			list = rs
		} else {
			list = []any{v}
		}
	}
	var out []map[string]any
	for _, x := range list {
		if m, ok := x.(map[string]any); ok {
			out = append(out, m)
		}
	}
	if len(out) == 0 {
		t.Fatalf("%s holds no record", path)
	}
	return out
}

// commandProblem says how the AWS CLI command in record r's user agent
// disagrees with r's event, or "".
func commandProblem(c *catalog.Catalog, r map[string]any) string {
	agent, _ := r["userAgent"].(string)
	source, _ := r["eventSource"].(string)
	event, _ := r["eventName"].(string)
	m := cliCommandRE.FindStringSubmatch(agent)
	if m == nil {
		return "" // the console, an SDK or a service
	}
	command := m[1]
	svc, op, _ := strings.Cut(command, ".")
	switch {
	case op == "":
		return command + " names no operation"
	case command != strings.ToLower(command):
		return command + " is not as the CLI writes it, in lower case"
	}
	if events, ok := cliCommands[command]; ok {
		if slices.Contains(events, event) {
			return ""
		}
		return command + " leaves no " + event
	}
	prefix := strings.TrimSuffix(source, ".amazonaws.com")
	if want := cmp.Or(cliServices[svc], svc); want != prefix {
		return command + " is a command of " + svc + ", not of " + source
	}
	if op == cliName(event) {
		return ""
	}
	// An operation CloudTrail logs under another name.
	for _, s := range c.Services() {
		if !slices.Contains(s.EventSources, source) {
			continue
		}
		for _, mod := range s.SDKModules {
			for _, api := range awsapi.Operations(mod) {
				if cliName(api) == op && slices.Contains(awsapi.CloudTrailNames(s.Key, api), event) {
					return ""
				}
			}
		}
	}
	return command + " names another operation than the event " + event
}

// cliName is an operation's name as the AWS CLI writes it: its words in
// lower case joined by hyphens (ListMFADevices: list-mfa-devices).
func cliName(op string) string {
	var b strings.Builder
	rs := []rune(op)
	for i, r := range rs {
		if i > 0 && unicode.IsUpper(r) {
			prev := rs[i-1]
			nextLower := i+1 < len(rs) && unicode.IsLower(rs[i+1])
			if unicode.IsLower(prev) || unicode.IsDigit(prev) || unicode.IsUpper(prev) && nextLower {
				b.WriteByte('-')
			}
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}
