package scan_test

// knownPantherDisagreements lists Panther cases where ttc deliberately
// disagrees with the source's label, each with the reason. Everything else
// must agree. Keys are the messages TestPantherPeers produces.
var knownPantherDisagreements = map[string]string{
	// Near misses ttc flags on purpose.
	"flagged near miss: AWS.CloudTrail.LoginProfileCreatedOrModified / ChangeOwnPassword T1098":       "a role session changing the console password of an IAM user; Sigma cannot compare the target user with part of the session ARN, so ttc reports it under T1098.001",
	"flagged near miss: AWS.CloudTrail.RootAccessKeyCreated / Root Created Access Key For User T1098": "Panther's rule is about root creating its own key; a key created for another user is additional cloud credentials (T1098.001) either way",
	"flagged near miss: AWS.ECR.CRUD / Authorized account T1525":                                      "an IAM user's long-term key pushing an image (PutImage) is reported under T1525 whatever the account; Panther's rule allows pushes from a list of its own accounts and Regions, which no catalog rule can know",
	"flagged near miss: AWS.IAM.CredentialsUpdated / MFA Device Was Created T1098":                    "every CreateVirtualMFADevice is reported low under T1098.005 for the timeline, since the record does not say which user the device will be bound to; Panther's rule is about passwords and keys",
	"flagged near miss: AWS.Root.Activity / Root Activity - CreateServiceLinkedRole T1078":            "every use of the root user is reported under T1078.A002; Panther allow-lists some root calls",
	"flagged near miss: AWS.Root.Activity / Root Read-Only Enumeration T1078":                         "every use of the root user is reported under T1078.A002, read-only calls included",

	// Labels that name another technique than the catalog's.
	"missed: AWS.CloudTrail.Created / CloudTrail Was Created T1538":                                                              "creating a trail is not use of the console dashboard (T1538); the catalog has no technique for it",
	"missed: AWS.CloudTrail.NetworkACLPermissiveEntry / Overly Permissive Entry Added T1098":                                     "ttc reports a permissive NACL entry as T1562.007 (cloud firewall), not account manipulation",
	"missed: AWS.IAM.CreateUser / IAM User Created T1078":                                                                        "ttc reports CreateUser as T1136.003 (Create Cloud Account), as ATT&CK does",
	"missed: AWS.RDS.DeletionProtectionDisabled / RDS Cluster Deletion Protection Disabled with Backup Changes - Critical T1562": "the catalog files switching off RDS deletion protection and backups under T1485.A001, as the public catalog does; ttc reports it there",
	"missed: AWS.RDS.DeletionProtectionDisabled / RDS Deletion Protection Disabled and Made Public - Critical T1562":             "reported as T1485.A001 (and T1213.A013 for the public exposure), not T1562",
	"missed: AWS.RDS.DeletionProtectionDisabled / RDS Instance Deletion Protection Disabled T1562":                               "reported as T1485.A001, not T1562",
	"rejected: AWS.SecretsManager.BatchRetrieveSecrets / BatchGetSecretValue T1552":                                              "Panther labels secret-store reads T1552; ttc reports BatchGetSecretValue as T1555.006 (cloud secrets stores), since secrets in a vault are not unsecured credentials. This test record is a fragment without eventTime or userIdentity, so the scanner rejects it once the T1555.006 rule matches",

	// Behaviour ttc judges routine.
	"missed: AWS.Console.LoginWithoutSAML / Normal Login T1078":                                              "an IAM user signing in to the console is flagged only without MFA (T1078.A001); this record says nothing about MFA",
	"missed: AWS.EC2.GatewayModified / Network Gateway Modified T1562":                                       "attaching an internet gateway is a network change, not a firewall or logging change; no catalog technique covers it",
	"missed: AWS.EC2.SecurityGroupModified / Security Group Modified T1562":                                  "the rule added opens SSH to 127.0.0.1/32; ttc flags security group rules that open to any address (T1562.007)",
	"missed: AWS.IAM.CredentialsUpdated / User Password Was Changed T1098":                                   "a user changing their own password (ChangePassword) is routine; ttc flags passwords set for other users",
	"missed: AWS.Modify.Cloud.Compute.Infrastructure / Terminate instance From WebUI with assumedRole T1578": "the record is one t2.micro RunInstances from the console; ttc flags unusual instance types and bulk launches (T1578.002, T1496.A008)",
	"missed: AWS.S3.DisableMfaDelete / MFA Delete Disabled Successfully T1562,T1485":                         "a role session sending MfaDelete Disabled; S3 lets only the root user, with an MFA code, change MFA Delete, so the successful call changed nothing (Terraform's provider sends it on every apply). ttc flags it from the root user, or refused",

	// Behaviour only the owner's baseline tells apart.
	"missed: AWS.UnusedRegion / Unauthorized region T1535": "a CreateLogStream in eu-central-1 is unusual only against Panther's list of approved Regions; no catalog rule can know an account's Regions, and the template examples/rules/activity_outside_your_regions.yml flags it once the owner lists them",
}
