package scan_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ttcproject/ttc/internal/scan"
)

// BenchmarkCorrelationNotes scans 20,000 decrypted parameter reads by 20
// callers that two value_count correlations count, one over
// requestParameters.name and one over requestParameters.names: what
// noting records for correlations costs a scan, when each names one
// parameter (GetParameter) and when each names ten (GetParameters).
func BenchmarkCorrelationNotes(b *testing.B) {
	c, _ := fixtures(b)
	rs := paramRules(b, 1000)
	for _, size := range []int{1, 10} {
		b.Run(fmt.Sprintf("names=%d", size), func(b *testing.B) {
			dir := b.TempDir()
			var paths []string
			for f := range 4 {
				var recs []string
				for i := range 5000 {
					k := f*5000 + i
					arn := fmt.Sprintf("arn:aws:sts::111122223333:assumed-role/app/s%d", k%20)
					var names []string
					for j := range size {
						names = append(names, fmt.Sprintf("/p/%d", (k+j*7)%500))
					}
					recs = append(recs, paramRead(arn, fmt.Sprintf("id%d", k), k/10, names...))
				}
				p := filepath.Join(dir, fmt.Sprintf("log%d.json", f))
				if err := os.WriteFile(p, []byte(`{"Records":[`+strings.Join(recs, ",\n")+`]}`), 0o644); err != nil {
					b.Fatal(err)
				}
				paths = append(paths, p)
			}
			s := scan.New(c, rs, scan.Options{Workers: 1})
			for b.Loop() {
				res, err := s.Scan(context.Background(), paths)
				if err != nil || res.Summary.Matched != 20000 || res.Summary.CorrelationNotKept != 0 {
					b.Fatalf("%v: matched %d, not kept %d", err, res.Summary.Matched, res.Summary.CorrelationNotKept)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*20000), "ns/record")
		})
	}
}
