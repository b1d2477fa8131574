package scan

import (
	"reflect"
	"strings"
	"testing"
)

func TestTargetOf(t *testing.T) {
	tests := []struct {
		name, request string
		want          []string // field=value
	}{
		{"S3 object", `{"bucketName":"acme","Host":"acme.s3.amazonaws.com","key":"a/b.txt","x-amz-server-side-encryption-customer-algorithm":"AES256"}`,
			[]string{"requestParameters.bucketName=acme", "requestParameters.key=a/b.txt"}},
		{"IAM user and policy", `{"userName":"mallory","policyArn":"arn:aws:iam::aws:policy/AdministratorAccess"}`,
			[]string{"requestParameters.userName=mallory", "requestParameters.policyArn=arn:aws:iam::aws:policy/AdministratorAccess"}},
		{"role session", `{"roleArn":"arn:aws:iam::1:role/r","roleSessionName":"s","durationSeconds":3600,"externalId":"e"}`,
			[]string{"requestParameters.roleArn=arn:aws:iam::1:role/r", "requestParameters.roleSessionName=s", "requestParameters.externalId=e"}},
		{"at most three", `{"aId":"1","bId":"2","cId":"3","dId":"4"}`,
			[]string{"requestParameters.aId=1", "requestParameters.bId=2", "requestParameters.cId=3"}},
		{"a transfer's own number is none", `{"bucketName":"b","key":"k","uploadId":"u","partNumber":"1"}`,
			[]string{"requestParameters.bucketName=b", "requestParameters.key=k"}},
		{"capitalised keys", `{"GraphArn":"arn:aws:detective:us-east-1:1:graph:g","EnvironmentId":"e"}`,
			[]string{"requestParameters.GraphArn=arn:aws:detective:us-east-1:1:graph:g", "requestParameters.EnvironmentId=e"}},
		{"escaped value decoded", `{"name":"trail\u002fx\n"}`, []string{"requestParameters.name=trail/x\n"}},
		{"other types, empty and escaped keys passed over", `{"roleName":1,"userName":"","groupName":null,"instance\u0049d":"i","keyId":{"x":"y"},"ids":["a"]}`, nil},
		{"suffix alone is no key", `{"Id":"1","Name":"n","Arn":"a"}`, nil},
		{"no parameters", `null`, nil},
		{"not an object", `"bucketName"`, nil},
		{"empty", `{}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for how, in := range map[string]*interner{"shared": newInterner(), "alone": nil} {
				var got []string
				for _, f := range targetOf([]byte(tt.request), in) {
					got = append(got, f.Field+"="+f.Value)
				}
				if !reflect.DeepEqual(got, tt.want) {
					t.Errorf("%s: got %q, want %q", how, got, tt.want)
				}
			}
		})
	}
}

func TestTargetClipped(t *testing.T) {
	long := strings.Repeat("k", maxFieldBytes+10)
	got := targetOf([]byte(`{"key":"`+long+`"}`), newInterner())
	if len(got) != 1 || len(got[0].Value) > maxFieldBytes+32 || !strings.HasSuffix(got[0].Value, "bytes in all)") {
		t.Fatalf("a long key is not clipped as other fields are: %d bytes", len(got[0].Value))
	}
}

// TestTargetFieldNamesBounded checks that a log of made-up keys cannot grow
// a worker's table of field names without bound.
func TestTargetFieldNamesBounded(t *testing.T) {
	in := newInterner()
	for i := range maxTargetFields + 50 {
		targetOf([]byte(`{"k`+strings.Repeat("x", i%60)+string(rune('a'+i%26))+`Id":"v"}`), in)
		in.targetField([]byte("f" + strings.Repeat("y", i%50) + string(rune('A'+i%26)) + "Name"))
	}
	if len(in.fields) > maxTargetFields {
		t.Fatalf("%d field names kept, want at most %d", len(in.fields), maxTargetFields)
	}
}
