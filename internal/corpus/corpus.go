// Package corpus generates a deterministic, realistic CloudTrail corpus in
// the S3 delivery layout, for benchmarks and load tests of the reader, the
// detection engine and the scanner.
package corpus

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// Options shape a corpus. The zero value gives a 1 GiB corpus with seed 1.
type Options struct {
	// Seed makes the corpus reproducible: the same options give the same bytes.
	Seed uint64
	// TargetBytes is the uncompressed size to reach; generation stops after
	// the file that reaches it. 0 means 1 GiB.
	TargetBytes int64
	// Accounts is the number of AWS accounts (0 means 3); the last one
	// delivers as a member of an organisation trail.
	Accounts int
	// Regions lists the regions files are spread over (nil means four).
	Regions []string
	// Start is the delivery time of the first files (zero means 2026-01-05).
	Start time.Time
	// MinRecords and MaxRecords bound records per file (0 means 100 and 2000).
	MinRecords, MaxRecords int
	// AttackRate is the fraction of attack-like records (0 means 0.001).
	AttackRate float64
	// ErrorRate is the fraction of calls that can fail which do, with an
	// access error (0 means 0.06: about 5% of all records, since sign-ins,
	// service role sessions and attacks never fail here).
	ErrorRate float64
	// Workers builds files in parallel (0 means GOMAXPROCS); the output does not depend on it.
	Workers int
}

func (o Options) withDefaults() Options {
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.TargetBytes <= 0 {
		o.TargetBytes = 1 << 30
	}
	if o.Accounts <= 0 {
		o.Accounts = 3
	}
	if len(o.Regions) == 0 {
		o.Regions = []string{"us-east-1", "eu-west-1", "us-west-2", "ap-southeast-2"}
	}
	if o.Start.IsZero() {
		o.Start = time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	}
	if o.MinRecords <= 0 {
		o.MinRecords = 100
	}
	if o.MaxRecords < o.MinRecords {
		o.MaxRecords = max(2000, o.MinRecords)
	}
	if o.AttackRate <= 0 {
		o.AttackRate = 0.001
	}
	if o.ErrorRate <= 0 {
		o.ErrorRate = 0.06
	}
	return o
}

// account is one AWS account and the principals acting in it.
type account struct {
	id, org string
	users   []principal
	roles   []principal
}

type principal struct {
	name, id, key string // key: a long-term access key for users
}

var (
	userNames = []string{"alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy"}
	roleNames = []string{
		"ci-deploy", "app-backend", "data-pipeline", "lambda-orders-exec", "eks-node-group",
		"AWSReservedSSO_AdministratorAccess_5c1d2e3f4a5b6c7d", "AWSReservedSSO_ReadOnly_0a1b2c3d4e5f6a7b",
		"OrganizationAccountAccessRole", "monitoring-readonly", "backup-operator",
	}
)

const idChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

func randID(r *rand.Rand, prefix string, n int) string {
	b := make([]byte, 0, len(prefix)+n)
	b = append(b, prefix...)
	for range n {
		b = append(b, idChars[r.IntN(len(idChars))])
	}
	return string(b)
}

// accounts derives the accounts from the options alone, so that every file
// sees the same ones.
func accounts(o Options) []account {
	r := rand.New(rand.NewPCG(o.Seed, 0xacc))
	accts := make([]account, o.Accounts)
	for i := range accts {
		a := &accts[i]
		a.id = fmt.Sprintf("%012d", 100000000000+r.Int64N(899999999999))
		if i == len(accts)-1 && len(accts) > 1 {
			a.org = "o-" + strings.ToLower(randID(r, "", 10))
		}
		for _, n := range userNames {
			a.users = append(a.users, principal{name: n, id: randID(r, "AIDA", 17), key: randID(r, "AKIA", 16)})
		}
		for _, n := range roleNames {
			a.roles = append(a.roles, principal{name: n, id: randID(r, "AROA", 17)})
		}
	}
	return accts
}
