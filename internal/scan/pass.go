package scan

import (
	"errors"
	"fmt"
	"math/bits"
	"os"
	"sync"
	"sync/atomic"

	"github.com/ttcproject/ttc/internal/cloudtrail"
	"github.com/ttcproject/ttc/internal/detect"
)

// notedFile is a file whose records correlations counted in the scan's
// first reading: n records, the last of them numbered last.
type notedFile struct {
	name    string
	info    os.FileInfo // as the first reading found it
	n, last int64
	changed bool // it changed since, and a warning said so
	// leftOut says that its records were counted as not kept for the
	// passes that left it out (see part.corrLeftOut).
	leftOut bool
	// lost marks, by ordinal, the records that a partition pass that kept
	// what it could could not keep, so that a record that counts for groups
	// of two such passes is counted as not kept once.
	lost []uint64
	// segs are the runs of its records' entries in a spill of notes, in
	// order, which passes read in its stead; none when they read the file
	// again.
	segs []noteSegment
	// stream says that it is a stream (standard input, an upload), which
	// cannot be read again: passes can count its records only from segs.
	stream bool
}

// notLost returns how many of the file's counted records no pass marked
// as not kept.
func (nf *notedFile) notLost() int64 {
	n := nf.n
	for _, w := range nf.lost {
		n -= int64(bits.OnesCount64(w))
	}
	return max(n, 0)
}

// markLost marks record ordinal as not kept, and reports whether it was
// not marked before.
func (nf *notedFile) markLost(ordinal int64) bool {
	if nf.lost == nil {
		nf.lost = make([]uint64, nf.last/64+1)
	}
	i, bit := ordinal/64, uint64(1)<<(ordinal%64)
	if i < 0 || i >= int64(len(nf.lost)) || nf.lost[i]&bit != 0 {
		return false
	}
	nf.lost[i] |= bit
	return true
}

// pass reads the records of files again on workers, from the spill of
// notes or from the files themselves, and notes, for correlations, those
// of the groups of pt, within the whole bounds or, when shares, giving
// each rule its share; final says that the pass's findings are made
// whatever it could not keep. It returns the workers' parts. The warnings
// of files that changed (when read again) go to again.
func (s *Scanner) pass(files []*notedFile, pt partition, workers int, final, shares bool, again *part) []*part {
	if passHook != nil {
		passHook()
	}
	s.corrPasses++
	s.corr.restart(&pt, !shares)
	l := pt.last()
	s.opts.Log.Debug("correlation partition pass", "pass", l.k, "of", l.n, "level", len(pt.levels), "workers", workers)
	work := passWork(files)
	parts := make([]*part, max(1, min(workers, len(work))))
	var next atomic.Int64
	var wg sync.WaitGroup
	for i := range parts {
		parts[i] = &part{}
		w := &worker{s: s, p: parts[i], compact: true, final: final,
			r: cloudtrail.NewReader(cloudtrail.Options{Gzip: s.opts.Gzip, MaxInputBytes: s.opts.MaxInputBytes})}
		wg.Go(func() {
			for j := int(next.Add(1) - 1); j < len(work) && !w.stopped(); j = int(next.Add(1) - 1) {
				if nf := work[j].nf; work[j].seg != nil {
					w.replayNotes(nf, work[j].seg)
				} else {
					w.recountFile(nf)
				}
			}
		})
	}
	wg.Wait()
	for _, p := range parts {
		again.sum.Warnings += p.sum.Warnings
		for _, r := range p.warnings {
			again.warnings = keepFirst(again.warnings, r)
		}
		p.sum.Warnings, p.warnings = 0, nil
	}
	// A file left out from this pass on holds records that groups of this
	// pass, or of those after it, may not have counted: they are counted
	// as not kept, once, so that the scan says it is not complete.
	for _, nf := range files {
		if nf.changed && !nf.leftOut {
			nf.leftOut = true
			again.corrLeftOut += nf.notLost()
		}
	}
	return parts
}

// passRead is what one worker of a pass reads at a time: a run of a
// file's entries in a spill of notes, or, when seg is nil, the file.
type passRead struct {
	nf  *notedFile
	seg *noteSegment
}

// passWork returns what a pass reads of files, in order: the runs of
// each, or the file when it has none.
func passWork(files []*notedFile) []passRead {
	var out []passRead
	for _, nf := range files {
		if len(nf.segs) == 0 {
			out = append(out, passRead{nf: nf})
		}
		for i := range nf.segs {
			out = append(out, passRead{nf, &nf.segs[i]})
		}
	}
	return out
}

// stopped reports whether the run's context is done.
func (s *Scanner) stopped() bool {
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}

// recountFile reads file nf again for a partition pass, when its notes were
// not spilled (see notespill.go). A file that is not
// the one the scan read (another file has its name, or it changed since
// in size or time) is left out, with a warning, in this pass and those
// after it; so is one that now holds another number of counted records,
// from the next pass on.
func (w *worker) recountFile(nf *notedFile) {
	if nf.changed {
		return
	}
	f, err := openAgain(nf.name, nf.info)
	if err == nil {
		var fi os.FileInfo
		if fi, err = f.Stat(); err == nil && nf.info != nil && (fi.Size() != nf.info.Size() || !fi.ModTime().Equal(nf.info.ModTime())) {
			err = errors.New("its size or time of change is not what it was")
		}
	}
	if err != nil {
		if f != nil {
			f.Close()
		}
		w.changedFile(nf, fmt.Sprintf("could not be read as it was when the scan read it (%s): its records are not counted from then on, and a burst among them may be missed (they are counted in correlation_records_not_kept)", err))
		return
	}
	defer f.Close()
	w.fileInfo, w.again = nf.info, nf
	defer func() { w.again = nil }()
	if n := w.recount(f, nf); n != nf.n && !w.stopped() {
		w.changedFile(nf, fmt.Sprintf("held %d records they count where it held %d when the scan read it: it changed, and the correlations may miss or miscount a burst among its records (they are counted in correlation_records_not_kept)", n, nf.n))
	}
}

// changedFile warns that file nf changed since the scan read it.
func (w *worker) changedFile(nf *notedFile, what string) {
	nf.changed = true
	reason := "correlations read this file again, to count a part of their groups at a time, and it " + what
	w.s.opts.Log.Warn(reason, "file", nf.name)
	w.p.sum.Warnings++
	w.p.warnings = keepFirst(w.p.warnings, Rejection{File: nf.name, Reason: reason, Whole: true})
}

// recount reads the records of file f, nf, again, and notes for
// correlations those of the groups of the pass, judging each record as
// worker.read did: the records it rejected are left out here too, and
// nothing else is counted, reported or shown as progress. It stops after
// the last record the first reading counted, and returns how many records
// the correlations counted.
func (w *worker) recount(f *os.File, nf *notedFile) (counted int64) {
	s := w.s
	w.r.Reset(f, nf.name)
	since := 0
	for {
		rec, err := w.r.Next()
		if err != nil {
			if re := (*cloudtrail.RecordError)(nil); errors.As(err, &re) && re.Pos.Ordinal <= nf.last {
				continue
			}
			return counted // the end, or where the first reading stopped too
		}
		if rec.Pos.Ordinal > nf.last {
			return counted
		}
		if since++; since == 4096 {
			since = 0
			if w.stopped() {
				return counted
			}
		}
		idx, ok := w.members(rec)
		if ok && namesNoEvent(rec) {
			continue
		}
		if ok {
			w.matches, err = s.rules.Matcher.AppendMatchesKnown(w.matches[:0], rec.Raw, w.tops, idx)
		} else {
			w.tops = nil
			w.matches, err = s.rules.Matcher.AppendMatches(w.matches[:0], rec.Raw)
		}
		if err != nil || len(w.matches) == 0 {
			continue
		}
		w.counted, w.countedMatch = w.counted[:0], detect.Match{}
		for _, m := range w.matches {
			if r := s.rules.Lookup(m.Rule); r != nil && len(r.Feeds) > 0 {
				if len(w.counted) == 0 {
					w.countedMatch = m
				}
				w.counted = append(w.counted, r)
			}
		}
		if len(w.counted) == 0 {
			continue
		}
		// The header is read from the record's text where it can be, as a
		// streamed scan reads it: a compact note needs no more.
		var h header
		var rh *rawHeader
		if w.tops != nil {
			if r, ok := readRawHeader(rec.Raw, w.tops, idx); ok {
				rh = &r
				w.rawFields(rh, rec.Raw, idx, &h)
			}
		}
		if rh == nil {
			h = headerOfTops(rec.Raw, w.tops, nil)
		}
		at, reason := placeMatched(rec.Raw, w.tops, &h, rh)
		if reason != "" {
			continue
		}
		pos := RecordRef{File: rec.Pos.File, Ordinal: rec.Pos.Ordinal, Line: rec.Pos.Line, Offset: rec.Pos.Offset}
		w.offered = false
		w.noteCorrelations(w.counted, w.countedMatch, rec.Raw, idx, &h, rh, at, pos)
		if w.offered {
			counted++
		}
	}
}
