// Package ttc is the Threat Technique Catalog for AWS: a catalog of the
// techniques attackers use in AWS accounts, a CloudTrail classifier built on
// it, a web application and exports to ATT&CK's formats, in one binary.
//
// The packages, from data to views:
//
//	catalog/              the catalog as data (YAML, Sigma rules, samples), embedded
//	internal/catalog      load, validate and index the catalog; filters and search
//	internal/awsapi       the AWS API operations every catalog event name is checked against
//	internal/spell        edit distance for the "did you mean" of event names and service keys
//	internal/clip         cuts text quoted in messages and reports to a length, between characters
//	internal/textpos      line and column of a byte offset and back, for problems in catalog and rule files
//	internal/detect       the Sigma engine: rules compiled into one indexed matcher
//	internal/jsonscan     raw JSON walking and string escaping shared by the matcher and scan
//	internal/ruleset      the rules of a scan (catalog and external) mapped onto techniques
//	internal/cloudtrail   streaming reader for every CloudTrail container shape
//	internal/corpus       a realistic CloudTrail corpus generator for benchmarks
//	internal/scan         classify records on several workers, account for every one
//	internal/report       scan results as tables, JSON, JSON Lines, Markdown and HTML
//	internal/view         catalog listings as tables, Markdown, JSON and YAML
//	internal/attack       MITRE ATT&CK: STIX import and export, Navigator layers, alignment
//	internal/server       ttc serve: the web UI and the JSON API
//	internal/golden       golden-file comparison shared by the tests (-update rewrites)
//	internal/browsertest  headless Chromium for the browser tests (web UI, HTML report)
//	cmd/ttc               the command line; only wiring
package ttc
