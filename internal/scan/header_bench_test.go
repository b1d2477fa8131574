package scan

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/ttcproject/ttc/internal/cloudtrail"
	"github.com/ttcproject/ttc/internal/corpus"
	"github.com/ttcproject/ttc/internal/jsonscan"
)

// corpusRecords returns the records of the first files of the generated
// benchmark corpus.
func corpusRecords(b *testing.B, files int) [][]byte {
	b.Helper()
	var out [][]byte
	r := cloudtrail.NewReader(cloudtrail.Options{})
	for i := range files {
		f := corpus.LogFile(corpus.Options{}, i)
		r.Reset(bytes.NewReader(f.Data), f.Path)
		for {
			rec, err := r.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatalf("read generated file %s: %v", f.Path, err)
			}
			out = append(out, bytes.Clone(rec.Raw))
		}
	}
	return out
}

// BenchmarkHeaderOf reads the finding header of every record, as a worker
// does for matched ones: from the top-level members the matcher found, with
// one interner for the whole run (collected findings) or none (streamed
// findings that cannot be written from the record's text).
func BenchmarkHeaderOf(b *testing.B) {
	recs := corpusRecords(b, 48)
	var size int64
	tops := make([][]jsonscan.Member, len(recs))
	for i, r := range recs {
		size += int64(len(r))
		for j := 1; ; {
			m, next, done, ok := jsonscan.NextMember(r, j)
			if !ok {
				b.Fatalf("record %d: not an object", i)
			}
			if done {
				break
			}
			tops[i] = append(tops[i], m)
			j = next
		}
	}
	for _, mode := range []struct {
		name string
		in   *interner
	}{{"shared", newInterner()}, {"unshared", nil}} {
		b.Run(mode.name, func(b *testing.B) {
			b.SetBytes(size)
			b.ReportAllocs()
			for b.Loop() {
				for i, r := range recs {
					headerOfTops(r, tops[i], mode.in)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(recs)), "ns/record")
		})
	}
}

// BenchmarkFindingJSON encodes one finding for every record of the
// generated corpus, as a streamed scan does when a rule matches most records.
func BenchmarkFindingJSON(b *testing.B) {
	recs := corpusRecords(b, 48)
	rule := RuleRef{ID: "905d389b-b853-46d0-9d3d-dea0d3a3cd49", Title: "A rule that matches most records", Level: "low",
		Origin: "external", File: "rules/cloud/aws/cloudtrail/a_rule_that_matches_most_records.yml"}
	fs := make([]Finding, len(recs))
	for i, r := range recs {
		h := headerOf(r, nil)
		fs[i] = Finding{Type: "finding", TechniqueID: "T1078.004", TechniqueName: "Cloud Accounts",
			Tactics: []string{"TA0001", "TA0003"}, Outcome: "success", ErrorCode: h.ErrorCode, ErrorMessage: h.ErrorMessage,
			EventID: h.EventID, EventTime: h.EventTime, EventSource: h.EventSource, EventName: h.EventName,
			AWSRegion: h.AWSRegion, RecipientAccountID: h.RecipientAccountID, ReadOnly: h.ReadOnly,
			Actor: Actor{Type: h.UserIdentity.Type, ARN: h.UserIdentity.ARN, PrincipalID: h.UserIdentity.PrincipalID,
				AccountID: h.UserIdentity.AccountID, AccessKeyID: h.UserIdentity.AccessKeyID,
				SessionIssuer: h.UserIdentity.SessionContext.SessionIssuer.ARN, SourceIP: h.SourceIPAddress, UserAgent: h.UserAgent},
			Rule:    rule,
			Record:  RecordRef{File: "AWSLogs/111122223333/CloudTrail/us-east-1/2026/01/05/111122223333_CloudTrail_us-east-1_20260105T0207Z_R4W63TVKRQUR5XJA.json.gz", Ordinal: int64(i), Line: 1, Offset: int64(i) * 1600},
			Matched: []MatchedField{{Field: "userIdentity.type", Value: h.UserIdentity.Type}},
		}
	}
	var size int64
	buf := make([]byte, 0, 4096)
	for i := range fs {
		size += int64(len(fs[i].AppendJSON(buf[:0])))
	}
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		for i := range fs {
			buf = fs[i].AppendJSON(buf[:0])
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(fs)), "ns/finding")
}
