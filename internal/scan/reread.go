package scan

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/ttcproject/ttc/internal/cloudtrail"
	"github.com/ttcproject/ttc/internal/detect"
	"github.com/ttcproject/ttc/internal/jsonscan"
	"github.com/ttcproject/ttc/internal/view"
)

// Hooks for tests: rereadHook runs before a scan reads records of its
// files again, peakHook when correlate holds the most, passHook before
// each partition pass.
var rereadHook, peakHook, passHook func()

// readAgain reads the records of recs, compact notes of records of files,
// from their files, and returns the findings made of them. A record that
// cannot be read again, or that is not the record noted (the file
// changed), has no finding; a warning about its file is logged and noted
// in p.
func (s *Scanner) readAgain(recs []corrRef, p *part) map[*corrRecord]*Finding {
	if len(recs) == 0 {
		return nil
	}
	if rereadHook != nil {
		rereadHook()
	}
	byFile := map[string][]corrRef{}
	var files []string
	for _, r := range recs {
		name := r.place().File
		if _, ok := byFile[name]; !ok {
			files = append(files, name)
		}
		byFile[name] = append(byFile[name], r)
	}
	slices.Sort(files)
	done := s.pickAll(files, byFile)
	made := map[*corrRecord]*Finding{}
	for i, name := range files {
		for r, f := range done[i].made {
			made[r] = f
		}
		lost := done[i].lost
		if lost == 0 {
			continue
		}
		reason := fmt.Sprintf("%s that correlation findings name could not be read again from the file, which changed since it was read: "+
			"those findings give only the record's place, time and outcome, and what their group-by values say",
			view.Count(int64(lost), "record", "records"))
		if err := done[i].err; err != nil {
			reason += " (" + err.Error() + ")"
		}
		s.opts.Log.Warn(reason, "file", name)
		p.sum.Warnings++
		p.warnings = keepFirst(p.warnings, Rejection{File: name, Reason: reason, Whole: true})
	}
	return made
}

// readSpilled reads the texts of recs, compact notes of records of
// streams, back from the spill of notes, makes their findings as noting
// the records whole made them, and adds them to made (made when nil). A
// text that cannot be read back, or is not the record noted, stops the
// scan with an error, as a damaged run of notes does: a finding made of
// what the note kept alone would differ from the scan's with room.
func (s *Scanner) readSpilled(recs []corrRef, made map[*corrRecord]*Finding) map[*corrRecord]*Finding {
	if len(recs) > 0 && made == nil {
		made = map[*corrRecord]*Finding{}
	}
	var buf []byte
	for _, r := range recs {
		st, spill := r.p.textOf(r.i), r.p.corrSpills[r.r.file]
		buf = slices.Grow(buf[:0], int(st.n))[:st.n]
		var f *Finding
		err := fmt.Errorf("%w: no text for record %d", errNotesCorrupt, r.r.ordinal) // never
		if spill != nil && st.n > 0 {
			_, err = spill.ReadAt(buf, st.off)
		}
		if err == nil {
			if f = s.findingAgain(r, cloudtrail.Picked{Raw: buf}); f == nil {
				err = fmt.Errorf("%w: the text of record %d is not the record noted", errNotesCorrupt, r.r.ordinal)
			}
		}
		if err != nil {
			s.fail(fmt.Errorf("read back the correlation notes of %s: %w", r.place().File, err))
			return made
		}
		made[r.r] = f
	}
	return made
}

// textOf returns where the text of record i, a stream's that a partition
// pass noted, lies in the spill; n is 0 when it is not known (never).
func (p *part) textOf(i int32) spilledText {
	l := &p.corrTexts
	k := sort.Search(l.n, func(k int) bool { return l.at(k).rec >= i })
	if k == l.n || l.at(k).rec != i {
		return spilledText{}
	}
	return *l.at(k)
}

// pickedFile is what reading one file again gave: the findings of its
// records that could be made again, and why some could not.
type pickedFile struct {
	made map[*corrRecord]*Finding
	lost int // the references to records that could not be made again
	err  error
}

// pickAll reads the records byFile names again, from files, several files
// at once as the scan read them (this happens after the scan, while
// nothing else runs), and makes their findings as it goes, so that no
// more than one record text per worker is held at a time.
func (s *Scanner) pickAll(files []string, byFile map[string][]corrRef) []pickedFile {
	out := make([]pickedFile, len(files))
	opts := cloudtrail.Options{Gzip: s.opts.Gzip, MaxInputBytes: s.opts.MaxInputBytes}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(s.opts.Workers, len(files)) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < len(files); i = int(next.Add(1) - 1) {
				rs := byFile[files[i]]
				var want []int64
				seen := map[int64]bool{}
				for _, r := range rs {
					if !seen[r.r.ordinal] {
						seen[r.r.ordinal] = true
						want = append(want, r.r.ordinal)
					}
				}
				picked, err := pickFrom(files[i], rs[0].p.corrInfos[rs[0].r.file], want, opts)
				pf := pickedFile{made: map[*corrRecord]*Finding{}, err: err}
				for _, r := range rs {
					if f := s.findingAgain(r, picked[r.r.ordinal]); f != nil {
						pf.made[r.r] = f
					} else {
						pf.lost++
					}
				}
				out[i] = pf
			}
		})
	}
	wg.Wait()
	return out
}

// pickFrom reads the records numbered want from the regular file name.
func pickFrom(name string, was os.FileInfo, want []int64, opts cloudtrail.Options) (map[int64]cloudtrail.Picked, error) {
	f, err := openAgain(name, was)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return cloudtrail.PickPrefix(f, name, want, opts)
}

// openAgain opens the regular file name, which the scan read, again: it
// must be the file was describes (when not nil).
func openAgain(name string, was os.FileInfo) (*os.File, error) {
	errIrregular := errors.New("not a regular file")
	if fi, err := os.Stat(name); err != nil {
		return nil, err
	} else if !fi.Mode().IsRegular() {
		return nil, errIrregular // a FIFO would hang the read
	}
	f, err := os.OpenFile(name, os.O_RDONLY|openNoWait, 0)
	if err != nil {
		return nil, err
	}
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		f.Close()
		return nil, errIrregular
	} else if was != nil && !os.SameFile(fi, was) {
		// Another file under the name (replaced, or a link pointed
		// elsewhere, out of the folder scanned perhaps).
		f.Close()
		return nil, errors.New("another file now has this name")
	}
	return f, nil
}

// findingAgain makes the finding of compact note r from its record read
// again, p, as recordOf and keepNotes made it of the record when first
// read; nil when p is not that record.
func (s *Scanner) findingAgain(r corrRef, p cloudtrail.Picked) *Finding {
	if p.Raw == nil || p.Reason != "" {
		return nil
	}
	tops, ok := jsonscan.AppendMembers(nil, p.Raw)
	if !ok {
		tops = nil
	}
	h := headerOfTops(p.Raw, tops, nil)
	at := parseTime(h.EventTime)
	if at.IsZero() || at.UnixNano() != r.r.at {
		return nil
	}
	fs := newFindings(nil, &h, at, detect.Match{}, r.p.corrRules[r.r.rule], s.describe, r.place())
	f := &fs[0]
	f.Matched = nil
	// The digest covers a record without an event ID too (see
	// worker.recordDigest).
	hasID := r.r.flags&recHasID != 0
	if f.EventTime != r.time() || (f.EventID != "") != hasID || findingDigest(s.seed, f) != r.r.digest {
		return nil
	}
	return f
}
