package catalog_test

import (
	"bytes"
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

	"github.com/ttcproject/ttc/internal/awsapi"
	"github.com/ttcproject/ttc/internal/catalog"
)

// cliCommandRE finds the command an AWS CLI user agent names
// (md/command#s3api.put-object).
var cliCommandRE = regexp.MustCompile(`md/command#([^\s\]]*)`)

// s3Commands are the AWS CLI's high-level S3 commands: each makes S3 calls
// of other names (s3 cp writes PutObject, CopyObject or the multipart calls).
var s3Commands = []string{"cp", "mv", "rm", "sync", "ls", "mb", "rb", "website"}

// TestSampleUserAgents checks that a record of the catalog's samples and
// the examples whose user agent names an AWS CLI command names the
// record's own operation: the command is the operation in kebab-case
// (the API's name where CloudTrail logs it under another), one of the
// high-level S3 commands for an S3 event, or ec2-instance-connect ssh,
// which pushes a key with SendSSHPublicKey. A sample whose agent runs
// another command reads as made up.
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
	if checked == 0 {
		t.Fatal("no sample records read")
	}
}

// userAgentRecord is what TestSampleUserAgents reads of a record.
type userAgentRecord struct {
	EventSource string `json:"eventSource"`
	EventName   string `json:"eventName"`
	UserAgent   string `json:"userAgent"`
}

// sampleRecords reads the records of a sample or log file: one record, an
// array of them, or a log's {"Records": [...]}, gzip-compressed or not.
// A file that is no JSON (a broken sample kept as a test) holds none.
func sampleRecords(t *testing.T, path string) []userAgentRecord {
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
	var log struct{ Records []userAgentRecord }
	if json.Unmarshal(data, &log) == nil && log.Records != nil {
		return log.Records
	}
	var list []userAgentRecord
	if json.Unmarshal(data, &list) == nil {
		return list
	}
	var one userAgentRecord
	if json.Unmarshal(data, &one) == nil {
		return []userAgentRecord{one}
	}
	return nil
}

// commandProblem says how the AWS CLI command in r's user agent disagrees
// with r's event, or "".
func commandProblem(c *catalog.Catalog, r userAgentRecord) string {
	m := cliCommandRE.FindStringSubmatch(r.UserAgent)
	if m == nil {
		return "" // the console, an SDK or a service
	}
	_, op, _ := strings.Cut(m[1], ".")
	switch {
	case op == "":
		return "md/command#" + m[1] + " names no operation"
	case op != strings.ToLower(op):
		return "md/command#" + m[1] + " is not as the CLI writes it, in lower case"
	case r.EventSource == "s3.amazonaws.com" && slices.Contains(s3Commands, op):
		return ""
	case m[1] == "ec2-instance-connect.ssh" && r.EventName == "SendSSHPublicKey":
		return ""
	}
	// The CLI writes an operation's words in lower case, joined by hyphens.
	name := strings.ReplaceAll(op, "-", "")
	if strings.EqualFold(name, r.EventName) {
		return ""
	}
	for _, s := range c.Services() {
		if slices.Contains(s.EventSources, r.EventSource) &&
			slices.Contains(awsapi.CloudTrailNames(s.Key, name), r.EventName) {
			return ""
		}
	}
	return "md/command#" + m[1] + " names another operation than the event " + r.EventName
}
