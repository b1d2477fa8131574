package cloudtrail

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"math"

	kgzip "github.com/klauspost/compress/gzip"
	"github.com/ttcproject/ttc/internal/jsonscan"
)

// Defaults and bounds for Options.
const (
	DefaultBufferSize = 256 << 10
	// DefaultMaxValueSize is 16 times the largest event CloudTrail records
	// (1 MB with large events turned on, 256 KB otherwise).
	DefaultMaxValueSize = 16 << 20
	// MinValueSize is the smallest MaxValueSize: the reader looks ahead up
	// to 64 bytes to recognise a line's start.
	MinValueSize = 128
)

// Gzip selects a gzip implementation.
type Gzip uint8

// Gzip implementations.
const (
	// GzipFast is github.com/klauspost/compress/gzip, the default.
	GzipFast Gzip = iota
	// GzipStd is the standard library's compress/gzip.
	GzipStd
)

// Options tune a Reader. The zero value is ready to use.
type Options struct {
	// BufferSize is the initial size of the read buffer.
	BufferSize int
	// MaxValueSize bounds the bytes held at once for one record, or for a
	// top-level object before it turns out to be a container; this is what
	// keeps memory flat. A record larger than that is rejected and skipped
	// without being held, and reading goes on after it. It is at least
	// MinValueSize.
	MaxValueSize int
	// Gzip selects the decompressor.
	Gzip Gzip
	// MaxInputBytes, when above zero, bounds the bytes read from one input
	// after decompression: past it the file ends with ErrInputTooLarge, and
	// what was read before stands. A server scanning uploads sets it, so
	// that a small gzip file cannot make it read gigabytes.
	MaxInputBytes int64
	// MaxTotalInputBytes, when above zero, bounds the bytes read after
	// decompression from all the inputs of one Reader together (each Reset
	// starts one): the input that reaches it ends with ErrInputTooLarge, as
	// at MaxInputBytes, and those after it give nothing. A server scanning
	// several uploaded files as one scan sets it, so that many small gzip
	// files cannot together make it read more than one may.
	MaxTotalInputBytes int64
}

type mode uint8

const (
	modeTop    mode = iota // between top-level values
	modeObject             // inside a top-level object, at a member
	modeArray              // inside an array of items
)

// category is what a top-level value turned out to be; a file may not mix them.
type category uint8

const (
	catNone      category = iota
	catContainer          // an object holding Records, Events or logEvents
	catItems              // records, envelopes or arrays of them
)

// Reader reads the records of one file at a time. It is not safe for
// concurrent use; use one Reader per goroutine and Reset it for each file so
// that its buffers are reused.
type Reader struct {
	opts Options
	name string
	br   *bufio.Reader
	in   io.Reader
	kgz  *kgzip.Reader
	sgz  *gzip.Reader
	// members reads kgz or sgz, one gzip member at a time.
	members members

	buf  []byte
	base int64 // stream offset of buf[0]
	// spent is what the inputs before this one gave, decompressed (see
	// Options.MaxTotalInputBytes).
	spent    int64
	n        int // bytes of buf holding data
	eof      bool
	tooLarge bool
	readErr  error

	pos, keep      int64 // parse position; first offset still needed
	lines, linePos int64 // newlines counted before linePos
	// farLines and farPos are a second such count, kept where a lone
	// object failed (its error's line, the end of input) while reading goes
	// on from the lines it took in, so that neither is counted again for
	// each of them.
	farLines, farPos int64
	// endLine is the line of offset endAt, where the input ended, which
	// each object left open at its end names; 0 until asked.
	endLine, endAt int64

	started  bool
	lambda   bool // the input is the payload of a Lambda subscription event
	mode     mode
	cat      category
	first    bool  // the next item is the file's first
	objStart int64 // start of the current top-level object
	// startCol is the column of the top-level value top found last (-1
	// when not known: it follows another value on its line), and recCol
	// that of the last whole lone object. After a broken lone record,
	// reading resumes at an object no further indented than either (see
	// resyncNote). resyncAt is where resync stopped, at a line's object of
	// column resyncCol.
	startCol, recCol int
	resyncAt         int64
	resyncCol        int
	// conts are the container keys met in the current top-level object.
	conts []string
	// resyncObj is 1 + the offset of the object resync last stopped at
	// (0 for none), which objectEnd checks is not nested (see nestedAfter).
	resyncObj int64
	objFirst  bool   // no member read yet in it
	inCont    bool   // it holds a container
	overflow  bool   // it outgrew the buffer and is no longer held
	objLine   int64  // its line, kept when it overflows
	arrFirst  bool   // no item read yet in the current array
	contShape Shape  // shape of the current array's items
	topArray  bool   // the current array is a top-level array
	control   bool   // the current object is a CloudWatch control message
	stray     string // the container key of a container among lone records
	resume    int64  // where a lone object left open may resume; see skipValue

	// scanFail and skipFail are the last failures of a lone object's scan
	// and of skipping a lone value, remembered so that the values that run
	// up to them are not scanned again for each line; see known.go.
	scanFail, skipFail knownFailure
	steps              int64 // bytes scanned for lone objects, skipped, remembered or counted for lines, for tests

	sc      scanner
	keys    itemKeys
	objKeys []keyRef // keys of the top-level object, from objStart
	// objMembers are the members of the top-level object, relative to objStart.
	objMembers []jsonscan.Member
	objMask    uint64 // fingerprint bits of objKeys
	dupAt      int64  // the first repeated key in the current item, 0 for none
	stack      []byte
	// passedLine is the line of the last byte other than a blank that
	// damageScan or nextRecord let go of while passing damage, 0 for none:
	// the buffer no longer holds it when the damage is rejected.
	passedLine int64
	// reopened is set once a stray ']' was read as damage in an array of
	// records (closedEarly): the array may then end with the input, and
	// records after it need no commas, since they may be a next
	// document's, one to a line, after the end of a first. A comma, two
	// records on one line or the array's real end clear it.
	reopened bool
	scratch  []byte
	rec      Record
	stats    Stats
	err      error
}

// NewReader returns a Reader with the given options. Call Reset before Next.
func NewReader(opts Options) *Reader {
	if opts.BufferSize <= 0 {
		opts.BufferSize = DefaultBufferSize
	}
	if opts.MaxValueSize <= 0 {
		opts.MaxValueSize = DefaultMaxValueSize
	}
	opts.MaxValueSize = min(max(opts.MaxValueSize, MinValueSize), math.MaxInt32) // keyRef holds int32
	opts.BufferSize = min(opts.BufferSize, opts.MaxValueSize)
	return &Reader{opts: opts, err: io.EOF}
}

// Reset starts reading src, named name in positions and errors. src may be
// gzip-compressed (one layer, any number of members) or plain.
func (r *Reader) Reset(src io.Reader, name string) {
	if r.br == nil {
		r.br = bufio.NewReaderSize(src, 64<<10)
	} else {
		r.br.Reset(src)
	}
	if r.buf == nil {
		r.buf = make([]byte, r.opts.BufferSize)
	}
	// A buffer grown for a large record is kept for the next file: it is
	// bounded by MaxValueSize, and letting it go made each such file leave
	// that much garbage, and grow it anew.
	if cap(r.objKeys) > maxKeptKeys {
		r.objKeys = nil
	}
	if cap(r.objMembers) > maxKeptKeys {
		r.objMembers = nil
	}
	r.sc.trim()
	r.scanFail.forget()
	r.skipFail.forget()
	*r = Reader{
		opts: r.opts, name: name, br: r.br, kgz: r.kgz, sgz: r.sgz, spent: r.spent + r.base + int64(r.n),
		buf: r.buf, sc: r.sc, stack: r.stack, scratch: r.scratch, objKeys: r.objKeys, objMembers: r.objMembers[:0],
		scanFail: r.scanFail, skipFail: r.skipFail,
		first: true,
	}
}

// Stats returns the counts so far. Bytes counts what has been read while
// the file is being read, and what was consumed once it has ended.
func (r *Reader) Stats() Stats {
	st := r.stats
	if r.err == nil {
		st.Bytes = r.base + int64(r.n)
	}
	return st
}

// Next returns the next record. A *RecordError reports a rejected record and
// reading can go on; io.EOF ends a file read in full; any other error, a
// *FileError, ends reading the file early (errors.Is(err, ErrDigest) for a
// digest file set aside). The record is reused by the next call.
func (r *Reader) Next() (*Record, error) {
	if r.err != nil {
		return nil, r.err
	}
	if !r.started {
		if err := r.start(); err != nil {
			return nil, r.stop(err)
		}
	}
	for {
		var rec *Record
		var err error
		switch r.mode {
		case modeTop:
			err = r.top()
		case modeObject:
			rec, err = r.member()
		default:
			rec, err = r.element()
		}
		if _, ok := err.(*RecordError); ok {
			return nil, err
		}
		if err != nil {
			return nil, r.stop(err)
		}
		if rec != nil {
			return rec, nil
		}
	}
}

func (r *Reader) stop(err error) error {
	r.err = err
	r.stats.Bytes = r.base + int64(r.n)
	return err
}

// start sniffs gzip by its magic number.
func (r *Reader) start() error {
	r.started = true
	head, err := r.br.Peek(2)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return r.fileErr(0, fmt.Errorf("read input: %w", err))
	}
	if len(head) < 2 || head[0] != 0x1f || head[1] != 0x8b {
		r.in = r.br
		return nil
	}
	r.stats.Shapes |= ShapeGzip
	var gz gzipReader
	if r.opts.Gzip == GzipStd {
		if r.sgz == nil {
			r.sgz = new(gzip.Reader)
		}
		gz = r.sgz
	} else {
		if r.kgz == nil {
			r.kgz = new(kgzip.Reader)
		}
		gz = r.kgz
	}
	if err := r.members.start(r.br, gz); err != nil {
		return r.fileErr(0, fmt.Errorf("open gzip: %w", err))
	}
	r.in = &r.members
	return nil
}

func (r *Reader) idx(p int64) int { return int(p - r.base) }
func (r *Reader) abs(i int) int64 { return r.base + int64(i) }
func (r *Reader) data() []byte    { return r.buf[:r.n] }
func (r *Reader) setPos(i int)    { r.pos = r.abs(i) }
func (r *Reader) keepHere(i int)  { r.pos = r.abs(i); r.keep = r.pos }

// anchor is where the current top-level value must be kept from.
func (r *Reader) anchor() int64 {
	if r.inCont || r.overflow {
		return r.pos
	}
	return r.objStart
}

func (r *Reader) fileErr(at int64, err error) error {
	if r.lambda { // the position counts in the payload, which the reason says
		err = fmt.Errorf("%w (in the payload of the Lambda subscription event, awslogs.data)", err)
	}
	return &FileError{Pos: r.position(at, r.stats.Read), Err: err}
}

func (r *Reader) position(at, ordinal int64) Position {
	if r.overflow && at == r.objStart { // no longer in the buffer
		return Position{File: r.name, Ordinal: ordinal, Offset: at, Line: r.objLine}
	}
	return Position{File: r.name, Ordinal: ordinal, Offset: at, Line: r.lineAt(at)}
}

// lineAt returns the 1-based line of offset p, which must still be in the
// buffer, counting newlines from the nearer of the two offsets asked for
// last, which moves to p.
func (r *Reader) lineAt(p int64) int64 {
	lines, pos := &r.lines, &r.linePos
	if absDiff(p, r.farPos) < absDiff(p, r.linePos) {
		lines, pos = &r.farLines, &r.farPos
	}
	if p >= *pos {
		*lines += int64(bytes.Count(r.buf[r.idx(*pos):r.idx(p)], []byte{'\n'}))
	} else {
		*lines -= int64(bytes.Count(r.buf[r.idx(p):r.idx(*pos)], []byte{'\n'}))
	}
	r.steps += absDiff(p, *pos)
	*pos = p
	return *lines + 1
}

func absDiff(a, b int64) int64 {
	if a < b {
		return b - a
	}
	return a - b
}

// fill drops the bytes before r.keep and reads more. It reports whether
// new bytes arrived; r.tooLarge says when none could, the buffer being full
// from r.keep at its largest size.
func (r *Reader) fill() bool {
	r.tooLarge = false
	if r.eof {
		return false
	}
	if k := r.idx(r.keep); k > 0 {
		if r.linePos < r.keep {
			r.lines += int64(bytes.Count(r.buf[r.idx(r.linePos):k], []byte{'\n'}))
			r.linePos = r.keep
		}
		if r.farPos < r.keep {
			r.farLines, r.farPos = r.lines, r.linePos
		}
		r.n = copy(r.buf, r.buf[k:r.n])
		r.base += int64(k)
	}
	if r.n == len(r.buf) {
		if len(r.buf) >= r.opts.MaxValueSize {
			r.tooLarge = true
			return false
		}
		grown := make([]byte, min(2*len(r.buf), r.opts.MaxValueSize))
		r.n = copy(grown, r.buf[:r.n])
		r.buf = grown
	}
	// Fill the whole buffer before going on: a value cut across short reads
	// (a multipart upload, a slow pipe) is scanned again from its start after
	// each fill, and small fills would make that quadratic in its size.
	start := r.n
	limit, bounded, shared := r.limit()
	for r.n < len(r.buf) {
		room := r.buf[r.n:]
		if bounded {
			// One byte past the limit tells input longer than it from input
			// that ends there; that byte is not kept.
			room = room[:min(int64(len(room)), limit+1-r.base-int64(r.n))]
		}
		m, err := r.in.Read(room)
		r.n += m
		if bounded && r.base+int64(r.n) > limit {
			r.n = int(limit - r.base)
			r.eof, r.readErr = true, fmt.Errorf("%w: more than %s once decompressed; the rest is not read", ErrInputTooLarge, sizeText(limit))
			if shared {
				r.readErr = fmt.Errorf("%w: the inputs read so far are more than %s together once decompressed; the rest is not read",
					ErrInputTooLarge, sizeText(r.opts.MaxTotalInputBytes))
			}
			break
		}
		if err != nil {
			r.eof = true
			if err != io.EOF {
				r.readErr = err
			}
			break
		}
	}
	return r.n > start
}

// limit is how many bytes the current input may give, decompressed, and
// whether that is bounded at all: the lesser of MaxInputBytes and what
// MaxTotalInputBytes leaves after the inputs before it. shared says that
// the latter is the bound.
func (r *Reader) limit() (limit int64, bounded, shared bool) {
	limit, bounded = r.opts.MaxInputBytes, r.opts.MaxInputBytes > 0
	if total := r.opts.MaxTotalInputBytes; total > 0 {
		if left := max(total-r.spent, 0); !bounded || left < limit {
			return left, true, true
		}
	}
	return limit, bounded, false
}

// onlySpaceFrom reports whether the buffer holds only white space from
// offset at, past one separator (',') at most.
func (r *Reader) onlySpaceFrom(at int64) bool {
	b, i := r.data(), r.idx(at)
	if i < 0 || i > len(b) {
		return false
	}
	if i = skipWS(b, i); i < len(b) && b[i] == ',' {
		i = skipWS(b, i+1)
	}
	return i == len(b)
}

func (r *Reader) endErr(at int64) error {
	switch {
	case r.readErr != nil:
		return r.fileErr(at, fmt.Errorf("read input: %w", r.readErr))
	case r.tooLarge:
		if r.onlySpaceFrom(at) {
			return r.fileErr(at, fmt.Errorf("%w: more than %d bytes of white space between values", ErrTooLarge, r.opts.MaxValueSize))
		}
		return r.fileErr(at, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, r.opts.MaxValueSize))
	}
	return r.fileErr(at, ErrTruncated)
}

// collide checks the key b[i:ke] of the top-level object, of fingerprint
// fp, against its earlier keys when their fingerprint bits collide. The
// keys (r.objKeys) are kept relative to the object's start, which stays put
// in the buffer while the buffer moves.
func (r *Reader) collide(b []byte, i, ke int, fp uint64) {
	o := r.idx(r.objStart)
	r.sc.dup = 0
	r.sc.collide(r.objKeys, b[o:], i-o, ke-o, fp)
	if r.sc.dup != 0 {
		r.noteDup(r.objStart + int64(r.sc.dup))
	}
}

// closeObjKeys checks the keys of the top-level object when it has too many
// to have been checked key by key.
func (r *Reader) closeObjKeys() {
	if len(r.objKeys) <= linearKeys {
		return
	}
	if q := r.sc.closeKeys(r.data()[r.idx(r.objStart):], r.objKeys); q != 0 {
		r.noteDup(r.objStart + int64(q))
	}
}

// noteDup records a repeated key at offset at; the first in the input is
// kept.
func (r *Reader) noteDup(at int64) {
	if r.dupAt == 0 || at < r.dupAt {
		r.dupAt = at
	}
}

// dupWhere names the repeated key at r.dupAt, which is still in the buffer,
// and where it is.
func (r *Reader) dupWhere() string {
	name := keyName(r.data(), r.idx(r.dupAt))
	return fmt.Sprintf("%s at line %d, offset %d", name, r.lineAt(r.dupAt), r.dupAt)
}

func (r *Reader) setCat(c category, at int64) error {
	if r.cat == catNone {
		r.cat = c
		return nil
	}
	if r.cat != c {
		return r.fileErr(at, fmt.Errorf("%w: %s after %s", ErrMixedShapes, c, r.cat))
	}
	return nil
}

func (c category) String() string {
	if c == catContainer {
		return "a container object"
	}
	return "records"
}

// sizeText writes a limit in the unit it was most likely set in: 1 GiB,
// 512 MiB, or bytes.
func sizeText(n int64) string {
	switch {
	case n > 0 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n > 0 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}
