package corpus

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/ttcproject/ttc/internal/cloudtrail"
)

// tree hashes every file under dir, by relative path.
func tree(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		rel, _ := filepath.Rel(dir, p)
		files[filepath.ToSlash(rel)] = hex.EncodeToString(sum[:])
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func TestGenerateDeterministic(t *testing.T) {
	opts := Options{Seed: 42, TargetBytes: 3 << 20, AttackRate: 0.01}
	a, b := t.TempDir(), t.TempDir()
	sa, err := Generate(a, Options{Seed: opts.Seed, TargetBytes: opts.TargetBytes, AttackRate: opts.AttackRate, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	sb, err := Generate(b, Options{Seed: opts.Seed, TargetBytes: opts.TargetBytes, AttackRate: opts.AttackRate, Workers: 4})
	if err != nil {
		t.Fatal(err)
	}
	ta, tb := tree(t, a), tree(t, b)
	if len(ta) == 0 || len(ta) != len(tb) || sa.Files != int64(len(ta)) {
		t.Fatalf("%d and %d files, stats say %d", len(ta), len(tb), sa.Files)
	}
	for p, h := range ta {
		if tb[p] != h {
			t.Errorf("%s differs between runs", p)
		}
	}
	if sa.Bytes != sb.Bytes || sa.Records != sb.Records || sa.Bytes < opts.TargetBytes {
		t.Errorf("stats differ or fall short: %+v vs %+v", sa, sb)
	}
	other, err := Generate(t.TempDir(), Options{Seed: 43, TargetBytes: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	if other.Bytes == sa.Bytes && other.Records == sa.Records {
		t.Errorf("another seed gave the same corpus size: %+v", other)
	}
}

// TestGenerateReadsBack reads a generated corpus through the CloudTrail
// reader: no rejection, the right record counts, a realistic mix.
func TestGenerateReadsBack(t *testing.T) {
	dir := t.TempDir()
	st, err := Generate(dir, Options{Seed: 7, TargetBytes: 4 << 20, AttackRate: 0.02})
	if err != nil {
		t.Fatal(err)
	}
	r := cloudtrail.NewReader(cloudtrail.Options{})
	var records, failed, big, data int64
	names := map[string]int64{}
	var sizes []int
	for in, err := range cloudtrail.Inputs([]string{dir}) {
		if err != nil {
			t.Fatal(err)
		}
		if in.Skip != "" || in.Folder != cloudtrail.FolderLogs || in.Account == "" || in.Region == "" {
			t.Fatalf("walk: %+v", in)
		}
		f, err := os.Open(in.Path)
		if err != nil {
			t.Fatal(err)
		}
		r.Reset(f, in.Path)
		for {
			rec, err := r.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", in.Path, err)
			}
			records++
			names[string(rec.EventName)]++
			sizes = append(sizes, len(rec.Raw))
			if len(rec.Raw) > 10<<10 {
				big++
			}
			if contains(rec.Raw, `"errorCode":`) {
				failed++
			}
			if contains(rec.Raw, `"eventCategory":"Data"`) {
				data++
			}
		}
		f.Close()
		if s := r.Stats(); s.Rejected != 0 || s.Read != s.Produced {
			t.Fatalf("%s: %+v", in.Path, s)
		}
	}
	if records != st.Records {
		t.Fatalf("read %d records, generated %d", records, st.Records)
	}
	sort.Ints(sizes)
	median := sizes[len(sizes)/2]
	t.Logf("%d files, %d records, %d bytes (%d gzip), median record %d B, %d over 10 KB, %.1f%% errors, %.1f%% data events, attacks %v",
		st.Files, records, st.Bytes, st.Compressed, median, big, 100*float64(failed)/float64(records),
		100*float64(data)/float64(records), st.Attacks)
	if median < 800 || median > 3000 {
		t.Errorf("median record size %d B, want 1–3 KB", median)
	}
	if big == 0 {
		t.Error("no record over 10 KB")
	}
	if rate := float64(failed) / float64(records); rate < 0.02 || rate > 0.08 {
		t.Errorf("error rate %.3f, want about 0.05", rate)
	}
	var attacks int64
	for name, n := range st.Attacks {
		attacks += n
		if names[name] < n {
			t.Errorf("attack %s: %d generated, %d read", name, n, names[name])
		}
	}
	if attacks == 0 || len(st.Attacks) < 5 {
		t.Errorf("attacks: %v", st.Attacks)
	}
	for _, name := range []string{"DescribeInstances", "AssumeRole", "Decrypt", "GetObject", "Invoke", "ConsoleLogin"} {
		if names[name] == 0 {
			t.Errorf("no %s record", name)
		}
	}
}

func contains(b []byte, s string) bool { return bytes.Contains(b, []byte(s)) }
