package cloudtrail

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

const (
	recA = `{"eventName":"A","eventSource":"s3.amazonaws.com","eventID":"a"}`
	recB = `{"eventName":"B","eventSource":"s3.amazonaws.com","eventID":"b"}`
)

func TestErrors(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		produced int
		rejected []string // substrings of each rejection reason, in order
		rejLines []int64  // line of each rejected record
		err      error    // file-level error, nil for a clean end
		errText  string
	}{
		{name: "empty", in: ""},
		{name: "blank", in: " \n\t\n"},
		{name: "bom", in: "\xef\xbb\xbf" + recA, produced: 1},
		{name: "empty records", in: `{"Records":[]}`},
		{name: "records then more keys", in: `{"Records":[` + recA + `],"x":{"y":[1,2]}}`, produced: 1},
		{name: "keys before records", in: `{"x":[1,{"a":2}],"Records":[` + recA + `]}`, produced: 1},
		{name: "concatenated containers", in: `{"Records":[` + recA + `]}{"Records":[` + recB + `]}`, produced: 2},
		{name: "element not an object", in: `{"Records":[` + recA + `,42,"s",null,[1]]}`, produced: 1,
			rejected: []string{"is a number", "is a string", "is null", "is an array"}, rejLines: []int64{1, 1, 1, 1}},
		{name: "invalid element with balanced brackets", in: "{\"Records\":[\n" + recA + ",\n{\"eventName\":\"x\" \"y\":1},\n" + recB + "]}",
			produced: 2, rejected: []string{"invalid JSON: ',' or '}' expected in object, found '\"' at line 3"}, rejLines: []int64{3}},
		{name: "non-ASCII byte outside a string", in: "[" + recA + ",{\"a\":1 \u202e},{\"a\":1 \xff}," + recB + "]", produced: 2,
			rejected: []string{`found byte 0xe2`, `found byte 0xff`}, rejLines: []int64{1, 1}},
		{name: "invalid scalar element", in: `[` + recA + `,tru,` + recB + `]`, produced: 2, rejected: []string{"invalid literal"}},
		// A key that is a record's in other letter case: Go's encoding/json
		// would read "StopLogging" as the event's name.
		{name: "key in other letter case", in: `{"Records":[{"eventVersion":"1.10","eventName":"DescribeTrails","EventName":"StopLogging"},` +
			`{"eventversion":"1.10","eventName":"X"},` + recA + `]}`, produced: 1,
			rejected: []string{`key "EventName" is "eventName" in other letter case`, `key "eventversion" is "eventVersion"`}},
		{name: "key in other letter case, lone record", in: `{"EVENTNAME":"StopLogging","eventSource":"cloudtrail.amazonaws.com"}` + "\n" + recA,
			produced: 1, rejected: []string{`key "EVENTNAME" is "eventName"`}},
		// Folded as encoding/json folds, beyond ASCII: U+017F is an s.
		{name: "key in other letter case, long s", in: `{"Records":[{"eventVersion":"1.10","eventSource":"s3.amazonaws.com","eventſource":"iam.amazonaws.com"},` + recA + `]}`,
			produced: 1, rejected: []string{`key "eventſource" is "eventSource"`}},
		// An EventBridge envelope's own keys too: "Detail" beside "detail".
		{name: "envelope key in other letter case", in: `{"version":"0","source":"aws.s3","detail-type":"AWS API Call via CloudTrail","detail":` + recA +
			`,"Detail":` + recB + "}\n" + recA, produced: 1, rejected: []string{`EventBridge key "Detail" is "detail"`}},
		// LookupEvents entries spell their own keys so (EventName): read.
		{name: "lookup entry keys", in: `{"Events":[{"EventId":"1","EventName":"A","EventSource":"s","ReadOnly":"false","CloudTrailEvent":` +
			quote(recA) + `}]}`, produced: 1},
		{name: "unbalanced element breaks container", in: `{"Records":[` + recA + `,{"a":{"b":1},` + recB + `]}`,
			produced: 1, err: ErrSyntax},
		{name: "truncated container", in: `{"Records":[` + recA + `,{"eventName":"B"`, produced: 1, err: ErrTruncated},
		{name: "truncated after element", in: `{"Records":[` + recA, produced: 1, err: ErrTruncated},
		{name: "trailing comma", in: `[` + recA + `,]`, produced: 1, err: ErrSyntax},
		{name: "missing comma", in: `[` + recA + recB + `]`, produced: 1, err: ErrSyntax},
		{name: "ndjson broken line", in: recA + "\n{\"eventName\":\"x\",\n" + recB + "\n", produced: 2,
			rejected: []string{"invalid JSON"}, rejLines: []int64{2}},
		{name: "ndjson open array before last line", in: recA + "\n{\"eventName\":[\n" + recB, produced: 2,
			rejected: []string{"object still open at end of input (line 3)"}, rejLines: []int64{2}},
		{name: "ndjson open value before last line", in: recA + "\n{\"eventName\":\n" + recB + "\n", produced: 2,
			rejected: []string{"object still open"}, rejLines: []int64{2}},
		{name: "ndjson open line first", in: "{\"eventName\":[\n" + recA, produced: 1,
			rejected: []string{"object still open"}, rejLines: []int64{1}},
		{name: "ndjson open lines in a row", in: "{\"a\":[\n{\"b\":\n" + recA + "\n" + recB, produced: 2,
			rejected: []string{"found '{' at line 4", "found '{' at line 4"}, rejLines: []int64{1, 2}},
		{name: "ndjson open lines at the end", in: recA + "\n{\"a\":[\n{\"b\":\n" + recB, produced: 2,
			rejected: []string{"object still open", "object still open"}, rejLines: []int64{2, 3}},
		{name: "ndjson truncated last line", in: recA + "\n" + recB + "\n{\"eventName\":\"C", produced: 2,
			rejected: []string{"object still open"}, rejLines: []int64{3}},
		{name: "truncated lone object", in: `{"eventName":"x"`, err: ErrTruncated},
		{name: "ndjson closing bracket too many", in: recA + "\n{\"eventName\":\"x\"}}\n" + recB, produced: 3,
			rejected: []string{`no JSON object or array, starts with "}"`}, rejLines: []int64{2}},
		{name: "ndjson text after record", in: recA + " junk\n" + recB + "\n", produced: 2,
			rejected: []string{`no JSON object or array, starts with "junk"`}, rejLines: []int64{1}},
		{name: "ndjson text line", in: recA + "\nhello\n\n  world\n" + recB, produced: 2,
			rejected: []string{`starts with "hello"`}, rejLines: []int64{2}},
		{name: "ndjson number line", in: recA + "\n12345\n" + recB, produced: 2,
			rejected: []string{`starts with "12345"`}, rejLines: []int64{2}},
		{name: "text after container", in: `{"Records":[` + recA + `]}x`, produced: 1, err: ErrUnknownShape},
		{name: "ndjson bad line first", in: "{\"eventName\" 1}\n" + recA + "\n", produced: 1,
			rejected: []string{"':' expected"}, rejLines: []int64{1}},
		{name: "ndjson non-record object", in: recA + "\n{\"foo\":1}\n" + recB, produced: 2,
			rejected: []string{"without CloudTrail record fields"}, rejLines: []int64{2}},
		{name: "ndjson digest object later", in: recA + "\n" + `{"digestS3Object":"x"}`, produced: 1,
			rejected: []string{"digest"}},
		{name: "cloudwatch export lines", in: "2026-01-05T10:00:00.000Z " + recA + "\n2026-01-05T10:00:01.123Z " + recB + "\n",
			produced: 2},
		{name: "cloudwatch export bad line", in: "2026-01-05T10:00:00.000Z {\"x\" 1}\n2026-01-05T10:00:01.123Z " + recB + "\n",
			produced: 1, rejected: []string{"':' expected"}, rejLines: []int64{1}},
		{name: "number then text", in: "2026-01-05 hello", err: ErrUnknownShape},
		{name: "unknown object", in: `{"foo":1,"bar":[2]}`, err: ErrUnknownShape, errText: "neither records nor record fields"},
		{name: "unknown array", in: `[1,2,3]`, err: ErrUnknownShape, errText: "first item is a number"},
		{name: "text", in: "hello world\n", err: ErrUnknownShape, errText: `starts with "hello`},
		{name: "top-level scalar", in: `42`, err: ErrUnknownShape},
		{name: "records not an array", in: `{"Records":null}`, err: ErrUnknownShape},
		{name: "container after records", in: recA + "\n" + `{"Records":[` + recB + `]}`, produced: 1,
			rejected: []string{"container among lone records"}, rejLines: []int64{2}},
		{name: "mixed records after container", in: `{"Records":[` + recA + `]}` + "\n" + recB, produced: 1, err: ErrMixedShapes},
		{name: "mixed array after container", in: `{"Records":[]}[` + recB + `]`, err: ErrMixedShapes},
		{name: "gzip inside gzip", in: string(gz(t, gz(t, []byte(recA)))), err: ErrUnknownShape, errText: "gzip inside gzip"},
		{name: "UTF-16 with its byte order mark", in: "\xff\xfe{\x00\"\x00", err: ErrUnknownShape, errText: "UTF-16 text"},
		{name: "zstd", in: "\x28\xb5\x2f\xfd\x24\x05\x29\x00\x00{}", err: ErrUnknownShape, errText: "zstd-compressed data; ttc decompresses gzip only"},
		{name: "bzip2", in: "BZh91AY&SY\x00\x01", err: ErrUnknownShape, errText: "bzip2-compressed data"},
		{name: "xz", in: "\xfd7zXZ\x00\x00\x04", err: ErrUnknownShape, errText: "xz-compressed data"},
		{name: "zip", in: "PK\x03\x04\x14\x00", err: ErrUnknownShape, errText: "a zip archive's data"},
		{name: "zlib", in: "\x78\x9c\xab\x56\x2a", err: ErrUnknownShape, errText: "zlib-compressed data"},
		// The start quoted is cut between characters: \u2028 is 3 bytes,
		// of which 16 bytes would keep 1.
		{name: "text cut between characters", in: "abcdefghijklmno\u2028xyz\n", err: ErrUnknownShape, errText: `starts with "abcdefghijklmno"`},
		{name: "UTF-32 with its byte order mark", in: "\xff\xfe\x00\x00{\x00\x00\x00", err: ErrUnknownShape, errText: "UTF-32 text"},
		{name: "lookup string not json", in: `{"Events":[{"EventId":"1","CloudTrailEvent":"not json"},{"CloudTrailEvent":` +
			quote(recA) + `}]}`, produced: 1, rejected: []string{"CloudTrailEvent does not hold a JSON object"}},
		{name: "lookup string invalid json", in: `{"Events":[{"CloudTrailEvent":"{\"a\" 1}"}]}`,
			rejected: []string{"CloudTrailEvent holds invalid JSON"}},
		{name: "lookup string truncated", in: `{"Events":[{"CloudTrailEvent":"{\"a\":1"}]}`,
			rejected: []string{"truncated JSON"}},
		{name: "lookup string two values", in: `{"Events":[{"CloudTrailEvent":"{}{}"}]}`,
			rejected: []string{"more than one JSON value"}},
		{name: "lookup not a string", in: `{"Events":[{"CloudTrailEvent":{"eventName":"x"}}]}`,
			rejected: []string{"CloudTrailEvent is not a string"}},
		{name: "lookup entry without record", in: `{"Events":[{"EventId":"1"}]}`, rejected: []string{"without CloudTrail record fields"}},
		{name: "cloudwatch message not json", in: `{"messageType":"DATA_MESSAGE","logEvents":[{"id":"1","timestamp":1,"message":"oops"}]}`,
			rejected: []string{"message does not hold a JSON object"}},
		{name: "eventbridge detail not object", in: `{"detail-type":"x","source":"aws.s3","detail":"x"}` + "\n" + recA,
			produced: 1, rejected: []string{"detail is not an object"}},
		{name: "too deep", in: `[` + strings.Repeat("[", 10001) + strings.Repeat("]", 10001) + `]`,
			rejected: []string{"refused: nesting deeper than 10000 levels"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			readBothBuffers(t, tt.in, tt.err, func(_ Options, res result) {
				if res.err != nil && !strings.Contains(res.err.Error(), tt.errText) {
					t.Errorf("error %q does not say %q", res.err, tt.errText)
				}
				var fe *FileError
				if errors.As(res.err, &fe) && fe.Pos.Ordinal != res.stats.Read {
					t.Errorf("file error says %d records read, stats say %d", fe.Pos.Ordinal, res.stats.Read)
				}
				if len(res.raws) != tt.produced {
					t.Errorf("produced %d, want %d", len(res.raws), tt.produced)
				}
				wantRejects(t, res.rejects, tt.rejected)
				for i, re := range res.rejects {
					if tt.rejLines != nil && re.Pos.Line != tt.rejLines[i] {
						t.Errorf("reject %d at line %d, want %d", i, re.Pos.Line, tt.rejLines[i])
					}
					if re.Pos.File != "in" || re.Pos.Ordinal == 0 {
						t.Errorf("reject %d: position %+v", i, re.Pos)
					}
				}
			})
		})
	}
}

func quote(s string) string {
	var b bytes.Buffer
	b.WriteByte('"')
	for _, c := range []byte(s) {
		if c == '"' || c == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
	b.WriteByte('"')
	return b.String()
}

// TestFoldedKeys checks the records and containers rejected for keys that
// differ only in letter case where tools that decode into structures read
// one for the other: the container key of a file, and keys at any depth
// of userIdentity; keys of requestParameters, decoded into maps, are not.
func TestFoldedKeys(t *testing.T) {
	for _, tt := range []struct {
		name, in string
		rejected string // in the rejection; "" for none
		fileErr  string // in the file's error; "" for none
	}{
		{name: "records in other case", in: `{"Records":[],"records":[` + recA + `]}`, fileErr: `key "records" is "Records" in other letter case`},
		{name: "log events in other case", in: `{"messageType":"DATA_MESSAGE","logEvents":[],"LogEvents":[]}`, fileErr: `key "LogEvents" is "logEvents"`},
		{name: "userIdentity keys", in: `{"Records":[{"eventVersion":"1.10","userIdentity":{"arn":"a","Arn":"b"}}]}`,
			rejected: `keys "arn" and "Arn" of userIdentity differ only in letter case`},
		{name: "sessionIssuer keys", in: `{"Records":[{"eventVersion":"1.10","userIdentity":{"sessionContext":{"sessionIssuer":{"userName":"a","USERNAME":"b"}}}}]}`,
			rejected: `of userIdentity.sessionContext.sessionIssuer`},
		{name: "lone record, long s", in: `{"eventVersion":"1.10","userIdentity":{"userName":"a","u\u017ferName":"b"}}` + "\n",
			rejected: `of userIdentity differ only in letter case`},
		{name: "requestParameters keys kept", in: `{"Records":[{"eventVersion":"1.10","userIdentity":{"arn":"a"},"requestParameters":{"Key":"a","key":"b"}}]}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var want error
			if tt.fileErr != "" {
				want = ErrUnknownShape
			}
			readBothBuffers(t, tt.in, want, func(_ Options, res result) {
				switch {
				case tt.fileErr != "":
					if res.err == nil || !strings.Contains(res.err.Error(), tt.fileErr) {
						t.Errorf("error %v, want one saying %q", res.err, tt.fileErr)
					}
				case tt.rejected != "":
					if len(res.rejects) != 1 || !strings.Contains(res.rejects[0].Reason, tt.rejected) {
						t.Errorf("rejects %v, want one saying %q", res.rejects, tt.rejected)
					}
				default:
					if len(res.rejects) != 0 || res.err != nil || len(res.raws) != 1 {
						t.Errorf("rejects %v, error %v, %d records; want the record read", res.rejects, res.err, len(res.raws))
					}
				}
			})
		})
	}
}
