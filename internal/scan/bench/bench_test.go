package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestParseSize(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		bad  bool
	}{
		{in: "1GiB", want: 1 << 30},
		{in: "1.5GiB", want: 3 << 29},
		{in: "512MiB", want: 512 << 20},
		{in: "100MB", want: 100e6},
		{in: "4096", want: 4096},
		{in: "3G", want: 3 << 30},
		{in: "", bad: true},
		{in: "-1GiB", bad: true},
		{in: "lots", bad: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseSize(tt.in)
			if tt.bad {
				if err == nil {
					t.Fatalf("parseSize(%q) = %d, want an error", tt.in, got)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("parseSize(%q) = %d, %v, want %d", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestPrefixFiles(t *testing.T) {
	files := []file{{raw: 10}, {raw: 10}, {raw: 10}}
	tests := []struct {
		limit int64
		want  int
	}{{1, 1}, {10, 1}, {11, 2}, {30, 3}, {100, 3}}
	for _, tt := range tests {
		if got := len(prefixFiles(files, tt.limit)); got != tt.want {
			t.Errorf("prefixFiles(limit %d) has %d files, want %d", tt.limit, got, tt.want)
		}
	}
}

func TestLastSummary(t *testing.T) {
	tests := []struct {
		name, body string
		read       int64
		bad        bool
	}{
		{name: "summary last", body: "{\"type\":\"finding\"}\n{\"type\":\"summary\",\"read\":7}\n", read: 7},
		{name: "no final newline", body: "{\"type\":\"summary\",\"read\":3}", read: 3},
		{name: "finding last", body: "{\"type\":\"summary\",\"read\":3}\n{\"type\":\"finding\"}\n", bad: true},
		{name: "empty", body: "", bad: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := os.Create(filepath.Join(t.TempDir(), "out.jsonl"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			f.WriteString(tt.body)
			// A tail shorter than the file, so that the summary is found
			// in a part of it.
			tail, size, err := fileTail(f, 40)
			if err != nil || size != int64(len(tt.body)) || len(tail) > 40 {
				t.Fatalf("fileTail = %d bytes of %d, %v; want the last 40 at most of %d", len(tail), size, err, len(tt.body))
			}
			s, err := lastSummary(tail)
			if tt.bad != (err != nil) {
				t.Fatalf("lastSummary error = %v, want error %v", err, tt.bad)
			}
			if !tt.bad && s.Read != tt.read {
				t.Fatalf("read = %d, want %d", s.Read, tt.read)
			}
		})
	}
}

func TestTableSummary(t *testing.T) {
	tests := []struct {
		name, body string
		want       summary
		bad        bool
	}{
		{name: "scan", body: "644 files (1.0 GiB) in 8.584s: 667018 records read = 467770 matched + 199248 unmatched + 0 rejected; 479611 findings\n\nTECHNIQUES\n",
			want: summary{Type: "summary", Files: 644, Read: 667018, Matched: 467770, Unmatched: 199248, Findings: 479611, Duration: 8584 * time.Millisecond}},
		{name: "one of each", body: "1 file (12 B) in 2ms: 1 record read = 1 matched + 0 unmatched + 0 rejected; 1 finding (1 file skipped)\n",
			want: summary{Type: "summary", Files: 1, Read: 1, Matched: 1, Findings: 1, Duration: 2 * time.Millisecond}},
		{name: "no summary", body: "TECHNIQUES OBSERVED\n", bad: true},
		{name: "empty", body: "", bad: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := os.Create(filepath.Join(t.TempDir(), "out.table"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			f.WriteString(tt.body)
			got, err := tableSummary(f)
			if tt.bad != (err != nil) || (!tt.bad && got != tt.want) {
				t.Fatalf("tableSummary = %+v, %v; want %+v (error %v)", got, err, tt.want, tt.bad)
			}
		})
	}
}
