package awsapi

import (
	"bytes"
	_ "embed"
	"fmt"
	"slices"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
)

//go:embed exceptions.yaml
var exceptionsFile []byte

// exceptionEntry is one entry of exceptions.yaml.
type exceptionEntry struct {
	Service string `yaml:"service"`
	Event   string `yaml:"event"`
	Reason  string `yaml:"reason"`
	Source  string `yaml:"source"`
	// Operation is the SDK operation the event records, when CloudTrail
	// names it otherwise (PutBucketLifecycleConfiguration is logged as
	// PutBucketLifecycle).
	Operation string `yaml:"operation"`
}

// exceptions maps service key, then event name, to the entry.
type exceptions map[string]map[string]exceptionEntry

var loadExceptions = sync.OnceValue(func() exceptions {
	ex, err := parseExceptions(exceptionsFile)
	if err != nil {
		// The file is embedded and covered by tests, so a parse error is a build defect.
		panic(fmt.Sprintf("awsapi: embedded exceptions.yaml: %v", err))
	}
	return ex
})

// parseExceptions reads and validates the exceptions file.
func parseExceptions(data []byte) (exceptions, error) {
	var doc struct {
		Exceptions []exceptionEntry `yaml:"exceptions"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("parse exceptions: %w", err)
	}
	ex := exceptions{}
	for i, e := range doc.Exceptions {
		switch {
		case e.Service == "" || e.Reason == "" || e.Source == "":
			return nil, fmt.Errorf("check exception %d (%s): service, reason and source are required", i, e.Event)
		case !isName(e.Event):
			return nil, fmt.Errorf("check exception %d: event %q is not an event name", i, e.Event)
		case e.Operation != "" && !isName(e.Operation):
			return nil, fmt.Errorf("check exception %d (%s): operation %q is not an operation name", i, e.Event, e.Operation)
		case ex[e.Service][e.Event].Event != "":
			return nil, fmt.Errorf("check exception %d: %s:%s is listed twice", i, e.Service, e.Event)
		}
		if ex[e.Service] == nil {
			ex[e.Service] = map[string]exceptionEntry{}
		}
		ex[e.Service][e.Event] = e
	}
	return ex, nil
}

// Exception reports whether service:event is a CloudTrail event name that is not an SDK
// operation, and if so why. service is a key of catalog/services.yaml.
func Exception(service, event string) (reason string, ok bool) {
	e, ok := loadExceptions()[service][event]
	return e.Reason, ok
}

// CloudTrailNames returns the event names CloudTrail logs the SDK
// operation of service under when they differ from the operation's name
// (S3's PutPublicAccessBlock is two: PutBucketPublicAccessBlock and
// PutAccountPublicAccessBlock); nil when CloudTrail uses the operation's
// own name. service is a key of catalog/services.yaml.
func CloudTrailNames(service, operation string) []string {
	var out []string
	for _, e := range loadExceptions()[service] {
		if e.Operation != "" && strings.EqualFold(e.Operation, operation) {
			out = append(out, e.Event)
		}
	}
	slices.Sort(out)
	return out
}
