package corpus

import (
	"fmt"
	"strings"
)

// spec is one kind of call and its share of the corpus.
type spec struct {
	weight int
	make   func(g *gen) call
}

// routine lists the everyday calls, weighted roughly as in a busy account:
// mostly read-only management calls, then data events, a few writes and
// console sign-ins.
var routine = []spec{
	{90, func(g *gen) call { return g.describe("ec2", "DescribeInstances", g.instanceFilter) }},
	{40, func(g *gen) call { return g.describe("ec2", "DescribeSecurityGroups", g.groupFilter) }},
	{30, func(g *gen) call { return g.describe("ec2", "DescribeVolumes", nil) }},
	{25, func(g *gen) call { return g.describe("ec2", "DescribeSubnets", nil) }},
	{20, func(g *gen) call { return g.describe("ec2", "DescribeVpcs", nil) }},
	{30, func(g *gen) call { return g.iamRead("ListRoles") }},
	{30, func(g *gen) call { return g.iamRead("GetRole") }},
	{15, func(g *gen) call { return g.iamRead("ListAttachedRolePolicies") }},
	{15, func(g *gen) call { return g.iamRead("GetPolicy") }},
	{10, func(g *gen) call { return g.iamRead("ListUsers") }},
	{35, func(g *gen) call { return g.bucketRead("GetBucketLocation") }},
	{20, func(g *gen) call { return g.bucketRead("GetBucketPolicy") }},
	{20, func(g *gen) call { return g.bucketRead("GetBucketAcl") }},
	{10, func(g *gen) call { return g.bucketRead("ListBuckets") }},
	{120, (*gen).assumeRole},
	{25, func(g *gen) call {
		return call{source: "sts.amazonaws.com", name: "GetCallerIdentity", readOnly: true, who: g.whoMix(), noError: true}
	}},
	{110, (*gen).kms},
	{40, (*gen).logs},
	{30, func(g *gen) call {
		return call{source: "monitoring.amazonaws.com", name: "GetMetricData", readOnly: true, who: g.whoMix(),
			params: func(e *enc) {
				e.obj().a("metricDataQueries")
				for i := range 1 + g.r.IntN(6) {
					e.obj().s("id", fmt.Sprintf("m%d", i)).o("metricStat").o("metric").s("namespace", "AWS/EC2").
						s("metricName", g.pick([]string{"CPUUtilization", "NetworkIn", "DiskReadOps"})).endObj().
						n("period", 300).s("stat", "Average").end().t("returnData", true).end()
				}
				e.endArr().s("startTime", "Jan 5, 2026, 10:00:00 AM").s("endTime", "Jan 5, 2026, 11:00:00 AM").end()
			}}
	}},
	{160, func(g *gen) call { return g.s3Object("GetObject", true) }},
	{50, func(g *gen) call { return g.s3Object("PutObject", false) }},
	{40, func(g *gen) call { return g.s3Object("HeadObject", true) }},
	{60, (*gen).lambdaInvoke},
	{12, (*gen).consoleLogin},
	{10, (*gen).createTags},
	{4, func(g *gen) call {
		return g.runInstances(g.pick([]string{"t3.micro", "t3.large", "m7g.xlarge", "c6i.2xlarge"}), 1+g.r.IntN(8))
	}},
	{8, (*gen).putRolePolicy},
}

func (e *enc) endObj() *enc { return e.end() }

func (g *gen) whoMix() who {
	switch n := g.r.IntN(10); {
	case n < 6:
		return app
	case n < 9:
		return human
	}
	return service
}

func (g *gen) describe(svc, name string, filter func(e *enc)) call {
	c := call{source: svc + ".amazonaws.com", name: name, readOnly: true, who: g.whoMix()}
	c.params = func(e *enc) {
		e.obj()
		if filter != nil && g.r.IntN(2) == 0 {
			filter(e)
		}
		if g.r.IntN(2) == 0 {
			e.n("maxResults", int64(g.pick2(100, 1000)))
		}
		e.end()
	}
	return c
}

func (g *gen) pick2(a, b int) int {
	if g.r.IntN(2) == 0 {
		return a
	}
	return b
}

func (g *gen) instanceFilter(e *enc) {
	e.o("instancesSet").a("items")
	for range 1 + g.r.IntN(4) {
		e.obj().s("instanceId", fmt.Sprintf("i-%017x", g.r.Uint64()>>4)).end()
	}
	e.endArr().end()
	e.o("filterSet").a("items").obj().s("name", "tag:Environment").o("valueSet").a("items").
		obj().s("value", g.pick([]string{"prod", "staging", "dev"})).end().endArr().end().end().endArr().end()
}

func (g *gen) groupFilter(e *enc) {
	e.o("securityGroupIdSet").a("items")
	for range 1 + g.r.IntN(3) {
		e.obj().s("groupId", fmt.Sprintf("sg-%017x", g.r.Uint64()>>4)).end()
	}
	e.endArr().end()
}

func (g *gen) roleName() string { return roleNames[g.r.IntN(len(roleNames))] }

func (g *gen) iamRead(name string) call {
	c := call{source: "iam.amazonaws.com", name: name, readOnly: true, who: g.whoMix()}
	switch name {
	case "GetRole", "ListAttachedRolePolicies":
		role := g.roleName()
		c.params = func(e *enc) { e.obj().s("roleName", role).end() }
	case "GetPolicy":
		c.params = func(e *enc) {
			e.obj().s("policyArn", "arn:aws:iam::"+g.acct.id+":policy/"+g.pick([]string{"app-s3-read", "ci-deploy", "logs-write"})).end()
		}
	default:
		c.params = func(e *enc) { e.obj().n("maxItems", 100).end() }
	}
	return c
}

func (g *gen) bucket() string {
	return g.pick([]string{"app-assets", "data-lake-raw", "data-lake-curated", "build-artifacts", "access-logs"}) + "-" + g.acct.id
}

func (g *gen) bucketRead(name string) call {
	b := g.bucket()
	c := call{source: "s3.amazonaws.com", name: name, readOnly: true, who: g.whoMix()}
	c.params = func(e *enc) {
		e.obj()
		if name != "ListBuckets" {
			e.s("bucketName", b).s("Host", b+".s3."+g.region+".amazonaws.com")
			e.s(strings.TrimPrefix(strings.ToLower(name), "getbucket"), "")
		} else {
			e.s("Host", "s3."+g.region+".amazonaws.com")
		}
		e.end()
	}
	c.extra = g.s3Extra(0, 0)
	return c
}

func (g *gen) s3Extra(in, out int64) func(e *enc) {
	return func(e *enc) {
		e.obj().s("SignatureVersion", "SigV4").s("CipherSuite", "TLS_AES_128_GCM_SHA256").
			n("bytesTransferredIn", in).s("AuthenticationMethod", "AuthHeader").
			s("x-amz-id-2", randID(g.r, "", 40)+"=").n("bytesTransferredOut", out).end()
	}
}

func (g *gen) assumeRole() call {
	role := g.roleName()
	session := fmt.Sprintf("%s-%d", g.pick([]string{"botocore-session", "aws-go-sdk", "i"}), g.r.Int64N(1e12))
	c := call{source: "sts.amazonaws.com", name: "AssumeRole", readOnly: true, who: service, noError: true}
	if g.r.IntN(4) == 0 {
		c.who = app
	}
	c.params = func(e *enc) {
		e.obj().s("roleArn", "arn:aws:iam::"+g.acct.id+":role/"+role).s("roleSessionName", session).
			n("durationSeconds", 3600).end()
	}
	c.response = func(e *enc) {
		e.obj().o("credentials").s("accessKeyId", randID(g.r, "ASIA", 16)).
			s("sessionToken", randID(g.r, "IQoJb3JpZ2luX2VjE", 380)).
			s("expiration", "Jan 5, 2026, 12:00:00 PM").end().
			o("assumedRoleUser").s("assumedRoleId", "AROA"+randID(g.r, "", 17)+":"+session).
			s("arn", "arn:aws:sts::"+g.acct.id+":assumed-role/"+role+"/"+session).end().end()
	}
	c.resources = func(e *enc) {
		e.arr().obj().s("accountId", g.acct.id).s("type", "AWS::IAM::Role").
			s("ARN", "arn:aws:iam::"+g.acct.id+":role/"+role).end().endArr()
	}
	return c
}

func (g *gen) kms() call {
	name := g.pick([]string{"Decrypt", "Decrypt", "Decrypt", "GenerateDataKey", "Encrypt"})
	key := fmt.Sprintf("arn:aws:kms:%s:%s:key/%s", g.region, g.acct.id, g.uuid())
	c := call{source: "kms.amazonaws.com", name: name, readOnly: name == "Decrypt", who: service}
	if g.r.IntN(3) == 0 {
		c.who = app
	}
	c.params = func(e *enc) {
		e.obj().s("encryptionAlgorithm", "SYMMETRIC_DEFAULT").o("encryptionContext").
			s("aws:s3:arn", "arn:aws:s3:::"+g.bucket()+"/"+g.objectKey()).end()
		if name == "GenerateDataKey" {
			e.s("keySpec", "AES_256").s("keyId", key)
		}
		e.end()
	}
	c.resources = func(e *enc) {
		e.arr().obj().s("accountId", g.acct.id).s("type", "AWS::KMS::Key").s("ARN", key).end().endArr()
	}
	return c
}

func (g *gen) logs() call {
	name := g.pick([]string{"CreateLogStream", "DescribeLogGroups", "DescribeLogStreams", "FilterLogEvents"})
	group := "/aws/lambda/" + g.pick([]string{"orders-api", "billing-worker", "thumbnailer", "auth-edge"})
	c := call{source: "logs.amazonaws.com", name: name, readOnly: name != "CreateLogStream", who: g.whoMix()}
	c.params = func(e *enc) {
		e.obj().s("logGroupName", group)
		if name == "CreateLogStream" {
			e.s("logStreamName", fmt.Sprintf("2026/01/05/[$LATEST]%032x", g.r.Uint64()))
		}
		e.end()
	}
	return c
}

func (g *gen) objectKey() string {
	return fmt.Sprintf("%s/%04d/%02d/part-%05d-%s.parquet", g.pick([]string{"events", "exports", "images", "tmp"}),
		2026, 1+g.r.IntN(12), g.r.IntN(100000), g.uuid())
}

func (g *gen) s3Object(name string, ro bool) call {
	b, k := g.bucket(), g.objectKey()
	size := g.r.Int64N(50 << 20)
	c := call{source: "s3.amazonaws.com", name: name, readOnly: ro, data: true, who: app}
	c.params = func(e *enc) {
		e.obj().s("bucketName", b).s("Host", b+".s3."+g.region+".amazonaws.com").s("key", k)
		if name == "PutObject" {
			e.s("x-amz-server-side-encryption", "aws:kms")
		}
		e.end()
	}
	if name == "PutObject" {
		c.response = func(e *enc) {
			e.obj().s("x-amz-server-side-encryption", "aws:kms").
				s("x-amz-server-side-encryption-aws-kms-key-id", "arn:aws:kms:"+g.region+":"+g.acct.id+":key/"+g.uuid()).end()
		}
		c.extra = g.s3Extra(size, 0)
	} else {
		c.extra = g.s3Extra(0, size)
	}
	c.resources = func(e *enc) {
		e.arr().obj().s("type", "AWS::S3::Object").s("ARN", "arn:aws:s3:::"+b+"/"+k).end().
			obj().s("accountId", g.acct.id).s("type", "AWS::S3::Bucket").s("ARN", "arn:aws:s3:::"+b).end().endArr()
	}
	return c
}

func (g *gen) lambdaInvoke() call {
	fn := fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", g.region, g.acct.id,
		g.pick([]string{"orders-api", "billing-worker", "thumbnailer", "auth-edge"}))
	c := call{source: "lambda.amazonaws.com", name: "Invoke", data: true, who: service}
	c.params = func(e *enc) {
		e.obj().s("functionName", fn).s("sourceArn", "arn:aws:execute-api:"+g.region+":"+g.acct.id+":abc123/prod/POST/orders").end()
	}
	c.extra = func(e *enc) { e.obj().s("functionVersion", fn+":$LATEST").end() }
	c.resources = func(e *enc) {
		e.arr().obj().s("accountId", g.acct.id).s("type", "AWS::Lambda::Function").s("ARN", fn).end().endArr()
	}
	return c
}

func (g *gen) consoleLogin() call {
	ok := g.r.IntN(10) > 0
	c := call{source: "signin.amazonaws.com", name: "ConsoleLogin", who: human, console: true, eventType: "AwsConsoleSignIn", noError: true}
	if g.r.IntN(20) == 0 {
		c.who = root
	}
	outcome := "Success"
	if !ok {
		outcome, c.failure = "Failure", "Failed authentication"
	}
	c.response = func(e *enc) { e.obj().s("ConsoleLogin", outcome).end() }
	c.extra = func(e *enc) {
		e.obj().s("LoginTo", "https://console.aws.amazon.com/console/home?state=hashArgs%23&isauthcode=true").
			s("MobileVersion", "No").s("MFAUsed", map[bool]string{true: "Yes", false: "No"}[g.r.IntN(4) > 0]).end()
	}
	return c
}

func (g *gen) createTags() call {
	c := call{source: "ec2.amazonaws.com", name: "CreateTags", who: g.whoMix()}
	c.params = func(e *enc) {
		e.obj().o("resourcesSet").a("items").obj().s("resourceId", fmt.Sprintf("i-%017x", g.r.Uint64()>>4)).end().endArr().end().
			o("tagSet").a("items")
		for _, k := range []string{"Name", "Environment", "Owner", "CostCenter"} {
			e.obj().s("key", k).s("value", g.pick([]string{"orders", "prod", "team-payments", "cc-1234"})).end()
		}
		e.endArr().end().end()
	}
	c.response = func(e *enc) { e.obj().s("requestId", g.uuid()).t("_return", true).end() }
	return c
}

// runInstances is the largest common record: the response lists every
// instance with its network interfaces, some 2 KB each.
func (g *gen) runInstances(typ string, n int) call {
	c := call{source: "ec2.amazonaws.com", name: "RunInstances", who: g.whoMix()}
	ami := fmt.Sprintf("ami-%017x", g.r.Uint64()>>4)
	c.params = func(e *enc) {
		e.obj().o("instancesSet").a("items").obj().s("imageId", ami).n("minCount", int64(n)).n("maxCount", int64(n)).end().endArr().end().
			s("instanceType", typ).o("blockDeviceMapping").end().o("monitoring").t("enabled", false).end().
			t("disableApiTermination", false).s("clientToken", g.uuid()).end()
	}
	c.response = func(e *enc) {
		e.obj().s("requestId", g.uuid()).s("reservationId", fmt.Sprintf("r-%017x", g.r.Uint64()>>4)).
			s("ownerId", g.acct.id).o("groupSet").end().o("instancesSet").a("items")
		for range n {
			id := fmt.Sprintf("i-%017x", g.r.Uint64()>>4)
			ip := fmt.Sprintf("10.0.%d.%d", g.r.IntN(64), 1+g.r.IntN(254))
			e.obj().s("instanceId", id).s("imageId", ami).o("instanceState").n("code", 0).s("name", "pending").end().
				s("privateDnsName", "ip-"+strings.ReplaceAll(ip, ".", "-")+"."+g.region+".compute.internal").
				n("amiLaunchIndex", 0).o("productCodes").end().s("instanceType", typ).n("launchTime", 1767607200000).
				o("placement").s("availabilityZone", g.region+"a").s("tenancy", "default").end().
				o("monitoring").s("state", "disabled").end().s("subnetId", "subnet-0a1b2c3d4e5f60718").
				s("vpcId", "vpc-0123456789abcdef0").s("privateIpAddress", ip).o("stateReason").s("code", "pending").
				s("message", "pending").end().s("architecture", "x86_64").s("rootDeviceType", "ebs").
				s("rootDeviceName", "/dev/xvda").o("blockDeviceMapping").end().s("virtualizationType", "hvm").
				s("clientToken", g.uuid()).o("groupSet").a("items").obj().s("groupId", "sg-0123456789abcdef0").
				s("groupName", "default").end().endArr().end().s("hypervisor", "xen").
				o("networkInterfaceSet").a("items").obj().s("networkInterfaceId", fmt.Sprintf("eni-%017x", g.r.Uint64()>>4)).
				s("subnetId", "subnet-0a1b2c3d4e5f60718").s("vpcId", "vpc-0123456789abcdef0").s("ownerId", g.acct.id).
				s("status", "in-use").s("macAddress", "0a:1b:2c:3d:4e:5f").s("privateIpAddress", ip).
				t("sourceDestCheck", true).o("attachment").s("attachmentId", fmt.Sprintf("eni-attach-%017x", g.r.Uint64()>>4)).
				n("deviceIndex", 0).s("status", "attaching").n("attachTime", 1767607200000).t("deleteOnTermination", true).end().
				s("interfaceType", "interface").end().endArr().end().
				t("ebsOptimized", false).t("enaSupport", true).o("cpuOptions").n("coreCount", 1).n("threadsPerCore", 2).end().
				o("metadataOptions").s("state", "pending").s("httpTokens", "required").n("httpPutResponseHopLimit", 2).
				s("httpEndpoint", "enabled").end().end()
		}
		e.endArr().end().end()
	}
	return c
}

// putRolePolicy carries a policy document as an escaped JSON string, the way
// CloudTrail logs it; large documents make 10–20 KB records.
func (g *gen) putRolePolicy() call {
	c := call{source: "iam.amazonaws.com", name: "PutRolePolicy", who: human}
	var doc strings.Builder
	doc.WriteString(`{"Version":"2012-10-17","Statement":[`)
	for i := range 10 + g.r.IntN(70) {
		if i > 0 {
			doc.WriteByte(',')
		}
		fmt.Fprintf(&doc, `{"Sid":"Stmt%d","Effect":"Allow","Action":["s3:GetObject","s3:PutObject","s3:ListBucket"],`+
			`"Resource":["arn:aws:s3:::%s","arn:aws:s3:::%s/%s/*"]}`, i, g.bucket(), g.bucket(), g.pick([]string{"in", "out", "tmp"}))
	}
	doc.WriteString("]}")
	role := g.roleName()
	c.params = func(e *enc) {
		e.obj().s("roleName", role).s("policyName", "inline-"+role).s("policyDocument", doc.String()).end()
	}
	return c
}
