package scan

import (
	"cmp"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/ttcproject/ttc/internal/ruleset"
)

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
	// corrKeySum sums, in a first reading, the keyHash of the group key of
	// every note offered to correlations, kept or not, from which the
	// scan's partition passes draw their seed (see passSeed).
	corrKeySum uint64
	// corrSample is the worker's sample of the groups the records it
	// offered in a first reading open (see correlator.askedGroups).
	corrSample groupSample
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

// noLogs notes that path, named to be scanned, gave no log to read: a
// folder that was empty, or each of whose skipped files was set aside, or
// a file set aside for what it holds (a digest file).
func (p *part) noLogs(path string, folder bool, skipped int) Rejection {
	p.sum.InputsWithoutLogs++
	r := Rejection{File: path, Reason: "folder holds no file: no log was read from it", Whole: true}
	switch {
	case !folder:
		r.Reason = "input holds no log: it was set aside (see the skipped files)"
	case skipped == 1:
		r.Reason = "folder holds no log: its one file was set aside (see the skipped files)"
	case skipped > 1:
		r.Reason = fmt.Sprintf("folder holds no log: each of its %d files was set aside (see the skipped files)", skipped)
	}
	p.sum.Warnings++
	p.warnings = keepFirst(p.warnings, r)
	return r
}
