package detect_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/ttcproject/ttc/internal/cloudtrail"
	"github.com/ttcproject/ttc/internal/detect"
	"github.com/ttcproject/ttc/internal/detect/naive"
)

const (
	sharedData = "../../../shared/testdata"
	catalog    = "../../catalog/techniques"
)

// corpus returns compact CloudTrail records from the shared samples, the
// peer test cases and the catalog's labelled samples.
func corpus(tb testing.TB) [][]byte {
	tb.Helper()
	var recs [][]byte
	add := func(raw json.RawMessage) {
		var buf bytes.Buffer
		if json.Compact(&buf, raw) == nil && buf.Len() > 2 && buf.Bytes()[0] == '{' {
			recs = append(recs, buf.Bytes())
		}
	}
	files, _ := filepath.Glob(filepath.Join(sharedData, "cloudtrail", "*", "*.json"))
	for _, f := range files {
		data, _ := os.ReadFile(f)
		var file struct{ Records []json.RawMessage }
		if json.Unmarshal(data, &file) == nil {
			for _, r := range file.Records {
				add(r)
			}
		}
	}
	eachLine(filepath.Join(sharedData, "peers", "panther-cloudtrail-rule-tests.jsonl"), func(l []byte) {
		var c struct{ Log json.RawMessage }
		if json.Unmarshal(l, &c) == nil {
			add(c.Log)
		}
	})
	eachLine(filepath.Join(sharedData, "peers", "stratus-aws-techniques.jsonl"), func(l []byte) {
		var c struct {
			SampleRecords []json.RawMessage `json:"sample_records"`
		}
		if json.Unmarshal(l, &c) == nil {
			for _, r := range c.SampleRecords {
				add(r)
			}
		}
	})
	samples, _ := filepath.Glob(filepath.Join(catalog, "*", "samples", "*", "*.json"))
	for _, f := range samples {
		data, _ := os.ReadFile(f)
		add(data)
	}
	if len(recs) == 0 {
		tb.Skip("no CloudTrail records found")
	}
	return recs
}

func eachLine(path string, fn func([]byte)) {
	f, err := os.Open(path)
	if err != nil {
		return
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		fn(sc.Bytes())
	}
}

// allRules compiles SigmaHQ's AWS rules and the catalog's rules.
func allRules(tb testing.TB) *detect.Matcher {
	tb.Helper()
	var rules []*detect.Rule
	var files []string
	for _, pat := range []string{
		filepath.Join(sharedData, "sigma", "rules", "cloud", "aws", "cloudtrail", "*.yml"),
		filepath.Join(catalog, "*", "rules", "*.yml"),
	} {
		fs, _ := filepath.Glob(pat)
		files = append(files, fs...)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		r, err := detect.ParseRule(f, data)
		if err != nil {
			tb.Logf("skip %v", err)
			continue
		}
		rules = append(rules, r)
	}
	m, err := detect.Compile(rules, detect.Options{})
	if err != nil {
		tb.Logf("compile: %v", err)
	}
	if len(m.Rules()) == 0 {
		tb.Skip("no rules")
	}
	return m
}

type matchFunc func([]byte) ([]detect.Match, error)

func benchMatch(b *testing.B, match matchFunc, recs [][]byte) {
	size := 0
	for _, r := range recs {
		size += len(r)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	cpu0 := cpuTime()
	for b.Loop() {
		for _, r := range recs {
			if _, err := match(r); err != nil {
				b.Fatal(err)
			}
		}
	}
	// CPU time as well as wall time: the build machine is shared, and wall
	// time there counts other processes' work.
	cpu := float64(cpuTime() - cpu0)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(recs)), "ns/record")
	b.ReportMetric(cpu/float64(b.N*len(recs)), "cpu-ns/record")
	b.ReportMetric(float64(size)*float64(b.N)/cpu*1e3, "cpu-MB/s")
}

// cpuTime returns the CPU time used by the process so far, in nanoseconds.
func cpuTime() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// BenchmarkMatch measures the raw matcher over the record mix with every
// SigmaHQ and catalog rule.
func BenchmarkMatch(b *testing.B) {
	m, recs := allRules(b), corpus(b)
	b.Logf("%d rules, %d records", len(m.Rules()), len(recs))
	benchMatch(b, m.Match, recs)
}

// BenchmarkMatchQuiet is BenchmarkMatch over the records no rule flags,
// the common case in real trails.
func BenchmarkMatchQuiet(b *testing.B) {
	m := allRules(b)
	var quiet [][]byte
	for _, r := range corpus(b) {
		if ms, _ := m.Match(r); len(ms) == 0 {
			quiet = append(quiet, r)
		}
	}
	b.Logf("%d quiet records", len(quiet))
	benchMatch(b, m.Match, quiet)
}

// BenchmarkMatchBackground measures the bulk of a real trail: records whose
// eventName no rule names (here each corpus record renamed to
// DescribeRegions), which only the unindexed rules are tried on.
func BenchmarkMatchBackground(b *testing.B) {
	m := allRules(b)
	name := regexp.MustCompile(`"eventName":"[^"]*"`)
	var bg [][]byte
	for _, r := range corpus(b) {
		loc := name.FindIndex(r)
		if loc == nil {
			continue
		}
		nr := append(append(append([]byte{}, r[:loc[0]]...), `"eventName":"DescribeRegions"`...), r[loc[1]:]...)
		if ms, _ := m.Match(nr); len(ms) == 0 {
			bg = append(bg, nr)
		}
	}
	b.Logf("%d background records", len(bg))
	benchMatch(b, m.Match, bg)
}

// BenchmarkMatchParallel is BenchmarkMatch from several goroutines.
func BenchmarkMatchParallel(b *testing.B) {
	m, recs := allRules(b), corpus(b)
	size := 0
	for _, r := range recs {
		size += len(r)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			for _, r := range recs {
				if _, err := m.Match(r); err != nil {
					b.Error(err)
				}
			}
		}
	})
}

// BenchmarkNaive measures the baseline: encoding/json into a map, then
// every rule on it.
func BenchmarkNaive(b *testing.B) {
	n, recs := naive.New(allRules(b)), corpus(b)
	benchMatch(b, n.Match, recs)
}

// TestNaiveAgrees cross-checks the raw matcher against the naive path on
// the whole record mix.
func TestNaiveAgrees(t *testing.T) {
	m, recs := allRules(t), corpus(t)
	n := naive.New(m)
	hits := 0
	for _, r := range recs {
		fast, err := m.Match(r)
		if err != nil {
			t.Fatalf("match: %v", err)
		}
		slow, err := n.Match(r)
		if err != nil {
			t.Fatalf("naive: %v", err)
		}
		if len(fast) != len(slow) {
			t.Errorf("record %.120s: raw %d matches, naive %d", r, len(fast), len(slow))
			continue
		}
		for i := range fast {
			if fast[i].Rule != slow[i].Rule {
				t.Errorf("record %.120s: raw %s, naive %s", r, fast[i].Rule.File, slow[i].Rule.File)
			}
		}
		hits += len(fast)
	}
	t.Logf("%d records, %d rules, %d matches", len(recs), len(m.Rules()), hits)
}

// TestConcurrentMatch runs the record mix from several goroutines and
// compares with a sequential run; run it with -race.
func TestConcurrentMatch(t *testing.T) {
	m, recs := allRules(t), corpus(t)
	want := make([]int, len(recs))
	for i, r := range recs {
		ms, _ := m.Match(r)
		want[i] = len(ms)
	}
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for k := range recs {
				i := (k + g*97) % len(recs)
				ms, _ := m.Match(recs[i])
				if len(ms) != want[i] {
					t.Errorf("goroutine %d, record %d: %d matches, want %d", g, i, len(ms), want[i])
				}
			}
		}(g)
	}
	wg.Wait()
}

// benchCorpus is the corpus `make bench` generates; BenchmarkMatchCorpus
// reads its first files when it is there.
const benchCorpus = "../../.bench/corpus"

// corpusRecords returns copies of the records in the first files of the
// generated corpus, up to about limit bytes of JSON.
func corpusRecords(b *testing.B, limit int) [][]byte {
	b.Helper()
	var files []string
	filepath.WalkDir(benchCorpus, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".json.gz") {
			files = append(files, p)
		}
		return nil
	})
	if len(files) == 0 {
		b.Skip("no generated corpus in " + benchCorpus + " (run make bench)")
	}
	sort.Strings(files)
	r := cloudtrail.NewReader(cloudtrail.Options{})
	var recs [][]byte
	size := 0
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			b.Fatal(err)
		}
		r.Reset(f, name)
		for {
			rec, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			recs = append(recs, bytes.Clone(rec.Raw))
			size += len(rec.Raw)
		}
		f.Close()
		if size >= limit {
			break
		}
	}
	return recs
}

// BenchmarkMatchCorpus measures the raw matcher on the generated corpus
// (mostly routine records, a few attack-like ones), the mix ttc scan sees.
func BenchmarkMatchCorpus(b *testing.B) {
	m, recs := allRules(b), corpusRecords(b, 64<<20)
	b.Logf("%d rules, %d records", len(m.Rules()), len(recs))
	var dst []detect.Match
	benchMatch(b, func(r []byte) ([]detect.Match, error) {
		var err error
		dst, err = m.AppendMatches(dst[:0], r)
		return dst, err
	}, recs)
}
