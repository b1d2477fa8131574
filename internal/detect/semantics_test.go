package detect

import (
	"testing"
)

// rec is a CloudTrail-shaped record used by most semantic cases.
const rec = `{
 "eventVersion": "1.11",
 "userIdentity": {"type": "AssumedRole", "arn": "arn:aws:sts::111122223333:assumed-role/Admin/alice",
   "accessKeyId": "ASIAEXAMPLE", "userName": "alice",
   "sessionContext": {"sessionIssuer": {"type": "Role", "userName": "Admin"},
     "attributes": {"mfaAuthenticated": "false"}}},
 "eventTime": "2026-03-08T21:07:45Z",
 "eventSource": "s3.amazonaws.com",
 "eventName": "PutBucketVersioning",
 "awsRegion": "eu-west-1",
 "sourceIPAddress": "203.0.113.7",
 "userAgent": "aws-cli/2.15.0 Python/3.11",
 "requestParameters": {"bucketName": "logs-bucket", "VersioningConfiguration": {"Status": "Suspended"},
   "tags": [{"key": "env", "value": "prod"}, {"key": "team", "value": "data"}],
   "x-amz-server-side-encryption-customer-algorithm": "AES256",
   "maxResults": "50", "count": 7, "escaped": "a\"b\\c\u00e9\n", "star": "x*y?z", "back": "C:\\Temp\\*"},
 "responseElements": null,
 "additionalEventData": {"a.b": {"c": "dotted"}, "bytesTransferredOut": 1024.5},
 "readOnly": false,
 "resources": [{"ARN": "arn:aws:s3:::logs-bucket", "type": "AWS::S3::Bucket"}, {"ARN": "arn:aws:s3:::other"}],
 "eventID": "3f1c1c3e-0000-4000-8000-000000000001",
 "recipientAccountId": "111122223333"
}`

type semCase struct {
	name      string
	detection string
	want      bool
}

func runSemCases(t *testing.T, cases []semCase, record string) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, err := compileOne(t, tc.detection, Options{Placeholders: map[string][]string{
				"Admins": {"alice", "bob*"},
			}})
			if err != nil {
				t.Fatalf("compile: %v", err)
			}
			got := len(matchBoth(t, m, record)) > 0
			if got != tc.want {
				t.Errorf("match = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestValueForms(t *testing.T) {
	runSemCases(t, []semCase{
		{"plain equality is case-insensitive", "sel:\n  eventName: putbucketversioning\ncondition: sel", true},
		{"plain equality needs the whole value", "sel:\n  eventName: PutBucket\ncondition: sel", false},
		{"map is AND", "sel:\n  eventName: PutBucketVersioning\n  awsRegion: us-east-1\ncondition: sel", false},
		{"list of values is OR", "sel:\n  eventName: [CreateBucket, PutBucketVersioning]\ncondition: sel", true},
		{"list of maps is OR", "sel:\n  - eventName: Nope\n  - awsRegion: eu-west-1\ncondition: sel", true},
		{"list of maps none", "sel:\n  - eventName: Nope\n  - awsRegion: us-east-1\ncondition: sel", false},
		{"star wildcard", "sel:\n  eventName: Put*Versioning\ncondition: sel", true},
		{"question mark is one char", "sel:\n  awsRegion: eu-west-?\ncondition: sel", true},
		{"question mark not zero chars", "sel:\n  awsRegion: eu-west-1?\ncondition: sel", false},
		{"escaped star is literal", `sel:
  requestParameters.star: 'x\*y\?z'
condition: sel`, true},
		{"escaped star does not wildcard", `sel:
  requestParameters.star: 'x\*yy?z'
condition: sel`, false},
		{"double backslash then star", `sel:
  requestParameters.back: 'C:\\Temp\\*'
condition: sel`, true},
		{"backslash star literal inside contains", `sel:
  requestParameters.back|contains: 'Temp\\\*'
condition: sel`, true},
		{"single backslash kept", `sel:
  requestParameters.back: 'C:\Temp\\\*'
condition: sel`, true},
		{"json escapes are decoded", "sel:\n  requestParameters.escaped: \"a\\\"b\\\\c\u00e9\\n\"\ncondition: sel", true},
		{"unicode lower-casing", "sel:\n  requestParameters.escaped|contains: \"\u00c9\"\ncondition: sel", true},
		{"null matches missing field", "sel:\n  errorCode: null\ncondition: sel", true},
		{"null matches json null", "sel:\n  responseElements: null\ncondition: sel", true},
		{"null does not match a value", "sel:\n  eventName: null\ncondition: sel", false},
		{"null inside a list", "sel:\n  errorCode: [AccessDenied, null]\ncondition: sel", true},
		{"empty string matches only empty", "sel:\n  errorCode: ''\ncondition: sel", false},
		{"number compares as text", "sel:\n  requestParameters.count: 7\ncondition: sel", true},
		{"number compares numerically", "sel:\n  additionalEventData.bytesTransferredOut: 1024.50\ncondition: sel", true},
		{"numeric string as text", "sel:\n  requestParameters.maxResults: '50'\ncondition: sel", true},
		{"boolean as text", "sel:\n  readOnly: 'false'\ncondition: sel", true},
		{"boolean yaml value", "sel:\n  readOnly: false\ncondition: sel", true},
		{"nested dotted path", "sel:\n  userIdentity.sessionContext.sessionIssuer.type: Role\ncondition: sel", true},
		{"path through array, any element", "sel:\n  requestParameters.tags.key: team\ncondition: sel", true},
		{"array elements are not combined by plain AND of two items", "sel:\n  resources.type: AWS::S3::Bucket\n  resources.ARN: '*other'\ncondition: sel", true},
		{"literal dotted key", "sel:\n  additionalEventData.a.b.c: dotted\ncondition: sel", true},
		{"key with dashes", "sel:\n  requestParameters.x-amz-server-side-encryption-customer-algorithm: AES256\ncondition: sel", true},
		{"string pattern sees scalars inside an object", "sel:\n  requestParameters|contains: Suspended\ncondition: sel", true},
		{"star alone matches an object", "sel:\n  requestParameters: '*'\ncondition: sel", true},
		{"star does not match null", "sel:\n  responseElements: '*'\ncondition: sel", false},
		{"star does not match missing", "sel:\n  errorMessage|contains: '*'\ncondition: sel", false},
		{"keywords search every value", "keywords:\n  - suspended\ncondition: keywords", true},
		{"keywords do not search keys", "keywords:\n  - VersioningConfiguration\ncondition: keywords", false},
		{"keywords with wildcard", "keywords:\n  - 'aws-cli/2.*Python'\ncondition: keywords", true},
		{"keywords with all", "keywords:\n  '|all':\n    - alice\n    - nothere\ncondition: keywords", false},
		{"keywords any", "keywords:\n  '|all':\n    - alice\n    - logs-bucket\ncondition: keywords", true},
		{"keyword sees numbers", "keywords:\n  - '1024.5'\ncondition: keywords", true},
	}, rec)
}

func TestModifiers(t *testing.T) {
	runSemCases(t, []semCase{
		{"contains", "sel:\n  userAgent|contains: CLI/2\ncondition: sel", true},
		{"contains with inner wildcard", "sel:\n  userAgent|contains: cli*python\ncondition: sel", true},
		{"contains with question mark", "sel:\n  userAgent|contains: 'cli/?.15'\ncondition: sel", true},
		{"startswith", "sel:\n  userAgent|startswith: aws-cli\ncondition: sel", true},
		{"startswith wrong", "sel:\n  userAgent|startswith: cli\ncondition: sel", false},
		{"endswith", "sel:\n  userAgent|endswith: python/3.11\ncondition: sel", true},
		{"contains all", "sel:\n  userAgent|contains|all: [aws-cli, Python]\ncondition: sel", true},
		{"contains all one missing", "sel:\n  userAgent|contains|all: [aws-cli, Ruby]\ncondition: sel", false},
		{"cased mismatch", "sel:\n  eventName|cased: putbucketversioning\ncondition: sel", false},
		{"cased match", "sel:\n  eventName|cased: PutBucketVersioning\ncondition: sel", true},
		{"cased contains", "sel:\n  userAgent|contains|cased: Python\ncondition: sel", true},
		{"exists true", "sel:\n  userIdentity.accessKeyId|exists: true\ncondition: sel", true},
		{"exists false", "sel:\n  errorCode|exists: false\ncondition: sel", true},
		{"exists sees json null", "sel:\n  responseElements|exists: true\ncondition: sel", true},
		{"neq differs", "sel:\n  awsRegion|neq: us-east-1\ncondition: sel", true},
		{"neq equal", "sel:\n  awsRegion|neq: EU-WEST-1\ncondition: sel", false},
		{"neq list", "sel:\n  awsRegion|neq: [us-east-1, eu-west-1]\ncondition: sel", false},
		{"neq on missing field is false", "sel:\n  errorCode|neq: AccessDenied\ncondition: sel", false},
		{"re unanchored", "sel:\n  userIdentity.arn|re: ':assumed-role/[A-Z][a-z]+/'\ncondition: sel", true},
		{"re case-sensitive by default", "sel:\n  userIdentity.arn|re: ':ASSUMED-ROLE/'\ncondition: sel", false},
		{"re i flag", "sel:\n  userIdentity.arn|re|i: ':ASSUMED-ROLE/'\ncondition: sel", true},
		{"re anchors", "sel:\n  eventName|re: '^Put.*ing$'\ncondition: sel", true},
		{"re s flag", "sel:\n  requestParameters.escaped|re|s: 'c.\\n$'\ncondition: sel", true},
		{"re m flag", "sel:\n  requestParameters.escaped|re|m: '^$'\ncondition: sel", true},
		{"re without m", "sel:\n  requestParameters.escaped|re: '^$'\ncondition: sel", false},
		{"cidr v4", "sel:\n  sourceIPAddress|cidr: 203.0.113.0/24\ncondition: sel", true},
		{"cidr v4 outside", "sel:\n  sourceIPAddress|cidr: 10.0.0.0/8\ncondition: sel", false},
		{"cidr list", "sel:\n  sourceIPAddress|cidr: ['10.0.0.0/8', '203.0.113.7/32']\ncondition: sel", true},
		{"cidr v6 does not match v4", "sel:\n  sourceIPAddress|cidr: '2001:db8::/32'\ncondition: sel", false},
		{"cidr ignores non-ip", "sel:\n  userAgent|cidr: 0.0.0.0/0\ncondition: sel", false},
		{"gt number", "sel:\n  requestParameters.count|gt: 5\ncondition: sel", true},
		{"lt number", "sel:\n  requestParameters.count|lt: 7\ncondition: sel", false},
		{"lte number", "sel:\n  requestParameters.count|lte: 7\ncondition: sel", true},
		{"gte numeric string", "sel:\n  requestParameters.maxResults|gte: 50\ncondition: sel", true},
		{"gt float", "sel:\n  additionalEventData.bytesTransferredOut|gt: 1024\ncondition: sel", true},
		{"gt on non-number", "sel:\n  eventName|gt: 0\ncondition: sel", false},
		{"fieldref equal", "sel:\n  userIdentity.userName|fieldref: userIdentity.arn\ncondition: sel", false},
		{"fieldref endswith", "sel:\n  userIdentity.arn|fieldref|endswith: userIdentity.userName\ncondition: sel", true},
		{"fieldref contains", "sel:\n  resources.ARN|fieldref|contains: requestParameters.bucketName\ncondition: sel", true},
		{"fieldref neq", "sel:\n  userIdentity.userName|fieldref|neq: userIdentity.sessionContext.sessionIssuer.userName\ncondition: sel", true},
		{"fieldref same", "sel:\n  recipientAccountId|fieldref: recipientAccountId\ncondition: sel", true},
		{"windash", "sel:\n  userAgent|windash|contains: aws/cli\ncondition: sel", true},
		{"windash en dash", "sel:\n  userAgent|windash|contains: \"aws\u2013cli\"\ncondition: sel", true},
		{"base64", "sel:\n  requestParameters.bucketName|base64: x\ncondition: sel", false},
		{"expand", "sel:\n  userIdentity.userName|expand: '%Admins%'\ncondition: sel", true},
		{"expand wildcard value", "sel:\n  userIdentity.arn|expand|endswith: '/%Admins%'\ncondition: sel", true},
		{"hour", "sel:\n  eventTime|hour: 21\ncondition: sel", true},
		{"hour wrong", "sel:\n  eventTime|hour: 9\ncondition: sel", false},
		{"minute", "sel:\n  eventTime|minute: 7\ncondition: sel", true},
		{"day month year", "sel:\n  eventTime|day: 8\n  eventTime|month: 3\n  eventTime|year: 2026\ncondition: sel", true},
		{"week", "sel:\n  eventTime|week: 10\ncondition: sel", true},
		{"hour gte", "sel:\n  eventTime|hour|gte: 20\ncondition: sel", true},
	}, rec)
}

// TestEncodings checks the encoding modifiers against records holding the
// encoded text.
func TestEncodings(t *testing.T) {
	record := `{"eventName": "RunCommand", "requestParameters": {` +
		`"b64": "aGVsbG8gd29ybGQ=", "embedded": "xxZWxsbyB3b3JsZAyy", "cmd": "c\u0000m\u0000d\u0000",` +
		`"cmdbe": "\u0000c\u0000m\u0000d", "bom": "\u00ff\u00fec\u0000"}}`
	runSemCases(t, []semCase{
		{"base64 exact", "sel:\n  requestParameters.b64|base64: hello world\ncondition: sel", true},
		{"base64 contains", "sel:\n  requestParameters.b64|base64|contains: 'hello '\ncondition: sel", true},
		{"base64 of a non-aligned prefix misses", "sel:\n  requestParameters.b64|base64|contains: hello\ncondition: sel", false},
		{"base64offset contains shift 1", "sel:\n  requestParameters.embedded|base64offset|contains: ello world\ncondition: sel", true},
		{"base64offset contains no", "sel:\n  requestParameters.embedded|base64offset|contains: goodbye\ncondition: sel", false},
		{"utf16le", "sel:\n  requestParameters.cmd|utf16le: cmd\ncondition: sel", true},
		{"wide", "sel:\n  requestParameters.cmd|wide|contains: md\ncondition: sel", true},
		{"utf16be", "sel:\n  requestParameters.cmdbe|utf16be: cmd\ncondition: sel", true},
	}, record)
}

func TestConditions(t *testing.T) {
	base := "sel_a:\n  eventName: PutBucketVersioning\nsel_b:\n  awsRegion: us-east-1\n" +
		"filter_x:\n  userIdentity.type: AssumedRole\n_hidden:\n  eventName: Nope\n"
	runSemCases(t, []semCase{
		{"and", base + "condition: sel_a and sel_b", false},
		{"or", base + "condition: sel_a or sel_b", true},
		{"not", base + "condition: not sel_b", true},
		{"and not", base + "condition: sel_a and not filter_x", false},
		{"parentheses", base + "condition: sel_a and (sel_b or filter_x)", true},
		{"and binds tighter than or", base + "condition: sel_b and sel_a or filter_x", true},
		{"and binds tighter than or, right", base + "condition: filter_x or sel_b and sel_a", true},
		{"and binds tighter than or, false", base + "condition: sel_b and sel_a or sel_b", false},
		{"not binds tighter than and", base + "condition: not sel_b and sel_a", true},
		{"not of group", base + "condition: not (sel_b or sel_a)", false},
		{"double not", base + "condition: not not sel_a", true},
		{"1 of pattern", base + "condition: 1 of sel_*", true},
		{"all of pattern", base + "condition: all of sel_*", false},
		{"any of alias", base + "condition: any of sel_*", true},
		{"not 1 of", base + "condition: not 1 of filter*", false},
		{"1 of them", base + "condition: 1 of them", true},
		{"all of them excludes underscore", base + "condition: all of them", false},
		{"all of them without the failing ones", "a:\n  eventName: PutBucketVersioning\n_b:\n  eventName: Nope\ncondition: all of them", true},
		{"underscore usable by name", base + "condition: sel_a and not _hidden", true},
		{"pattern may name underscore ones", base + "condition: 1 of _hid*", false},
		{"condition list is OR", base + "condition:\n  - sel_b\n  - sel_a", true},
		{"all of pattern inside and", base + "condition: all of sel_a* and filter_x", true},
		// A name's bytes are not read as characters of their own: 0xA0 of
		// "à" is no space, nor 0x85 of "Å".
		{"name with à", "selà:\n  eventName: PutBucketVersioning\ncondition: selà", true},
		{"name with Å", "Åsel:\n  eventName: Nope\ncondition: not Åsel", true},
		{"non-breaking space separates", base + "condition: sel_a\u00a0and\u00a0not\u00a0sel_b", true},
	}, rec)
}
