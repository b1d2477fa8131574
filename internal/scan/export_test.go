package scan

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/ttcproject/ttc/internal/detect"
)

// SetSpillLimits sets how many runs a merge reads at once, how many
// findings a regrouping sorts in memory and how many runs the workers hold
// open, small enough for tests to reach all three, and returns a function
// that restores them.
func SetSpillLimits(fanIn, batch, openRuns int) (restore func()) {
	oldFan, oldBatch, oldOpen := maxFanIn, groupBatch, maxOpenRuns
	maxFanIn, groupBatch, maxOpenRuns = fanIn, batch, openRuns
	return func() { maxFanIn, groupBatch, maxOpenRuns = oldFan, oldBatch, oldOpen }
}

// SetSpillBytes sets how much a worker's findings may hold before it
// spills them, and returns a function that restores it.
func SetSpillBytes(n int) (restore func()) {
	old := spillBytes
	spillBytes = n
	return func() { spillBytes = old }
}

// SetGroupLimits sets how many groups, and how many bytes of their keys, a
// regrouping numbers in memory, and how many bytes of findings a Group
// holds in memory, and returns a function that restores them.
func SetGroupLimits(ranked, rankedBytes, mem int) (restore func()) {
	oldRanked, oldBytes, oldMem := maxRanked, maxRankedBytes, groupMem
	maxRanked, maxRankedBytes, groupMem = ranked, rankedBytes, mem
	return func() { maxRanked, maxRankedBytes, groupMem = oldRanked, oldBytes, oldMem }
}

// SetCorrelationLimits sets how many records, and how many bytes, a scan
// keeps for its correlations, as whole findings and as compact notes
// alike, and returns a function that restores them.
func SetCorrelationLimits(notes, bytes int64) (restore func()) {
	oldNotes, oldBytes, oldCompact, oldCompactBytes := maxCorrelationNotes, maxCorrelationBytes, maxCompactNotes, maxCompactBytes
	maxCorrelationNotes, maxCorrelationBytes, maxCompactNotes, maxCompactBytes = notes, bytes, notes, bytes
	return func() {
		maxCorrelationNotes, maxCorrelationBytes, maxCompactNotes, maxCompactBytes = oldNotes, oldBytes, oldCompact, oldCompactBytes
	}
}

// CompactLimits are the bounds of compact correlation notes.
func CompactLimits() (notes, bytes int64) { return maxCompactNotes, maxCompactBytes }

// CompactNoteBytes is what a compact note is taken to cost.
const CompactNoteBytes = compactNoteBytes

// SetRereadHook sets a function run before a scan reads records of its
// files again, and returns a function that removes it.
func SetRereadHook(f func()) (restore func()) {
	rereadHook = f
	return func() { rereadHook = nil }
}

// SetPeakHook sets a function run when a scan's correlations hold the
// most memory, and returns a function that removes it.
func SetPeakHook(f func()) (restore func()) {
	peakHook = f
	return func() { peakHook = nil }
}

// ListValueBytes is what a value of a counted list is charged.
const ListValueBytes = listValueBytes

// SetPassHook sets a function run before each partition pass of a scan's
// correlations, and returns a function that removes it.
func SetPassHook(f func()) (restore func()) {
	passHook = f
	return func() { passHook = nil }
}

// SetGroupHashHook sets a function that hashes the correlation group
// keys it reports it knows, in place of the partition passes' hash, and
// returns a function that removes it.
func SetGroupHashHook(f func(corr int, key []byte) (uint64, bool)) (restore func()) {
	hashHook = f
	return func() { hashHook = nil }
}

// SetNoteSpillLimit sets how many bytes a scan's spills of correlation
// notes may take together, and returns a function that restores it.
func SetNoteSpillLimit(n int64) (restore func()) {
	old := maxNoteSpill
	maxNoteSpill = n
	return func() { maxNoteSpill = old }
}

// PassesReadSpill reports whether the last scan's partition passes read
// the notes its first reading spilled, rather than its files.
func (s *Scanner) PassesReadSpill() bool { return s.corrSpilled }

// SetStreamCorrelationLimits sets how many records of streams, and how
// many bytes, a scan keeps whole for its correlations, leaving the bounds
// of compact notes as they are, and returns a function that restores them.
func SetStreamCorrelationLimits(notes, bytes int64) (restore func()) {
	oldNotes, oldBytes := maxCorrelationNotes, maxCorrelationBytes
	maxCorrelationNotes, maxCorrelationBytes = notes, bytes
	return func() { maxCorrelationNotes, maxCorrelationBytes = oldNotes, oldBytes }
}

// SpilledTextBytes is what a pass's note of a stream's record is taken to
// cost beside CompactNoteBytes.
const SpilledTextBytes = spilledTextBytes

// SetNoteRunEntries sets how many entries one run of a spill of notes
// holds, and returns a function that restores it.
func SetNoteRunEntries(n int64) (restore func()) {
	old := maxRunEntries
	maxRunEntries = n
	return func() { maxRunEntries = old }
}

// RenumberFirstNote rewrites the first entry of the first run of s's
// spills of correlation notes, as a first reading would write it but with
// its first note of correlation corr, for a pass of s to read back.
func RenumberFirstNote(s *Scanner, corr int) error {
	seg, en, err := firstNoteEntry(s)
	if err != nil {
		return err
	}
	en.notes[0].corr = corr
	var b bytes.Buffer
	if _, err := newNoteEncoder(&b).encode(en); err != nil {
		return err
	}
	if int64(b.Len()) > seg.end-seg.start {
		return fmt.Errorf("the entry grew to %d bytes, past its run's %d", b.Len(), seg.end-seg.start)
	}
	_, err = seg.f.WriteAt(b.Bytes(), seg.start)
	return err
}

// firstNoteEntry reads back the first entry of the first run of s's
// spills of correlation notes.
func firstNoteEntry(s *Scanner) (*noteSegment, *noteEntry, error) {
	if s.noteSpills == nil {
		return nil, nil, errors.New("no spills of notes")
	}
	for _, sp := range s.noteSpills.all {
		if len(sp.segs) == 0 {
			continue
		}
		seg := &sp.segs[0]
		var d noteDecoder
		d.reset(io.NewSectionReader(seg.f, seg.start, seg.end-seg.start))
		en := &noteEntry{}
		if err := d.decode(en); err != nil {
			return nil, nil, err
		}
		return seg, en, nil
	}
	return nil, nil, errors.New("no run of notes")
}

// FlipFirstNoteDigest flips the lowest bit of the digest of the first
// entry of the first run of s's spills of correlation notes, in place,
// leaving its checksum as it was.
func FlipFirstNoteDigest(s *Scanner) error {
	seg, en, err := firstNoteEntry(s)
	if err != nil {
		return err
	}
	// The digest follows the entry's length, its flags and four varints:
	// the first entry of a run is written less 0.
	var b []byte
	b = binary.AppendUvarint(b, 0) // the length's place, measured below
	b = binary.AppendUvarint(b, uint64(en.flags))
	for _, v := range [...]int64{en.ordinal, en.line, en.offset, en.at} {
		b = binary.AppendVarint(b, v)
	}
	var size [binary.MaxVarintLen64]byte
	if _, err := seg.f.ReadAt(size[:], seg.start); err != nil {
		return err
	}
	_, head := binary.Uvarint(size[:])
	at := seg.start + int64(head+len(b)-1)
	var d [1]byte
	if _, err := seg.f.ReadAt(d[:], at); err != nil {
		return err
	}
	d[0] ^= 1
	_, err = seg.f.WriteAt(d[:], at)
	return err
}

// GroupKeyHash hashes the key of a group of correlation corr whose one
// group-by value is value with the fixed hash that a scan samples groups
// with, which anyone can compute.
func GroupKeyHash(corr int, value string) uint64 {
	return keyHash(corr, appendGroupKey(nil, []detect.FieldValue{{Text: value}}))
}
