package report

import (
	"cmp"
	"container/heap"
	"io"
	"slices"
	"sync"

	"github.com/ttcproject/ttc/internal/scan"
)

// TableStream gathers what the table lists (see WriteTable) from a scan
// that hands its findings on as it finds them (scan.Options.Collect): the
// count of each technique and the first MaxTableRows findings in time
// order. It holds no more than that, so the table needs no sort and no
// temporary files however many findings there are, and it writes the same
// table as WriteTable does from a sorted scan. It does not group by actor.
type TableStream struct {
	mu    sync.Mutex
	rows  map[string]*streamRow
	top   topFindings
	total int
}

// streamRow is one technique's count, with its first and last findings:
// the first places the row among rows of equal count, as in a sorted scan.
type streamRow struct {
	count       *TechniqueCount
	first, last scan.Finding
	actors      ActorSet
}

// NewTableStream returns an empty TableStream.
func NewTableStream() *TableStream { return &TableStream{rows: map[string]*streamRow{}} }

// Add counts a finding; it is safe to call from several goroutines.
func (ts *TableStream) Add(f *scan.Finding) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.total++
	key := countKey(f)
	r, ok := ts.rows[key]
	if !ok {
		r = &streamRow{count: newCount(f), first: *f, last: *f}
		ts.rows[key] = r
	}
	c := r.count
	if f.Compare(&r.first) < 0 { // the row takes its name, tactics and start from its first finding
		n := newCount(f)
		n.Findings, n.Attempts, n.Level = c.Findings, c.Attempts, c.Level
		*c = *n
		r.first = *f
	}
	if f.Compare(&r.last) > 0 {
		r.last = *f
	}
	c.Findings++
	if f.Outcome == "attempt" {
		c.Attempts++
	}
	c.raiseLevel(f.Rule.Level)
	r.actors.Add(f)
	c.Last = r.last.EventTime
	ts.top.offer(f)
}

// counts returns the rows as a sorted scan's tally orders them: most
// findings first, then by technique ID, then by first finding.
func (ts *TableStream) counts() []TechniqueCount {
	rows := make([]*streamRow, 0, len(ts.rows))
	for _, r := range ts.rows {
		rows = append(rows, r)
	}
	slices.SortFunc(rows, func(a, b *streamRow) int {
		return cmp.Or(compareCounts(a.count, b.count), a.first.Compare(&b.first))
	})
	out := make([]TechniqueCount, len(rows))
	for i, r := range rows {
		out[i] = *r.count
		out[i].Actors, out[i].ActorsApproximate = r.actors.Len(), r.actors.Approximate()
	}
	return out
}

// Write writes the table for res, a scan whose findings went to ts.
func (ts *TableStream) Write(w io.Writer, res *scan.Result, tactics tacticNamer, opts Options) error {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	shown := slices.Clone(ts.top)
	slices.SortFunc(shown, func(a, b scan.Finding) int { return a.Compare(&b) })
	return writeFlatTable(w, res, ts.counts(), shown, ts.total, tactics, opts)
}

// topFindings keeps the first MaxTableRows findings offered, in a heap
// whose root is the last of them.
type topFindings []scan.Finding

func (t *topFindings) offer(f *scan.Finding) {
	switch {
	case len(*t) < MaxTableRows:
		heap.Push(t, *f)
	case f.Compare(&(*t)[0]) < 0:
		(*t)[0] = *f
		heap.Fix(t, 0)
	}
}

func (t topFindings) Len() int           { return len(t) }
func (t topFindings) Less(i, j int) bool { return t[i].Compare(&t[j]) > 0 }
func (t topFindings) Swap(i, j int)      { t[i], t[j] = t[j], t[i] }
func (t *topFindings) Push(x any)        { *t = append(*t, x.(scan.Finding)) }
func (t *topFindings) Pop() any {
	old := *t
	f := old[len(old)-1]
	*t = old[:len(old)-1]
	return f
}
