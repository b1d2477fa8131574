package scan

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/ttcproject/ttc/internal/ruleset"
)

// While a scan reads its inputs, each worker also writes what it read of
// each record that correlations count (its groups' keys, the hashes of
// its counted values and what a compact note keeps: see noteEntry) to a
// spill file of its own, in the scan's spill folder, removed from the
// folder at once as findings' run files are. The entry of a record of a
// stream (standard input, an upload), which cannot be read again, also
// carries the record's text, from which a burst's finding is made. A
// scan whose notes fit the correlations' room drops the spill unread.
// One that does not reads the spill, not the inputs, in its partition
// passes (see partition.go): no decompressing, parsing or matching again.
//
// A worker reads a file whole, so the entries of a file are runs that
// follow one another in one spill (noteSegments, of maxRunEntries entries
// at most), in the order the file holds its records: a pass hands out
// runs as it handed out files, and a pass on one worker reads them in the
// order of their files' names, as it read the files.
//
// The spills of a scan may take maxNoteSpill bytes together: an entry
// took 29 bytes for a record of a file that one correlation counts (one
// caller's deletions on one bucket), 146 for one that five count (failed
// sign-ins, by user, address and account), so 4 GiB holds 30 to 150
// million records, months of a busy account's logs. A stream's entry
// takes its record's text more: 594 bytes for those deletions (records of
// 564 bytes), 779 for the sign-ins (of 626), 1,544 on the 92,000 records
// correlations count in the bench corpus, so 4 GiB holds 3 to 7 million
// records of standard input (each entry's checksum is 4 of those bytes).
// Past that, or when a spill cannot be made or written (no room on the
// disk), the scan drops them all: its passes read the files again, and
// the records of a stream past the room are counted as not kept.

// maxNoteSpill bounds the bytes a scan's spills of correlation notes may
// take together (a variable for tests).
var maxNoteSpill int64 = 4 << 30

// errNoteSpillCap says that a scan's spills of notes passed maxNoteSpill.
var errNoteSpillCap = errors.New("the correlation notes passed what they may take on disk")

// maxRunEntries bounds the entries of one run: the entries of a file or
// stream that holds more are spilled in several runs, one after the
// other, each started afresh, so that the workers of a pass share them
// rather than one worker reading them all (standard input is one stream,
// and one busy log can hold most of a scan's records). A variable for
// tests.
var maxRunEntries int64 = 1 << 16

// noteSpills are the spills of one scan's workers.
type noteSpills struct {
	files spillFiles
	size  atomic.Int64 // bytes written, all spills together
	// broken says that the spills are not whole (past maxNoteSpill, or a
	// write failed): the passes read the files again. why says why.
	broken atomic.Bool
	mu     sync.Mutex
	why    error
	all    []*noteSpill
}

func newNoteSpills(dir string) *noteSpills { return &noteSpills{files: spillFiles{dir: dir}} }

// noteSpill is one worker's spill.
type noteSpill struct {
	f    *os.File
	bw   *bufio.Writer
	enc  *noteEncoder
	size int64
	segs []noteSegment
	// dead says that the spill was dropped: it writes nothing more.
	dead bool
}

// noteSegment is a run of one file's entries in a spill: n entries, from
// byte start to end.
type noteSegment struct {
	name       string
	f          *os.File
	start, end int64
	n          int64
}

// fail marks the spills as not whole, for reason err; the first reason is
// kept.
func (ns *noteSpills) fail(err error) {
	ns.mu.Lock()
	if ns.why == nil {
		ns.why = err
	}
	ns.mu.Unlock()
	ns.broken.Store(true)
}

// open makes a spill for a worker, or returns nil when the spills are
// broken or a spill cannot be made.
func (ns *noteSpills) open() *noteSpill {
	if ns.broken.Load() {
		return nil
	}
	f, err := ns.files.create("ttc-notes-*.spill", "spill correlation notes")
	if err != nil {
		ns.fail(err)
		return nil
	}
	bw := bufio.NewWriterSize(f, 64<<10)
	sp := &noteSpill{f: f, bw: bw, enc: newNoteEncoder(bw)}
	ns.mu.Lock()
	ns.all = append(ns.all, sp)
	ns.mu.Unlock()
	return sp
}

// add writes entry en of file name to sp, starting the file's run when
// it is not the current one. When the spills are broken (now, or by
// another worker before), it lets sp's data go instead.
func (ns *noteSpills) add(sp *noteSpill, name string, en *noteEntry) {
	if ns.broken.Load() {
		sp.drop()
		return
	}
	if n := len(sp.segs); n == 0 || sp.segs[n-1].name != name || sp.segs[n-1].n >= maxRunEntries {
		sp.endSegment()
		sp.segs = append(sp.segs, noteSegment{name: name, f: sp.f, start: sp.size})
		sp.enc.reset()
	}
	n, err := sp.enc.encode(en)
	if err != nil {
		err = fmt.Errorf("spill correlation notes: %w", err)
	} else if ns.size.Add(int64(n)) > maxNoteSpill {
		err = fmt.Errorf("%w (%d MiB)", errNoteSpillCap, maxNoteSpill>>20)
	}
	if err != nil {
		ns.fail(err)
		sp.drop()
		return
	}
	sp.size += int64(n)
	sp.segs[len(sp.segs)-1].n++
}

// endSegment ends the current file's run.
func (sp *noteSpill) endSegment() {
	if n := len(sp.segs); n > 0 {
		sp.segs[n-1].end = sp.size
	}
}

// drop closes the spill's file, which frees its data.
func (sp *noteSpill) drop() {
	if !sp.dead {
		sp.dead = true
		sp.f.Close()
		sp.segs, sp.bw, sp.enc = nil, nil, nil
	}
}

// finish ends every spill's writing, after the scan's first reading, and
// returns the runs of the files by name, in order; nil when the spills are
// broken, which are dropped then. A worker reads a file or stream whole
// (a scan reads a file of one name once, and its streams on one worker),
// so the runs of one follow one another in one spill.
func (ns *noteSpills) finish() map[string][]noteSegment {
	for _, sp := range ns.all {
		if sp.dead {
			continue
		}
		sp.endSegment()
		if err := sp.bw.Flush(); err != nil {
			ns.fail(fmt.Errorf("spill correlation notes: %w", err))
		}
	}
	if ns.broken.Load() {
		ns.drop()
		return nil
	}
	segs := map[string][]noteSegment{}
	for _, sp := range ns.all {
		for _, seg := range sp.segs {
			segs[seg.name] = append(segs[seg.name], seg)
		}
	}
	return segs
}

// drop closes every spill, and removes those the system would not remove
// while open.
func (ns *noteSpills) drop() {
	if ns == nil {
		return
	}
	ns.mu.Lock()
	all := ns.all
	ns.all = nil
	ns.mu.Unlock()
	for _, sp := range all {
		sp.drop()
	}
	ns.files.remove()
}

// reason says why the spills are not whole: fail, which broke them,
// gave it.
func (ns *noteSpills) reason() error {
	ns.mu.Lock()
	defer ns.mu.Unlock()
	return ns.why
}

// spillNote writes the record read into w.note (rec, and its eventTime
// as written, text), which the rules counted matched, to the worker's
// spill, as a record of file; a record kept whole, a stream's, with its
// text, raw.
func (w *worker) spillNote(counted []*ruleset.Rule, rec corrRecord, text string, raw []byte, file string) {
	ns := w.s.noteSpills
	if ns == nil {
		return
	}
	if w.noteOut == nil {
		if w.noteOut = ns.open(); w.noteOut == nil {
			return
		}
	}
	en := &w.note
	en.ordinal, en.line, en.offset, en.at, en.digest = rec.ordinal, rec.line, rec.offset, rec.at, rec.digest
	en.flags, en.text, en.raw = rec.flags&noteEntryFlagMask, text, nil
	if rec.flags&recFull != 0 {
		// A stream's record cannot be read again: its entry is all a
		// partition pass will have of it.
		en.flags |= recSpilled
		en.raw = raw
		if text != "" {
			en.flags |= recTimeText
		}
	}
	// A counted rule feeds correlations, which name it (see
	// ruleset.resolve): correlator.bases numbers it.
	en.rules = en.rules[:0]
	for _, r := range counted {
		en.rules = append(en.rules, uint32(w.s.corr.bases[r]))
	}
	ns.add(w.noteOut, file, en)
}

// replayNotes notes, for a partition pass, the records of file nf from
// seg, a run of theirs in a spill, as recount does from the file itself.
// A run that cannot be read back whole (damaged, or cut short: a failing
// disk) stops the scan with an error, as a run of findings does: counting
// what is left would miss bursts without saying so.
func (w *worker) replayNotes(nf *notedFile, seg *noteSegment) {
	w.fileInfo, w.again = nf.info, nf
	defer func() { w.fileInfo, w.again = nil, nil }()
	if w.noteIn == nil {
		w.noteIn = &noteDecoder{}
	}
	d, en := w.noteIn, &w.note
	d.reset(io.NewSectionReader(seg.f, seg.start, seg.end-seg.start))
	for n := int64(0); ; n++ {
		if n%4096 == 4095 && w.stopped() {
			return
		}
		err := d.decode(en)
		if errors.Is(err, io.EOF) {
			if n == seg.n {
				return
			}
			// A spill cut short, at an entry's end.
			err = fmt.Errorf("%w: %d entries where %d were written", errNotesCorrupt, n, seg.n)
		}
		if err == nil {
			err = w.checkEntry(en)
		}
		if err != nil {
			w.s.fail(fmt.Errorf("read back the correlation notes of %s: %w", nf.name, err))
			return
		}
		extra := w.pendingNotes()
		if len(w.pending) == 0 {
			continue // another pass's groups
		}
		rec := corrRecord{ordinal: en.ordinal, line: en.line, offset: en.offset, at: en.at,
			digest: en.digest, flags: en.flags}
		var st spilledText
		if en.flags&recSpilled != 0 {
			st = spilledText{off: seg.start + d.rawAt, n: int32(len(en.raw))}
		}
		pos := RecordRef{File: nf.name, Ordinal: en.ordinal, Line: en.line, Offset: en.offset}
		w.keepNotes(w.counted, rec, en.text, nil, st, pos, extra)
	}
}

// checkEntry checks that the numbers of entry en, read back, name the
// scan's rules and correlations as a first reading writes them: each
// rule one that correlations count, each note a correlation that one of
// them feeds, once, with counted values only when it counts a field.
// It makes w.counted of the entry's rules.
func (w *worker) checkEntry(en *noteEntry) error {
	c := w.s.corr
	w.counted = w.counted[:0]
	for _, b := range en.rules {
		if int(b) >= len(c.baseRules) {
			return fmt.Errorf("%w: rule %d of %d", errNotesCorrupt, b, len(c.baseRules))
		}
		w.counted = append(w.counted, c.baseRules[b])
	}
	if len(w.counted) == 0 || len(en.notes) == 0 {
		return fmt.Errorf("%w: an entry without rules or notes", errNotesCorrupt)
	}
	for i, n := range en.notes {
		if n.corr < 0 || n.corr >= len(c.rules) {
			return fmt.Errorf("%w: correlation %d of %d", errNotesCorrupt, n.corr, len(c.rules))
		}
		cr := c.rules[n.corr]
		fed := slices.ContainsFunc(w.counted, func(r *ruleset.Rule) bool { return slices.Contains(r.Feeds, cr) })
		again := slices.ContainsFunc(en.notes[:i], func(o entryNote) bool { return o.corr == n.corr })
		if !fed || again || (cr.Correlation.Field == "" && len(n.hashes) > 0) {
			return fmt.Errorf("%w: a note of correlation %d its rules do not make", errNotesCorrupt, n.corr)
		}
	}
	return nil
}

// useSpills gives each file the runs of its entries in the scan's spills
// of notes, for the partition passes to read, when the spills are whole;
// it logs why they are not.
func (s *Scanner) useSpills(files []*notedFile) {
	ns := s.noteSpills
	if ns == nil {
		return
	}
	segs := ns.finish()
	if segs == nil {
		// A warning: a full or missing temporary folder is the user's to
		// mend, and so are inputs past the cap (split the scan). The scan
		// of files is whole, but several times slower; that of a stream is
		// not.
		s.corrNoSpill = ns.reason()
		what := "correlations' notes could not be spilled to disk"
		if errors.Is(s.corrNoSpill, errNoteSpillCap) {
			what = fmt.Sprintf("correlations' notes passed the %d MiB they may take on disk", maxNoteSpill>>20)
		}
		if slices.ContainsFunc(files, func(nf *notedFile) bool { return nf.stream }) {
			s.opts.Log.Warn(what+": the records of standard input and uploads past what correlations keep are not counted",
				"error", s.corrNoSpill)
		} else {
			s.opts.Log.Warn(what+": partition passes read the files again, which takes longer", "error", s.corrNoSpill)
		}
		return
	}
	for _, nf := range files {
		if runs, ok := segs[nf.name]; ok {
			nf.segs = runs
			s.corrSpilled = true
		}
	}
}
