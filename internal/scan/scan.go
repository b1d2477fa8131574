// Package scan classifies CloudTrail records into catalog techniques: it
// reads inputs with internal/cloudtrail on several workers, runs the rule
// set's matcher on every record, and accounts for every record read as
// matched, unmatched or rejected.
package scan

import (
	"context"
	"fmt"
	"hash/maphash"
	"io"
	"log/slog"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ttcproject/ttc/internal/catalog"
	"github.com/ttcproject/ttc/internal/cloudtrail"
	"github.com/ttcproject/ttc/internal/ruleset"
)

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
	Ordinal int64 `json:"ordinal,omitempty"`
	Line    int64 `json:"line,omitempty"`
	// Column is the column (in bytes, from 1) of a warning's place in a
	// rule file; logs' places are given by Offset.
	Column int64  `json:"column,omitempty"`
	Offset int64  `json:"offset"`
	Reason string `json:"reason"`
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
	// InputsWithoutLogs counts the paths named to be scanned that gave no
	// log to read: folders empty, or holding no log (every file set aside:
	// not logs, digest files, hidden), and files set aside for what they
	// hold (a digest file; an empty one is in FilesEmpty). Each is a
	// warning too.
	InputsWithoutLogs int64 `json:"inputs_without_logs,omitempty"`
	Read              int64 `json:"read"`
	Matched           int64 `json:"matched"`
	Unmatched         int64 `json:"unmatched"`
	Rejected          int64 `json:"rejected"`
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
	// too (Summary.InputsWithoutLogs), and so is a file named that was set
	// aside for what it holds.
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
	// corrSeed seeds the hash that places groups in partition passes (see
	// passSeed).
	corrSeed uint64
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
	// A job is a file to read, and the counts, of the path named that led
	// to it, of the logs read and the empty inputs set aside.
	type job struct {
		in          cloudtrail.Input
		logs, empty *atomic.Int64
	}
	jobs := make(chan job)
	parts := make([]*part, s.opts.Workers)
	var wg sync.WaitGroup
	for i := range parts {
		parts[i] = &part{}
		w := s.newWorker(parts[i])
		wg.Go(func() {
			for j := range jobs {
				if !w.stopped() {
					// A file read as a log, to its end or not, is counted;
					// one set aside for what it holds (a digest file, an
					// empty input) is not.
					switch end := w.file(j.in); {
					case end.readAsLog():
						j.logs.Add(1)
					case end == endEmpty:
						j.empty.Add(1)
					}
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
	// A path named that gives no log to read (a folder empty, or holding
	// no log: a sync that failed, the wrong prefix, digest files alone; a
	// file set aside for what it holds, such as a digest file) is said, as
	// a named file that holds nothing is: the scan cannot vouch for logs it
	// was not given.
	type named struct {
		path                   string
		folder                 bool
		failed, again, skipped int
		sent                   int // to the workers, who may set some aside
		logs, empty            atomic.Int64
	}
	var all []*named
	listed := skipList{on: len(paths) > 1}
	for _, path := range paths {
		fi, err := os.Stat(path)
		nm := &named{path: path, folder: err == nil && fi.IsDir()}
		all = append(all, nm)
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
				nm.failed++
				walk.sum.FilesFailed++
				walk.reject(Rejection{File: in.Path, Reason: err.Error(), Whole: true})
			case in.Skip != "":
				nm.skipped++
				if dup {
					nm.again++ // read under another name
				}
				if !dup && listed.again(in.Path) {
					continue // set aside already, under this name (a folder inside another named)
				}
				walk.skip(Rejection{File: in.Path, Reason: in.Skip, Whole: true})
			default:
				nm.sent++
				jobs <- job{in, &nm.logs, &nm.empty}
			}
		}
	}
	close(jobs)
	wg.Wait()
	// An empty input named is said already (Summary.FilesEmpty).
	for _, nm := range all {
		if nm.failed+nm.again == 0 && nm.logs.Load() == 0 && nm.empty.Load() == 0 && ctx.Err() == nil {
			r := walk.noLogs(nm.path, nm.folder, nm.skipped+nm.sent)
			s.opts.Log.Warn(r.Reason, "input", nm.path)
		}
	}
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
