// Command overflow writes three CloudTrail corpora whose correlation notes
// do not fit a scan's room (262,144 records of files), for measuring what
// the partition passes cost (see internal/scan/partition.go):
//
//	deletions/     270,000 S3 DeleteObject calls by one caller on one bucket, one gzip file
//	deletions8/    the same records split over 8 gzip files
//	signins/       420,000 failed console sign-ins by 5,000 users from 20,000 addresses, 60 gzip files
//
// The deletions come every 7 seconds (43 in five minutes, under the
// catalog's 50), but for one burst of 60 in a minute among them, which a
// scan must find. The data is generated each time, never committed.
// Piped to standard input, they pass its room too (65,536 records):
//
//	go run ./internal/scan/bench/overflow -dir /tmp/overflow
//	zcat /tmp/overflow/signins/*.gz | ttc scan -o jsonl --progress never -
package main

import (
	"bufio"
	"compress/gzip"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

const (
	deletions = 270_000
	burstAt   = 100_000 // the deletion the burst of 60 starts at
	signIns   = 420_000
	users     = 5_000
	addresses = 20_000
)

var start = time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)

func main() {
	dir := flag.String("dir", "overflow", "folder to write the three corpora in")
	flag.Parse()
	if err := run(*dir); err != nil {
		fmt.Fprintln(os.Stderr, "overflow:", err)
		os.Exit(1)
	}
}

func run(dir string) error {
	del := deletionRecords()
	if err := writeFiles(filepath.Join(dir, "deletions"), del, 1); err != nil {
		return err
	}
	if err := writeFiles(filepath.Join(dir, "deletions8"), del, 8); err != nil {
		return err
	}
	return writeFiles(filepath.Join(dir, "signins"), signInRecords(), 60)
}

// deletionRecords returns the deletions in time order.
func deletionRecords() []string {
	const arn = "arn:aws:sts::111122223333:assumed-role/cleaner/job"
	recs := make([]string, 0, deletions)
	at := start
	for i := range deletions {
		step := 7 * time.Second
		if i >= burstAt && i < burstAt+60 {
			step = time.Second
		}
		at = at.Add(step)
		recs = append(recs, fmt.Sprintf(`{"eventVersion":"1.09","userIdentity":{"type":"AssumedRole","arn":"%s","accountId":"111122223333"},`+
			`"eventTime":"%s","eventSource":"s3.amazonaws.com","eventName":"DeleteObject","awsRegion":"us-east-1",`+
			`"sourceIPAddress":"203.0.113.9","userAgent":"aws-cli/2.15.0","requestParameters":{"bucketName":"archive","key":"obj/%07d"},`+
			`"responseElements":null,"eventID":"d%07d","readOnly":false,"eventType":"AwsApiCall","managementEvent":false,`+
			`"recipientAccountId":"111122223333","eventCategory":"Data"}`, arn, at.Format(time.RFC3339), i, i))
	}
	return recs
}

// signInRecords returns the failed sign-ins in time order, one every 6
// seconds, users and addresses taken in strides that mix them.
func signInRecords() []string {
	recs := make([]string, 0, signIns)
	for i := range signIns {
		user := (i * 7919) % users
		addr := (i * 104729) % addresses
		at := start.Add(time.Duration(i) * 6 * time.Second)
		recs = append(recs, fmt.Sprintf(`{"eventVersion":"1.09","userIdentity":{"type":"IAMUser","principalId":"AIDA%07d","accountId":"111122223333","userName":"user%04d"},`+
			`"eventTime":"%s","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"us-east-1",`+
			`"sourceIPAddress":"2001:db8::%x","userAgent":"Mozilla/5.0","requestParameters":null,`+
			`"responseElements":{"ConsoleLogin":"Failure"},"additionalEventData":{"MFAUsed":"No"},"errorMessage":"Failed authentication",`+
			`"eventID":"s%07d","readOnly":false,"eventType":"AwsConsoleSignIn","managementEvent":true,"recipientAccountId":"111122223333","eventCategory":"Management"}`,
			user, user, at.Format(time.RFC3339), addr, i))
	}
	return recs
}

// writeFiles writes recs to n gzip files in dir, in order.
func writeFiles(dir string, recs []string, n int) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	per := (len(recs) + n - 1) / n
	for i := range n {
		part := recs[min(i*per, len(recs)):min((i+1)*per, len(recs))]
		if err := writeFile(filepath.Join(dir, fmt.Sprintf("part%03d.json.gz", i)), part); err != nil {
			return err
		}
	}
	return nil
}

func writeFile(path string, recs []string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(f)
	zw := gzip.NewWriter(bw)
	fmt.Fprint(zw, `{"Records":[`)
	for i, r := range recs {
		if i > 0 {
			fmt.Fprint(zw, ",\n")
		}
		fmt.Fprint(zw, r)
	}
	fmt.Fprint(zw, "]}\n")
	err = zw.Close()
	if err == nil {
		err = bw.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
