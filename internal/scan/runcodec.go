package scan

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// A run file holds findings in a compact binary form of this package's
// own: each finding is its length, then its fields in a fixed order.
// Findings repeat most of their strings (rule, technique, file, actor), so
// a run numbers the strings it has written and writes a repeated one as
// its number. A string is written as a varint tag, then:
//
//	0: a string not numbered: its length and bytes
//	1: a string numbered next: its length and bytes
//	n+2: the string numbered n
//
// Reading a run back makes each numbered string once, and findings share
// them. Only fields that repeat from finding to finding are numbered (not
// event IDs and times, error messages, sessions' ARNs and keys, source
// addresses), the numbers are capped, and long strings are not numbered,
// so that a merge, which reads many runs at once, holds little.

const (
	maxRunStrings   = 4096
	maxNumberedSize = 256
	// maxSpilledSize bounds a finding read back: findings quote at most
	// maxFieldBytes of each field, and are far smaller.
	maxSpilledSize = 64 << 20
)

// runEncoder appends findings to a run.
type runEncoder struct {
	w   *bufio.Writer
	buf []byte
	ids map[string]uint32
}

func newRunEncoder(w *bufio.Writer) *runEncoder {
	return &runEncoder{w: w, ids: map[string]uint32{}}
}

func (e *runEncoder) uint(v uint64) { e.buf = binary.AppendUvarint(e.buf, v) }
func (e *runEncoder) int(v int64)   { e.buf = binary.AppendVarint(e.buf, v) }

// str writes a string that findings may share.
func (e *runEncoder) str(s string) {
	if id, ok := e.ids[s]; ok {
		e.uint(uint64(id) + 2)
		return
	}
	if len(e.ids) < maxRunStrings && len(s) <= maxNumberedSize {
		e.ids[s] = uint32(len(e.ids))
		e.literal(1, s)
		return
	}
	e.once(s)
}

// once writes a string no other finding has (an event ID or time).
func (e *runEncoder) once(s string) { e.literal(0, s) }

// literal writes s whole after its tag.
func (e *runEncoder) literal(tag uint64, s string) {
	e.uint(tag)
	e.uint(uint64(len(s)))
	e.buf = append(e.buf, s...)
}

// list writes a list of strings; nil and empty stay apart.
func (e *runEncoder) list(l []string) {
	if l == nil {
		e.uint(0)
		return
	}
	e.uint(uint64(len(l)) + 1)
	for _, s := range l {
		e.str(s)
	}
}

func (e *runEncoder) encode(sp *spilled) error {
	f := &sp.F
	e.buf = e.buf[:0]
	for _, s := range [...]string{f.Type, f.TechniqueID, f.TechniqueName} {
		e.str(s)
	}
	e.list(f.Tactics)
	e.str(f.Outcome)
	e.str(f.ErrorCode)
	e.once(f.ErrorMessage)
	e.once(f.EventID)
	e.once(f.EventTime)
	for _, s := range [...]string{f.EventSource, f.EventName, f.AWSRegion, f.RecipientAccountID} {
		e.str(s)
	}
	switch {
	case f.ReadOnly == nil:
		e.uint(0)
	case *f.ReadOnly:
		e.uint(2)
	default:
		e.uint(1)
	}
	e.uint(uint64(len(f.Target)))
	for _, t := range f.Target {
		e.str(t.Field)
		e.str(t.Value)
	}
	a := &f.Actor
	e.str(a.Type)
	e.once(a.ARN)
	e.once(a.PrincipalID)
	e.str(a.AccountID)
	e.str(a.UserName)
	e.once(a.AccessKeyID)
	e.str(a.SessionIssuer)
	e.str(a.OnBehalfOfUserID)
	e.str(a.IdentityStoreARN)
	e.str(a.InvokedBy)
	e.once(a.SourceIP)
	e.str(a.UserAgent)
	r := &f.Rule
	for _, s := range [...]string{r.ID, r.Title, r.Level, r.Origin, r.File} {
		e.str(s)
	}
	e.int(int64(r.Line))
	e.list(r.ATTACK)
	e.str(f.Record.File)
	e.int(f.Record.Ordinal)
	e.int(f.Record.Line)
	e.int(f.Record.Offset)
	if f.Matched == nil {
		e.uint(0)
	} else {
		e.uint(uint64(len(f.Matched)) + 1)
		for _, m := range f.Matched {
			e.str(m.Field)
			e.str(m.Value)
		}
	}
	e.correlation(f.Correlation)
	var err error
	if e.buf, err = f.time.AppendBinary(e.buf); err != nil {
		return fmt.Errorf("spill findings: %w", err)
	}
	e.str(f.signIn)
	e.int(sp.Rank)
	e.int(sp.Seq)

	var n [binary.MaxVarintLen64]byte
	if _, err := e.w.Write(n[:binary.PutUvarint(n[:], uint64(len(e.buf)))]); err != nil {
		return fmt.Errorf("spill findings: %w", err)
	}
	if _, err := e.w.Write(e.buf); err != nil {
		return fmt.Errorf("spill findings: %w", err)
	}
	return nil
}

// correlation writes a correlation finding's counts, or that there are none.
func (e *runEncoder) correlation(c *Correlation) {
	if c == nil {
		e.uint(0)
		return
	}
	e.uint(1)
	for _, s := range [...]string{c.Type, c.Field, c.Condition, c.Timespan} {
		e.str(s)
	}
	e.int(c.Count)
	e.once(c.FirstTime)
	e.once(c.LastTime)
	e.uint(uint64(len(c.Group)))
	for _, g := range c.Group {
		e.str(g.Field)
		e.str(g.Value)
		null := uint64(0)
		if g.Null {
			null = 1
		}
		e.uint(null)
	}
	if c.Records == nil {
		e.uint(0)
		return
	}
	e.uint(uint64(len(c.Records)) + 1)
	for _, r := range c.Records {
		e.str(r.File)
		e.int(r.Ordinal)
		e.int(r.Line)
		e.int(r.Offset)
	}
}

// correlation reads what runEncoder.correlation wrote.
func (d *runDecoder) correlation() *Correlation {
	switch d.uint() {
	case 0:
		return nil
	case 1:
	default:
		d.err = errCorrupt
		return nil
	}
	c := &Correlation{Type: d.str(), Field: d.str(), Condition: d.str(), Timespan: d.str()}
	c.Count = d.int()
	c.FirstTime, c.LastTime = d.str(), d.str()
	if n := d.uint(); n > 0 && d.err == nil {
		if n > uint64(len(d.buf)-d.at) {
			d.err = errCorrupt
			return nil
		}
		c.Group = make(GroupValues, n)
		for i := range c.Group {
			c.Group[i] = GroupValue{Field: d.str(), Value: d.str(), Null: d.uint() == 1}
		}
	}
	if n := d.uint(); n > 0 && d.err == nil {
		if n-1 > uint64(len(d.buf)-d.at) {
			d.err = errCorrupt
			return nil
		}
		c.Records = make([]RecordRef, n-1)
		for i := range c.Records {
			c.Records[i] = RecordRef{File: d.str(), Ordinal: d.int(), Line: d.int(), Offset: d.int()}
		}
	}
	return c
}

// runDecoder reads findings back from a run.
type runDecoder struct {
	fieldReader
	r    *bufio.Reader
	strs []string
}

var errCorrupt = errors.New("run file corrupt")

func (d *runDecoder) str() string {
	tag := d.uint()
	if d.err != nil {
		return ""
	}
	if tag >= 2 {
		if tag-2 >= uint64(len(d.strs)) {
			d.err = errCorrupt
			return ""
		}
		return d.strs[tag-2]
	}
	s := string(d.bytes(d.uint()))
	if d.err != nil {
		return ""
	}
	if tag == 1 {
		d.strs = append(d.strs, s)
	}
	return s
}

func (d *runDecoder) list() []string {
	n := d.uint()
	if n == 0 || d.err != nil {
		return nil
	}
	if n-1 > uint64(len(d.buf)-d.at) { // each takes a byte at least
		d.err = errCorrupt
		return nil
	}
	l := make([]string, n-1)
	for i := range l {
		l[i] = d.str()
	}
	return l
}

// decode reads the next finding into sp; io.EOF after the last.
func (d *runDecoder) decode(sp *spilled) error {
	size, err := binary.ReadUvarint(d.r)
	if err != nil {
		if errors.Is(err, io.EOF) {
			return io.EOF
		}
		return fmt.Errorf("%w: %v", errCorrupt, err)
	}
	if size > maxSpilledSize {
		return fmt.Errorf("%w: a finding of %d bytes", errCorrupt, size)
	}
	if cap(d.buf) < int(size) {
		d.buf = make([]byte, size)
	}
	d.fieldReader = fieldReader{buf: d.buf[:size], corrupt: errCorrupt}
	if _, err := io.ReadFull(d.r, d.buf); err != nil {
		return fmt.Errorf("%w: %v", errCorrupt, err)
	}
	*sp = spilled{}
	f := &sp.F
	f.Type, f.TechniqueID, f.TechniqueName = d.str(), d.str(), d.str()
	f.Tactics = d.list()
	f.Outcome, f.ErrorCode, f.ErrorMessage = d.str(), d.str(), d.str()
	f.EventID, f.EventTime = d.str(), d.str()
	f.EventSource, f.EventName, f.AWSRegion, f.RecipientAccountID = d.str(), d.str(), d.str(), d.str()
	switch d.uint() {
	case 0:
	case 1:
		f.ReadOnly = new(bool)
	case 2:
		f.ReadOnly = new(bool)
		*f.ReadOnly = true
	default:
		d.err = errCorrupt
	}
	if n := d.uint(); n > 0 && d.err == nil {
		if n > maxTargets {
			d.err = errCorrupt
		} else {
			f.Target = make([]MatchedField, n)
			for i := range f.Target {
				f.Target[i] = MatchedField{Field: d.str(), Value: d.str()}
			}
		}
	}
	a := &f.Actor
	a.Type, a.ARN, a.PrincipalID, a.AccountID, a.UserName = d.str(), d.str(), d.str(), d.str(), d.str()
	a.AccessKeyID, a.SessionIssuer, a.OnBehalfOfUserID, a.IdentityStoreARN = d.str(), d.str(), d.str(), d.str()
	a.InvokedBy, a.SourceIP, a.UserAgent = d.str(), d.str(), d.str()
	r := &f.Rule
	r.ID, r.Title, r.Level, r.Origin, r.File = d.str(), d.str(), d.str(), d.str(), d.str()
	r.Line = int(d.int())
	r.ATTACK = d.list()
	f.Record.File = d.str()
	f.Record.Ordinal, f.Record.Line, f.Record.Offset = d.int(), d.int(), d.int()
	if n := d.uint(); n > 0 && d.err == nil {
		if n-1 > uint64(len(d.buf)-d.at) {
			d.err = errCorrupt
		} else {
			f.Matched = make([]MatchedField, n-1)
			for i := range f.Matched {
				f.Matched[i] = MatchedField{Field: d.str(), Value: d.str()}
			}
		}
	}
	f.Correlation = d.correlation()
	if d.err == nil {
		// The time's binary form is 15 bytes, or 16 with a zone offset in
		// seconds; what follows it is the console login and two numbers.
		rest := d.buf[d.at:]
		n := 15
		if len(rest) > 0 && rest[0] == 2 {
			n = 16
		}
		if len(rest) < n || f.time.UnmarshalBinary(rest[:n]) != nil {
			d.err = errCorrupt
		} else {
			d.at += n
		}
	}
	f.signIn = d.str()
	sp.Rank, sp.Seq = d.int(), d.int()
	if d.err == nil && d.at != len(d.buf) {
		d.err = errCorrupt
	}
	return d.err
}
