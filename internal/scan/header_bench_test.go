package scan

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/ttcproject/ttc/internal/cloudtrail"
	"github.com/ttcproject/ttc/internal/corpus"
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
// does for matched ones, with one interner for the whole run.
func BenchmarkHeaderOf(b *testing.B) {
	recs := corpusRecords(b, 48)
	var size int64
	for _, r := range recs {
		size += int64(len(r))
	}
	b.SetBytes(size)
	b.ReportAllocs()
	in := newInterner()
	for b.Loop() {
		for _, r := range recs {
			headerOf(r, in)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(recs)), "ns/record")
}
