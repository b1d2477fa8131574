package scan

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/ttcproject/ttc/internal/clip"
	"github.com/ttcproject/ttc/internal/cloudtrail"
	"github.com/ttcproject/ttc/internal/detect"
	"github.com/ttcproject/ttc/internal/jsonscan"
	"github.com/ttcproject/ttc/internal/ruleset"
	"github.com/ttcproject/ttc/internal/view"
)

// emit hands findings on in streaming mode: it drops duplicates and
// filtered findings under a lock, then hands the rest on outside it, so
// that workers do so at the same time: to opts.Collect one by one, or
// encoded to opts.EmitJSON in chunks (see flush). rh, when not nil, is the
// record the findings come from, and their record fields are taken from it.
func (w *worker) emit(fs []Finding, rh *rawHeader) {
	s := w.s
	event, hasID := w.eventDigest(fs, rh)
	keep := w.keep[:0]
	s.emitMu.Lock()
	if s.emitErr != nil {
		s.emitMu.Unlock()
		return
	}
	for i := range fs {
		f := &fs[i]
		keep = append(keep, false)
		if hasID {
			if s.emitted.add(dupHash(s.seed, event, &f.Rule, f.TechniqueID)) {
				s.streamed.Duplicates++
				continue
			}
		}
		if !s.keep(f) {
			s.streamed.Filtered++
			continue
		}
		keep[i] = true
		s.streamed.Findings++
	}
	s.emitMu.Unlock()
	w.keep = keep
	if s.opts.EmitJSON == nil {
		for i := range fs {
			if keep[i] {
				s.opts.Collect(&fs[i])
			}
		}
		return
	}
	for i := range fs {
		if keep[i] {
			w.out = append(appendFinding(w.out, &fs[i], rh), '\n')
			if len(w.out) >= emitChunk {
				w.flush()
			}
		}
	}
}

// emitChunk is about how many bytes of findings a worker gathers before
// it hands them on.
const emitChunk = 64 << 10

// flush hands the worker's gathered findings on.
func (w *worker) flush() {
	s := w.s
	if len(w.out) == 0 || s.opts.EmitJSON == nil {
		return
	}
	err := s.opts.EmitJSON(w.out)
	w.out = w.out[:0]
	if cap(w.out) > 4*emitChunk {
		w.out = nil // let the room made for one huge finding go
	}
	if err != nil {
		s.fail(fmt.Errorf("emit finding: %w", err))
	}
}

// warn notes a warning about a file (see Result.Warnings) for the report,
// and logs it at once, as a long scan goes on.
func (w *worker) warn(log *slog.Logger, r Rejection) {
	p := w.p
	p.sum.Warnings++
	r.Whole = true
	p.warnings = keepFirst(p.warnings, r)
	log.Warn(r.Reason, "file", r.File)
}

type worker struct {
	s       *Scanner
	p       *part
	r       *cloudtrail.Reader
	matches []detect.Match
	tops    []jsonscan.Member // the record's top-level members
	strs    *interner
	scratch []Finding // one record's findings, in streaming mode
	keep    []bool    // which of them emit hands on
	out     []byte    // findings' JSON lines not handed on yet
	text    []byte    // scratch for decoded record fields
	frags   map[fragKey]*frag
	encName string // the file name whose JSON string encFile holds
	encFile []byte
	digest  []byte // scratch for an event digest
	clip    []byte // scratch for a clipped field
	stamp   []byte // scratch for a time written as a compact correlation note compares it
	keys    []byte // scratch for a record's correlation group keys
	// counted lists the rules correlations count that matched the record
	// being read, countedMatch the match of the first; pending holds the
	// notes of the record being noted.
	counted      []*ruleset.Rule
	countedMatch detect.Match
	pending      []pendingNote
	fields       []detect.FieldValue // scratch for a correlation's fields
	hashes       []uint64            // scratch for the hashes of a record's counted values
	// note is what the correlations read of the record being noted (see
	// readGroups), or what a partition pass read of it from a spill.
	note noteEntry
	// noteOut is the worker's spill of correlation notes, noteIn what
	// reads one back (see notespill.go).
	noteOut *noteSpill
	noteIn  *noteDecoder
	// compact says that the file read is a regular file the scan can read
	// again: its records are noted for correlations as compact notes.
	compact bool
	// fileInfo describes the file being read, when compact: a record read
	// again must come from the same file.
	fileInfo os.FileInfo
	// During a partition pass, again is the file read, final says that
	// the pass's findings are made whatever it could not keep, and offered
	// that noteCorrelations read the groups of the record being read (see
	// worker.recount).
	again   *notedFile
	final   bool
	offered bool
}

// fragKey names what fixes a frag: a rule and one of its techniques.
type fragKey struct {
	rule      *ruleset.Rule
	technique string
}

// fragOf returns the frag of f, a finding of rule r, encoding it the first
// time the rule and technique meet.
func (w *worker) fragOf(r *ruleset.Rule, f *Finding) *frag {
	k := fragKey{r, f.TechniqueID}
	fr := w.frags[k]
	if fr == nil {
		if w.frags == nil {
			w.frags = map[fragKey]*frag{}
		}
		fr = newFrag(f)
		w.frags[k] = fr
	}
	return fr
}

// fileJSON returns name as a JSON string, encoded once per file.
func (w *worker) fileJSON(name string) []byte {
	if w.encFile == nil || name != w.encName {
		w.encName, w.encFile = name, appendString(w.encFile[:0], name)
	}
	return w.encFile
}

func (s *Scanner) newWorker(p *part) *worker {
	w := &worker{s: s, p: p, r: cloudtrail.NewReader(cloudtrail.Options{Gzip: s.opts.Gzip, MaxInputBytes: s.opts.MaxInputBytes,
		MaxTotalInputBytes: s.opts.MaxTotalInputBytes})}
	// Streamed findings are written at once: sharing their strings across
	// findings would only cost time. (Most are written from the record's
	// text and make no strings at all.) Findings that spill to disk are
	// held a few thousand at a time, and sharing theirs costs more time and
	// memory than it saves: about 10 % of a sorted scan's time and 20 MB of
	// its peak (-o table on 1 GiB, 480,000 findings).
	if !s.streams() && s.opts.SpillAfter <= 0 {
		w.strs = newInterner()
	}
	return w
}

// fileEnd says how the reading of one input ended.
type fileEnd int

const (
	endStopped fileEnd = iota // the run stopped (or failed) first
	endLog                    // read as a log, to its end
	endFailed                 // read as a log, not to its end: it could not be opened, or broke
	endEmpty                  // set aside: it held nothing, or only space
	endAside                  // set aside for what it holds: a digest file
)

// readAsLog says whether the input was read, or tried, as a log.
func (e fileEnd) readAsLog() bool { return e == endLog || e == endFailed }

// file reads one input to its end and accounts for every record in it.
func (w *worker) file(in cloudtrail.Input) fileEnd {
	f, err := in.Open(w.s.opts.Stdin)
	if err != nil {
		w.p.sum.FilesFailed++
		w.p.reject(Rejection{File: in.Path, Reason: err.Error(), Whole: true})
		return endFailed
	}
	defer f.Close()
	if in.Path != "-" {
		if osf, ok := f.(*os.File); ok {
			fi, err := osf.Stat()
			w.compact = err == nil && fi.Mode().IsRegular()
			w.fileInfo = fi
		}
	}
	end := w.read(f, in)
	w.compact, w.fileInfo = false, nil
	return end
}

// read classifies the records of one opened input.
func (w *worker) read(f io.Reader, in cloudtrail.Input) fileEnd {
	log := w.s.opts.Log
	w.r.Reset(f, in.Path)
	var malformed, sinceProgress int64
	end := endStopped
	var lastBytes int64
	for {
		rec, err := w.r.Next()
		if err != nil {
			var re *cloudtrail.RecordError
			if errors.As(err, &re) {
				w.p.reject(rejectionAt(re.Pos, re.Reason))
				continue
			}
			end = w.endFile(in, err)
			break
		}
		if sinceProgress++; sinceProgress == 4096 {
			w.s.records.Add(sinceProgress)
			b := w.r.Stats().Bytes
			w.s.bytes.Add(b - lastBytes)
			lastBytes, sinceProgress = b, 0
			if w.stopped() {
				break // the run is over: its result is not given, so the file's end need not be read
			}
		}
		if rec.Kind == cloudtrail.KindInsight {
			w.p.sum.Insights++
		}
		idx, ok := w.members(rec)
		// Every CloudTrail record names its event (an Insights record in
		// its insightDetails, which the reader recognised); an object that
		// does not is some other JSON (an index, a report, a fragment) and
		// is rejected rather than counted as an unmatched record.
		if ok && namesNoEvent(rec) {
			malformed++
			w.p.reject(rejectionAt(rec.Pos, "not a CloudTrail record: its eventSource or eventName is missing, empty or not a string"))
			continue
		}
		if ok && w.s.opts.Sessions {
			w.noteSession(rec.Raw, w.tops, idx)
		}
		if ok {
			w.matches, err = w.s.rules.Matcher.AppendMatchesKnown(w.matches[:0], rec.Raw, w.tops, idx)
		} else {
			w.tops = nil // the header is then read from the record itself
			w.matches, err = w.s.rules.Matcher.AppendMatches(w.matches[:0], rec.Raw)
		}
		if err != nil {
			malformed++
			w.p.reject(rejectionAt(rec.Pos, err.Error()))
			continue
		}
		if len(w.matches) == 0 {
			w.p.sum.Unmatched++
			continue
		}
		// Streamed findings are written from the record's own text when it
		// can be read that way; the others make the header's strings.
		var h header
		var rh *rawHeader
		if w.s.opts.EmitJSON != nil && w.tops != nil {
			if r, ok := readRawHeader(rec.Raw, w.tops, idx); ok {
				rh = &r
				rh.file = w.fileJSON(rec.Pos.File)
				w.rawFields(rh, rec.Raw, idx, &h)
			}
		}
		if rh == nil {
			h = headerOfTops(rec.Raw, w.tops, w.strs)
		}
		at, reason := placeMatched(rec.Raw, w.tops, &h, rh)
		if reason != "" {
			malformed++
			w.p.sum.MatchedRejected++
			w.p.reject(rejectionAt(rec.Pos, reason))
			continue
		}
		w.p.sum.Matched++
		pos := RecordRef{File: rec.Pos.File, Ordinal: rec.Pos.Ordinal, Line: rec.Pos.Line, Offset: rec.Pos.Offset}
		w.scratch = w.scratch[:0]
		if w.s.corr != nil {
			// The rules correlations count that matched the record: it is
			// noted once for all their correlations.
			w.counted, w.countedMatch = w.counted[:0], detect.Match{}
			for _, m := range w.matches {
				if r := w.s.rules.Lookup(m.Rule); r != nil && len(r.Feeds) > 0 {
					if len(w.counted) == 0 {
						w.countedMatch = m
					}
					w.counted = append(w.counted, r)
				}
			}
			if len(w.counted) > 0 {
				w.noteCorrelations(w.counted, w.countedMatch, rec.Raw, idx, &h, rh, at, pos)
			}
		}
		for _, m := range w.matches {
			if r := w.s.rules.Lookup(m.Rule); r != nil {
				if r.Silent {
					continue
				}
				if w.s.opts.EmitJSON != nil {
					n := len(w.scratch)
					w.scratch = newFindings(w.scratch, &h, at, m, r, w.s.describe, pos)
					for i := n; i < len(w.scratch); i++ {
						w.scratch[i].frag = w.fragOf(r, &w.scratch[i])
					}
					continue
				}
				if w.s.opts.Collect != nil {
					w.scratch = newFindings(w.scratch, &h, at, m, r, w.s.describe, pos)
					continue
				}
				c := w.p.findings.room()
				n := len(*c)
				*c = newFindings(*c, &h, at, m, r, w.s.describe, pos)
				w.p.held += len(*c) - n
				if w.s.spill == nil {
					w.s.noteHeld(int64(len(*c) - n))
				} else {
					for i := n; i < len(*c); i++ {
						w.p.heldBytes += findingBytes(&(*c)[i])
					}
				}
			}
		}
		if w.s.spill != nil && (w.p.held >= w.s.opts.SpillAfter || w.p.heldBytes >= spillBytes) {
			if err := w.p.spill(w.s.spill, w.s.runLimit()); err != nil {
				w.s.fail(err)
				return endStopped
			}
		}
		if len(w.scratch) > 0 {
			w.emit(w.scratch, rh)
		}
	}
	w.flush()
	st := w.r.Stats()
	w.s.records.Add(sinceProgress)
	w.s.bytes.Add(st.Bytes - lastBytes)
	w.s.files.Add(1)
	w.p.sum.Read += st.Read
	w.p.sum.Rejected += st.Rejected + malformed
	w.p.sum.ControlItems += st.Skipped
	w.p.sum.OtherEvents += st.OtherEvents
	if end != endEmpty && end != endAside {
		w.p.sum.Bytes += st.Bytes
	}
	log.Debug("file read", "file", in.Path, "records", st.Read, "rejected", st.Rejected+malformed, "shape", st.Shapes.String())
	if st.Repeated > 0 {
		msg := fmt.Sprintf("an object repeats its container key, or holds more than one (Records, Events, logEvents): %s after the first, all read here, but other tools read only one: a forged or damaged log",
			view.Count(st.Repeated, "array", "arrays"))
		w.warn(log, Rejection{File: in.Path, Reason: msg})
	}
	if st.Unseparated > 0 {
		msg := fmt.Sprintf("an array misses the ',' before %s (the first at line %d): read all the same, but other tools fail on the file: a damaged log",
			view.Count(st.Unseparated, "record", "records"), st.UnseparatedLine)
		w.warn(log, Rejection{File: in.Path, Line: st.UnseparatedLine, Offset: st.UnseparatedAt, Reason: msg})
	}
	if in.Folder == cloudtrail.FolderDigest && st.Produced > 0 {
		msg := fmt.Sprintf("a file in a CloudTrail-Digest folder holds %s, not a digest; CloudTrail does not write logs there",
			view.Count(st.Produced, "record", "records"))
		w.warn(log, Rejection{File: in.Path, Reason: msg})
	}
	return end
}

// rawFields sets the fields of h that the scan judges a record read as r
// by (raw is its text, idx its objects), and notes the record's target.
func (w *worker) rawFields(r *rawHeader, raw []byte, idx *jsonscan.Index, h *header) {
	h.EventTime = string(r.text(hEventTime, &w.text))
	h.ErrorCode = string(r.text(hErrorCode, &w.text))
	h.SignIn = string(r.text(hSignIn, &w.text))
	// A message of blanks alone is none, as an errorCode of blanks is.
	if v := r.v[hErrorMessage]; len(v) > len(`""`) && v[0] == '"' {
		h.errorMessage = !blankJSON(v[1 : len(v)-1])
	}
	r.noteTarget(raw, idx)
}

// placeMatched returns the time of a record that matched rules, whose
// header is h (read as rh when not nil), or why it cannot be reported.
func placeMatched(raw []byte, tops []jsonscan.Member, h *header, rh *rawHeader) (at time.Time, reason string) {
	// A finding is placed in time; a record whose eventTime is no time
	// cannot be, and is rejected rather than reported out of place.
	at, problem := PlaceTime(h.EventTime)
	if problem != "" {
		return at, "matched rules, but " + problem
	}
	// Nor can it name its event when the record holds the event's
	// source or name as something other than text (an array, say,
	// which a rule reads element by element). A record read as rh
	// holds them as text or not at all.
	if rh == nil && (h.EventSource == "" || h.EventName == "") {
		if key := notText(raw, tops, "eventSource", "eventName"); key != "" {
			return at, "matched rules, but " + key + " is not a string"
		}
	}
	return at, ""
}

// PlaceTime reads a record's eventTime (empty when it is missing or not a
// string) as a scan places its findings in time, or says why it cannot:
// a record a rule matches is then rejected with that reason.
func PlaceTime(eventTime string) (at time.Time, problem string) {
	at, isTime := cloudtrail.TimeOf(eventTime)
	switch {
	case isTime && detect.Countable(at):
		return at, ""
	case eventTime == "":
		return at, "eventTime is missing, empty or not a string"
	case isTime:
		return at, fmt.Sprintf(`eventTime "%s" is outside the years 1678 to 2261 that a scan can place in time`, clip.String(eventTime, 64))
	}
	return at, fmt.Sprintf(`eventTime "%s" is not a timestamp`, clip.String(eventTime, 64))
}

// stopped reports whether the run's context is done.
func (w *worker) stopped() bool {
	select {
	case <-w.s.done:
		return true
	default:
		return false
	}
}

// endFile records how reading a file ended, err being what the reader's
// last Next returned.
func (w *worker) endFile(in cloudtrail.Input, err error) fileEnd {
	if errors.Is(err, io.EOF) {
		if st := w.r.Stats(); st.Read == 0 && st.Skipped == 0 && st.Shapes&^(cloudtrail.ShapeGzip|cloudtrail.ShapeLambda) == 0 {
			// A named file or stream that held nothing, or only space: set
			// aside, and said, rather than read as a log without records.
			// (A folder walk sets such files aside before reading them.)
			reason := "empty input: nothing to read"
			if st.Bytes > 0 {
				reason = "blank input: nothing but white space"
			}
			if st.Shapes&cloudtrail.ShapeLambda != 0 {
				reason = "Lambda subscription event whose payload (awslogs.data) holds nothing"
				if st.Bytes > 0 {
					reason += " but white space"
				}
			}
			w.p.skip(Rejection{File: in.Path, Reason: reason, Whole: true})
			w.p.sum.FilesEmpty++
			return endEmpty
		}
		w.p.sum.Files++
		return endLog
	}
	var fe *cloudtrail.FileError
	if errors.As(err, &fe) && errors.Is(err, cloudtrail.ErrDigest) {
		w.p.skip(Rejection{File: in.Path, Reason: "CloudTrail digest file (log-file validation), not a log", Whole: true})
		return endAside
	}
	w.p.sum.FilesFailed++
	r := Rejection{File: in.Path, Reason: err.Error(), Whole: true}
	if fe != nil {
		r.Line, r.Offset, r.Ordinal, r.Reason = fe.Pos.Line, fe.Pos.Offset, fe.Pos.Ordinal, fe.Err.Error()
	}
	w.p.reject(r)
	w.s.opts.Log.Warn("file not read to the end", "file", in.Path, "error", err)
	return endFailed
}

// rejectionAt is a rejection of the record at pos.
func rejectionAt(pos cloudtrail.Position, reason string) Rejection {
	return Rejection{File: pos.File, Ordinal: pos.Ordinal, Line: pos.Line, Offset: pos.Offset, Reason: reason}
}

// notText returns the first of keys whose value in the record is neither
// a string nor null, or "". tops lists the record's top-level members;
// when nil, they are read from raw.
func notText(raw []byte, tops []jsonscan.Member, keys ...string) string {
	if tops == nil {
		var ok bool
		if tops, ok = jsonscan.AppendMembers(nil, raw); !ok {
			return ""
		}
	}
	for _, key := range keys {
		for _, m := range tops {
			if string(raw[m.KStart:m.KEnd]) == `"`+key+`"` {
				if c := raw[m.VStart]; c != '"' && c != 'n' {
					return key
				}
				break // the first counts, as for the matcher
			}
		}
	}
	return ""
}

// members lists the members of rec's object in w.tops: as the reader
// listed them while it checked the record, with the index of the objects
// nested in it, or, when it did not, from the record's text, without an
// index. They serve the matcher and the finding header. ok is false when
// the text is not one object.
func (w *worker) members(rec *cloudtrail.Record) (idx *jsonscan.Index, ok bool) {
	if rec.Top != nil {
		w.tops = rec.Top
		return rec.Index, true
	}
	w.tops, ok = jsonscan.AppendMembers(w.tops[:0:0], rec.Raw)
	return nil, ok
}

// namesNoEvent reports whether rec, an object, is no CloudTrail record: it
// names no event, and is no Insights record (which names its event in its
// insightDetails).
func namesNoEvent(rec *cloudtrail.Record) bool {
	return rec.Kind != cloudtrail.KindInsight && !rec.NamesEvent
}
