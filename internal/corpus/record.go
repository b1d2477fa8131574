package corpus

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// who says which kind of principal makes a call.
type who uint8

const (
	human   who = iota // an IAM user or an SSO session, from a laptop or the console
	app                // a workload's assumed role
	service            // an AWS service acting for the account
	root               // the root user
)

// call is one API call before it is written as a record.
type call struct {
	source, name string
	readOnly     bool
	data         bool // a data event
	who          who
	console      bool // made from the console
	eventType    string
	noError      bool   // never fails with an access error
	failure      string // errorMessage of a call that fails on its own (a failed sign-in)
	params       func(e *enc)
	response     func(e *enc)
	extra        func(e *enc) // additionalEventData
	resources    func(e *enc)
}

// gen writes the records of one file.
type gen struct {
	r      *rand.Rand
	o      Options
	acct   *account
	accts  []account
	region string
	at     time.Time // delivery time of the file
	e      enc
}

func (g *gen) pick(list []string) string { return list[g.r.IntN(len(list))] }

func (g *gen) uuid() string {
	a, b := g.r.Uint64(), g.r.Uint64()
	return fmt.Sprintf("%08x-%04x-4%03x-%04x-%012x", a>>32, a>>16&0xffff, a&0xfff, b>>48&0x3fff|0x8000, b&0xffffffffffff)
}

func (g *gen) ip() string {
	nets := []string{"203.0.113", "198.51.100", "192.0.2"}
	return fmt.Sprintf("%s.%d", g.pick(nets), 1+g.r.IntN(254))
}

var (
	cliAgents = []string{
		"aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/linux#6.5.0 md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/prompt#off md/command#ec2.describe-instances",
		"aws-cli/2.17.4 md/awscrt#0.20.11 ua/2.0 os/macos#23.5.0 md/arch#arm64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#standard md/installer#source",
		"APN/1.0 HashiCorp/1.0 Terraform/1.8.5 (+https://www.terraform.io) terraform-provider-aws/5.56.1 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.30.1 ua/2.0 os/linux lang/go#1.22.4 md/GOOS#linux md/GOARCH#amd64 api/ec2#1.167.0",
	}
	appAgents = []string{
		"Boto3/1.34.131 md/Botocore#1.34.131 ua/2.0 os/linux#5.10.219-208.866.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.4 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.131",
		"aws-sdk-go-v2/1.27.2 ua/2.0 os/linux lang/go#1.22.3 md/GOOS#linux md/GOARCH#arm64 api/s3#1.55.1",
		"aws-sdk-java/2.25.60 Linux/5.10.217-205.860.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.11+9-LTS Java/17.0.11 vendor/Amazon.com_Inc. io/sync http/Apache cfg/retry-mode/legacy",
		"aws-sdk-nodejs/2.1643.0 linux/v20.14.0 exec-env/AWS_Lambda_nodejs20.x promise",
	}
	consoleAgent = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"
	services     = []string{"lambda.amazonaws.com", "ec2.amazonaws.com", "ecs-tasks.amazonaws.com", "cloudformation.amazonaws.com", "autoscaling.amazonaws.com", "config.amazonaws.com"}
)

// actor is the identity chosen for one record.
type actor struct {
	typ, arn, principalID, accessKey, userName string
	role                                       *principal
	sourceIP, userAgent, invokedBy             string
}

func (g *gen) actor(c *call) actor {
	a := g.acct
	switch c.who {
	case service:
		svc := g.pick(services)
		return actor{typ: "AWSService", invokedBy: svc, sourceIP: svc, userAgent: svc}
	case root:
		return actor{typ: "Root", arn: "arn:aws:iam::" + a.id + ":root", principalID: a.id,
			accessKey: randID(g.r, "ASIA", 16), sourceIP: g.ip(), userAgent: consoleAgent}
	case human:
		if g.r.IntN(3) == 0 {
			u := &a.users[g.r.IntN(len(a.users))]
			ua := g.pick(cliAgents)
			if c.console {
				ua = consoleAgent
			}
			return actor{typ: "IAMUser", arn: "arn:aws:iam::" + a.id + ":user/" + u.name, principalID: u.id,
				accessKey: u.key, userName: u.name, sourceIP: g.ip(), userAgent: ua}
		}
		r := &a.roles[5+g.r.IntN(2)] // an SSO permission set
		session := g.pick(userNames) + "@example.com"
		return g.session(r, session, g.ip(), g.pick(cliAgents))
	}
	r := &a.roles[g.r.IntN(5)]
	return g.session(r, fmt.Sprintf("i-%017x", g.r.Uint64()>>4), "10.0."+fmt.Sprint(g.r.IntN(64))+"."+fmt.Sprint(1+g.r.IntN(254)), g.pick(appAgents))
}

func (g *gen) session(r *principal, session, ip, ua string) actor {
	return actor{typ: "AssumedRole", arn: "arn:aws:sts::" + g.acct.id + ":assumed-role/" + r.name + "/" + session,
		principalID: r.id + ":" + session, accessKey: randID(g.r, "ASIA", 16), role: r, sourceIP: ip, userAgent: ua}
}

func (g *gen) identity(a *actor, t time.Time) {
	e := &g.e
	e.o("userIdentity").s("type", a.typ)
	if a.typ == "AWSService" {
		e.s("invokedBy", a.invokedBy).end()
		return
	}
	e.s("principalId", a.principalID).s("arn", a.arn).s("accountId", g.acct.id).s("accessKeyId", a.accessKey)
	if a.userName != "" {
		e.s("userName", a.userName)
	}
	if a.role != nil || a.typ == "Root" {
		e.o("sessionContext")
		if a.role != nil {
			e.o("sessionIssuer").s("type", "Role").s("principalId", a.role.id).
				s("arn", "arn:aws:iam::"+g.acct.id+":role/"+a.role.name).s("accountId", g.acct.id).s("userName", a.role.name).end()
		} else {
			e.o("sessionIssuer").end()
		}
		e.o("webIdFederationData").end()
		e.o("attributes").s("creationDate", t.Add(-time.Duration(g.r.IntN(3600))*time.Second).Format(time.RFC3339)).
			s("mfaAuthenticated", map[bool]string{true: "true", false: "false"}[a.typ == "Root"]).end()
		e.end()
	}
	e.end()
}

// write appends one record for c at time t.
func (g *gen) write(c *call, t time.Time) {
	a := g.actor(c)
	e := &g.e
	failed := !c.noError && g.r.Float64() < g.o.ErrorRate
	e.obj().s("eventVersion", g.pick([]string{"1.08", "1.09", "1.10", "1.11", "1.11", "1.11"}))
	g.identity(&a, t)
	e.s("eventTime", t.Format(time.RFC3339)).s("eventSource", c.source).s("eventName", c.name).
		s("awsRegion", g.region).s("sourceIPAddress", a.sourceIP).s("userAgent", a.userAgent)
	if failed {
		code := "AccessDenied"
		switch c.source {
		case "ec2.amazonaws.com":
			code = "Client.UnauthorizedOperation"
		case "kms.amazonaws.com", "logs.amazonaws.com", "lambda.amazonaws.com", "bedrock.amazonaws.com":
			code = "AccessDeniedException"
		}
		e.s("errorCode", code).s("errorMessage", "User: "+a.arn+" is not authorized to perform: "+
			serviceOf(c.source)+":"+c.name+" because no identity-based policy allows the "+serviceOf(c.source)+":"+c.name+" action")
	}
	if c.failure != "" {
		e.s("errorMessage", c.failure)
	}
	member(e, "requestParameters", c.params)
	if failed {
		e.z("responseElements")
	} else {
		member(e, "responseElements", c.response)
	}
	if c.extra != nil {
		c.extra(e.key("additionalEventData"))
	}
	e.s("requestID", g.uuid()).s("eventID", g.uuid()).t("readOnly", c.readOnly)
	if c.resources != nil {
		c.resources(e.key("resources"))
	}
	et := c.eventType
	if et == "" {
		et = "AwsApiCall"
	}
	e.s("eventType", et).t("managementEvent", !c.data).s("recipientAccountId", g.acct.id)
	if c.data {
		e.s("eventCategory", "Data")
	} else {
		e.s("eventCategory", "Management")
	}
	if a.typ != "AWSService" {
		e.o("tlsDetails").s("tlsVersion", "TLSv1.3").s("cipherSuite", "TLS_AES_128_GCM_SHA256").
			s("clientProvidedHostHeader", serviceOf(c.source)+"."+g.region+".amazonaws.com").end()
	}
	if c.console {
		e.s("sessionCredentialFromConsole", "true")
	}
	e.end()
}

func member(e *enc, k string, f func(e *enc)) {
	if f == nil {
		e.z(k)
		return
	}
	f(e.key(k))
}

func serviceOf(source string) string {
	for i := 0; i < len(source); i++ {
		if source[i] == '.' {
			return source[:i]
		}
	}
	return source
}
