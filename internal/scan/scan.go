// Package scan classifies CloudTrail records into catalog techniques: it
// reads inputs with internal/cloudtrail on several workers, runs the rule
// set's matcher on every record, and accounts for every record read as
// matched, unmatched or rejected.
package scan

import (
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ttcproject/ttc/internal/catalog"
	"github.com/ttcproject/ttc/internal/clip"
	"github.com/ttcproject/ttc/internal/cloudtrail"
	"github.com/ttcproject/ttc/internal/detect"
	"github.com/ttcproject/ttc/internal/jsonscan"
	"github.com/ttcproject/ttc/internal/ruleset"
	"github.com/ttcproject/ttc/internal/view"
)

// placeable reports whether t can be counted in nanoseconds since 1970, as
// correlations and time windows count it: the years 1678 to 2261. A
// CloudTrail record outside them (CloudTrail began in 2013) is forged or
// broken.
func placeable(t time.Time) bool {
	return t.Year() >= 1678 && t.Year() <= 2261
}

// MaxRejections bounds how many rejected records and file errors, how many
// skipped files and how many warnings are kept with their details, each;
// all of them are counted (see Summary's Unlisted).
const MaxRejections = 1000

// Options tune a scan.
type Options struct {
	// Workers is how many files are read at once; 0 means one per CPU.
	Workers int
	// Stdin is read for the input "-".
	Stdin io.Reader
	// Gzip picks the decompressor (for benchmarks).
	Gzip cloudtrail.Gzip
	// MaxInputBytes, when above zero, bounds what is read of each input
	// after decompression (see cloudtrail.Options.MaxInputBytes).
	MaxInputBytes int64
	// MaxTotalInputBytes, when above zero, bounds what one worker reads of
	// all its inputs together after decompression (see
	// cloudtrail.Options.MaxTotalInputBytes). ScanStreams reads its streams
	// on one worker: for it, the bound is on all of them.
	MaxTotalInputBytes int64
	// Since and Until keep findings whose event time lies in [Since, Until).
	Since, Until time.Time
	// Techniques keeps findings of these techniques or their sub-techniques.
	Techniques []string
	// Tactics keeps findings of these tactic IDs.
	Tactics []string
	// Log receives per-file diagnostics; nil discards them.
	Log *slog.Logger
	// EmitJSON, when set, receives the findings as they are found (after
	// the duplicate check and the filters) as JSON Lines, instead of the
	// Result holding them all: memory then stays flat however many findings
	// there are. Each line is a finding's JSON object, the bytes
	// Finding.AppendJSON writes, made straight from the record's text, and
	// a newline. Each worker gathers its lines and hands them on in chunks
	// of whole lines, about 64 KiB at a time and when it finishes a file;
	// a chunk is only valid during the call. Findings arrive in the order
	// each worker finds them, not by time. EmitJSON is called from several
	// workers at once and must be safe for that; an error stops the scan
	// and is returned.
	EmitJSON func(lines []byte) error
	// Collect, when set (and EmitJSON is not), receives each finding as
	// it is found, after the duplicate check and the filters, instead of
	// the Result holding them: for reports that list some findings and
	// count the rest. It is called from several workers at once, in the
	// order each finds them, and must be safe for that. It may keep a copy
	// of the finding (*f), not the pointer, which the worker reuses.
	Collect func(f *Finding)
	// SpillAfter, when above zero, lets each worker of a scan that keeps
	// its findings (EmitJSON nil) hold about that many in memory; past
	// that it writes them, sorted, to a temporary file in SpillDir (the
	// system's temporary folder when empty), removed from the folder at
	// once, and the Result reads them back from disk: memory stays flat
	// however many findings there are. Such a Result has no Findings
	// slice: read them with Each or EachGrouped, and Close it to free the
	// files.
	SpillAfter int
	// SpillDir is also where a scan with correlation rules writes what it
	// read of the records they count (of a stream's records, their text
	// too), whatever SpillAfter, for partition passes (see notespill.go);
	// the files are removed from the folder at once, and closed when the
	// scan ends.
	SpillDir string
	// Sessions, when set, has the scan keep the origin of every temporary
	// access key a successful STS call in the logs issued (Result.Sessions),
	// matched by a rule or not, for reports that say who obtained the
	// sessions an actor used.
	Sessions bool
}

// Rejection is a record or file that could not be classified, and why.
type Rejection struct {
	File string `json:"file"`
	// Ordinal is the rejected record's number in its file, from 1; when
	// Whole, how many records came before the point the file was given up.
	Ordinal int64  `json:"ordinal,omitempty"`
	Line    int64  `json:"line,omitempty"`
	Offset  int64  `json:"offset"`
	Reason  string `json:"reason"`
	// Whole is true when the whole rest of the file was given up.
	Whole bool `json:"whole_file,omitempty"`
}

// Summary accounts for everything a scan read. Read = Matched + Unmatched + Rejected.
type Summary struct {
	// Files counts the log files read to the end; FilesFailed those that
	// could not be opened or were given up before their end (the records
	// read up to there are counted); FilesSkipped those set aside unread
	// (not logs, digest files, empty inputs). The text reports' summary
	// line counts Files and FilesFailed together.
	Files        int64 `json:"files"`
	FilesSkipped int64 `json:"files_skipped"`
	FilesFailed  int64 `json:"files_failed"`
	// FilesEmpty counts the inputs among FilesSkipped that held nothing
	// but white space: standard input that a failed command before it
	// left empty, a download cut to nothing. A log is never empty, so the
	// scan cannot vouch for what such an input should have held.
	FilesEmpty int64 `json:"files_empty,omitempty"`
	// FoldersWithoutLogs counts the folders named to be scanned that gave
	// no file to read: empty, or holding no log (every file set aside:
	// not logs, digest files, hidden). Each is a warning too.
	FoldersWithoutLogs int64 `json:"folders_without_logs,omitempty"`
	Read               int64 `json:"read"`
	Matched            int64 `json:"matched"`
	Unmatched          int64 `json:"unmatched"`
	Rejected           int64 `json:"rejected"`
	// MatchedRejected counts the rejected records that matched rules, but
	// could not be reported: no time to place them at, or an event named
	// by other than text. They are in Rejected; a detection fired on them.
	MatchedRejected int64 `json:"matched_rejected"`
	Insights        int64 `json:"insights"`
	// ControlItems counts items set aside on purpose because their container
	// marks them as not records (CloudWatch Logs control messages); they are
	// not in Read.
	ControlItems int64 `json:"control_items,omitempty"`
	// OtherEvents counts EventBridge events of other services (GuardDuty
	// findings, EC2 state changes) found beside CloudTrail's: set aside,
	// and not in Read.
	OtherEvents int64 `json:"other_events,omitempty"`
	// Duplicates counts findings dropped because the same event was seen before.
	Duplicates int64 `json:"duplicate_findings"`
	// Forgotten counts findings of a streamed scan whose duplicate check
	// had to drop an older finding's key, past the memory it may use
	// (about six million findings): a later copy of that older finding's
	// event would be written again.
	Forgotten int64 `json:"duplicate_keys_forgotten,omitempty"`
	// Filtered counts findings left out by the time, technique and tactic filters.
	Filtered int64 `json:"filtered_findings"`
	// SessionsNotKept counts the records that issued sessions past the
	// origins a scan with Options.Sessions keeps (see Result.Sessions).
	SessionsNotKept int64 `json:"sessions_not_kept,omitempty"`
	// CorrelationNotKept counts the records that the rules of correlation
	// rules matched past what a scan keeps for them, which the
	// correlations did not count. A scan counts the records past its first
	// reading's room (262,144 records of files, 65,536 of streams, or 64
	// MiB) again for a part of the groups at a time (262,144 records, or
	// 64 MiB, a pass),
	// and counts here only the records of a group that holds more than
	// that on its own; when the notes the passes read could not be spilled
	// to disk (or passed 4 GiB), those of streams past the room; and, when
	// the passes read the files again instead, those of a file that
	// changed before a pass read it.
	CorrelationNotKept int64 `json:"correlation_records_not_kept,omitempty"`
	// Warnings counts the warnings about files read in full that look
	// forged or misplaced, and about folders that gave no log (see
	// Result.Warnings); one file may have two.
	Warnings int64 `json:"warnings"`
	Findings int   `json:"findings"`
	// Unlisted counts what Result's lists leave out past their first
	// MaxRejections entries each: rejections (records and files not read to
	// the end), skipped files and warnings. Each is counted above.
	Unlisted Unlisted      `json:"not_listed,omitzero"`
	Bytes    int64         `json:"bytes"`
	Duration time.Duration `json:"duration_ns"`
	Rules    int           `json:"rules"`
}

// Unlisted counts the entries a Result's lists leave out.
type Unlisted struct {
	Rejections int64 `json:"rejections"`
	Skipped    int64 `json:"skipped_files"`
	Warnings   int64 `json:"warnings"`
}

// Result is what a scan found.
type Result struct {
	Summary Summary `json:"summary"`
	// Findings are the findings kept, in order (see Each); nil when the
	// scan spilled them to disk.
	Findings   []Finding   `json:"findings"`
	Rejections []Rejection `json:"rejections"`
	Skipped    []Rejection `json:"skipped_files"`
	// Warnings are files read in full whose shape no CloudTrail delivery
	// has: an object that repeats its container key, records in a digest
	// folder. Their records are classified like any others; the warning
	// says that other tools may read the file differently, and why. A
	// folder named to be scanned that gave no file to read is a warning
	// too (Summary.FoldersWithoutLogs).
	Warnings []Rejection `json:"warnings"`
	// Sessions are the origins of the temporary access keys issued in the
	// logs, by key, when Options.Sessions asked for them.
	Sessions map[string]SessionOrigin `json:"-"`

	spilled *spilledResult
}

// Progress is a snapshot of a running scan, for progress bars.
type Progress struct {
	Files, Records int64
	Bytes          int64
	Elapsed        time.Duration
	// ReadAll says that every input has been read: the scan is sorting
	// and merging its findings, and Elapsed is the time reading took.
	ReadAll bool
	// Pass and Passes say, when Passes is not 0, that the scan is reading
	// its files again for its correlations, the planned pass Pass of
	// Passes (see partition.go).
	Pass, Passes int
}

// Scanner runs one rule set over inputs. It is safe for concurrent use.
type Scanner struct {
	cat   *catalog.Catalog
	rules *ruleset.Set
	opts  Options

	files, records, bytes atomic.Int64
	held                  atomic.Int64 // findings kept in memory (not streamed)
	start                 time.Time
	readFor               atomic.Int64 // how long reading took, once over (ns)
	passAt, passes        atomic.Int64 // the partition pass being read, of how many planned

	cancel func(error)
	// done is closed when the run's context is: a worker stops reading its
	// file then, rather than at the file's end.
	done <-chan struct{}

	// Streaming state, used when opts.EmitJSON is set.
	emitMu   sync.Mutex
	emitted  *seenSet // hashes of the duplicate keys seen
	seed     maphash.Seed
	emitErr  error
	streamed Summary // Duplicates, Filtered and Findings of emitted findings

	spill *spillFiles // run files of kept findings, when they may spill

	// sessionKeys are the keys whose session origins the workers keep
	// (see worker.noteSession).
	sessionKeys sessionKeys
	// corr evaluates the rule set's correlation rules; nil when it has none.
	corr *correlator
	// corrPasses counts the partition passes a scan made for its
	// correlations, when the first reading could not keep all it needed.
	corrPasses int
	// noteSpills are the workers' spills of correlation notes, which the
	// passes read; corrSpilled says that they did (see notespill.go), and
	// corrNoSpill why they could not, when they were needed.
	noteSpills  *noteSpills
	corrSpilled bool
	corrNoSpill error
}

// New returns a scanner for the catalog and its rule set.
func New(c *catalog.Catalog, rules *ruleset.Set, opts Options) *Scanner {
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	return &Scanner{cat: c, rules: rules, opts: opts}
}

// Progress returns counts so far; safe to call while Scan runs.
func (s *Scanner) Progress() Progress {
	p := Progress{Files: s.files.Load(), Records: s.records.Load(), Bytes: s.bytes.Load(), Elapsed: time.Since(s.start)}
	if d := s.readFor.Load(); d > 0 {
		p.Elapsed, p.ReadAll = time.Duration(d), true
	}
	p.Pass, p.Passes = int(s.passAt.Load()), int(s.passes.Load())
	return p
}

// Scan reads every input (files, directories, "-") and classifies its records.
// Problems with single records or files are part of the result; the error is
// only for a cancelled context.
func (s *Scanner) Scan(ctx context.Context, paths []string) (*Result, error) {
	s.startRun()
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	s.cancel, s.done = cancel, ctx.Done()
	jobs := make(chan cloudtrail.Input)
	parts := make([]*part, s.opts.Workers)
	var wg sync.WaitGroup
	for i := range parts {
		parts[i] = &part{}
		w := s.newWorker(parts[i])
		wg.Go(func() {
			for in := range jobs {
				if !w.stopped() {
					w.file(in)
				}
			}
		})
	}
	walk := &part{}
	// A path named twice is read once; a file found again (by a walk of an
	// enclosing folder, or by another name: a link) is set aside, with the
	// name it was read by.
	paths = distinct(paths)
	same := sameFiles{all: len(paths) > 1}
	for _, path := range paths {
		// A folder named that gives the workers no file to read (it is
		// empty, or holds no log: a sync that failed, the wrong prefix)
		// is said, as a named file that holds nothing is: the scan
		// cannot vouch for logs it was not given.
		var given, skipped int
		for in, err := range cloudtrail.Inputs([]string{path}) {
			if ctx.Err() != nil {
				break
			}
			dup := false
			if err == nil && in.Path != "-" && in.Skip == "" {
				if first, again := same.seen(in.Path, in.Root != "" && !in.Link); again {
					dup = true
					in.Skip = fmt.Sprintf("the same file as %s, which is read once", first)
					if first == in.Path {
						in.Skip = "named again (a folder named twice, or a file also in a folder named): read once"
					}
				}
			}
			switch {
			case err != nil:
				given++
				walk.sum.FilesFailed++
				walk.reject(Rejection{File: in.Path, Reason: err.Error(), Whole: true})
			case in.Skip != "":
				skipped++
				if dup {
					given++ // read under another name
				}
				walk.skip(Rejection{File: in.Path, Reason: in.Skip, Whole: true})
			default:
				given++
				jobs <- in
			}
		}
		if given == 0 && ctx.Err() == nil {
			r := walk.noLogs(path, skipped)
			s.opts.Log.Warn(r.Reason, "folder", path)
		}
	}
	close(jobs)
	wg.Wait()
	return s.finish(ctx, append(parts, walk))
}

// finish merges the workers' parts into the result, or cleans up after a
// scan that failed.
func (s *Scanner) finish(ctx context.Context, parts []*part) (*Result, error) {
	defer s.noteSpills.drop()
	s.readFor.Store(int64(max(time.Since(s.start), 1)))
	err := s.emitErr
	if err == nil {
		err = ctx.Err()
	}
	var res *Result
	var fs []Finding
	if err == nil {
		var again *part
		fs, again = s.correlateAll(parts)
		if again != nil {
			parts = append(parts, again)
		}
		// The partition passes stop when the scan is stopped, or fails to
		// read its spilled notes back.
		if err = s.emitErr; err == nil {
			err = ctx.Err()
		}
	}
	if err == nil {
		if s.streams() {
			s.emitCorrelations(fs)
			err = s.emitErr
		} else if len(fs) > 0 {
			p := &part{}
			for i := range fs {
				c := p.findings.room()
				*c = append(*c, fs[i])
			}
			p.held = len(fs)
			parts = append(parts, p)
		}
	}
	if err == nil {
		res, err = s.merge(parts)
	}
	if err != nil {
		if s.spill != nil {
			dropSpilled(parts)
			s.spill.remove()
		}
		return nil, err
	}
	res.Summary.Duration = time.Since(s.start)
	return res, nil
}

// streams reports whether findings are handed on as they are found
// (Options.EmitJSON or Options.Collect) rather than kept in the Result.
func (s *Scanner) streams() bool { return s.opts.EmitJSON != nil || s.opts.Collect != nil }

func (s *Scanner) startRun() {
	s.start = time.Now()
	s.readFor.Store(0)
	s.passAt.Store(0)
	s.passes.Store(0)
	s.sessionKeys = sessionKeys{}
	s.corr = newCorrelator(s.rules)
	s.corrPasses = 0
	s.noteSpills, s.corrSpilled, s.corrNoSpill = nil, false, nil
	if s.corr != nil {
		s.noteSpills = newNoteSpills(s.opts.SpillDir)
	}
	s.cancel = func(error) {}
	s.seed = maphash.MakeSeed()
	if s.streams() {
		s.emitted = newSeenSet(maxSeenBytes)
	}
	s.spill = nil
	if !s.streams() && s.opts.SpillAfter > 0 {
		s.spill = &spillFiles{dir: s.opts.SpillDir}
	}
}

// fail stops the scan with err, the first failure of a worker that is not
// one of an input (writing findings out, spilling them to disk).
func (s *Scanner) fail(err error) {
	s.emitMu.Lock()
	if s.emitErr == nil {
		s.emitErr = err
		s.cancel(err)
	}
	s.emitMu.Unlock()
}

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

// sameEvent lists the record fields two copies of one event agree on: all
// that a finding reports of its record. Copies delivered twice (by two
// trails, in a log file and by LookupEvents) agree on all of them; records
// that merely share an event ID do not, and each keeps its findings.
var sameEvent = [...]int{hEventID, hRecipient, hEventTime, hEventSource, hEventName, hRegion, hSourceIP, hUserAgent,
	hErrorCode, hErrorMessage, hType, hARN, hPrincipal, hAccount, hUserName, hAccessKey, hInvokedBy, hIssuer, hUserID,
	hIdentityStore, hSignIn}

// sameEventOf returns the sameEvent fields of a finding, in that order.
func sameEventOf(f *Finding) [len(sameEvent)]string {
	a := &f.Actor
	return [...]string{f.EventID, f.RecipientAccountID, f.EventTime, f.EventSource, f.EventName, f.AWSRegion, a.SourceIP,
		a.UserAgent, f.ErrorCode, f.ErrorMessage, a.Type, a.ARN, a.PrincipalID, a.AccountID, a.UserName, a.AccessKeyID,
		a.InvokedBy, a.SessionIssuer, a.OnBehalfOfUserID, a.IdentityStoreARN, f.signIn}
}

// eventDigest hashes the sameEvent fields of the record findings fs come
// from; hasID is false when the record has no event ID, and no finding of
// it is a duplicate then.
func (w *worker) eventDigest(fs []Finding, rh *rawHeader) (digest uint64, hasID bool) {
	return w.recordDigest(fs, rh, false)
}

// recordDigest is eventDigest, and when always is set, the digest of a
// record without an event ID too (hasID false): a correlation's note of
// the record checks the record read again with it.
func (w *worker) recordDigest(fs []Finding, rh *rawHeader, always bool) (digest uint64, hasID bool) {
	hasID = true
	if rh != nil {
		buf := w.digest[:0]
		for _, k := range sameEvent {
			t := rh.text(k, &w.text)
			if k == hEventID && len(t) == 0 {
				if !always {
					return 0, false
				}
				hasID = false
			}
			if len(t) > maxFieldBytes { // as the finding reports it, like findingDigest
				t = appendClipped(w.clip[:0], t)
				w.clip = t
			}
			buf = appendDigestField(buf, t)
		}
		// The target, as findings report it: copies that differ in it are
		// not one event.
		buf = binary.LittleEndian.AppendUint64(buf, uint64(rh.nTargets))
		for i := range rh.targets[:rh.nTargets] {
			t := &rh.targets[i]
			w.text = t.field(w.text[:0])
			buf = appendDigestField(buf, w.text)
			w.text = t.appendText(w.text[:0])
			buf = appendDigestField(buf, w.text)
		}
		w.digest = buf
		return maphash.Bytes(w.s.seed, buf), hasID
	}
	if len(fs) == 0 || (fs[0].EventID == "" && !always) {
		return 0, false
	}
	return findingDigest(w.s.seed, &fs[0]), fs[0].EventID != ""
}

// findingDigest is eventDigest for a finding that holds its record fields.
// It writes the same bytes to the hash as eventDigest gathers, without
// gathering them first (maphash gives the same sum either way).
func findingDigest(seed maphash.Seed, f *Finding) uint64 {
	var h maphash.Hash
	h.SetSeed(seed)
	var n [8]byte
	for _, v := range sameEventOf(f) {
		binary.LittleEndian.PutUint64(n[:], uint64(len(v)))
		h.Write(n[:])
		h.WriteString(v)
	}
	binary.LittleEndian.PutUint64(n[:], uint64(len(f.Target)))
	h.Write(n[:])
	for _, t := range f.Target {
		for _, v := range [...]string{t.Field, t.Value} {
			binary.LittleEndian.PutUint64(n[:], uint64(len(v)))
			h.Write(n[:])
			h.WriteString(v)
		}
	}
	return h.Sum64()
}

// appendDigestField appends one field of an event digest: its length,
// then its text, so that no value can run into the next.
func appendDigestField[S ~string | ~[]byte](buf []byte, t S) []byte {
	buf = binary.LittleEndian.AppendUint64(buf, uint64(len(t)))
	return append(buf, t...)
}

// dupHash hashes what makes a finding a duplicate: its event and its rule
// and technique. A rule is known by its id and its file together: Sigma's
// id is optional, and two rules that both lack one, or that share one by
// mistake, are still two rules whose findings both count.
func dupHash(seed maphash.Seed, event uint64, rule *RuleRef, technique string) uint64 {
	var h maphash.Hash
	h.SetSeed(seed)
	maphash.WriteComparable(&h, event)
	for _, s := range [...]string{rule.ID, rule.File} {
		maphash.WriteComparable(&h, len(s))
		h.WriteString(s)
	}
	h.WriteString(technique)
	return h.Sum64()
}

// ScanReader classifies the records of one stream, named name in positions
// (an uploaded file, say).
func (s *Scanner) ScanReader(ctx context.Context, name string, r io.Reader) (*Result, error) {
	return s.ScanStreams(ctx, []Stream{{Name: name, R: r}})
}

// Stream is an input that is no file of the scanner's: an uploaded file,
// say. Name names it in positions, rejections and findings.
type Stream struct {
	Name string
	R    io.Reader
}

// ScanStreams classifies the records of several streams as one scan, as
// Scan does the files it is given: every record of each is accounted for,
// and a finding of one event seen in several streams is reported once.
// The streams are read one after the other, in order, on one worker.
func (s *Scanner) ScanStreams(ctx context.Context, streams []Stream) (*Result, error) {
	s.startRun()
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	s.cancel, s.done = cancel, ctx.Done()
	p := &part{}
	w := s.newWorker(p)
	for _, st := range streams {
		if w.stopped() {
			break
		}
		w.read(st.R, cloudtrail.Input{Path: st.Name})
	}
	return s.finish(ctx, []*part{p})
}

// part is what one worker collected.
type part struct {
	sum        Summary
	findings   chunks
	held       int   // findings in findings
	heldBytes  int   // what they hold, about (see findingBytes)
	runs       []run // findings spilled to disk
	rejections []Rejection
	skipped    []Rejection
	warnings   []Rejection
	sessions   map[string]SessionOrigin // see worker.noteSession
	// sessionStrs shares the callers and addresses of sessions.
	sessionStrs map[string]string
	// The records noted for correlations, the notes and their groups'
	// values (see worker.noteCorrelations).
	corrRecords pieces[corrRecord]
	corrNotes   pieces[corrNote]
	corrLists   pieces[uint64]  // the hashes of counted lists' values
	corrFiles   []string        // the files of corrRecords
	corrInfos   []os.FileInfo   // and what they were when read
	corrRules   []*ruleset.Rule // the rules that matched them
	corrFull    map[int32]*Finding
	corrTimes   map[int32]string // eventTime texts not in RFC3339Nano's form
	corrStrs    *interner
	// During a partition pass, corrTexts says where the texts of the
	// records of streams lie in the spills of notes, and corrSpills which
	// spill holds each file's run.
	corrTexts  pieces[spilledText]
	corrSpills []*os.File
	// corrLost is the first record (in place order) that correlations did
	// not keep, when CorrelationNotKept is not 0.
	corrLost RecordRef
	// corrLostIn counts, by file or stream, the records that correlations
	// did not keep, and corrLostNotes the notes of them they would have
	// made (see worker.lose).
	corrLostIn    []*notedFile
	corrLostNotes int64
	// corrLeftOut counts the records of files that partition passes left
	// out, as they changed since the scan read them: they are not kept
	// too, but a warning about each file says so, not the one about the
	// bounds.
	corrLeftOut int64
	// corrAsked holds, during a partition pass, what each group of the pass
	// asked for: every record of the pass that it counts, kept or not, and
	// their bytes (see groupDemand).
	corrAsked map[corrGroup]share
}

// notKept counts record pos, which correlations could not keep.
func (p *part) notKept(pos RecordRef) { p.lostFrom(pos, 1) }

// lostFrom counts n records correlations could not keep, the first of
// them (in place order) at pos, and keeps the first place of all.
func (p *part) lostFrom(pos RecordRef, n int64) {
	place := func(r RecordRef) Rejection { return Rejection{File: r.File, Ordinal: r.Ordinal} }
	if p.sum.CorrelationNotKept == 0 || byPlace(place(pos), place(p.corrLost)) < 0 {
		p.corrLost = pos
	}
	p.sum.CorrelationNotKept += n
}

// takeLost adds the records q could not keep for correlations to p's.
func (p *part) takeLost(q *part) {
	if q.sum.CorrelationNotKept > 0 {
		p.lostFrom(q.corrLost, q.sum.CorrelationNotKept)
	}
}

// chunkSize is how many findings a chunk holds: adding findings fills
// chunks of this size instead of growing one slice, which would copy all
// findings each time it doubles and leave up to half its room unused.
const chunkSize = 1024

// chunks holds one worker's findings.
type chunks [][]Finding

// room returns a chunk with room for at least one more finding.
func (c *chunks) room() *[]Finding {
	if n := len(*c); n > 0 && len((*c)[n-1]) < cap((*c)[n-1]) {
		return &(*c)[n-1]
	}
	// Chunks start small, for scans with few findings, and double up to chunkSize.
	*c = append(*c, make([]Finding, 0, min(chunkSize, 16<<min(len(*c), 10))))
	return &(*c)[len(*c)-1]
}

func (c chunks) len() int {
	n := 0
	for _, f := range c {
		n += len(f)
	}
	return n
}

func (p *part) reject(r Rejection) {
	p.rejections = keepFirst(p.rejections, r)
}

// keepFirst adds r to list and keeps the list from holding more than
// twice MaxRejections: past that, it keeps those that sort first (by file,
// then record). Workers read files in no set order, and a report should
// list the same entries whatever that order was.
func keepFirst(list []Rejection, r Rejection) []Rejection {
	list = append(list, r)
	if len(list) >= 2*MaxRejections {
		slices.SortStableFunc(list, byPlace)
		list = list[:MaxRejections]
	}
	return list
}

// byPlace orders entries by file, then by record, the files not read to
// the end first: when a list is cut, a file never read is the loss a
// responder needs named, more than one more rejected record.
func byPlace(a, b Rejection) int {
	if a.Whole != b.Whole {
		if a.Whole {
			return -1
		}
		return 1
	}
	if c := strings.Compare(a.File, b.File); c != 0 {
		return c
	}
	return cmp.Compare(a.Ordinal, b.Ordinal)
}

// firstListed cuts a list to the first MaxRejections entries.
func firstListed(list []Rejection) []Rejection {
	if len(list) > MaxRejections {
		return list[:MaxRejections:MaxRejections]
	}
	return list
}

// skip counts a file set aside, and keeps the first MaxRejections with
// their reasons.
func (p *part) skip(r Rejection) {
	p.sum.FilesSkipped++
	p.skipped = keepFirst(p.skipped, r)
}

// noLogs notes that folder, named to be scanned, gave no file to read:
// it was empty, or each of its skipped files was set aside.
func (p *part) noLogs(folder string, skipped int) Rejection {
	p.sum.FoldersWithoutLogs++
	r := Rejection{File: folder, Reason: "folder holds no file: no log was read from it", Whole: true}
	switch {
	case skipped == 1:
		r.Reason = "folder holds no log: its one file was set aside (see the skipped files)"
	case skipped > 1:
		r.Reason = fmt.Sprintf("folder holds no log: each of its %d files was set aside (see the skipped files)", skipped)
	}
	p.sum.Warnings++
	p.warnings = keepFirst(p.warnings, r)
	return r
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

// file reads one input to its end and accounts for every record in it.
func (w *worker) file(in cloudtrail.Input) {
	f, err := in.Open(w.s.opts.Stdin)
	if err != nil {
		w.p.sum.FilesFailed++
		w.p.reject(Rejection{File: in.Path, Reason: err.Error(), Whole: true})
		return
	}
	defer f.Close()
	if in.Path != "-" {
		if osf, ok := f.(*os.File); ok {
			fi, err := osf.Stat()
			w.compact = err == nil && fi.Mode().IsRegular()
			w.fileInfo = fi
		}
	}
	w.read(f, in)
	w.compact, w.fileInfo = false, nil
}

// read classifies the records of one opened input.
func (w *worker) read(f io.Reader, in cloudtrail.Input) {
	log := w.s.opts.Log
	w.r.Reset(f, in.Path)
	var malformed, sinceProgress int64
	var aside bool
	var lastBytes int64
	for {
		rec, err := w.r.Next()
		if err != nil {
			var re *cloudtrail.RecordError
			if errors.As(err, &re) {
				w.p.reject(rejectionAt(re.Pos, re.Reason))
				continue
			}
			aside = w.endFile(in, err)
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
				return
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
	if !aside {
		w.p.sum.Bytes += st.Bytes
	}
	log.Debug("file read", "file", in.Path, "records", st.Read, "rejected", st.Rejected+malformed, "shape", st.Shapes.String())
	if st.Repeated > 0 {
		msg := fmt.Sprintf("an object repeats its container key, or holds more than one (Records, Events, logEvents): %s after the first, all read here, but other tools read only one: a forged or damaged log",
			view.Count(st.Repeated, "array", "arrays"))
		w.warn(log, Rejection{File: in.Path, Reason: msg})
	}
	if st.Unseparated > 0 {
		msg := fmt.Sprintf("an array misses the ',' before %s, or has other bytes in its place (the first at line %d): read all the same, but other tools fail on the file: a damaged log",
			view.Count(st.Unseparated, "record", "records"), st.UnseparatedLine)
		w.warn(log, Rejection{File: in.Path, Line: st.UnseparatedLine, Offset: st.UnseparatedAt, Reason: msg})
	}
	if in.Folder == cloudtrail.FolderDigest && st.Produced > 0 {
		msg := fmt.Sprintf("a file in a CloudTrail-Digest folder holds %s, not a digest; CloudTrail does not write logs there",
			view.Count(st.Produced, "record", "records"))
		w.warn(log, Rejection{File: in.Path, Reason: msg})
	}
}

// rawFields sets the fields of h that the scan judges a record read as r
// by (raw is its text, idx its objects), and notes the record's target.
func (w *worker) rawFields(r *rawHeader, raw []byte, idx *jsonscan.Index, h *header) {
	h.EventTime = string(r.text(hEventTime, &w.text))
	h.ErrorCode = string(r.text(hErrorCode, &w.text))
	h.SignIn = string(r.text(hSignIn, &w.text))
	h.errorMessage = len(r.v[hErrorMessage]) > len(`""`)
	r.noteTarget(raw, idx)
}

// placeMatched returns the time of a record that matched rules, whose
// header is h (read as rh when not nil), or why it cannot be reported.
func placeMatched(raw []byte, tops []jsonscan.Member, h *header, rh *rawHeader) (at time.Time, reason string) {
	// A finding is placed in time; a record whose eventTime is no time
	// cannot be, and is rejected rather than reported out of place.
	at = parseTime(h.EventTime)
	if at.IsZero() || !placeable(at) {
		switch {
		case h.EventTime == "":
			return at, "matched rules, but eventTime is missing, empty or not a string"
		case !at.IsZero():
			return at, fmt.Sprintf(`matched rules, but eventTime "%s" is outside the years 1678 to 2261 that a scan can place in time`, clip.String(h.EventTime, 64))
		}
		return at, fmt.Sprintf(`matched rules, but eventTime "%s" is not a timestamp`, clip.String(h.EventTime, 64))
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

// stopped reports whether the run's context is done.
func (w *worker) stopped() bool {
	select {
	case <-w.s.done:
		return true
	default:
		return false
	}
}

// endFile records how reading a file ended, and reports whether the file
// was set aside rather than read (its bytes are not counted then).
func (w *worker) endFile(in cloudtrail.Input, err error) (aside bool) {
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
			return true
		}
		w.p.sum.Files++
		return false
	}
	var fe *cloudtrail.FileError
	if errors.As(err, &fe) && errors.Is(err, cloudtrail.ErrDigest) {
		w.p.skip(Rejection{File: in.Path, Reason: "CloudTrail digest file (log-file validation), not a log", Whole: true})
		return true
	}
	w.p.sum.FilesFailed++
	r := Rejection{File: in.Path, Reason: err.Error(), Whole: true}
	if fe != nil {
		r.Line, r.Offset, r.Ordinal, r.Reason = fe.Pos.Line, fe.Pos.Offset, fe.Pos.Ordinal, fe.Err.Error()
	}
	w.p.reject(r)
	w.s.opts.Log.Warn("file not read to the end", "file", in.Path, "error", err)
	return false
}

// heldWarning is how many findings a scan that keeps them may hold before
// it warns that memory grows with them (a variable for tests).
var heldWarning int64 = 1_000_000

// noteHeld counts findings kept in memory and warns once when there are
// many: a scan that keeps its findings uses memory in proportion to them.
func (s *Scanner) noteHeld(n int64) {
	if now := s.held.Add(n); now >= heldWarning && now-n < heldWarning {
		s.opts.Log.Warn("this scan holds many findings in memory, and memory grows with them; "+
			"-o jsonl streams findings instead, and --min-level leaves noisy low-level rules out", "findings", now)
	}
}

// describe returns a technique's name and tactics from the catalog.
func (s *Scanner) describe(id string) (string, []string) {
	if t, ok := s.cat.Technique(id); ok {
		return t.Name, t.Tactics
	}
	return "", nil
}

// merge adds up the workers' parts, drops duplicate and filtered findings and
// sorts what is left by time. It sorts pointers to the findings where the
// workers left them and copies each finding kept once, into a slice of the
// exact size: findings are large, and copying them is most of the cost.
func (s *Scanner) merge(parts []*part) (*Result, error) {
	res := &Result{Rejections: []Rejection{}, Skipped: []Rejection{}}
	sum := &res.Summary
	total, spilled := 0, false
	for _, p := range parts {
		total += p.findings.len()
		spilled = spilled || len(p.runs) > 0
	}
	if spilled {
		total = 0 // the findings held go to a run too
	}
	all := make([]*Finding, 0, total)
	for _, p := range parts {
		sum.Files += p.sum.Files
		sum.FilesSkipped += p.sum.FilesSkipped
		sum.FilesEmpty += p.sum.FilesEmpty
		sum.FoldersWithoutLogs += p.sum.FoldersWithoutLogs
		sum.FilesFailed += p.sum.FilesFailed
		sum.Read += p.sum.Read
		sum.Matched += p.sum.Matched
		sum.Unmatched += p.sum.Unmatched
		sum.Rejected += p.sum.Rejected
		sum.MatchedRejected += p.sum.MatchedRejected
		sum.Insights += p.sum.Insights
		sum.ControlItems += p.sum.ControlItems
		sum.OtherEvents += p.sum.OtherEvents
		sum.Warnings += p.sum.Warnings
		sum.Bytes += p.sum.Bytes
		sum.SessionsNotKept += p.sum.SessionsNotKept
		sum.CorrelationNotKept += p.sum.CorrelationNotKept
		if res.Sessions == nil {
			res.Sessions, p.sessions = p.sessions, nil // the first worker's, not a copy
		}
		for _, o := range p.sessions {
			claim(res.Sessions, o, true) // the workers kept to the bound together
		}
		if !spilled {
			for _, c := range p.findings {
				for i := range c {
					all = append(all, &c[i])
				}
			}
		}
		res.Rejections = append(res.Rejections, p.rejections...)
		res.Skipped = append(res.Skipped, p.skipped...)
		res.Warnings = append(res.Warnings, p.warnings...)
	}
	if sum.CorrelationNotKept > 0 {
		// Said once, at the first record not kept: the rest follow it in
		// the files' order or were read at the same time by other workers.
		var all part
		for _, p := range parts {
			all.takeLost(p)
		}
		first := all.corrLost
		reason := fmt.Sprintf("correlation rules could not keep %s that the rules they count matched, from record %d (line %d) of this file on: they are not counted, and a burst among them may be missed (correlation_records_not_kept)",
			view.Count(sum.CorrelationNotKept, "record", "records"), first.Ordinal, first.Line)
		again := "the files were read again"
		if s.corrSpilled {
			again = "their notes, spilled to disk, were read again"
		}
		if s.corrPasses > 0 {
			reason += fmt.Sprintf("; %s %s, each time for a part of the groups, and a part still held more than a scan keeps: one group too busy on its own, or more groups than %d passes hold",
				again, view.Count(int64(s.corrPasses), "time", "times"), maxPasses)
		} else {
			could := fmt.Sprintf("the scan could not spill them (%v)", s.corrNoSpill)
			if errors.Is(s.corrNoSpill, errNoteSpillCap) {
				could = fmt.Sprintf("their notes passed the %d MiB a scan may spill", maxNoteSpill>>20)
			}
			reason += "; the records of standard input and uploads are counted again from what the scan spilled of them to disk, " +
				"for a part of the groups at a time, but " + could + ": save the input to a file and scan the file"
		}
		res.Warnings = append(res.Warnings, Rejection{File: first.File, Ordinal: first.Ordinal, Line: first.Line, Offset: first.Offset, Reason: reason})
		sum.Warnings++
	}
	for _, p := range parts {
		sum.CorrelationNotKept += p.corrLeftOut
	}
	// Each worker kept at least the first MaxRejections of each list.
	slices.SortStableFunc(res.Warnings, byPlace)
	slices.SortStableFunc(res.Skipped, byPlace)
	slices.SortStableFunc(res.Rejections, byPlace)
	res.Rejections = firstListed(res.Rejections)
	res.Skipped = firstListed(res.Skipped)
	res.Warnings = firstListed(res.Warnings)
	sum.Unlisted = Unlisted{
		Rejections: max(0, sum.Rejected+sum.FilesFailed-int64(len(res.Rejections))),
		Skipped:    max(0, sum.FilesSkipped-int64(len(res.Skipped))),
		Warnings:   max(0, sum.Warnings-int64(len(res.Warnings))),
	}
	sum.Rules = len(s.rules.Rules())
	if spilled {
		return res, s.mergeSpilled(res, parts)
	}
	sortFindings(all)

	// Decide what stays first, so that the result is allocated once.
	seen := make(map[uint64]struct{}, len(all))
	kept := 0
	for i, f := range all {
		if f.EventID != "" {
			key := dupHash(s.seed, findingDigest(s.seed, f), &f.Rule, f.TechniqueID)
			if _, dup := seen[key]; dup {
				sum.Duplicates++
				all[i] = nil
				continue
			}
			seen[key] = struct{}{}
		}
		if !s.keep(f) {
			sum.Filtered++
			all[i] = nil
			continue
		}
		kept++
	}
	res.Findings = make([]Finding, 0, kept)
	for _, f := range all {
		if f != nil {
			res.Findings = append(res.Findings, *f)
		}
	}
	for _, p := range parts {
		p.findings = nil // the workers' copies can go now
	}
	sum.Findings = len(res.Findings)
	if s.streams() {
		sum.Findings = int(s.streamed.Findings)
		sum.Duplicates += s.streamed.Duplicates
		sum.Forgotten = s.emitted.forgot
		if sum.Forgotten > 0 {
			s.opts.Log.Warn("the duplicate check ran out of the memory it may use; later copies of some events may be reported again",
				"keys_forgotten", sum.Forgotten)
		}
		sum.Filtered += s.streamed.Filtered
	}
	return res, nil
}

// sortFindings sorts findings as Finding.Compare orders them, keeping the
// order of equal ones.
func sortFindings(fs []*Finding) {
	type ref struct {
		f *Finding
		i int
	}
	refs := make([]ref, len(fs))
	for i, f := range fs {
		refs[i] = ref{f, i}
	}
	slices.SortFunc(refs, func(a, b ref) int {
		if c := cmpFinding(a.f, b.f); c != 0 {
			return c
		}
		return cmp.Compare(a.i, b.i)
	})
	for i, r := range refs {
		fs[i] = r.f
	}
}

// Compare orders findings as reports list them: by time, then by event
// ID, technique and rule, then by file and position. It returns a negative
// number when f comes before g, a positive one when after, and 0 for
// findings of one rule on one record.
//
// What identifies the event and the finding comes before where the record
// lies, so that where a finding stands does not depend on which copy of
// its event was kept: a scan that streams its findings keeps the copy it
// reads first, which varies from run to run.
func (f *Finding) Compare(g *Finding) int { return cmpFinding(f, g) }

func cmpFinding(a, b *Finding) int {
	if c := a.time.Compare(b.time); c != 0 {
		return c
	}
	if c := strings.Compare(a.EventID, b.EventID); c != 0 {
		return c
	}
	if c := strings.Compare(a.TechniqueID, b.TechniqueID); c != 0 {
		return c
	}
	if c := strings.Compare(a.Rule.ID, b.Rule.ID); c != 0 {
		return c
	}
	if c := strings.Compare(a.Rule.File, b.Rule.File); c != 0 {
		return c
	}
	if c := strings.Compare(a.Record.File, b.Record.File); c != 0 {
		return c
	}
	return cmp.Compare(a.Record.Ordinal, b.Record.Ordinal)
}

// keep applies the output filters.
func (s *Scanner) keep(f *Finding) bool {
	o := s.opts
	if !o.Since.IsZero() && (f.time.IsZero() || f.time.Before(o.Since)) {
		return false
	}
	if !o.Until.IsZero() && (f.time.IsZero() || !f.time.Before(o.Until)) {
		return false
	}
	if len(o.Techniques) > 0 {
		ok := false
		for _, id := range o.Techniques {
			ok = ok || within(f.TechniqueID, id)
			for _, a := range f.Rule.ATTACK { // the rule's ATT&CK tags the catalog lacks
				ok = ok || within(a, id)
			}
		}
		if !ok {
			return false
		}
	}
	if len(o.Tactics) > 0 {
		ok := false
		for _, ta := range o.Tactics {
			for _, ft := range f.Tactics {
				ok = ok || ft == ta
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// within reports whether technique t is id or one of its sub-techniques.
func within(t, id string) bool { return t == id || strings.HasPrefix(t, id+".") }

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

// sameFiles tells a file reached again by another name (a link, a hard
// link, a second path naming it) from one met for the first time. It
// keeps a few bytes for each file that could be met again: every file
// when several paths are scanned, or one named as a file; within the
// walk of one folder, only files with several names (hard links), since
// the walk reaches each other file once (cloudtrail.Inputs sets aside a
// symbolic link to a file it reaches under its own name). So a scan of one
// folder of millions of files holds nothing for each.
type sameFiles struct {
	all   bool                  // every file is noted (several paths scanned)
	byID  map[fileID]int32      // a file's first name, as an index into names
	names []string              // first names, of files met by another name only
	other map[int64][]namedInfo // where the system gives no fileID
}

// fileID is a file's device and inode numbers.
type fileID struct{ dev, ino uint64 }

type namedInfo struct {
	name string
	fi   os.FileInfo
}

// seen notes the file at path and reports whether it was met before, and
// by what name. A file that cannot be examined is taken as new: opening
// it reports why. walked says that the file was found by walking a folder
// under its own name (not through a link, of which there may be several).
func (s *sameFiles) seen(path string, walked bool) (first string, dup bool) {
	fi, err := os.Stat(path)
	if err != nil || !fi.Mode().IsRegular() {
		return "", false
	}
	key, links, ok := fileKey(fi)
	if !ok {
		return s.seenOther(path, fi)
	}
	if !s.all && walked && links <= 1 {
		return "", false
	}
	if i, dup := s.byID[key]; dup {
		if i < 0 {
			return "a file read before", true
		}
		return s.names[i], true
	}
	if s.byID == nil {
		s.byID = map[fileID]int32{}
	}
	// The name is kept for files with several names, whose second name
	// the message quotes, and while few are kept; past that, a second
	// name found is reported without the first.
	i := int32(-1)
	if links > 1 || len(s.names) < maxKeptNames {
		i = int32(len(s.names))
		s.names = append(s.names, path)
	}
	s.byID[key] = i
	return "", false
}

// distinct returns paths without standard input named again, and without
// a folder named before ("logs", "logs/", "./logs" and the folder's
// absolute path are one; compared by device and inode, not by name, as
// "link/../logs" may be another). A file named twice is left to sameFiles,
// which says so.
func distinct(paths []string) []string {
	var stdin bool
	dirs := map[fileID]bool{}
	dirNames := map[string]bool{} // where the system gives no fileID
	out := make([]string, 0, len(paths))
	for _, p := range paths {
		if p == "-" {
			if stdin {
				continue
			}
			stdin = true
		} else if fi, err := os.Stat(p); err == nil && fi.IsDir() {
			if key, _, ok := fileKey(fi); ok {
				if dirs[key] {
					continue
				}
				dirs[key] = true
			} else if abs, err := filepath.Abs(p); err == nil {
				if dirNames[abs] {
					continue
				}
				dirNames[abs] = true
			}
		}
		out = append(out, p)
	}
	return out
}

// maxKeptNames bounds the names sameFiles keeps for its messages.
const maxKeptNames = 10_000

// seenOther is seen where files have no fileID: it compares files of the
// same size with os.SameFile.
func (s *sameFiles) seenOther(path string, fi os.FileInfo) (string, bool) {
	if s.other == nil {
		s.other = map[int64][]namedInfo{}
	}
	for _, o := range s.other[fi.Size()] {
		if os.SameFile(o.fi, fi) {
			return o.name, true
		}
	}
	s.other[fi.Size()] = append(s.other[fi.Size()], namedInfo{path, fi})
	return "", false
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
