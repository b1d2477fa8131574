package cloudtrail

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/ttcproject/ttc/internal/corpus"
)

var (
	benchOnce sync.Once
	benchData []byte // a {"Records":[…]} container of about 32 MB
	benchGzip []byte
)

func benchInput(b *testing.B) ([]byte, []byte) {
	benchOnce.Do(func() {
		opts := corpus.Options{Seed: 3}
		var buf bytes.Buffer
		buf.WriteString(`{"Records":[`)
		for i := 0; buf.Len() < 32<<20; i++ {
			f := corpus.LogFile(opts, i)
			recs := f.Data[len(`{"Records":[`) : len(f.Data)-len("]}\n")]
			if i > 0 {
				buf.WriteByte(',')
			}
			buf.Write(recs)
		}
		buf.WriteString("]}\n")
		benchData = buf.Bytes()
		var z bytes.Buffer
		zw := gzip.NewWriter(&z)
		zw.Write(benchData)
		zw.Close()
		benchGzip = z.Bytes()
	})
	return benchData, benchGzip
}

func drain(b *testing.B, r *Reader, src io.Reader) {
	r.Reset(src, "bench")
	for {
		_, err := r.Next()
		if err == io.EOF {
			return
		}
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSplit measures the Records splitter with validation, from memory.
func BenchmarkSplit(b *testing.B) {
	data, _ := benchInput(b)
	r := NewReader(Options{})
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		drain(b, r, bytes.NewReader(data))
	}
	b.ReportMetric(float64(r.Stats().Produced), "records/op")
}

// BenchmarkSplitLines measures NDJSON input of the same records.
func BenchmarkSplitLines(b *testing.B) {
	data, _ := benchInput(b)
	var lines bytes.Buffer
	r := NewReader(Options{})
	r.Reset(bytes.NewReader(data), "x")
	for {
		rec, err := r.Next()
		if err != nil {
			break
		}
		lines.Write(rec.Raw)
		lines.WriteByte('\n')
	}
	b.SetBytes(int64(lines.Len()))
	b.ReportAllocs()
	for b.Loop() {
		drain(b, r, bytes.NewReader(lines.Bytes()))
	}
}

// BenchmarkGzipSplit measures decompression and splitting together; SetBytes
// counts decompressed bytes.
func BenchmarkGzipSplit(b *testing.B) {
	data, gz := benchInput(b)
	for _, impl := range []struct {
		name string
		gzip Gzip
	}{{"klauspost", GzipFast}, {"stdlib", GzipStd}} {
		b.Run(impl.name, func(b *testing.B) {
			r := NewReader(Options{Gzip: impl.gzip})
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				drain(b, r, bytes.NewReader(gz))
			}
		})
	}
}

// BenchmarkGunzip measures decompression alone, for comparison.
func BenchmarkGunzip(b *testing.B) {
	data, gz := benchInput(b)
	b.Run("klauspost", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			r := NewReader(Options{})
			r.Reset(bytes.NewReader(gz), "x")
			r.start()
			io.Copy(io.Discard, r.in)
		}
	})
	b.Run("stdlib", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			zr, _ := gzip.NewReader(bytes.NewReader(gz))
			io.Copy(io.Discard, zr)
		}
	})
}

// BenchmarkStdlibDecoder is the baseline the design notes suggest: a
// json.Decoder walking the Records array and decoding each record raw.
func BenchmarkStdlibDecoder(b *testing.B) {
	data, _ := benchInput(b)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		d := json.NewDecoder(bytes.NewReader(data))
		for range 3 {
			if _, err := d.Token(); err != nil {
				b.Fatal(err)
			}
		}
		for d.More() {
			var raw json.RawMessage
			if err := d.Decode(&raw); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkJoinedBroken measures a line of broken objects joined end to
// end, each rejected: linear in the line's length (see
// TestManyJoinedBrokenObjects).
func BenchmarkJoinedBroken(b *testing.B) {
	data := []byte(strings.Repeat(`{"a":[}{"eventName":`, 20000) + "\n")
	r := NewReader(Options{})
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		r.Reset(bytes.NewReader(data), "bench")
		for {
			_, err := r.Next()
			if err == io.EOF {
				break
			}
			if re := (*RecordError)(nil); err != nil && !errors.As(err, &re) {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkFoldedIdentity measures the check of a record's userIdentity for
// keys that differ only in letter case, which every record goes through.
func BenchmarkFoldedIdentity(b *testing.B) {
	data, _ := benchInput(b)
	r := NewReader(Options{})
	r.Reset(bytes.NewReader(data), "bench")
	rec, err := r.Next()
	if err != nil {
		b.Fatal(err)
	}
	raw, top, idx := bytes.Clone(rec.Raw), slices.Clone(rec.Top), rec.Index
	for b.Loop() {
		if msg := foldedIdentity(raw, top, idx); msg != "" {
			b.Fatal(msg)
		}
	}
}
