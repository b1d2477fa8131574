package awsapi

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// servicesPath is catalog/services.yaml seen from this package's folder.
var servicesPath = filepath.Join("..", "..", "catalog", "services.yaml")

type service struct {
	Key        string   `yaml:"key"`
	SDKModules []string `yaml:"sdk_modules"`
}

// readServices reads the catalog's services file; the test is skipped if it is not there.
func readServices(t *testing.T) map[string]service {
	t.Helper()
	raw, err := os.ReadFile(servicesPath)
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("no services file at %s", servicesPath)
	}
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Services []service `yaml:"services"`
	}
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("parse %s: %v", servicesPath, err)
	}
	out := map[string]service{}
	for _, s := range doc.Services {
		out[s.Key] = s
	}
	return out
}

func TestHasOperation(t *testing.T) {
	tests := []struct {
		module, op string
		want       bool
	}{
		{"ec2", "RunInstances", true},
		{"ec2", "ModifySecurityGroupRules", true},
		{"ec2", "ModifySecurityGroupIngress", false},
		{"ec2", "runinstances", false}, // event names are case-sensitive
		{"s3", "PutBucketLifecycleConfiguration", true},
		{"s3", "PutBucketLifecycle", false},
		{"iam", "CreateUser", true},
		{"sts", "AssumeRole", true},
		{"lambda", "UpdateFunctionCode", true},
		{"nosuchmodule", "RunInstances", false},
		{"ec2", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.module+"/"+tt.op, func(t *testing.T) {
			if got := HasOperation(tt.module, tt.op); got != tt.want {
				t.Errorf("HasOperation(%q, %q) = %v, want %v", tt.module, tt.op, got, tt.want)
			}
		})
	}
}

func TestModulesAndVersions(t *testing.T) {
	mods := Modules()
	if !slices.IsSorted(mods) {
		t.Errorf("Modules() not sorted: %v", mods)
	}
	for _, m := range mods {
		if v := Version(m); !strings.HasPrefix(v, "v") {
			t.Errorf("Version(%q) = %q, want a module version", m, v)
		}
		if len(Operations(m)) == 0 {
			t.Errorf("module %s has a version but no operations", m)
		}
	}
	if v := Version("nosuchmodule"); v != "" {
		t.Errorf("Version(nosuchmodule) = %q, want empty", v)
	}
}

func TestException(t *testing.T) {
	tests := []struct {
		service, event string
		want           bool
	}{
		{"signin", "ConsoleLogin", true},
		{"signin", "CheckMfa", true},
		{"lambda", "UpdateFunctionCode20150331v2", true},
		{"s3", "PutBucketLifecycle", true},
		{"ec2", "SharedSnapshotCopyInitiated", true},
		{"lambda", "ConsoleLogin", false}, // exceptions belong to one service
		{"signin", "consolelogin", false},
		{"s3", "PutBucketLifecycleConfiguration", false}, // a real operation, not an exception
	}
	for _, tt := range tests {
		t.Run(tt.service+":"+tt.event, func(t *testing.T) {
			reason, ok := Exception(tt.service, tt.event)
			if ok != tt.want {
				t.Fatalf("Exception(%q, %q) ok = %v, want %v", tt.service, tt.event, ok, tt.want)
			}
			if ok && len(reason) < 20 {
				t.Errorf("reason %q is too short to explain anything", reason)
			}
		})
	}
}

func TestCheckEvent(t *testing.T) {
	tests := []struct {
		name    string
		service string
		modules []string
		event   string
		wantErr bool
		suggest []string // each must be among the suggestions
		exact   []string // when set, the suggestions must be exactly these
	}{
		{name: "real operation", service: "ec2", modules: []string{"ec2"}, event: "AuthorizeSecurityGroupIngress"},
		{name: "second module", service: "s3", modules: []string{"s3", "s3control"}, event: "PutPublicAccessBlock"},
		{name: "vpc uses ec2", service: "vpc", modules: []string{"ec2"}, event: "CreateFlowLogs"},
		{name: "exception", service: "s3", modules: []string{"s3", "s3control"}, event: "PutBucketLifecycle"},
		{name: "no module, exception", service: "signin", event: "ConsoleLogin"},
		{name: "lambda versioned", service: "lambda", modules: []string{"lambda"}, event: "CreateFunction20150331"},
		{
			name: "known false name", service: "ec2", modules: []string{"ec2"}, event: "ModifySecurityGroupIngress",
			wantErr: true, suggest: []string{"ModifySecurityGroupRules", "AuthorizeSecurityGroupIngress"},
		},
		{
			name: "wrong case", service: "iam", modules: []string{"iam"}, event: "createUser",
			wantErr: true, exact: []string{"CreateUser"},
		},
		{
			name: "typo", service: "cloudtrail", modules: []string{"cloudtrail"}, event: "StopLoging",
			wantErr: true, suggest: []string{"StopLogging"},
		},
		{
			name: "no module, unknown", service: "signin", event: "ConsoleLogon",
			wantErr: true, suggest: []string{"ConsoleLogin"},
		},
		{
			name: "exception of another service", service: "iam", modules: []string{"iam"}, event: "ConsoleLogin",
			wantErr: true,
		},
		{
			name: "unknown module", service: "x", modules: []string{"nosuchmodule"}, event: "RunInstances",
			wantErr: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckEvent(tt.service, tt.modules, tt.event)
			if !tt.wantErr {
				if err != nil {
					t.Fatalf("CheckEvent(%s:%s) = %v, want nil", tt.service, tt.event, err)
				}
				return
			}
			var ue *UnknownEventError
			if !errors.As(err, &ue) {
				t.Fatalf("CheckEvent(%s:%s) = %v, want *UnknownEventError", tt.service, tt.event, err)
			}
			for _, s := range tt.suggest {
				if !slices.Contains(ue.Suggestions, s) {
					t.Errorf("suggestions %v lack %s", ue.Suggestions, s)
				}
			}
			if tt.exact != nil && !slices.Equal(ue.Suggestions, tt.exact) {
				t.Errorf("suggestions = %v, want %v", ue.Suggestions, tt.exact)
			}
			if len(ue.Suggestions) > maxSuggestions {
				t.Errorf("%d suggestions, want at most %d", len(ue.Suggestions), maxSuggestions)
			}
			if !strings.HasPrefix(err.Error(), tt.service+":"+tt.event+" is not ") {
				t.Errorf("message %q does not start with the event", err)
			}
			t.Log(err)
		})
	}
}

// TestModuleCoverage proves that every sdk_module the catalog names has operations in
// operations.txt, so a new module in services.yaml cannot go unchecked.
func TestModuleCoverage(t *testing.T) {
	missing := MissingModules()
	for key, s := range readServices(t) {
		for _, m := range s.SDKModules {
			switch {
			case len(Operations(m)) > 0:
			case slices.Contains(missing, m):
				// The generator recorded that it could not download this module; the data
				// file says so openly, and CheckEvent reports it for every event.
				t.Logf("service %s: module %s is recorded as missing in operations.txt", key, m)
			default:
				t.Errorf("service %s: module %s has no operations; run go generate ./internal/awsapi", key, m)
			}
		}
	}
}

// TestExceptionsAreSound checks each exception names a catalog service and is not, in fact,
// an operation of that service (which would make the entry stale), unless the entry says
// which other operation CloudTrail logs under its name (S3's ListObjects records ListObjectsV2).
func TestExceptionsAreSound(t *testing.T) {
	services := readServices(t)
	for key, events := range loadExceptions() {
		s, ok := services[key]
		if !ok {
			t.Errorf("exceptions name service %q, which services.yaml does not have", key)
			continue
		}
		for event, e := range events {
			for _, m := range s.SDKModules {
				if HasOperation(m, event) && e.Operation == "" {
					t.Errorf("%s:%s is an operation of %s; remove the exception", key, event, m)
				}
			}
			if e.Operation != "" && !slices.ContainsFunc(s.SDKModules, func(m string) bool { return HasOperation(m, e.Operation) }) {
				t.Errorf("%s:%s records operation %s, which no SDK module of %s has", key, event, e.Operation, key)
			}
		}
	}
}

// TestCloudTrailNames checks that an SDK operation CloudTrail logs under
// another name gives that name, every one when there are several, and
// that every name given is an exception of its service and not itself an
// operation.
func TestCloudTrailNames(t *testing.T) {
	for _, tc := range []struct {
		service, operation string
		want               []string
	}{
		{"s3", "PutBucketLifecycleConfiguration", []string{"PutBucketLifecycle"}},
		{"s3", "putbucketlifecycleconfiguration", []string{"PutBucketLifecycle"}},
		{"s3", "PutPublicAccessBlock", []string{"PutAccountPublicAccessBlock", "PutBucketPublicAccessBlock"}},
		{"lambda", "UpdateFunctionCode", []string{"UpdateFunctionCode20150331v2"}},
		{"s3", "ListObjectsV2", []string{"ListObjects"}},
		{"s3", "CopyObject", nil},
		{"ec2", "PutBucketLifecycleConfiguration", nil},
	} {
		if got := CloudTrailNames(tc.service, tc.operation); !slices.Equal(got, tc.want) {
			t.Errorf("CloudTrailNames(%s, %s) = %v, want %v", tc.service, tc.operation, got, tc.want)
		}
	}
	for key, events := range loadExceptions() {
		for _, e := range events {
			if e.Operation != "" && CloudTrailNames(key, e.Operation) == nil {
				t.Errorf("%s:%s names operation %s, which gives no name back", key, e.Event, e.Operation)
			}
		}
	}
}

// TestCheckBareEventSuggestions checks that a bare name mistyped by a
// letter or two is offered the names within two letters only, each with
// every service that has it.
func TestCheckBareEventSuggestions(t *testing.T) {
	services := map[string][]string{"cognito-idp": {"cognitoidentityprovider"}, "ecs": {"ecs"}, "iam": {"iam"},
		"identitystore": {"identitystore"}, "kms": {"kms"}, "s3": {"s3"}}
	var ue *UnknownEventError
	err := CheckBareEvent(services, "ListUserz")
	if !errors.As(err, &ue) {
		t.Fatalf("ListUserz: %v, want an UnknownEventError", err)
	}
	want := []string{"cognito-idp:ListUsers", "iam:ListUsers", "identitystore:ListUsers"}
	if !slices.Equal(ue.Suggestions, want) {
		t.Errorf("ListUserz: suggestions %v, want %v", ue.Suggestions, want)
	}
	if err := CheckBareEvent(services, "ListUsers"); err != nil {
		t.Errorf("ListUsers: %v", err)
	}
}
