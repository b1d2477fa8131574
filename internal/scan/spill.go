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
// 2.7 KB each. With Options.SpillAfter set, a worker holding that many
// sorts them and writes them to a run file in a temporary folder; when the
// scan ends, merge reads the runs back in order, drops duplicates and
// filtered findings on the way, and writes what is kept to one file that
// Result.Each reads. Memory then stays flat however many findings there are.

// spilled is a finding as a run file holds it (see runcodec.go): the
// fields a finding keeps out of its JSON come along, and rank and seq
// order a regrouping (see Result.EachGrouped).
type spilled struct {
	F         Finding
	Rank, Seq int64
}

func (sp *spilled) finding() *Finding { return &sp.F }

// spillFolder is the temporary folder of one scan's run files, made when
// the first run is written.
type spillFolder struct {
	parent string // where to make it; "" for the system's temporary folder
	mu     sync.Mutex
	dir    string
	n      int
}

// create makes a new run file.
func (sf *spillFolder) create() (*os.File, error) {
	sf.mu.Lock()
	defer sf.mu.Unlock()
	if sf.dir == "" {
		d, err := os.MkdirTemp(sf.parent, "ttc-scan-")
		if err != nil {
			return nil, fmt.Errorf("spill findings: %w", err)
		}
		sf.dir = d
	}
	sf.n++
	f, err := os.Create(fmt.Sprintf("%s/run-%d.gob", sf.dir, sf.n))
	if err != nil {
		return nil, fmt.Errorf("spill findings: %w", err)
	}
	return f, nil
}

// remove deletes the folder and every run in it.
func (sf *spillFolder) remove() error {
	sf.mu.Lock()
	defer sf.mu.Unlock()
	if sf.dir == "" {
		return nil
	}
	err := os.RemoveAll(sf.dir)
	sf.dir = ""
	return err
}

// run is one sorted run file.
type run struct {
	path string
	n    int64
}

// runWriter writes findings, in the order given, to a new run file.
type runWriter struct {
	f   *os.File
	bw  *bufio.Writer
	enc *runEncoder
	n   int64
}

func newRunWriter(sf *spillFolder) (*runWriter, error) {
	f, err := sf.create()
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

func (rw *runWriter) close() (run, error) {
	err := rw.bw.Flush()
	if cerr := rw.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return run{}, fmt.Errorf("spill findings: %w", err)
	}
	return run{path: rw.f.Name(), n: rw.n}, nil
}

// writeRun writes findings, sorted by cmpFinding, as one run.
func writeRun(sf *spillFolder, fs []*Finding) (run, error) {
	sortFindings(fs)
	rw, err := newRunWriter(sf)
	if err != nil {
		return run{}, err
	}
	for _, f := range fs {
		sp := spilled{F: *f}
		if err := rw.add(&sp); err != nil {
			rw.close()
			return run{}, err
		}
	}
	return rw.close()
}

// runReader reads a run back, one finding at a time.
type runReader struct {
	f   *os.File
	dec *runDecoder
	cur spilled
	at  int // the run's place among those merged, for a stable order
}

func openRun(r run) (*runReader, error) {
	f, err := os.Open(r.path)
	if err != nil {
		return nil, fmt.Errorf("read spilled findings: %w", err)
	}
	return &runReader{f: f, dec: &runDecoder{r: bufio.NewReaderSize(f, 64<<10)}}, nil
}

// next reads the next finding into cur; it returns io.EOF after the last.
func (rr *runReader) next() error {
	err := rr.dec.decode(&rr.cur)
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("read spilled findings from %s: %w", rr.f.Name(), err)
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

// mergeRuns calls fn with the findings of runs, each run sorted by cmp, in
// cmp order. fn may keep nothing it is given past its call.
func mergeRuns(runs []run, order func(a, b *spilled) int, fn func(*spilled) error) (err error) {
	h := &runHeap{cmp: order}
	defer func() {
		for _, r := range h.rs {
			r.f.Close()
		}
	}()
	for i, r := range runs {
		rr, err := openRun(r)
		if err != nil {
			return err
		}
		rr.at = i
		if err := rr.next(); err != nil {
			rr.f.Close()
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
			top.f.Close()
			heap.Pop(h)
		case err != nil:
			return err
		default:
			heap.Fix(h, 0)
		}
	}
	return nil
}

// maxFanIn is how many runs one merge reads at once: each holds a file
// open and a read buffer.
var maxFanIn = 64

// compact merges runs, maxFanIn at a time, into fewer longer ones until
// one merge can read them all, and removes the runs it merged.
func compact(sf *spillFolder, runs []run, order func(a, b *spilled) int) ([]run, error) {
	for len(runs) > maxFanIn {
		group := runs[:maxFanIn]
		out, err := newRunWriter(sf)
		if err != nil {
			return runs, err
		}
		err = mergeRuns(group, order, out.add)
		r, cerr := out.close()
		if err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(r.path)
			return runs, err
		}
		for _, g := range group {
			os.Remove(g.path)
		}
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

// spill writes the findings a part holds as one run and lets them go.
func (p *part) spill(sf *spillFolder) error {
	var fs []*Finding
	for _, c := range p.findings {
		for i := range c {
			fs = append(fs, &c[i])
		}
	}
	if len(fs) == 0 {
		return nil
	}
	r, err := writeRun(sf, fs)
	if err != nil {
		return err
	}
	p.runs = append(p.runs, r)
	p.findings, p.held = nil, 0
	return nil
}

// spilledResult is the findings of a result kept on disk, in order.
type spilledResult struct {
	folder *spillFolder
	kept   run
}

// each calls fn with every kept finding, in order.
func (sr *spilledResult) each(fn func(*Finding) error) error {
	return mergeRuns([]run{sr.kept}, byFinding, func(sp *spilled) error { return fn(sp.finding()) })
}

// eachGrouped calls fn with every kept finding, grouped by key: groups in
// the order their first finding comes, findings in order within them. It
// sorts the findings again, on disk, by group.
func (sr *spilledResult) eachGrouped(batch int, key func(*Finding) string, fn func(*Finding) error) error {
	rank := map[string]int64{}
	var runs []run
	var buf []spilled
	var order []*spilled
	flush := func() error {
		if len(buf) == 0 {
			return nil
		}
		order = order[:0]
		for i := range buf {
			order = append(order, &buf[i])
		}
		slices.SortFunc(order, byGroup)
		rw, err := newRunWriter(sr.folder)
		if err != nil {
			return err
		}
		for _, sp := range order {
			if err := rw.add(sp); err != nil {
				rw.close()
				return err
			}
		}
		r, err := rw.close()
		if err != nil {
			return err
		}
		runs = append(runs, r)
		buf = buf[:0]
		return nil
	}
	var seq int64
	err := mergeRuns([]run{sr.kept}, byFinding, func(sp *spilled) error {
		k := key(sp.finding())
		r, ok := rank[k]
		if !ok {
			r = int64(len(rank))
			rank[k] = r
		}
		c := *sp
		c.Rank, c.Seq = r, seq
		seq++
		buf = append(buf, c)
		if len(buf) >= batch {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	defer func() {
		for _, r := range runs {
			os.Remove(r.path)
		}
	}()
	if err != nil {
		return err
	}
	if runs, err = compact(sr.folder, runs, byGroup); err != nil {
		return err
	}
	return mergeRuns(runs, byGroup, func(sp *spilled) error { return fn(sp.finding()) })
}

// mergeSpilled is merge for a scan whose findings went to disk: it writes
// the rest held in memory as runs too, merges every run in order, drops
// duplicates and filtered findings, and writes the findings kept to one
// run that res reads from.
//
// Copies of one event agree on its time, so they meet in a merge by time:
// the duplicate check only remembers the findings of the current second
// and instant, and its memory stays flat too.
func (s *Scanner) mergeSpilled(res *Result, parts []*part) error {
	var runs []run
	for _, p := range parts {
		if err := p.spill(s.spill); err != nil {
			return err
		}
		runs = append(runs, p.runs...)
		p.runs = nil
	}
	runs, err := compact(s.spill, runs, byFinding)
	if err != nil {
		return err
	}
	out, err := newRunWriter(s.spill)
	if err != nil {
		return err
	}
	sum := &res.Summary
	seen := map[uint64]struct{}{}
	var at time.Time
	err = mergeRuns(runs, byFinding, func(sp *spilled) error {
		f := sp.finding()
		if !f.time.Equal(at) {
			at = f.time
			clear(seen)
		}
		if f.EventID != "" {
			key := dupHash(s.seed, findingDigest(s.seed, f), f.Rule.ID, f.TechniqueID)
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
		return out.add(sp)
	})
	kept, cerr := out.close()
	for _, r := range runs {
		os.Remove(r.path)
	}
	if err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	sum.Findings = int(kept.n)
	res.spilled = &spilledResult{folder: s.spill, kept: kept}
	return nil
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

// Close removes the files of a result whose findings were spilled to disk.
func (r *Result) Close() error {
	if r.spilled == nil {
		return nil
	}
	return r.spilled.folder.remove()
}
