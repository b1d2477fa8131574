package main

import "testing"

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
			// Small writes through a small tail, so that the kept bytes are
			// put together from several of them.
			tw := &tailWriter{keep: 40}
			for i := 0; i < len(tt.body); i += 7 {
				tw.Write([]byte(tt.body[i:min(i+7, len(tt.body))]))
			}
			if tw.n != int64(len(tt.body)) {
				t.Fatalf("counted %d bytes, want %d", tw.n, len(tt.body))
			}
			s, err := lastSummary(tw.buf)
			if tt.bad != (err != nil) {
				t.Fatalf("lastSummary error = %v, want error %v", err, tt.bad)
			}
			if !tt.bad && s.Read != tt.read {
				t.Fatalf("read = %d, want %d", s.Read, tt.read)
			}
		})
	}
}
