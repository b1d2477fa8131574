package cloudtrail

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const sharedDir = "../../../shared/testdata"

func sharedPath(t *testing.T, elem ...string) string {
	t.Helper()
	p := filepath.Join(append([]string{sharedDir}, elem...)...)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("shared test data missing: %v", err)
	}
	return p
}

// countRecords reads a {"Records":[…]} file with encoding/json, independently
// of the reader under test.
func countRecords(t *testing.T, path string) (int, error) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		if data, err = io.ReadAll(zr); err != nil {
			t.Fatal(err)
		}
	}
	var doc struct{ Records []json.RawMessage }
	err = json.Unmarshal(data, &doc)
	return len(doc.Records), err
}

func TestSharedCloudTrail(t *testing.T) {
	dir := sharedPath(t, "cloudtrail")
	files, err := filepath.Glob(filepath.Join(dir, "*", "*.json*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no files in %s: %v", dir, err)
	}
	for _, path := range files {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			want, jsonErr := countRecords(t, path)
			res := readFile(t, path, Options{})
			if name == "SerializerTestFileBadJsonFormat.json" {
				var fe *FileError
				if jsonErr == nil || !errors.As(res.err, &fe) || !errors.Is(res.err, ErrSyntax) {
					t.Fatalf("malformed file: encoding/json says %v, reader says %v", jsonErr, res.err)
				}
				// The first record lacks the '}' closing userIdentity; the
				// parse fails where the next key is expected: line 37.
				if fe.Pos.Line != 37 || fe.Pos.File != name || fe.Pos.Ordinal != 0 {
					t.Errorf("malformed file reported at %+v, want line 37 after 0 records", fe.Pos)
				}
				t.Logf("reported: %v", res.err)
				return
			}
			if jsonErr != nil {
				t.Fatalf("encoding/json cannot read it: %v", jsonErr)
			}
			if res.err != nil || len(res.rejects) != 0 || len(res.raws) != want {
				t.Fatalf("%d records, %v rejects, error %v; want %d records", len(res.raws), res.rejects, res.err, want)
			}
			for i, raw := range res.raws {
				if !json.Valid(raw) {
					t.Errorf("record %d is not valid JSON", i)
				}
			}
		})
	}
}

// peerRecords extracts the CloudTrail records of the peers' labelled cases
// with encoding/json: Panther's "log" and Stratus's "sample_records".
func peerRecords(t *testing.T) []json.RawMessage {
	var recs []json.RawMessage
	for _, file := range []string{"panther-cloudtrail-rule-tests.jsonl", "stratus-aws-techniques.jsonl"} {
		f, err := os.Open(sharedPath(t, "peers", file))
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 16<<20)
		for sc.Scan() {
			var c struct {
				Log           json.RawMessage
				SampleRecords []json.RawMessage `json:"sample_records"`
			}
			if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
				t.Fatalf("%s: %v", file, err)
			}
			if c.Log != nil {
				recs = append(recs, c.Log)
			}
			recs = append(recs, c.SampleRecords...)
		}
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	return recs
}

// TestSharedPeers feeds every peer record through the reader in several
// containers and checks each comes out byte for byte (compacted).
func TestSharedPeers(t *testing.T) {
	recs := peerRecords(t)
	if len(recs) < 100 {
		t.Fatalf("only %d peer records", len(recs))
	}
	var lines, array, records bytes.Buffer
	array.WriteString("[")
	records.WriteString(`{"Records":[`)
	for i, rec := range recs {
		var c bytes.Buffer
		if err := json.Compact(&c, rec); err != nil {
			t.Fatal(err)
		}
		recs[i] = c.Bytes()
		lines.Write(recs[i])
		lines.WriteByte('\n')
		if i > 0 {
			array.WriteString(",\n")
			records.WriteByte(',')
		}
		array.Write(rec)
		records.Write(recs[i])
	}
	array.WriteString("]")
	records.WriteString("]}")
	for name, data := range map[string][]byte{"ndjson": lines.Bytes(), "array": array.Bytes(), "records": records.Bytes()} {
		t.Run(name, func(t *testing.T) {
			res := read(t, bytes.NewReader(data), name, Options{})
			if res.err != nil || len(res.rejects) != 0 || len(res.raws) != len(recs) {
				t.Fatalf("%d records, rejects %v, error %v; want %d", len(res.raws), res.rejects, res.err, len(recs))
			}
			for i, raw := range res.raws {
				var c bytes.Buffer
				if err := json.Compact(&c, raw); err != nil || !bytes.Equal(c.Bytes(), recs[i]) {
					t.Fatalf("record %d differs: %v", i, err)
				}
			}
		})
	}
	t.Logf("%d peer records", len(recs))
}
