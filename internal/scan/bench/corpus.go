package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/ttcproject/ttc/internal/corpus"
)

// CorpusInfo describes the corpus a run measured; it is also the marker
// file that lets the next run reuse the corpus.
type CorpusInfo struct {
	Dir   string `json:"dir"`
	State string `json:"state"` // "generated" or "reused"
	// Size and Seed are what was asked for; Generator fingerprints the
	// generator's output (see generatorVersion).
	Size       int64            `json:"size"`
	Seed       int64            `json:"seed"`
	Generator  string           `json:"generator"`
	Files      int64            `json:"files"`
	Records    int64            `json:"records"`
	RawBytes   int64            `json:"uncompressed_bytes"`
	GzipBytes  int64            `json:"compressed_bytes"`
	MeanRecord int64            `json:"mean_record_bytes"`
	Attacks    map[string]int64 `json:"attack_records"`
	Mix        string           `json:"mix"`
	GenTime    time.Duration    `json:"generate_ns"`
}

const markerName = "corpus.json"

// generatorVersion fingerprints the generator by hashing the first files it
// builds for these options: any change to what it writes changes the hash.
// The corpus package has no version constant to use instead.
func generatorVersion(o corpus.Options) string {
	h := sha256.New()
	for i := range 2 {
		f := corpus.LogFile(o, i)
		h.Write([]byte(f.Path))
		h.Write(f.Data)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// ensureCorpus reuses the corpus in dir when its marker matches the size,
// seed and generator, and generates it afresh otherwise.
func ensureCorpus(cfg config, dir string, log *slog.Logger) (CorpusInfo, error) {
	opts := corpus.Options{Seed: uint64(cfg.seed), TargetBytes: cfg.size}
	want := CorpusInfo{Dir: dir, Size: cfg.size, Seed: cfg.seed, Generator: generatorVersion(opts)}
	marker := filepath.Join(cfg.dir, markerName)
	if old, err := readMarker(marker); err == nil && old.Size == want.Size && old.Seed == want.Seed &&
		old.Generator == want.Generator && old.Dir == dir {
		if _, err := os.Stat(dir); err == nil {
			old.State = "reused"
			return old, nil
		}
	}

	log.Info("generating the corpus", "dir", dir, "size", human(cfg.size), "seed", cfg.seed)
	if err := os.RemoveAll(dir); err != nil {
		return want, fmt.Errorf("remove old corpus: %w", err)
	}
	if err := os.Remove(marker); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return want, fmt.Errorf("remove corpus marker: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return want, fmt.Errorf("create corpus folder: %w", err)
	}
	start := time.Now()
	st, err := corpus.Generate(dir, opts)
	if err != nil {
		return want, fmt.Errorf("generate corpus: %w", err)
	}
	info := want
	info.State, info.GenTime = "generated", time.Since(start)
	info.Files, info.Records, info.RawBytes, info.GzipBytes = st.Files, st.Records, st.Bytes, st.Compressed
	info.Attacks = st.Attacks
	if st.Records > 0 {
		info.MeanRecord = st.Bytes / st.Records
	}
	info.Mix = mix(st)
	b, err := json.MarshalIndent(info, "", "  ")
	if err != nil {
		return info, fmt.Errorf("encode corpus marker: %w", err)
	}
	if err := os.WriteFile(marker, b, 0o644); err != nil {
		return info, fmt.Errorf("write corpus marker: %w", err)
	}
	return info, nil
}

func readMarker(path string) (CorpusInfo, error) {
	var c CorpusInfo
	b, err := os.ReadFile(path)
	if err != nil {
		return c, err
	}
	err = json.Unmarshal(b, &c)
	return c, err
}

// mix sums up the attack-like records the generator planted; it reports no
// breakdown of the routine traffic.
func mix(st corpus.Stats) string {
	var total int64
	names := make([]string, 0, len(st.Attacks))
	for n, c := range st.Attacks {
		total += c
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		if st.Attacks[names[i]] != st.Attacks[names[j]] {
			return st.Attacks[names[i]] > st.Attacks[names[j]]
		}
		return names[i] < names[j]
	})
	var top []string
	for _, n := range names[:min(len(names), 6)] {
		top = append(top, fmt.Sprintf("%s %d", n, st.Attacks[n]))
	}
	s := fmt.Sprintf("%d routine records, %d attack-like (%.2f%%, %d kinds", st.Records-total, total,
		100*ratio(total, st.Records), len(names))
	if len(top) > 0 {
		s += ": " + strings.Join(top, ", ")
		if len(names) > len(top) {
			s += ", …"
		}
	}
	return s + ")"
}
