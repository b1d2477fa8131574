package scan

import (
	"cmp"
	"errors"
	"slices"
	"strings"
)

// A report that says what an actor did (how many findings, when, from
// where) before it lists the actor's findings, as JSON and HTML do, reads
// each group twice. Group lets it, in flat memory: a group that outgrows
// groupMem is written to a run file as it is read, and read back from
// there.

// groupMem is how many bytes of findings (see findingBytes) a Group of a
// spilled result holds in memory; the findings before them are on disk.
var groupMem = 8 << 20

// Group is the findings EachGroup hands on together: those that share a
// key, in order.
type Group struct {
	Key string
	N   int // how many findings

	list []*Finding // the findings, when the result holds them in memory

	// For a spilled result: the first findings on disk (w, then disk once
	// the group is complete), the others in mem.
	sf       *spillFiles
	w        *runWriter
	disk     *run
	mem      []Finding
	memBytes int
}

// Each calls fn with the group's findings, in order. It may be called any
// number of times while EachGroup's function runs, not after it returns.
// fn must not keep f past its call.
func (g *Group) Each(fn func(f *Finding) error) error {
	if g.disk != nil {
		// One run: read in its order (byFinding decides nothing here).
		if err := mergeRuns([]run{*g.disk}, byFinding, func(sp *spilled) error { return fn(sp.finding()) }); err != nil {
			return err
		}
	}
	for i := range g.mem {
		if err := fn(&g.mem[i]); err != nil {
			return err
		}
	}
	for _, f := range g.list {
		if err := fn(f); err != nil {
			return err
		}
	}
	return nil
}

// add appends f to the group, held when f is (held), copied otherwise.
func (g *Group) add(f *Finding, held bool) error {
	g.N++
	if held {
		g.list = append(g.list, f)
		return nil
	}
	g.mem = append(g.mem, *f)
	if g.memBytes += findingBytes(f); g.memBytes < groupMem {
		return nil
	}
	if g.w == nil {
		w, err := newRunWriter(g.sf)
		if err != nil {
			return err
		}
		g.w = w
	}
	for i := range g.mem {
		if err := g.w.add(&spilled{F: g.mem[i]}); err != nil {
			return err
		}
	}
	clear(g.mem) // let the copies' strings go
	g.mem, g.memBytes = g.mem[:0], 0
	return nil
}

// complete ends the writing of a group that went to disk.
func (g *Group) complete() error {
	if g.w == nil {
		return nil
	}
	r, err := g.w.close()
	g.w = nil
	if err != nil {
		return err
	}
	g.disk = &r
	return nil
}

// reset empties the group for the next one, and drops its file.
func (g *Group) reset() {
	if g.w != nil {
		g.w.abandon()
		g.w = nil
	}
	if g.disk != nil {
		g.disk.drop()
		g.disk = nil
	}
	clear(g.list)
	clear(g.mem)
	g.Key, g.N, g.list, g.mem, g.memBytes = "", 0, g.list[:0], g.mem[:0], 0
}

// EachGroup reads the findings as EachGrouped orders them, and calls fn
// once for each group of them, which it may read as often as it needs.
func (r *Result) EachGroup(key func(f *Finding) string, fn func(g *Group) error) error {
	g := &Group{}
	held := r.spilled == nil
	if !held {
		g.sf = r.spilled.files
	}
	defer g.reset()
	end := func() error {
		if g.N == 0 {
			return nil
		}
		err := g.complete()
		if err == nil {
			err = fn(g)
		}
		g.reset()
		return err
	}
	err := r.EachGrouped(key, func(f *Finding) error {
		if k := key(f); g.N == 0 || k != g.Key {
			if err := end(); err != nil {
				return err
			}
			g.Key = k
		}
		return g.add(f, held)
	})
	if err != nil {
		return err
	}
	return end()
}

// maxRanked and maxRankedBytes bound the groups a regrouping of a spilled
// result numbers in memory, by key, in the order their first findings
// come: how many, and the bytes their keys take, with 64 more for each
// entry of the map. Past either (findings of hundreds of thousands of
// actors, or of tens of thousands with kilobyte-long ARNs) it numbers
// them on disk instead: see byKeyFirst.
var (
	maxRanked      = 1 << 16
	maxRankedBytes = 16 << 20
)

// errManyGroups stops a regrouping in memory that meets more than
// maxRanked groups.
var errManyGroups = errors.New("too many groups to number in memory")

// sorter sorts findings on disk: it gathers them a batch at a time, sorts
// each batch in memory and writes it as a run.
type sorter struct {
	sf    *spillFiles
	order func(a, b *spilled) int
	batch int
	buf   []spilled
	ptrs  []*spilled
	bytes int
	runs  []run
}

func (s *sorter) add(sp *spilled) error {
	s.buf = append(s.buf, *sp)
	if s.bytes += findingBytes(&sp.F); len(s.buf) >= s.batch || s.bytes >= spillBytes {
		return s.flush()
	}
	return nil
}

func (s *sorter) flush() error {
	if len(s.buf) == 0 {
		return nil
	}
	s.ptrs = s.ptrs[:0]
	for i := range s.buf {
		s.ptrs = append(s.ptrs, &s.buf[i])
	}
	slices.SortFunc(s.ptrs, s.order)
	r, err := writeAll(s.sf, func(add func(*spilled) error) error {
		for _, sp := range s.ptrs {
			if err := add(sp); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	clear(s.buf)
	s.buf, s.bytes = s.buf[:0], 0
	s.runs, err = mergeNewer(s.sf, append(s.runs, r), maxOpenRuns, s.order)
	return err
}

// each calls fn with every finding added, in order, and drops the runs.
func (s *sorter) each(fn func(*spilled) error) error {
	defer s.drop()
	if err := s.flush(); err != nil {
		return err
	}
	runs, err := compact(s.sf, s.runs, s.order)
	s.runs = runs
	if err != nil {
		return err
	}
	return mergeRuns(s.runs, s.order, fn)
}

func (s *sorter) drop() {
	dropRuns(s.runs)
	s.runs = nil
}

// byKeyFirst regroups without numbering groups in memory, in two sorts on
// disk: by key (then in order), which brings each group together with its
// first finding first, and, once each finding carries the sequence number
// of its group's first finding as its rank, by rank, as byGroup orders.
func (sr *spilledResult) byKeyFirst(batch int, key func(*Finding) string, fn func(*Finding) error) error {
	byKey := func(a, b *spilled) int {
		return cmp.Or(strings.Compare(a.keyOf(key), b.keyOf(key)), cmp.Compare(a.Seq, b.Seq))
	}
	first := &sorter{sf: sr.files, order: byKey, batch: batch}
	defer first.drop()
	var seq int64
	err := mergeRuns([]run{sr.kept}, byFinding, func(sp *spilled) error {
		c := *sp
		c.Seq = seq
		seq++
		return first.add(&c)
	})
	if err != nil {
		return err
	}
	second := &sorter{sf: sr.files, order: byGroup, batch: batch}
	defer second.drop()
	var last string
	var rank int64
	started := false
	err = first.each(func(sp *spilled) error {
		if k := sp.keyOf(key); !started || k != last {
			last, rank, started = k, sp.Seq, true
		}
		c := *sp
		c.Rank, c.key, c.keyed = rank, "", false
		return second.add(&c)
	})
	if err != nil {
		return err
	}
	return second.each(func(sp *spilled) error { return fn(sp.finding()) })
}
