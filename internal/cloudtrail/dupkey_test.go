package cloudtrail

import (
	"fmt"
	"strings"
	"testing"
)

// TestDuplicateKeys checks that a record in which any object repeats a key
// is rejected with the key and where it repeats, and that the records
// around it are read.
func TestDuplicateKeys(t *testing.T) {
	// keys are 200 distinct members, past the linear check, then the 150th again.
	var keys strings.Builder
	for i := range 200 {
		fmt.Fprintf(&keys, `"k%d":%d,`, i, i)
	}
	keys.WriteString(`"k149":0`)
	many := `{"eventName":"many","m":{` + keys.String() + "}}"
	flat := `{"eventName":"many",` + keys.String() + "}"
	long := strings.Repeat("k", 100)
	tests := []struct {
		name     string
		in       string
		names    []string // eventName of each record produced
		rejected []string // substrings of each rejection reason, in order
		at       []string // the repeated key starts at the last occurrence of this in in
		err      error
	}{
		{name: "top level", in: "[" + recA + `,{"eventName":"C","eventSource":"x","eventName":"D"},` + recB + "]",
			names: []string{"A", "B"}, rejected: []string{`duplicate key "eventName" at line 1`}, at: []string{`"eventName":"D"`}},
		{name: "nested", in: `{"Records":[{"eventName":"C","userIdentity":{"type":"Root","arn":"x","type":"IAMUser"}},` + recB + "]}",
			names: []string{"B"}, rejected: []string{`duplicate key "type"`}, at: []string{`"type":"IAMUser"`}},
		{name: "deep in an array", in: `[{"eventName":"C","a":[1,{"b":[{"c":1,"d":2,"c":3}]}]},` + recA + "]",
			names: []string{"A"}, rejected: []string{`duplicate key "c"`}, at: []string{`"c":3`}},
		{name: "same key in sibling objects", in: `[{"eventName":"C","a":{"x":1},"b":{"x":1},"c":[{"x":1},{"x":2}]}]`,
			names: []string{"C"}},
		{name: "same key at two depths", in: `[{"eventName":"C","a":{"eventName":{"eventName":1}}}]`, names: []string{"C"}},
		{name: "escaped spelling", in: "[" + `{"eventName":"C","event\u004eame":"D"},` + recA + "]",
			names: []string{"A"}, rejected: []string{`duplicate key "eventName"`}, at: []string{`"event\u004eame"`}},
		{name: "both escaped", in: `[{"eventName":"C","a":{"\u00e9":1,"\u00E9":2}}]`,
			rejected: []string{`duplicate key "é"`}, at: []string{`"\u00E9"`}},
		{name: "escapes that differ", in: `[{"eventName":"C","a":{"\"":1,"\\":2,"\/":3,"/x":4,"/":5}}]`,
			rejected: []string{`duplicate key "/"`}, at: []string{`"/":5`}},
		{name: "escaped key is no repeat", in: `[{"eventName":"C","a":{"a\"b":1,"a\\b":2,"a\u0062":3,"ab":4}}]`,
			rejected: []string{`duplicate key "ab"`}, at: []string{`"ab":4`}},
		// The reason holds the key as decoded; displays escape it, once.
		{name: "control characters in the reason", in: `[{"eventName":"C","a\n\u0000b":1,"a\u000a\u0000b":2}]`,
			rejected: []string{"duplicate key \"a\n\x00b\""}, at: []string{`"a\u000a`}},
		{name: "long key clipped", in: `[{"eventName":"C","` + long + `":1,"` + long + `":2}]`,
			rejected: []string{`duplicate key "` + long[:64] + `…"`}},
		{name: "many keys", in: `{"Records":[` + many + "," + recA + "]}", names: []string{"A"},
			rejected: []string{`duplicate key "k149"`}, at: []string{`"k149"`}},
		{name: "empty keys", in: `[{"eventName":"C","":1,"":2}]`, rejected: []string{`duplicate key ""`}},
		{name: "ndjson", in: recA + "\n" + `{"eventName":"C","eventSource":"x","eventSource":"y"}` + "\n" + recB,
			names: []string{"A", "B"}, rejected: []string{`duplicate key "eventSource" at line 2`}, at: []string{`"eventSource":"y"`}},
		{name: "ndjson nested", in: `{"eventName":"C","requestParameters":{"bucketName":"a","bucketName":"b"}}` + "\n" + recB,
			names: []string{"B"}, rejected: []string{`duplicate key "bucketName"`}, at: []string{`"bucketName":"b"`}},
		{name: "ndjson many keys", in: recA + "\n" + flat + "\n" + recB,
			names: []string{"A", "B"}, rejected: []string{`duplicate key "k149"`}, at: []string{`"k149"`}},
		{name: "eventbridge detail", in: `{"detail-type":"x","source":"aws.s3","detail":{"eventName":"C","eventName":"D"}}` + "\n" + recA,
			names: []string{"A"}, rejected: []string{`duplicate key "eventName"`}, at: []string{`"eventName":"D"`}},
		{name: "eventbridge envelope", in: `{"detail-type":"x","source":"aws.s3","detail":` + recA + `,"detail":` + recB + "}",
			rejected: []string{`duplicate key "detail"`}, at: []string{`"detail"`}},
		{name: "lookup string", in: `{"Events":[{"CloudTrailEvent":` + quote(`{"eventName":"C","eventName":"D"}`) + `},{"CloudTrailEvent":` +
			quote(recB) + `}]}`, names: []string{"B"}, rejected: []string{`CloudTrailEvent holds a duplicate key "eventName" at offset 17`}},
		{name: "cloudwatch message", in: `{"messageType":"DATA_MESSAGE","logEvents":[{"id":"1","message":` +
			quote(`{"eventName":"C","a":{"b":1,"b":2}}`) + `}]}`, rejected: []string{`message holds a duplicate key "b"`}},
		{name: "container before its records", in: `{"messageType":"CONTROL_MESSAGE","messageType":"DATA_MESSAGE","logEvents":[]}`,
			err: ErrDuplicateKey},
		{name: "container nested before its records", in: `{"owner":{"a":1,"a":2},"Records":[` + recA + "]}", err: ErrDuplicateKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			readBothBuffers(t, tt.in, tt.err, func(_ Options, res result) {
				if names := eventNames(t, res.raws); fmt.Sprint(names) != fmt.Sprint(tt.names) {
					t.Errorf("records %v, want %v", names, tt.names)
				}
				wantRejects(t, res.rejects, tt.rejected)
				for i, re := range res.rejects {
					if tt.at != nil {
						want := fmt.Sprintf("offset %d", strings.LastIndex(tt.in, tt.at[i]))
						if !strings.HasSuffix(re.Reason, want) {
							t.Errorf("reject %d: %q does not end with %q", i, re.Reason, want)
						}
					}
				}
			})
		})
	}
}

// TestRepeatedContainerKey checks that the arrays of a container key said
// twice are both read, and counted, so that the scan can warn that other
// tools (which keep the last) read the file differently.
func TestRepeatedContainerKey(t *testing.T) {
	in := `{"Records":[` + recA + `],"Records":[` + recB + `]}` + "\n" + `{"Records":[` + recA + `]}`
	readBothBuffers(t, in, nil, func(o Options, res result) {
		if names := eventNames(t, res.raws); fmt.Sprint(names) != "[A B A]" || res.err != nil {
			t.Errorf("%+v: records %v, %v; want [A B A]", o, names, res.err)
		}
		if res.stats.Repeated != 1 {
			t.Errorf("%+v: %d repeated containers, want 1", o, res.stats.Repeated)
		}
	})
	// Two container keys: tools read one of them.
	readBothBuffers(t, `{"Records":[`+recA+`],"Events":[{"CloudTrailEvent":`+quote(recB)+`}]}`, nil, func(o Options, res result) {
		if names := eventNames(t, res.raws); fmt.Sprint(names) != "[A B]" || res.stats.Repeated != 1 {
			t.Errorf("%+v: records %v, %d repeated; want [A B] and 1", o, names, res.stats.Repeated)
		}
	})
	// Another container key with another value: tools that read it see no records.
	readBothBuffers(t, `{"Records":[`+recA+`],"Events":null}`, nil, func(o Options, res result) {
		if names := eventNames(t, res.raws); fmt.Sprint(names) != "[A]" || res.stats.Repeated != 1 {
			t.Errorf("%+v: records %v, %d repeated; want [A] and 1", o, names, res.stats.Repeated)
		}
	})
	// Repeated with another value, which tools that keep the last read.
	readBothBuffers(t, `{"Records":[`+recA+`],"Records":null}`, nil, func(o Options, res result) {
		if names := eventNames(t, res.raws); fmt.Sprint(names) != "[A]" || res.stats.Repeated != 1 {
			t.Errorf("%+v: records %v, %d repeated; want [A] and 1", o, names, res.stats.Repeated)
		}
	})
}
