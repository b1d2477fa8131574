package scan

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
)

// A spill of correlation notes (see notespill.go) holds one entry for each
// record the rules correlations count matched, in a compact binary form of
// this package's own: its length, then
//
//	flags                          uvarint: corrRecord's recHasID, recAttempt, recTimeText, recSpilled
//	ordinal, line, offset, time    varints, each less the previous entry's (the first: less 0)
//	digest                         8 bytes, little-endian
//	eventTime's text               when recTimeText: its length and bytes
//	the record's text              when recSpilled (a record of a stream): its length and bytes
//	rules                          how many, then each by its number in correlator.bases
//	notes                          how many, then each: its correlation (uvarint), its group
//	                               key, how many values it counts and their hashes (8 bytes each)
//	checksum                       CRC-32C of all the above but the length, 4 bytes, little-endian
//
// The checksum catches damage that keeps the form (a bit flipped in a
// digest or a time), which would change findings without a word: a
// reader that finds it wrong reports the spill corrupt.
//
// A file's entries follow one another, and each file's run of entries
// starts afresh (reset): its numbers are not taken less another file's,
// and its keys are numbered anew, so that a pass can read the runs of
// the files in any order. A group key is written as a uvarint tag, then:
//
//	0: a key not numbered: its length and bytes
//	1: a key numbered next: its length and bytes
//	n+2: the key numbered n
//
// One caller's thousands of deletions then write their key once a file.
// Like a run file's strings, keys are numbered up to a cap, and long ones
// not at all, so that a reader holds little.
//
// A stream's record cannot be read again from its input, so its entry
// carries the record's JSON text, as the reader gave it: a partition pass
// keeps where that text lies in the spill (noteEntry.rawAt), not the text,
// and a finding is made of it by reading it back from there. It comes
// before the rules and keys, whose numbers need the entries before them,
// so that it is read back alone.

const (
	maxNoteKeys       = 4096
	maxNumberedKey    = 256
	maxNoteEntrySize  = 64 << 20 // four times the largest record the reader takes by default
	noteEntryFlagMask = recHasID | recAttempt | recTimeText | recSpilled
)

// noteEntry is one record's entry: what noteCorrelations read of it.
type noteEntry struct {
	ordinal, line, offset int64
	at                    int64  // eventTime in Unix nanoseconds
	digest                uint64 // see corrRecord
	flags                 uint8  // noteEntryFlagMask of corrRecord.flags
	text                  string // eventTime as written, when recTimeText
	// raw is the record's text, when recSpilled; read back, it holds the
	// decoder's memory until the next entry (see noteDecoder.rawAt).
	raw   []byte
	rules []uint32
	notes []entryNote
}

// entryNote is one correlation's note of a record: the key of its group
// and the hashes of the values it counts. Read back, both hold the
// decoder's memory until the next entry.
type entryNote struct {
	corr   int
	key    []byte
	hashes []uint64
}

// noteEncoder appends entries to a spill.
type noteEncoder struct {
	w    io.Writer
	buf  []byte
	prev noteEntry // the places and time of the previous entry of the run
	ids  map[string]uint32
}

func newNoteEncoder(w io.Writer) *noteEncoder {
	return &noteEncoder{w: w, ids: map[string]uint32{}}
}

// reset starts the run of another file.
func (e *noteEncoder) reset() {
	e.prev = noteEntry{}
	clear(e.ids)
}

func (e *noteEncoder) uint(v uint64) { e.buf = binary.AppendUvarint(e.buf, v) }
func (e *noteEncoder) int(v int64)   { e.buf = binary.AppendVarint(e.buf, v) }

// key writes a group key, numbered when it may be.
func (e *noteEncoder) key(k []byte) {
	if id, ok := e.ids[string(k)]; ok {
		e.uint(uint64(id) + 2)
		return
	}
	tag := uint64(0)
	if len(e.ids) < maxNoteKeys && len(k) <= maxNumberedKey {
		e.ids[string(k)] = uint32(len(e.ids))
		tag = 1
	}
	e.uint(tag)
	e.uint(uint64(len(k)))
	e.buf = append(e.buf, k...)
}

// encode writes en and returns how many bytes it took.
func (e *noteEncoder) encode(en *noteEntry) (int, error) {
	e.buf = e.buf[:0]
	e.uint(uint64(en.flags & noteEntryFlagMask))
	e.int(en.ordinal - e.prev.ordinal)
	e.int(en.line - e.prev.line)
	e.int(en.offset - e.prev.offset)
	e.int(en.at - e.prev.at)
	e.buf = binary.LittleEndian.AppendUint64(e.buf, en.digest)
	if en.flags&recTimeText != 0 {
		e.uint(uint64(len(en.text)))
		e.buf = append(e.buf, en.text...)
	}
	if en.flags&recSpilled != 0 {
		e.uint(uint64(len(en.raw)))
		e.buf = append(e.buf, en.raw...)
	}
	e.uint(uint64(len(en.rules)))
	for _, r := range en.rules {
		e.uint(uint64(r))
	}
	e.uint(uint64(len(en.notes)))
	for _, n := range en.notes {
		e.uint(uint64(n.corr))
		e.key(n.key)
		e.uint(uint64(len(n.hashes)))
		for _, h := range n.hashes {
			e.buf = binary.LittleEndian.AppendUint64(e.buf, h)
		}
	}
	e.prev.ordinal, e.prev.line, e.prev.offset, e.prev.at = en.ordinal, en.line, en.offset, en.at
	e.buf = binary.LittleEndian.AppendUint32(e.buf, crc32.Checksum(e.buf, castagnoli))
	if len(e.buf) > maxNoteEntrySize {
		return 0, fmt.Errorf("a record's notes take %d bytes, past the %d an entry may", len(e.buf), maxNoteEntrySize)
	}

	var n [binary.MaxVarintLen64]byte
	head := n[:binary.PutUvarint(n[:], uint64(len(e.buf)))]
	if _, err := e.w.Write(head); err != nil {
		return 0, err
	}
	if _, err := e.w.Write(e.buf); err != nil {
		return 0, err
	}
	return len(head) + len(e.buf), nil
}

var errNotesCorrupt = errors.New("spilled correlation notes corrupt")

// castagnoli is the table of the entries' checksums: CRC-32C, which
// processors compute in hardware.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// noteDecoder reads entries back from one file's run.
type noteDecoder struct {
	fieldReader
	r      *bufio.Reader
	off    int64 // where the next entry starts in the run
	rawAt  int64 // where the record text of the entry read starts in the run
	prev   noteEntry
	keys   []byte   // the numbered keys, one after the other
	ends   []int    // where each ends in keys
	hashes []uint64 // the hashes of the entry read
}

// reset starts reading the run of another file from r.
func (d *noteDecoder) reset(r io.Reader) {
	if d.r == nil {
		d.r = bufio.NewReaderSize(r, 64<<10)
	} else {
		d.r.Reset(r)
	}
	d.prev, d.keys, d.ends, d.off, d.rawAt = noteEntry{}, d.keys[:0], d.ends[:0], 0, 0
}

// number reads a rule's or a correlation's number, at most most: its
// range in the scan's rules is for the reader of the entry to check.
func (d *noteDecoder) number(most uint64) uint64 {
	v := d.uint()
	if v > most {
		d.err = errNotesCorrupt
		return 0
	}
	return v
}

// fixed64 reads 8 bytes, little-endian.
func (d *noteDecoder) fixed64() uint64 {
	b := d.bytes(8)
	if b == nil {
		return 0
	}
	return binary.LittleEndian.Uint64(b)
}

// key reads a group key.
func (d *noteDecoder) key() []byte {
	tag := d.uint()
	if d.err != nil {
		return nil
	}
	if tag >= 2 {
		i := tag - 2
		if i >= uint64(len(d.ends)) {
			d.err = errNotesCorrupt
			return nil
		}
		start := 0
		if i > 0 {
			start = d.ends[i-1]
		}
		return d.keys[start:d.ends[i]:d.ends[i]]
	}
	k := d.bytes(d.uint())
	if tag == 1 && d.err == nil {
		d.keys = append(d.keys, k...)
		d.ends = append(d.ends, len(d.keys))
	}
	return k
}

// count reads how many items of at least min bytes each follow.
func (d *noteDecoder) count(min int) int {
	n := d.uint()
	if d.err == nil && n > uint64(len(d.buf)-d.at)/uint64(min) {
		d.err = errNotesCorrupt
	}
	if d.err != nil {
		return 0
	}
	return int(n)
}

// decode reads the next entry into en, reusing its lists; io.EOF after
// the last.
func (d *noteDecoder) decode(en *noteEntry) error {
	size, head, err := d.size()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return io.EOF
		}
		return fmt.Errorf("%w: %v", errNotesCorrupt, err)
	}
	if size > maxNoteEntrySize {
		return fmt.Errorf("%w: an entry of %d bytes", errNotesCorrupt, size)
	}
	if cap(d.buf) < int(size) {
		d.buf = make([]byte, size)
	}
	d.fieldReader = fieldReader{buf: d.buf[:size], corrupt: errNotesCorrupt}
	if _, err := io.ReadFull(d.r, d.buf); err != nil {
		return fmt.Errorf("%w: %v", errNotesCorrupt, err)
	}
	body := d.off + int64(head)
	d.off = body + int64(size)
	if size < 4 {
		return fmt.Errorf("%w: an entry of %d bytes", errNotesCorrupt, size)
	}
	sum := binary.LittleEndian.Uint32(d.buf[size-4:])
	if d.buf = d.buf[:size-4]; crc32.Checksum(d.buf, castagnoli) != sum {
		return fmt.Errorf("%w: an entry's checksum differs", errNotesCorrupt)
	}
	flags := d.uint()
	if flags&^noteEntryFlagMask != 0 {
		d.err = errNotesCorrupt
	}
	en.flags = uint8(flags)
	en.ordinal = d.prev.ordinal + d.int()
	en.line = d.prev.line + d.int()
	en.offset = d.prev.offset + d.int()
	en.at = d.prev.at + d.int()
	en.digest = d.fixed64()
	en.text = ""
	if en.flags&recTimeText != 0 {
		en.text = string(d.bytes(d.uint()))
	}
	en.raw, d.rawAt = nil, 0
	if en.flags&recSpilled != 0 {
		// An empty text is read as none, as it was written.
		if n := d.uint(); n > 0 {
			d.rawAt = body + int64(d.at)
			en.raw = d.bytes(n)
		}
	}
	en.rules = en.rules[:0]
	for range d.count(1) {
		en.rules = append(en.rules, uint32(d.number(math.MaxUint32)))
	}
	en.notes, d.hashes = en.notes[:0], d.hashes[:0]
	for range d.count(3) {
		n := entryNote{corr: int(d.number(math.MaxInt32)), key: d.key()}
		lo := len(d.hashes)
		for range d.count(8) {
			d.hashes = append(d.hashes, d.fixed64())
		}
		n.hashes = d.hashes[lo:len(d.hashes):len(d.hashes)]
		en.notes = append(en.notes, n)
	}
	if d.err == nil && d.at != len(d.buf) {
		d.err = errNotesCorrupt
	}
	d.prev.ordinal, d.prev.line, d.prev.offset, d.prev.at = en.ordinal, en.line, en.offset, en.at
	return d.err
}

// size reads the length of the next entry, and how many bytes it took:
// binary.ReadUvarint's, counted, so that the decoder knows where in the
// run each entry's record text lies.
func (d *noteDecoder) size() (size uint64, n int, err error) {
	var b [binary.MaxVarintLen64]byte
	for n < len(b) {
		c, err := d.r.ReadByte()
		if err != nil {
			if n > 0 && errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return 0, n, err
		}
		b[n] = c
		n++
		if c < 0x80 {
			size, k := binary.Uvarint(b[:n])
			if k <= 0 {
				return 0, n, errors.New("an entry's length overflows")
			}
			return size, n, nil
		}
	}
	return 0, n, errors.New("an entry's length overflows")
}
