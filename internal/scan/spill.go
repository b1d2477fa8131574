package scan

import (
	"bufio"
	"cmp"
	"container/heap"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sync"
	"time"
)

// A scan that keeps its findings (every output but JSON Lines) holds them
// in memory, and one over a large log holds hundreds of thousands: about
// 2.7 KB each. With Options.SpillAfter set, a worker holding that many, or
// spillBytes of them, sorts them and writes them to a run file; when the
// scan ends, merge reads the runs back in order, drops duplicates and
// filtered findings on the way, and writes what is kept to one run that
// Result.Each reads. Memory then stays flat however many findings there
// are.
//
// A run file is removed from its folder as soon as it is made: the open
// file holds its data, and the system frees it when the file is closed or
// the process ends, however it ends (an interrupt, a closed pipe, a kill).
// A worker merges its runs when it holds many, so that a scan keeps few
// files open.

// spillBytes bounds the findings a worker holds, counted by what their
// fields hold: a finding quotes up to 8 KiB of each of its fields.
var spillBytes = 32 << 20

// spilled is a finding as a run file holds it (see runcodec.go): rank and
// seq order a regrouping (see Result.EachGrouped).
type spilled struct {
	F         Finding
	Rank, Seq int64
	// key caches the finding's group key for byKeyFirst's sorts, which
	// compare it many times (a long key is costly to make); it is not
	// written to runs, and reading a finding back clears it.
	key   string
	keyed bool
}

// keyOf returns sp's group key, made once.
func (sp *spilled) keyOf(key func(*Finding) string) string {
	if !sp.keyed {
		sp.key, sp.keyed = key(&sp.F), true
	}
	return sp.key
}

func (sp *spilled) finding() *Finding { return &sp.F }

// spillFiles makes a scan's run files in dir, "" for the system's
// temporary folder.
type spillFiles struct {
	dir string
	mu  sync.Mutex
	// named are files that could not be removed while open (on systems
	// that refuse to), removed by remove.
	named []string
}

// create makes a new file named by pattern (see os.CreateTemp), already
// removed from its folder; what says what it is for, in errors.
func (sf *spillFiles) create(pattern, what string) (*os.File, error) {
	f, err := os.CreateTemp(sf.dir, pattern)
	if err != nil {
		dir := sf.dir
		if dir == "" {
			dir = os.TempDir()
		}
		return nil, fmt.Errorf("%s to a temporary file in %s (TMPDIR): %w", what, dir, err)
	}
	if os.Remove(f.Name()) != nil {
		sf.mu.Lock()
		sf.named = append(sf.named, f.Name())
		sf.mu.Unlock()
	}
	return f, nil
}

// remove deletes the run files that could not be removed while open; they
// must be closed by now.
func (sf *spillFiles) remove() {
	sf.mu.Lock()
	defer sf.mu.Unlock()
	for _, n := range sf.named {
		os.Remove(n)
	}
	sf.named = nil
}

// run is one sorted run: an open file and how much of it was written.
type run struct {
	f       *os.File
	size, n int64
}

// drop closes a run's file, which frees its data.
func (r run) drop() { r.f.Close() }

func dropRuns(runs []run) {
	for _, r := range runs {
		r.drop()
	}
}

// runWriter writes findings, in the order given, to a new run file.
type runWriter struct {
	f   *os.File
	bw  *bufio.Writer
	enc *runEncoder
	n   int64
}

func newRunWriter(sf *spillFiles) (*runWriter, error) {
	f, err := sf.create("ttc-scan-*.run", "spill findings")
	if err != nil {
		return nil, err
	}
	bw := bufio.NewWriterSize(f, 64<<10)
	return &runWriter{f: f, bw: bw, enc: newRunEncoder(bw)}, nil
}

func (rw *runWriter) add(sp *spilled) error {
	rw.n++
	return rw.enc.encode(sp)
}

// close ends the run; on an error it drops the file too.
func (rw *runWriter) close() (run, error) {
	err := rw.bw.Flush()
	var size int64
	if err == nil {
		size, err = rw.f.Seek(0, io.SeekCurrent) // the run's end: it is read back by offset
	}
	if err != nil {
		rw.f.Close()
		return run{}, fmt.Errorf("spill findings: %w", err)
	}
	return run{f: rw.f, size: size, n: rw.n}, nil
}

// abandon drops a run being written after an error.
func (rw *runWriter) abandon() { rw.f.Close() }

// writeRun writes findings, sorted by cmpFinding, as one run.
func writeRun(sf *spillFiles, fs []*Finding) (run, error) {
	sortFindings(fs)
	return writeAll(sf, func(add func(*spilled) error) error {
		for _, f := range fs {
			sp := spilled{F: *f}
			if err := add(&sp); err != nil {
				return err
			}
		}
		return nil
	})
}

// writeAll writes, as one new run, the findings feed hands to its add
// function, in that order; on an error the run is dropped.
func writeAll(sf *spillFiles, feed func(add func(*spilled) error) error) (run, error) {
	rw, err := newRunWriter(sf)
	if err != nil {
		return run{}, err
	}
	if err := feed(rw.add); err != nil {
		rw.abandon()
		return run{}, err
	}
	return rw.close()
}

// mergeInto merges runs, in order, into one new run; the runs stay open.
func mergeInto(sf *spillFiles, runs []run, order func(a, b *spilled) int) (run, error) {
	return writeAll(sf, func(add func(*spilled) error) error { return mergeRuns(runs, order, add) })
}

// runReader reads a run back, one finding at a time.
type runReader struct {
	name string
	dec  *runDecoder
	cur  spilled
	at   int // the run's place among those merged, for a stable order
}

func openRun(r run) *runReader {
	return &runReader{name: r.f.Name(), dec: &runDecoder{r: bufio.NewReaderSize(io.NewSectionReader(r.f, 0, r.size), 64<<10)}}
}

// next reads the next finding into cur; it returns io.EOF after the last.
func (rr *runReader) next() error {
	err := rr.dec.decode(&rr.cur)
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("read spilled findings from %s: %w", rr.name, err)
	}
	return err
}

// runHeap orders the runs being merged by their current finding.
type runHeap struct {
	rs  []*runReader
	cmp func(a, b *spilled) int
}

func (h *runHeap) Len() int { return len(h.rs) }
func (h *runHeap) Less(i, j int) bool {
	if c := h.cmp(&h.rs[i].cur, &h.rs[j].cur); c != 0 {
		return c < 0
	}
	return h.rs[i].at < h.rs[j].at
}
func (h *runHeap) Swap(i, j int) { h.rs[i], h.rs[j] = h.rs[j], h.rs[i] }
func (h *runHeap) Push(x any)    { h.rs = append(h.rs, x.(*runReader)) }
func (h *runHeap) Pop() any {
	r := h.rs[len(h.rs)-1]
	h.rs = h.rs[:len(h.rs)-1]
	return r
}

// mergeRuns calls fn with the findings of runs, each run sorted by order,
// in that order. fn may keep nothing it is given past its call. The runs
// stay open: the caller drops them.
func mergeRuns(runs []run, order func(a, b *spilled) int, fn func(*spilled) error) error {
	h := &runHeap{cmp: order}
	for i, r := range runs {
		rr := openRun(r)
		rr.at = i
		if err := rr.next(); err != nil {
			if errors.Is(err, io.EOF) {
				continue
			}
			return err
		}
		h.rs = append(h.rs, rr)
	}
	heap.Init(h)
	for h.Len() > 0 {
		top := h.rs[0]
		if err := fn(&top.cur); err != nil {
			return err
		}
		switch err := top.next(); {
		case errors.Is(err, io.EOF):
			heap.Pop(h)
		case err != nil:
			return err
		default:
			heap.Fix(h, 0)
		}
	}
	return nil
}

// maxFanIn is how many runs one merge reads at once, each with a read
// buffer.
var maxFanIn = 64

// maxOpenRuns bounds the run files a scan's workers hold open together,
// well under the usual limit of 1,024 open files: a worker holding its
// share merges the newer half of its runs into one.
var maxOpenRuns = 256

// compact merges runs, maxFanIn at a time, into fewer longer ones until
// one merge can read them all, and drops the runs it merged. On an error
// it drops them all.
func compact(sf *spillFiles, runs []run, order func(a, b *spilled) int) ([]run, error) {
	for len(runs) > maxFanIn {
		group := runs[:maxFanIn]
		r, err := mergeInto(sf, group, order)
		if err != nil {
			dropRuns(runs)
			return nil, err
		}
		dropRuns(group)
		// Both orders tell every two findings apart (by record, rule and
		// technique; by sequence), so where the merged run goes does not
		// change the result.
		runs = append(runs[maxFanIn:], r)
	}
	return runs, nil
}

func byFinding(a, b *spilled) int { return cmpFinding(a.finding(), b.finding()) }

func byGroup(a, b *spilled) int {
	if c := cmp.Compare(a.Rank, b.Rank); c != 0 {
		return c
	}
	return cmp.Compare(a.Seq, b.Seq)
}

// spill writes the findings a part holds as one run and lets them go; a
// part holding limit runs merges the newer half of them.
func (p *part) spill(sf *spillFiles, limit int) error {
	var fs []*Finding
	for _, c := range p.findings {
		for i := range c {
			fs = append(fs, &c[i])
		}
	}
	if len(fs) > 0 {
		r, err := writeRun(sf, fs)
		if err != nil {
			return err
		}
		p.runs = append(p.runs, r)
		p.findings, p.held, p.heldBytes = nil, 0, 0
	}
	var err error
	p.runs, err = mergeNewer(sf, p.runs, limit, byFinding)
	return err
}

// mergeNewer merges the newer half of runs into one when there are limit
// of them (none when limit is below 2). Merged runs are merged again only
// with runs of about their size, so that each finding is written a few
// times, not once per merge. On an error it drops them all.
func mergeNewer(sf *spillFiles, runs []run, limit int, order func(a, b *spilled) int) ([]run, error) {
	if limit < 2 || len(runs) < limit {
		return runs, nil
	}
	newer := runs[len(runs)-limit/2:]
	r, err := mergeInto(sf, newer, order)
	if err != nil {
		dropRuns(runs)
		return nil, err
	}
	dropRuns(newer)
	return append(runs[:len(runs)-limit/2], r), nil
}

// runLimit is each worker's share of maxOpenRuns.
func (s *Scanner) runLimit() int { return max(maxOpenRuns/max(s.opts.Workers, 1), 4) }

// spilledResult is the findings of a result kept on disk, in order.
type spilledResult struct {
	files *spillFiles
	kept  run
}

// each calls fn with every kept finding, in order.
func (sr *spilledResult) each(fn func(*Finding) error) error {
	return mergeRuns([]run{sr.kept}, byFinding, func(sp *spilled) error { return fn(sp.finding()) })
}

// eachGrouped calls fn with every kept finding, grouped by key: groups in
// the order their first finding comes, findings in order within them. It
// sorts the findings again, on disk, by group, batch findings (or
// spillBytes of them) at a time, numbering the groups in memory; past
// maxRanked groups, or maxRankedBytes of their keys, it starts again with
// byKeyFirst, which does not.
func (sr *spilledResult) eachGrouped(batch int, key func(*Finding) string, fn func(*Finding) error) error {
	rank := map[string]int64{}
	rankBytes := 0
	s := &sorter{sf: sr.files, order: byGroup, batch: batch}
	defer s.drop()
	var seq int64
	err := mergeRuns([]run{sr.kept}, byFinding, func(sp *spilled) error {
		k := key(sp.finding())
		r, ok := rank[k]
		if !ok {
			if rankBytes += len(k) + 64; len(rank) == maxRanked || rankBytes > maxRankedBytes {
				return errManyGroups
			}
			r = int64(len(rank))
			rank[k] = r
		}
		c := *sp
		c.Rank, c.Seq = r, seq
		seq++
		return s.add(&c)
	})
	if errors.Is(err, errManyGroups) {
		s.drop()
		rank, s.buf = nil, nil // let the keys and the batch go before the sorts on disk
		return sr.byKeyFirst(batch, key, fn)
	}
	if err != nil {
		return err
	}
	return s.each(func(sp *spilled) error { return fn(sp.finding()) })
}

// findingBytes is about what a finding holds: its strings and the rest.
func findingBytes(f *Finding) int {
	n := 400 + len(f.TechniqueName) + len(f.ErrorCode) + len(f.ErrorMessage) + len(f.EventID) + len(f.EventTime) +
		len(f.EventSource) + len(f.EventName) + len(f.AWSRegion) + len(f.RecipientAccountID)
	a := &f.Actor
	n += len(a.Type) + len(a.ARN) + len(a.PrincipalID) + len(a.AccountID) + len(a.UserName) + len(a.AccessKeyID) +
		len(a.SessionIssuer) + len(a.OnBehalfOfUserID) + len(a.IdentityStoreARN) + len(a.InvokedBy) + len(a.SourceIP) +
		len(a.UserAgent)
	n += len(f.Record.File) + len(f.signIn)
	for _, m := range f.Matched {
		n += 32 + len(m.Field) + len(m.Value)
	}
	for _, m := range f.Target {
		n += 32 + len(m.Value) // the field names are shared
	}
	return n
}

// mergeSpilled is merge for a scan whose findings went to disk: it writes
// the rest held in memory as runs too, merges every run in order, drops
// duplicates and filtered findings, and writes the findings kept to one
// run that res reads from.
//
// Copies of one event agree on its time, so they meet in a merge by time:
// the duplicate check only remembers the findings of the current instant,
// and its memory stays flat too.
func (s *Scanner) mergeSpilled(res *Result, parts []*part) error {
	var runs []run
	defer func() { dropRuns(runs) }()
	for _, p := range parts {
		err := p.spill(s.spill, 0)
		runs = append(runs, p.runs...)
		p.runs = nil
		if err != nil {
			return err
		}
	}
	runs, err := compact(s.spill, runs, byFinding)
	if err != nil {
		return err
	}
	sum := &res.Summary
	seen := map[uint64]struct{}{}
	var at time.Time
	kept, err := writeAll(s.spill, func(add func(*spilled) error) error {
		return mergeRuns(runs, byFinding, func(sp *spilled) error {
			f := sp.finding()
			if !f.time.Equal(at) {
				at = f.time
				clear(seen)
			}
			if f.EventID != "" {
				key := dupHash(s.seed, findingDigest(s.seed, f), &f.Rule, f.TechniqueID)
				if _, dup := seen[key]; dup {
					sum.Duplicates++
					return nil
				}
				seen[key] = struct{}{}
			}
			if !s.keep(f) {
				sum.Filtered++
				return nil
			}
			return add(sp)
		})
	})
	if err != nil {
		return err
	}
	sum.Findings = int(kept.n)
	res.spilled = &spilledResult{files: s.spill, kept: kept}
	return nil
}

// dropSpilled drops the runs of parts, after a scan that failed.
func dropSpilled(parts []*part) {
	for _, p := range parts {
		dropRuns(p.runs)
		p.runs = nil
	}
}

// Each calls fn with every finding of the result, in order: by time, then
// file and position, technique and rule. fn must not keep f past its call
// when the result was spilled (each finding read back is then new). An
// error of fn, or one reading spilled findings back, stops it and is
// returned.
func (r *Result) Each(fn func(f *Finding) error) error {
	if r.spilled != nil {
		return r.spilled.each(fn)
	}
	for i := range r.Findings {
		if err := fn(&r.Findings[i]); err != nil {
			return err
		}
	}
	return nil
}

// groupBatch is how many findings EachGrouped sorts in memory at once when
// the result was spilled.
var groupBatch = 8192

// EachGrouped is Each with the findings grouped by key: the groups in the
// order of their first finding, the findings of a group in order.
func (r *Result) EachGrouped(key func(f *Finding) string, fn func(f *Finding) error) error {
	if r.spilled != nil {
		return r.spilled.eachGrouped(groupBatch, key, fn)
	}
	rank := map[string]int{}
	type ref struct{ rank, i int }
	refs := make([]ref, len(r.Findings))
	for i := range r.Findings {
		k := key(&r.Findings[i])
		n, ok := rank[k]
		if !ok {
			n = len(rank)
			rank[k] = n
		}
		refs[i] = ref{n, i}
	}
	slices.SortStableFunc(refs, func(a, b ref) int { return cmp.Compare(a.rank, b.rank) })
	for _, x := range refs {
		if err := fn(&r.Findings[x.i]); err != nil {
			return err
		}
	}
	return nil
}

// Spilled reports whether the result's findings are on disk, to be read
// with Each, not in Findings.
func (r *Result) Spilled() bool { return r.spilled != nil }

// Close frees the files of a result whose findings were spilled to disk.
func (r *Result) Close() error {
	if r.spilled == nil {
		return nil
	}
	r.spilled.kept.drop()
	r.spilled.files.remove()
	r.spilled = nil
	return nil
}
