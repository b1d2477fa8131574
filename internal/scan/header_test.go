package scan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"hash/maphash"
	"io"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/ttcproject/ttc/internal/cloudtrail"
	"github.com/ttcproject/ttc/internal/detect"
	"github.com/ttcproject/ttc/internal/jsonscan"
	"github.com/ttcproject/ttc/internal/ruleset"
)

var headerCases = []struct {
	name string
	raw  string
	fast bool // readHeader must handle it itself
}{
	{name: "typical", fast: true, raw: `{"eventVersion":"1.11","userIdentity":{"type":"AssumedRole","principalId":"AROA:s",
		"arn":"arn:aws:sts::1:assumed-role/r/s","accountId":"111122223333","accessKeyId":"ASIA1",
		"sessionContext":{"sessionIssuer":{"type":"Role","arn":"arn:aws:iam::1:role/r"},"attributes":{"mfaAuthenticated":"false"}}},
		"eventTime":"2026-01-05T00:01:02Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-east-1",
		"sourceIPAddress":"10.0.0.1","userAgent":"aws-cli/2","requestParameters":{"bucketName":"b","k":[1,2,{"x":"}"}]},
		"responseElements":null,"readOnly":true,"eventID":"e1","recipientAccountId":"111122223333"}`},
	{name: "error call", fast: true, raw: `{"eventName":"DeleteTrail","errorCode":"AccessDenied","errorMessage":"not \"allowed\"","readOnly":false}`},
	{name: "escaped values", fast: true, raw: `{"userAgent":"a\u00e9b\\c","eventName":"X\/Y","eventID":"\ud83d\ude00"}`},
	{name: "non-ASCII value", fast: true, raw: `{"userAgent":"zoë","eventName":"日本"}`},
	{name: "invalid UTF-8", fast: true, raw: "{\"userAgent\":\"a\xffb\"}"},
	{name: "nulls", fast: true, raw: `{"eventName":null,"readOnly":null,"userIdentity":null}`},
	{name: "nested nulls", fast: true, raw: `{"userIdentity":{"type":null,"arn":"x","sessionContext":{"sessionIssuer":null}}}`},
	// Keys count by their exact names, as the rules read them: another case
	// is another field (encoding/json's struct decoding would take it).
	{name: "other case", fast: true, raw: `{"eventName":"A","EVENTNAME":"B","EventSource":"s","userIdentity":{"arn":"x","ARN":"y"}}`},
	{name: "failed console sign-in", fast: true, raw: `{"eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","responseElements":{"ConsoleLogin":"Failure"},"errorMessage":"Failed authentication"}`},
	{name: "failed MFA check", fast: true, raw: `{"eventSource":"signin.amazonaws.com","eventName":"CheckMfa","responseElements":{"CheckMfa":"Failure"}}`},
	{name: "escaped sign-in event name", fast: true, raw: `{"eventSource":"signin.amazonaws.com","eventName":"Check\u004dfa","responseElements":{"CheckMfa":"Failure"}}`},
	{name: "console result of another event", fast: true, raw: `{"eventSource":"signin.amazonaws.com","eventName":"GetObject","responseElements":{"ConsoleLogin":"Failure"}}`},
	{name: "sign-in source in another case", fast: true, raw: `{"eventSource":"SIGNIN.amazonaws.com","eventName":"ConsoleLogin","responseElements":{"ConsoleLogin":"Failure"}}`},
	{name: "sign-in result of another source", fast: true, raw: `{"eventSource":"s3.amazonaws.com","eventName":"ConsoleLogin","responseElements":{"ConsoleLogin":"Failure"}}`},
	// IAM Identity Center writes the result of its sign-in events under
	// serviceEventDetails, and nothing under responseElements.
	{name: "failed Identity Center password", fast: true, raw: `{"eventSource":"signin.amazonaws.com","eventName":"CredentialVerification","eventType":"AwsServiceEvent","userIdentity":{"type":"Unknown","arn":"","accountId":"111122223333","accessKeyId":""},"responseElements":null,"additionalEventData":{"AuthWorkflowID":"a","CredentialType":"PASSWORD"},"serviceEventDetails":{"CredentialVerification":"Failure"}}`},
	{name: "verified Identity Center password", fast: true, raw: `{"eventSource":"signin.amazonaws.com","eventName":"CredentialVerification","serviceEventDetails":{"CredentialVerification":"Success"}}`},
	{name: "Identity Center result of another event", fast: true, raw: `{"eventSource":"signin.amazonaws.com","eventName":"CredentialChallenge","serviceEventDetails":{"CredentialVerification":"Failure"}}`},
	{name: "sign-in result in both places", fast: true, raw: `{"eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","responseElements":{"ConsoleLogin":"Success"},"serviceEventDetails":{"ConsoleLogin":"Failure"}}`},
	{name: "empty sign-in result beside service details", fast: true, raw: `{"eventSource":"signin.amazonaws.com","eventName":"CredentialVerification","responseElements":{"CredentialVerification":""},"serviceEventDetails":{"CredentialVerification":"Failure"}}`},
	{name: "service details before the event name", fast: true, raw: `{"serviceEventDetails":{"CredentialVerification":"Failure"},"eventName":"CredentialVerification","eventSource":"signin.amazonaws.com"}`},
	{name: "service details of another source", fast: true, raw: `{"eventSource":"backup.amazonaws.com","eventName":"BackupJobCompleted","serviceEventDetails":{"BackupJobCompleted":"Failure"}}`},
	{name: "service details not an object", raw: `{"eventSource":"signin.amazonaws.com","eventName":"CredentialVerification","serviceEventDetails":"Failure"}`},
	{name: "service result a number", raw: `{"eventSource":"signin.amazonaws.com","eventName":"CredentialVerification","serviceEventDetails":{"CredentialVerification":0}}`},
	{name: "refused Cognito token request", fast: true, raw: `{"eventSource":"cognito-idp.amazonaws.com","eventName":"Token_POST","additionalEventData":{"requestParameters":{"grant_type":["refresh_token"]},"responseParameters":{"status":400}}}`},
	{name: "Cognito status written as a float", fast: true, raw: `{"eventSource":"cognito-idp.amazonaws.com","eventName":"Token_POST","additionalEventData":{"responseParameters":{"status":400.0}}}`},
	{name: "Cognito status as text", fast: true, raw: `{"eventSource":"cognito-idp.amazonaws.com","eventName":"Login_POST","additionalEventData":{"responseParameters":{"status":"400"}}}`},
	{name: "answered Cognito token request", fast: true, raw: `{"eventSource":"cognito-idp.amazonaws.com","eventName":"Token_POST","additionalEventData":{"responseParameters":{"status":200}}}`},
	{name: "HTTP status of another source", fast: true, raw: `{"eventSource":"s3.amazonaws.com","eventName":"GetObject","additionalEventData":{"responseParameters":{"status":503}}}`},
	{name: "whitespace", fast: true, raw: " {\n\t\"eventName\" : \"A\" ,\r\n \"readOnly\" :false , \"x\" : [ ] , \"y\" : { } , \"z\": -1.5e3 }\n"},
	{name: "empty", fast: true, raw: `{}`},
	{name: "number in a string field", raw: `{"eventName":"A","errorCode":403,"userAgent":"u"}`},
	{name: "object in a string field", raw: `{"eventName":{"x":1},"eventID":"e"}`},
	{name: "userIdentity string", raw: `{"eventName":"A","userIdentity":"root"}`},
	{name: "readOnly string", raw: `{"eventName":"A","readOnly":"true"}`},
	{name: "sessionIssuer array", raw: `{"eventName":"A","userIdentity":{"arn":"x","sessionContext":{"sessionIssuer":[]}}}`},
	{name: "escaped key", raw: `{"event\u004eame":"A"}`},
	{name: "non-ASCII key", fast: true, raw: `{"ſourceIPAddress":"1.2.3.4","eventName":"A"}`},
	{name: "array", raw: `[1,2]`},
	{name: "request target", fast: true, raw: `{"eventName":"CopyObject","requestParameters":{"bucketName":"b","Host":"h","x-amz-copy-source":"b/k","key":"a\u00e9\n","uploadId":"u","versionId":"\ud800"}}`},
	{name: "request target, repeated and odd", fast: true, raw: `{"requestParameters":{"userName":"old"},"requestParameters":{"user\u004eame":"x","roleName":7,"policyArn":"","name":null,"groupName":"g","groupName":"g2","instanceId":"i","keyId":"k"}}`},
	{name: "request not an object", fast: true, raw: `{"requestParameters":"bucketName"}`},
	{name: "EC2 request object", fast: true, raw: `{"eventName":"ModifyInstanceMetadataOptions","requestParameters":{"ModifyInstanceMetadataOptionsRequest":{"InstanceId":"i-1","HttpTokens":"optional"},"target":"HIDDEN_DUE_TO_SECURITY_REASONS"}}`},
	// An IAM Identity Center user of the access portal, named by its user
	// ID alone (since July 2025), and the odd forms of that object.
	{name: "Identity Center user", fast: true, raw: `{"eventVersion":"1.10","userIdentity":{"type":"IdentityCenterUser",
		"accountId":"111122223333","onBehalfOf":{"userId":"c2a5f4e8-7091-70d4-1b3e-8f6a2d9c4e17",
		"identityStoreArn":"arn:aws:identitystore::111122223333:identitystore/d-9367a1b2c3"},"credentialId":"9ba43e1f"},
		"eventTime":"2026-12-04T23:18:52Z","eventSource":"sso-directory.amazonaws.com","eventName":"CompleteVirtualMfaDeviceRegistration"}`},
	{name: "onBehalfOf with escapes, nulls and other members", fast: true,
		raw: `{"userIdentity":{"type":"Unknown","onBehalfOf":{"userId":"a\u00e9\n","x":{"userId":"inner"},"identityStoreArn":null,"y":[1]}}}`},
	{name: "onBehalfOf null", fast: true, raw: `{"userIdentity":{"type":"IdentityCenterUser","onBehalfOf":null}}`},
	{name: "onBehalfOf empty", fast: true, raw: `{"userIdentity":{"type":"IdentityCenterUser","onBehalfOf":{}}}`},
	{name: "onBehalfOf at the top", fast: true, raw: `{"onBehalfOf":{"userId":"u"},"userIdentity":{"userId":"v"}}`},
	{name: "onBehalfOf string", raw: `{"eventName":"A","userIdentity":{"type":"IdentityCenterUser","onBehalfOf":"u"}}`},
	{name: "userId number", raw: `{"eventName":"A","userIdentity":{"onBehalfOf":{"userId":7,"identityStoreArn":"s"}}}`},
	{name: "identityStoreArn object", raw: `{"eventName":"A","userIdentity":{"onBehalfOf":{"userId":"u","identityStoreArn":{}}}}`},
	{name: "issued key", fast: true, raw: `{"eventName":"CreateAccessKey","requestParameters":{"userName":"u"},"responseElements":{"accessKey":{"accessKeyId":"AKIA\u0031","userName":"u"},"credentials":{"accessKeyId":"ASIA1"}}}`},
}

// TestErrorOfAnotherType checks that an errorCode or errorMessage that is
// not a string still makes the finding an attempt, showing the value as
// written, unless it is empty as "" is (a number is empty only when
// written as zero).
func TestErrorOfAnotherType(t *testing.T) {
	for _, field := range []string{"errorCode", "errorMessage"} {
		for value, want := range map[string]string{
			`403`:                   "403",
			`[ "AccessDenied" ]`:    `["AccessDenied"]`,
			`{"code":"Throttling"}`: `{"code":"Throttling"}`,
			`null`:                  "",
			`""`:                    "",
			`false`:                 "",
			`[ ]`:                   "",
			`{}`:                    "",
			`0`:                     "",
			`-0.0e1`:                "",
			`1e-400`:                "1e-400",
			`true`:                  "true",
			`"AccessDenied"`:        "AccessDenied",
		} {
			raw := `{"eventName":"StopLogging","` + field + `":` + value + `}`
			h := headerOf([]byte(raw), newInterner())
			got := h.ErrorCode
			if field == "errorMessage" {
				got = h.ErrorMessage
			}
			if got != want {
				t.Errorf("%s: %s %q, want %q", raw, field, got, want)
			}
			if attempt := failed(h.ErrorCode, h.ErrorMessage != "", h.SignIn); attempt != (want != "") {
				t.Errorf("%s: failed = %v", raw, attempt)
			}
		}
	}
}

// readerTakes reports whether the cloudtrail reader hands raw on as a
// record (in a Records array, where any object counts): valid JSON, one
// object, no key repeated. The header is only ever read from such records.
func readerTakes(raw []byte) bool {
	r := cloudtrail.NewReader(cloudtrail.Options{})
	r.Reset(io.MultiReader(strings.NewReader(`{"Records":[`), bytes.NewReader(raw), strings.NewReader(`]}`)), "t")
	rec, err := r.Next()
	return err == nil && bytes.Equal(rec.Raw, bytes.TrimSpace(raw))
}

func TestReadHeader(t *testing.T) {
	for _, tt := range headerCases {
		t.Run(tt.name, func(t *testing.T) {
			if !json.Valid([]byte(tt.raw)) {
				t.Fatalf("test record is not valid JSON")
			}
			_, ok := readHeader([]byte(tt.raw), newInterner())
			if ok != tt.fast {
				t.Errorf("readHeader ok = %v, want %v", ok, tt.fast)
			}
			got, want := headerOf([]byte(tt.raw), newInterner()), decodeHeader([]byte(tt.raw))
			if !reflect.DeepEqual(got, want) {
				t.Errorf("headerOf differs from encoding/json:\n got %+v\nwant %+v", got, want)
			}
		})
	}
}

// FuzzReadHeader checks that the fast path, when it takes a record, reads
// the same fields encoding/json does.
func FuzzReadHeader(f *testing.F) {
	for _, tt := range headerCases {
		f.Add([]byte(tt.raw))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		if !readerTakes(raw) {
			return
		}
		got, ok := readHeader(raw, newInterner())
		if !ok {
			return
		}
		if want := decodeHeader(raw); !reflect.DeepEqual(got, want) {
			t.Errorf("readHeader(%q):\n got %+v\nwant %+v", raw, got, want)
		}
	})
}

func TestInterner(t *testing.T) {
	in := newInterner()
	a := in.str([]byte("us-east-1"), hRegion)
	b := in.str([]byte("eu-west-1"), hRegion)
	c := in.str([]byte("us-east-1"), hRegion) // from the map: the slot holds eu-west-1
	d := in.str([]byte("us-east-1"), hRegion) // from the slot
	e := in.str([]byte("us-east-1"), hARN)    // another slot, same map
	if a != "us-east-1" || b != "eu-west-1" || c != a || d != a || e != a {
		t.Fatalf("got %q %q %q %q %q", a, b, c, d, e)
	}
	for _, s := range []string{c, d, e} {
		if unsafe.StringData(s) != unsafe.StringData(a) {
			t.Errorf("%q is a copy, want the interned string", s)
		}
	}
	if s := in.str([]byte("x"), hEventID); s != "x" || len(in.m) != 2 {
		t.Errorf("hEventID: got %q and %d interned strings, want x and 2", s, len(in.m))
	}
	for i := range maxInterned + 10 {
		in.str(fmt.Appendf(nil, "v%d", i), hUserAgent)
	}
	if len(in.m) != maxInterned {
		t.Errorf("interned %d strings, want the cap %d", len(in.m), maxInterned)
	}
	if s := in.str([]byte("beyond the cap"), hUserAgent); s != "beyond the cap" {
		t.Errorf("beyond the cap: got %q", s)
	}
}

// FuzzRawFinding checks that a finding written from a record's own text
// (a streamed scan) is byte for byte the finding written from the strings
// decoded from it, and that those strings are what encoding/json decodes.
func FuzzRawFinding(f *testing.F) {
	for _, tt := range headerCases {
		f.Add([]byte(tt.raw))
	}
	f.Add([]byte(`{"userAgent":"<a&b>\u2028","errorCode":"Success","readOnly":false,"userIdentity":{"type":"Root","invokedBy":"x\ty"}}`))
	// Fields past what a finding quotes: plain, with escapes that shrink
	// when decoded, with invalid UTF-8 that grows.
	f.Add([]byte(`{"userAgent":"` + strings.Repeat("a", 9000) + `","errorMessage":"` + strings.Repeat(`\u0041`, 2000) +
		`","eventName":"` + strings.Repeat("\xff", 3000) + `"}`))
	rule := &ruleset.Rule{Rule: &detect.Rule{ID: "r1", Title: "T", Level: "low", File: "r.yml"}, Techniques: []string{"T1485"}}
	describe := func(string) (string, []string) { return "Data Destruction", []string{"TA0040"} }
	seed := maphash.MakeSeed()
	f.Fuzz(func(t *testing.T, raw []byte) {
		if !readerTakes(raw) {
			return
		}
		tops, ok := jsonscan.AppendMembers(nil, raw)
		if !ok {
			return
		}
		rh, ok := readRawHeader(raw, tops, nil)
		if !ok {
			return
		}
		// The reader's listing of the record gives the same fields.
		if top, idx, listed := cloudtrail.Listed(raw); listed {
			if rl, ok := readRawHeader(raw, top, idx); !ok || !reflect.DeepEqual(rl.header(nil), rh.header(nil)) {
				t.Fatalf("header of %q from the reader's listing: %v %+v, walking: %+v", raw, ok, rl.header(nil), rh.header(nil))
			} else if got, want := rl.target(raw, idx, newInterner()), rh.header(nil).Target; !reflect.DeepEqual(got, want) {
				t.Fatalf("target of %q from the reader's listing: %+v, walking: %+v", raw, got, want)
			}
		}
		h := rh.header(nil)
		if want := decodeHeader(raw); !reflect.DeepEqual(h, want) {
			t.Fatalf("header of %q:\n got %+v\nwant %+v", raw, h, want)
		}
		m := detect.Match{Fields: []detect.FieldMatch{{Field: "eventName", Value: "x"}}}
		fs := newFindings(nil, &h, time.Time{}, m, rule, describe, RecordRef{File: "f.json", Ordinal: 1})
		rh.noteTarget(raw, nil)
		got, want := appendFinding(nil, &fs[0], &rh), fs[0].AppendJSON(nil)
		if !bytes.Equal(got, want) {
			t.Fatalf("finding of %q:\nfrom the text %s\nfrom strings  %s", raw, got, want)
		}
		// So is one whose target was found in the reader's listing.
		if top, idx, listed := cloudtrail.Listed(raw); listed {
			if rl, ok := readRawHeader(raw, top, idx); ok {
				rl.noteTarget(raw, idx)
				if got := appendFinding(nil, &fs[0], &rl); !bytes.Equal(got, want) {
					t.Fatalf("finding of %q:\nfrom the listing %s\nfrom strings    %s", raw, got, want)
				}
			}
		}
		// Copies of one event are told apart by the same digest whichever
		// way their findings were made.
		w := &worker{s: &Scanner{seed: seed}}
		fromText, hasID := w.eventDigest(nil, &rh)
		if hasID && fromText != findingDigest(seed, &fs[0]) {
			t.Fatalf("digest of %q from the text and from strings differ", raw)
		}
	})
}

func TestActorKey(t *testing.T) {
	const identityStore = "arn:aws:identitystore::111122223333:identitystore/d-9367a1b2c3"
	tests := []struct {
		name string
		a    Actor
		want string
	}{
		{"role session", Actor{Type: "AssumedRole", ARN: "arn:aws:sts::1:assumed-role/r/s", SessionIssuer: "arn:aws:iam::1:role/r"}, "arn:aws:iam::1:role/r"},
		{"user", Actor{Type: "IAMUser", ARN: "arn:aws:iam::1:user/u", AccessKeyID: "AKIA1"}, "arn:aws:iam::1:user/u"},
		// Identity Center: one permission set's role, one actor per person.
		{"Identity Center session", Actor{Type: "AssumedRole", ARN: "arn:aws:sts::1:assumed-role/AWSReservedSSO_Admin_0a1b/jo@example.com",
			SessionIssuer: "arn:aws:iam::1:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Admin_0a1b"},
			"arn:aws:sts::1:assumed-role/AWSReservedSSO_Admin_0a1b/jo@example.com"},
		{"Identity Center session of another person", Actor{Type: "AssumedRole", ARN: "arn:aws:sts::1:assumed-role/AWSReservedSSO_Admin_0a1b/sam@example.com",
			SessionIssuer: "arn:aws:iam::1:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Admin_0a1b"},
			"arn:aws:sts::1:assumed-role/AWSReservedSSO_Admin_0a1b/sam@example.com"},
		{"SAML user", Actor{Type: "SAMLUser", PrincipalID: "SAML:carol@example.com", UserName: "carol@example.com"}, "SAMLUser SAML:carol@example.com"},
		{"web identity", Actor{Type: "WebIdentityUser", PrincipalID: "accounts.google.com:sub1"}, "WebIdentityUser accounts.google.com:sub1"},
		{"hidden user name", Actor{Type: "IAMUser", UserName: "HIDDEN_DUE_TO_SECURITY_REASONS", AccountID: "111122223333"}, "IAMUser HIDDEN_DUE_TO_SECURITY_REASONS"},
		// A failed console sign-in names the user without an ARN: it joins
		// the user's timeline.
		{"user without an ARN", Actor{Type: "IAMUser", PrincipalID: "AIDAEXAMPLE", UserName: "anaya", AccountID: "111122223333"}, "arn:aws:iam::111122223333:user/anaya"},
		{"user name no user has", Actor{Type: "IAMUser", PrincipalID: "AIDAEXAMPLE2", UserName: "a b", AccountID: "111122223333"}, "IAMUser AIDAEXAMPLE2"},
		{"service", Actor{Type: "AWSService", InvokedBy: "cloudtrail.amazonaws.com"}, "cloudtrail.amazonaws.com"},
		{"account only", Actor{Type: "Unknown", AccountID: "1"}, "account 1"},
		{"nothing", Actor{}, "unknown"},
		// Values of a form AWS does not write are passed over, so that a
		// forged one cannot join another actor: an ARN that is an account
		// key, an access key that is a user's ARN, a type that makes an
		// account key.
		{"forged ARN", Actor{Type: "IAMUser", ARN: "account 111122223333", PrincipalID: "AIDAFORGED"}, "IAMUser AIDAFORGED"},
		{"forged ARN unknown", Actor{ARN: "unknown", AccountID: "222233334444"}, "account 222233334444"},
		{"forged access key", Actor{Type: "X y", AccessKeyID: "arn:aws:iam::1:user/u", AccountID: "333344445555"}, "account 333344445555"},
		{"forged type", Actor{Type: "account", PrincipalID: "1", AccessKeyID: "ASIAEXAMPLEKEY000001"}, "ASIAEXAMPLEKEY000001"},
		{"forged service", Actor{InvokedBy: "arn:aws:iam::1:role/r", AccountID: "444455556666"}, "account 444455556666"},
		{"internal service", Actor{InvokedBy: "AWS Internal"}, "AWS Internal"},
		{"caller of another account", Actor{Type: "AWSAccount", PrincipalID: "AROAEXAMPLEOUTSIDE01:x", AccountID: "999988887777"}, "AWSAccount 999988887777 AROAEXAMPLEOUTSIDE01:x"},
		{"anonymous caller", Actor{Type: "AWSAccount", PrincipalID: "", AccountID: "ANONYMOUS_PRINCIPAL"}, "account ANONYMOUS_PRINCIPAL"},
		// A principal ID forged to hold an account does not join the
		// caller of that account.
		{"forged caller of another account", Actor{Type: "AWSAccount", PrincipalID: "999988887777 AROAEXAMPLEOUTSIDE01:x",
			AccountID: "111122223333x"}, "account 111122223333x"},
		// IAM Identity Center users of the access portal, whose records
		// name only the account and the user's ID in the identity store:
		// one actor each, not one for the account.
		{"Identity Center user", Actor{Type: "IdentityCenterUser", AccountID: "111122223333",
			OnBehalfOfUserID: "c2a5f4e8-7091-70d4-1b3e-8f6a2d9c4e17", IdentityStoreARN: identityStore},
			"IdentityCenterUser c2a5f4e8-7091-70d4-1b3e-8f6a2d9c4e17"},
		{"another Identity Center user", Actor{Type: "IdentityCenterUser", AccountID: "111122223333",
			OnBehalfOfUserID: "f6b1d8a3-40c2-7025-9e7f-3a1c5b8d2e64", IdentityStoreARN: identityStore},
			"IdentityCenterUser f6b1d8a3-40c2-7025-9e7f-3a1c5b8d2e64"},
		{"Identity Center user written Unknown", Actor{Type: "Unknown", AccountID: "111122223333",
			OnBehalfOfUserID: "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"}, "IdentityCenterUser 0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"},
		{"Identity Center user with a key", Actor{Type: "IdentityCenterUser", AccessKeyID: "ASIAEXAMPLEPORTAL001",
			OnBehalfOfUserID: "1a2b3c4d-0000-1111-2222-333344445555"}, "IdentityCenterUser 1a2b3c4d-0000-1111-2222-333344445555"},
		// A session that names its role keeps the role's name, whoever it
		// acts for (trusted identity propagation).
		{"role session for an Identity Center user", Actor{Type: "AssumedRole", ARN: "arn:aws:sts::1:assumed-role/app/s",
			SessionIssuer: "arn:aws:iam::1:role/app", OnBehalfOfUserID: "c2a5f4e8-7091-70d4-1b3e-8f6a2d9c4e17"}, "arn:aws:iam::1:role/app"},
		// A type or name forged to read as an Identity Center user's key
		// does not join that user; nor does a user ID of another kind's
		// form join that kind.
		{"forged Identity Center principal", Actor{Type: "IdentityCenterUser", PrincipalID: "c2a5f4e8-7091-70d4-1b3e-8f6a2d9c4e17",
			AccountID: "555566667777"}, "account 555566667777"},
		{"forged Identity Center user name", Actor{Type: "IdentityCenterUser", UserName: "f6b1d8a3-40c2-7025-9e7f-3a1c5b8d2e64",
			AccessKeyID: "ASIAEXAMPLEFORGED001"}, "ASIAEXAMPLEFORGED001"},
		{"user ID of an ARN's form", Actor{Type: "IdentityCenterUser", OnBehalfOfUserID: "arn:aws:iam::1:user/u"},
			"IdentityCenterUser arn:aws:iam::1:user/u"},
		{"user ID of an account key's form", Actor{Type: "Unknown", OnBehalfOfUserID: "account 111122223333"},
			"IdentityCenterUser account 111122223333"},
	}
	seen := map[string]string{}
	for _, tt := range tests {
		got := tt.a.Key()
		if got != tt.want {
			t.Errorf("%s: Key() = %q, want %q", tt.name, got, tt.want)
		}
		if other, dup := seen[got]; dup {
			t.Errorf("%s and %s share the key %q", tt.name, other, got)
		}
		seen[got] = tt.name
	}
}

// TestMixedRuleKeepsUnmappedTags checks that a finding of a rule tagged with
// both catalog and non-catalog techniques names the catalog technique and
// keeps the other ATT&CK tags, which --technique then finds.
func TestMixedRuleKeepsUnmappedTags(t *testing.T) {
	rule := &ruleset.Rule{Rule: &detect.Rule{ID: "r1", Title: "Buckets listed"}, Techniques: []string{"T1619"},
		Unmapped: []string{"T1580"}}
	describe := func(string) (string, []string) { return "Cloud Storage Object Discovery", []string{"TA0007"} }
	h := header{EventID: "e1", EventName: "ListBuckets"}
	fs := newFindings(nil, &h, time.Time{}, detect.Match{}, rule, describe, RecordRef{File: "f.json", Ordinal: 1})
	if len(fs) != 1 || fs[0].TechniqueID != "T1619" || !slices.Equal(fs[0].Rule.ATTACK, []string{"T1580"}) {
		t.Fatalf("findings %+v, want one of T1619 keeping ATT&CK T1580", fs)
	}
	for _, tc := range []struct {
		filter string
		kept   bool
	}{{"T1619", true}, {"T1580", true}, {"T1110", false}} {
		s := &Scanner{opts: Options{Techniques: []string{tc.filter}}}
		if got := s.keep(&fs[0]); got != tc.kept {
			t.Errorf("--technique %s keeps it: %v, want %v", tc.filter, got, tc.kept)
		}
	}
}

// TestCognitoOAuthOutcome checks that a request to Cognito's OAuth endpoints
// refused with an HTTP status of 400 or more, which carries no errorCode, is
// an attempt, on the fast path and through encoding/json alike.
func TestCognitoOAuthOutcome(t *testing.T) {
	cases := map[string]bool{
		"refused Cognito token request":     true,
		"Cognito status written as a float": true,
		"Cognito status as text":            false, // CloudTrail writes a number
		"answered Cognito token request":    false,
		"HTTP status of another source":     false,
	}
	checkAttempts(t, cases)
}

// TestIdentityCenterSignInOutcome checks that an IAM Identity Center sign-in
// event whose serviceEventDetails say Failure (its responseElements are
// null) is an attempt, on the fast path and through encoding/json alike,
// and that a result under responseElements still comes first.
func TestIdentityCenterSignInOutcome(t *testing.T) {
	cases := map[string]bool{
		"failed Identity Center password":             true,
		"verified Identity Center password":           false,
		"Identity Center result of another event":     false,
		"sign-in result in both places":               false,
		"empty sign-in result beside service details": true,
		"service details before the event name":       true,
		"service details of another source":           false,
		"service details not an object":               false,
		"service result a number":                     false,
	}
	checkAttempts(t, cases)
}

// TestIdentityCenterUserRead checks that each way of reading a record's
// header (walking its text, from the reader's listing, through
// encoding/json) finds the Identity Center user a call was made for, and
// that the finding's actor reports it: agreement alone would pass if every
// way left it out.
func TestIdentityCenterUserRead(t *testing.T) {
	const id, store = "c2a5f4e8-7091-70d4-1b3e-8f6a2d9c4e17", "arn:aws:identitystore::111122223333:identitystore/d-9367a1b2c3"
	for _, tt := range headerCases {
		if tt.name != "Identity Center user" {
			continue
		}
		raw := []byte(tt.raw)
		tops, ok := jsonscan.AppendMembers(nil, raw)
		if !ok {
			t.Fatal("not an object")
		}
		walked, ok := readRawHeader(raw, tops, nil)
		if !ok {
			t.Fatal("readRawHeader gave up")
		}
		top, idx, listed := cloudtrail.Listed(raw)
		if !listed {
			t.Fatal("the reader does not list the record")
		}
		fromIndex, ok := readRawHeader(raw, top, idx)
		if !ok {
			t.Fatal("readRawHeader gave up on the reader's listing")
		}
		for how, h := range map[string]header{"walking": walked.header(newInterner()),
			"listing": fromIndex.header(nil), "encoding/json": decodeHeader(raw)} {
			a := h.actor()
			if a.OnBehalfOfUserID != id || a.IdentityStoreARN != store {
				t.Errorf("%s: actor %+v, want user %s of %s", how, a, id, store)
			}
			if got, want := a.Key(), "IdentityCenterUser "+id; got != want {
				t.Errorf("%s: key %q, want %q", how, got, want)
			}
		}
		return
	}
	t.Fatal("no header case of an Identity Center user")
}

// TestTimelineKey checks which findings a grouped report files under their
// correlation's group rather than their record's caller: those of a
// correlation whose group-by names no userIdentity field.
func TestTimelineKey(t *testing.T) {
	alice := Actor{Type: "IAMUser", ARN: "arn:aws:iam::111122223333:user/alice"}
	ip := GroupValue{Field: "sourceIPAddress", Value: "203.0.113.7"}
	tests := []struct {
		name  string
		group GroupValues
		corr  bool
		want  string
	}{
		{"no correlation", nil, false, alice.ARN},
		{"grouped by caller", GroupValues{{Field: "userIdentity.arn", Value: alice.ARN}}, true, alice.ARN},
		{"grouped by user name and account", GroupValues{{Field: "recipientAccountId", Value: "111122223333"},
			{Field: "userIdentity.userName", Value: "alice"}}, true, alice.ARN},
		{"grouped by address", GroupValues{ip}, true, `correlation group sourceIPAddress="203.0.113.7"`},
		{"grouped by address and account, one missing", GroupValues{ip, {Field: "recipientAccountId", Null: true}}, true,
			`correlation group sourceIPAddress="203.0.113.7" recipientAccountId=null`},
		{"a value posing as another group", GroupValues{{Field: "sourceIPAddress", Value: `1" recipientAccountId=null`}}, true,
			`correlation group sourceIPAddress="1"" recipientAccountId=null"`},
		// Escaping is the report's, once: the key keeps what JSON would
		// have written as \u003c, \u0026 or \u001b.
		{"markup, an ampersand and a control character", GroupValues{{Field: "requestParameters.clientId", Value: "a<i>&amp;\x1b\\"}}, true,
			"correlation group requestParameters.clientId=\"a<i>&amp;\x1b\\\""},
		{"no group-by", nil, true, alice.ARN},
	}
	for _, tt := range tests {
		f := Finding{Actor: alice}
		if tt.corr {
			f.Correlation = &Correlation{Group: tt.group}
		}
		if got := f.TimelineKey(); got != tt.want {
			t.Errorf("%s: TimelineKey() = %q, want %q", tt.name, got, tt.want)
		}
	}
}

// checkAttempts checks, for the header cases cases names, whether each is
// an attempt, as its value says, read on the fast path and through
// encoding/json alike.
func checkAttempts(t *testing.T, cases map[string]bool) {
	t.Helper()
	for _, tt := range headerCases {
		want, ok := cases[tt.name]
		if !ok {
			continue
		}
		delete(cases, tt.name)
		for how, h := range map[string]header{"fast": headerOf([]byte(tt.raw), newInterner()), "encoding/json": decodeHeader([]byte(tt.raw))} {
			if got := failed(h.ErrorCode, h.ErrorMessage != "", h.SignIn); got != want {
				t.Errorf("%s (%s): attempt = %v, want %v", tt.name, how, got, want)
			}
		}
	}
	for name := range cases {
		t.Errorf("no header case %q", name)
	}
}

// TestTimelineLabel checks that the label of a correlation group shows a
// value the scan cut as its kept part quoted, then ttc's note outside the
// quotes, and a record's text that imitates the cut as text, while the key
// (which groups findings) keeps the value as it was.
func TestTimelineLabel(t *testing.T) {
	long := "203.0.113." + strings.Repeat("9", 1500)
	imitation := `198.51.100.7…#0123456789abcdef`
	for _, tt := range []struct {
		value, want string
	}{
		{GroupKey(long), `correlation group sourceIPAddress="203.0.113.` + strings.Repeat("9", maxGroupKey-len("203.0.113.")) + `" [cut by ttc; key hash `},
		{imitation, `correlation group sourceIPAddress="` + imitation + `"`},
	} {
		f := Finding{Correlation: &Correlation{Group: GroupValues{{Field: "sourceIPAddress", Value: tt.value}}}}
		if got := f.TimelineLabel(); !strings.HasPrefix(got, tt.want) {
			t.Errorf("TimelineLabel() = %.80q…, want it to start %.80q…", got, tt.want)
		}
		if got := f.TimelineKey(); got != `correlation group sourceIPAddress=`+QuoteValue(tt.value) {
			t.Errorf("TimelineKey() = %.80q…", got)
		}
	}
}
