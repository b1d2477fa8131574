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
			[]string{"requestParameters.roleArn=arn:aws:iam::1:role/r", "requestParameters.roleSessionName=s"}},
		{"resources named by kind", `{"target":"i-0abc","documentName":"AWS-StartPortForwardingSession"}`,
			[]string{"requestParameters.target=i-0abc", "requestParameters.documentName=AWS-StartPortForwardingSession"}},
		{"EC2's request object", `{"ModifyInstanceMetadataOptionsRequest":{"HttpTokens":"optional","InstanceId":"i-0abc"}}`,
			[]string{"requestParameters.ModifyInstanceMetadataOptionsRequest.InstanceId=i-0abc"}},
		{"the request's own members first", `{"XRequest":{"aId":"2"},"bId":"1"}`,
			[]string{"requestParameters.bId=1", "requestParameters.XRequest.aId=2"}},
		{"only one level, only objects named Request", `{"XRequest":{"YRequest":{"aId":"1"}},"filter":{"aId":"2"},"x-Request":{"aId":"3"}}`, nil},
		{"names that name nothing", `{"instanceArn":"arn:aws:sso:::instance/ssoins-1","principalId":"p","externalId":"HIDDEN_DUE_TO_SECURITY_REASONS","statementId":"s","userName":"HIDDEN_DUE_TO_SECURITY_REASONS"}`,
			[]string{"requestParameters.principalId=p"}},
		{"at most three", `{"aId":"1","bId":"2","cId":"3","dId":"4"}`,
			[]string{"requestParameters.aId=1", "requestParameters.bId=2", "requestParameters.cId=3"}},
		{"a bucket named alone is where data goes", `{"tableArn":"arn:aws:dynamodb:eu-west-1:1:table/t","s3Bucket":"b","s3BucketOwner":"2","bucket":"c"}`,
			[]string{"requestParameters.tableArn=arn:aws:dynamodb:eu-west-1:1:table/t", "requestParameters.s3Bucket=b", "requestParameters.bucket=c"}},
		{"a transfer's own number is none", `{"bucketName":"b","key":"k","uploadId":"u","partNumber":"1"}`,
			[]string{"requestParameters.bucketName=b", "requestParameters.key=k"}},
		{"capitalised keys", `{"GraphArn":"arn:aws:detective:us-east-1:1:graph:g","EnvironmentId":"e"}`,
			[]string{"requestParameters.GraphArn=arn:aws:detective:us-east-1:1:graph:g", "requestParameters.EnvironmentId=e"}},
		{"escaped value decoded", `{"name":"trail\u002fx\n"}`, []string{"requestParameters.name=trail/x\n"}},
		{"other types, empty and escaped keys passed over", `{"roleName":1,"userName":"","groupName":null,"instance\u0049d":"i","keyId":{"x":"y"},"instance\u0049ds":["a"]}`, nil},
		{"a list named for resources", `{"secretIdList":["db/prod","api/key"],"withDecryption":true}`,
			[]string{"requestParameters.secretIdList=db/prod", "requestParameters.secretIdList=api/key"}},
		{"a plural of a resource key", `{"names":["/prod/db","/prod/api"]}`,
			[]string{"requestParameters.names=/prod/db", "requestParameters.names=/prod/api"}},
		{"EC2 set items", `{"instancesSet":{"items":[{"instanceId":"i-1"},{"instanceId":"i-2"}]},"force":false}`,
			[]string{"requestParameters.instancesSet.items.instanceId=i-1", "requestParameters.instancesSet.items.instanceId=i-2"}},
		{"strings before lists, at most three", `{"instancesSet":{"items":[{"imageId":"ami-1","minCount":1}]},"subnetId":"subnet-1","groupSet":{"items":[{"groupId":"sg-1"},{"groupId":"sg-2"}]}}`,
			[]string{"requestParameters.subnetId=subnet-1", "requestParameters.instancesSet.items.imageId=ami-1", "requestParameters.groupSet.items.groupId=sg-1"}},
		{"lists of other things passed over", `{"tags":["a"],"policyArns":[{"arn":"arn:aws:iam::aws:policy/P"}],"names":[1,"",null,{"name":"n"},"HIDDEN_DUE_TO_SECURITY_REASONS"],"xSet":{"item":[{"aId":"1"}]},"Set":{"items":[{"aId":"2"}]},"ySet":{"items":["zId"]}}`, nil},
		{"tags, filters and options name no resource", `{"resourcesSet":{"items":[{"resourceId":"i-0abc"}]},"tagSet":{"items":[{"key":"Name","value":"web"}]},"filterSet":{"items":[{"name":"vpc-id","valueSet":{"items":[{"value":"vpc-1"}]}}]},"dhcpConfigurationSet":{"items":[{"key":"domain-name"}]}}`,
			[]string{"requestParameters.resourcesSet.items.resourceId=i-0abc"}},
		{"a value listed again shows once", `{"names":["/p/a","/p/a","/p/a","/p/b"],"instancesSet":{"items":[{"instanceId":"i-1"},{"instanceId":"i-1"}]}}`,
			[]string{"requestParameters.names=/p/a", "requestParameters.names=/p/b", "requestParameters.instancesSet.items.instanceId=i-1"}},
		{"only a list's strings", `{"names":["a",["b"],{"c":"d"},"e"]}`,
			[]string{"requestParameters.names=a", "requestParameters.names=e"}},
		{"suffix alone is no key", `{"Id":"1","Name":"n","Arn":"a"}`, nil},
		{"no parameters", `null`, nil},
		{"not an object", `"bucketName"`, nil},
		{"empty", `{}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for how, in := range map[string]*interner{"shared": newInterner(), "alone": nil} {
				var got []string
				for _, f := range targetOf([]byte(tt.request), nil, in) {
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
	got := targetOf([]byte(`{"key":"`+long+`"}`), nil, newInterner())
	if len(got) != 1 || len(got[0].Value) > maxFieldBytes+32 || !strings.HasSuffix(got[0].Value, "bytes in all)") {
		t.Fatalf("a long key is not clipped as other fields are: %d bytes", len(got[0].Value))
	}
}

// TestTargetFieldNamesBounded checks that a log of made-up keys cannot grow
// a worker's table of field names without bound.
func TestTargetFieldNamesBounded(t *testing.T) {
	in := newInterner()
	for i := range maxTargetFields + 50 {
		targetOf([]byte(`{"k`+strings.Repeat("x", i%60)+string(rune('a'+i%26))+`Id":"v"}`), nil, in)
		in.targetField([]byte("f" + strings.Repeat("y", i%50) + string(rune('A'+i%26)) + "Name"))
	}
	if len(in.fields) > maxTargetFields {
		t.Fatalf("%d field names kept, want at most %d", len(in.fields), maxTargetFields)
	}
}

// TestTargetIssuedKey checks that the access key a call issued ends the
// target: a created user key, a session's key.
func TestTargetIssuedKey(t *testing.T) {
	tests := []struct {
		name, request, response string
		want                    []string
	}{
		{"key created for a user", `{"userName":"svc"}`,
			`{"accessKey":{"userName":"svc","accessKeyId":"AKIAEXAMPLE2","status":"Active","createDate":"Mar 14, 2026 2:05:47 AM"}}`,
			[]string{"requestParameters.userName=svc", "responseElements.accessKey.accessKeyId=AKIAEXAMPLE2"}},
		{"key created for oneself", `null`, `{"accessKey":{"accessKeyId":"AKIAEXAMPLE3"}}`,
			[]string{"responseElements.accessKey.accessKeyId=AKIAEXAMPLE3"}},
		{"role session", `{"roleArn":"arn:aws:iam::1:role/r","roleSessionName":"s"}`,
			`{"credentials":{"accessKeyId":"ASIAEXAMPLE4","sessionToken":"t","expiration":"x"},"assumedRoleUser":{"arn":"a"}}`,
			[]string{"requestParameters.roleArn=arn:aws:iam::1:role/r", "requestParameters.roleSessionName=s", "responseElements.credentials.accessKeyId=ASIAEXAMPLE4"}},
		{"three from the request, then the key", `{"aId":"1","bId":"2","cId":"3","dId":"4"}`, `{"credentials":{"accessKeyId":"ASIA5"},"accessKey":{"accessKeyId":"AKIA6"}}`,
			[]string{"requestParameters.aId=1", "requestParameters.bId=2", "requestParameters.cId=3", "responseElements.credentials.accessKeyId=ASIA5"}},
		{"other objects, empty or escaped keys, other types", `{}`,
			`{"user":{"accessKeyId":"AKIA6"},"accessKey":{"accessKeyId":""},"credentials":{"access\u004beyId":"ASIA7"},"accessKey":{"accessKeyId":7}}`, nil},
		{"not an object", `{}`, `"accessKeyId"`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, f := range targetOf([]byte(tt.request), []byte(tt.response), newInterner()) {
				got = append(got, f.Field+"="+f.Value)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestWholeLength(t *testing.T) {
	for _, n := range []int{maxFieldBytes + 1, 9000, 1 << 20} {
		if got := WholeLength(clipField(strings.Repeat("é", n/2) + strings.Repeat("a", n%2))); got != n {
			t.Errorf("clipped %d bytes: WholeLength = %d", n, got)
		}
	}
	for _, s := range []string{"", "short… (99999 bytes in all)", strings.Repeat("a", maxFieldBytes)} {
		if got := WholeLength(s); got != len(s) {
			t.Errorf("%.40q: WholeLength = %d, want %d", s, got, len(s))
		}
	}
}
