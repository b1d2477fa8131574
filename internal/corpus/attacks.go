package corpus

import "fmt"

// attacks lists attack-like calls, written at Options.AttackRate so that
// detections have something to find in a benchmark corpus.
var attacks = []spec{
	{1, func(g *gen) call { // ransomware-style re-encryption with a customer key
		b, k := g.bucket(), g.objectKey()
		return call{source: "s3.amazonaws.com", name: "CopyObject", data: true, who: human, noError: true,
			params: func(e *enc) {
				e.obj().s("bucketName", b).s("Host", b+".s3."+g.region+".amazonaws.com").s("key", k).
					s("x-amz-copy-source", b+"/"+k).s("x-amz-server-side-encryption-customer-algorithm", "AES256").end()
			},
			extra: func(e *enc) {
				e.obj().s("SignatureVersion", "SigV4").s("SSECustomerAlgorithm", "AES256").
					s("AuthenticationMethod", "AuthHeader").n("bytesTransferredIn", 0).n("bytesTransferredOut", 0).end()
			}}
	}},
	{1, func(g *gen) call {
		b := g.bucket()
		return call{source: "s3.amazonaws.com", name: "PutBucketLifecycle", who: human, noError: true,
			params: func(e *enc) {
				e.obj().s("bucketName", b).s("Host", b+".s3."+g.region+".amazonaws.com").o("LifecycleConfiguration").
					s("xmlns", "http://s3.amazonaws.com/doc/2006-03-01/").o("Rule").o("Filter").s("Prefix", "").end().
					o("Expiration").n("Days", 1).end().s("ID", "cleanup").s("Status", "Enabled").end().end().
					s("lifecycle", "").end()
			}}
	}},
	{1, func(g *gen) call { return g.trailCall("DeleteTrail") }},
	{1, func(g *gen) call { return g.trailCall("StopLogging") }},
	{1, func(g *gen) call {
		return call{source: "guardduty.amazonaws.com", name: "DeleteDetector", who: human, noError: true,
			params: func(e *enc) { e.obj().s("detectorId", fmt.Sprintf("%032x", g.r.Uint64())).end() }}
	}},
	{1, func(g *gen) call {
		u := g.acct.users[g.r.IntN(len(g.acct.users))]
		return call{source: "iam.amazonaws.com", name: "CreateAccessKey", who: human, noError: true,
			params: func(e *enc) { e.obj().s("userName", u.name).end() },
			response: func(e *enc) {
				e.obj().o("accessKey").s("userName", u.name).s("accessKeyId", randID(g.r, "AKIA", 16)).
					s("status", "Active").s("createDate", "Jan 5, 2026, 10:00:00 AM").end().end()
			}}
	}},
	{1, func(g *gen) call {
		u := g.acct.users[g.r.IntN(len(g.acct.users))]
		return call{source: "iam.amazonaws.com", name: "AttachUserPolicy", who: human, noError: true,
			params: func(e *enc) {
				e.obj().s("userName", u.name).s("policyArn", "arn:aws:iam::aws:policy/AdministratorAccess").end()
			}}
	}},
	{1, func(g *gen) call {
		return call{source: "organizations.amazonaws.com", name: "LeaveOrganization", who: root, noError: true}
	}},
	{1, func(g *gen) call {
		return call{source: "bedrock.amazonaws.com", name: "InvokeModel", readOnly: true, who: app, noError: true,
			params: func(e *enc) { e.obj().s("modelId", "anthropic.claude-3-sonnet-20240229-v1:0").end() },
			extra:  func(e *enc) { e.obj().n("inputTokens", 2048).n("outputTokens", 4096).end() }}
	}},
	{1, func(g *gen) call {
		c := g.runInstances("p4d.24xlarge", 1+g.r.IntN(4))
		c.noError = true
		return c
	}},
	{1, func(g *gen) call {
		return call{source: "rds.amazonaws.com", name: "ModifyDBInstance", who: human, noError: true,
			params: func(e *enc) {
				e.obj().s("dBInstanceIdentifier", "orders-prod").t("applyImmediately", true).
					t("deletionProtection", false).end()
			}}
	}},
}

func (g *gen) trailCall(name string) call {
	return call{source: "cloudtrail.amazonaws.com", name: name, who: human, noError: true,
		params: func(e *enc) {
			e.obj().s("name", fmt.Sprintf("arn:aws:cloudtrail:%s:%s:trail/org-trail", g.region, g.acct.id)).end()
		}}
}
