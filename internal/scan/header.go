package scan

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"

	"github.com/ttcproject/ttc/internal/jsonscan"
)

// maxInterned bounds the strings one worker interns, so that input made of
// unique values cannot grow the table past what its findings hold anyway.
const maxInterned = 1 << 16

// interner shares the strings that repeat across findings (actors, event
// names, regions, user agents), which is most of a finding's text. Each
// field also remembers its last value: records of one file mostly repeat
// the region, account and many actors, and a comparison is cheaper than a
// map lookup.
//
// An interner made by newBatch shares nothing across records: it gathers
// one record's strings and makes them into one string when the record is
// read (see flush), one allocation per record rather than one per field.
// Streamed findings are written out at once, so sharing their strings
// across findings would only cost time.
type interner struct {
	m    map[string]string
	last [nSlots]string

	batch   bool
	arena   []byte
	pending []pendingStr
}

// pendingStr is a string field waiting for flush: arena[from:to].
type pendingStr struct {
	dst      *string
	from, to int
}

// Slots of interned header fields.
const (
	slotNone = iota - 1
	slotEventSource
	slotEventName
	slotRegion
	slotRecipient
	slotSourceIP
	slotUserAgent
	slotErrorCode
	slotErrorMessage
	slotType
	slotARN
	slotPrincipal
	slotAccount
	slotUserName
	slotAccessKey
	slotInvokedBy
	slotIssuer
	nSlots
)

func newInterner() *interner { return &interner{m: map[string]string{}} }

func newBatch() *interner { return &interner{batch: true} }

// set stores b as a string in *dst: at once when sharing, at the next flush
// when batching.
func (in *interner) set(dst *string, b []byte, slot int) {
	if in == nil || !in.batch {
		*dst = in.str(b, slot)
		return
	}
	from := len(in.arena)
	in.arena = append(in.arena, b...)
	in.pending = append(in.pending, pendingStr{dst: dst, from: from, to: len(in.arena)})
}

// flush sets the pending string fields, in the order they were read, from
// one string holding all of them.
func (in *interner) flush() {
	if in == nil || len(in.pending) == 0 {
		return
	}
	all := string(in.arena)
	for _, p := range in.pending {
		*p.dst = all[p.from:p.to]
	}
	clear(in.pending) // drop the pointers into the finished header
	in.pending, in.arena = in.pending[:0], in.arena[:0]
}

// str returns b as a string, shared with earlier equal values of the slot.
func (in *interner) str(b []byte, slot int) string {
	if in == nil || slot == slotNone {
		return string(b)
	}
	if last := in.last[slot]; last == string(b) {
		return last
	}
	s, ok := in.m[string(b)]
	if !ok {
		s = string(b)
		if len(in.m) < maxInterned {
			in.m[s] = s
		}
	}
	in.last[slot] = s
	return s
}

// readHeader reads the reported fields of a record in one pass over its
// top-level object, where decodeHeader goes through encoding/json's
// reflection. raw must be valid JSON, as every record the cloudtrail reader
// hands on is. It gives up (ok false) on anything it does not decode the
// way encoding/json would: a reported field of another type, a key that is
// not ASCII. The caller then uses decodeHeader, so the result is the same.
func readHeader(raw []byte, in *interner) (h header, ok bool) {
	if bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return h, true
	}
	tops, ok := jsonscan.AppendMembers(nil, raw)
	if !ok {
		return h, false
	}
	return readHeaderTops(raw, tops, in)
}

// readHeaderTops is readHeader on a record whose top-level members have
// been found already (by the matcher).
func readHeaderTops(raw []byte, tops []jsonscan.Member, in *interner) (h header, ok bool) {
	c := cursor{b: raw, in: in}
	defer in.flush()
	for _, m := range tops {
		key := raw[m.KStart+1 : m.KEnd-1]
		if m.KEsc || !ascii(key) {
			return h, false
		}
		c.i = m.VStart
		if !c.headerField(&h, key) {
			return h, false
		}
	}
	return h, true
}

// headerField reads the value at the cursor into the field of h named key,
// if any.
func (c *cursor) headerField(h *header, key []byte) bool {
	switch {
	case fold(key, "eventID"):
		return c.str(&h.EventID, slotNone)
	case fold(key, "eventTime"):
		return c.str(&h.EventTime, slotNone)
	case fold(key, "eventSource"):
		return c.str(&h.EventSource, slotEventSource)
	case fold(key, "eventName"):
		return c.str(&h.EventName, slotEventName)
	case fold(key, "awsRegion"):
		return c.str(&h.AWSRegion, slotRegion)
	case fold(key, "recipientAccountId"):
		return c.str(&h.RecipientAccountID, slotRecipient)
	case fold(key, "sourceIPAddress"):
		return c.str(&h.SourceIPAddress, slotSourceIP)
	case fold(key, "userAgent"):
		return c.str(&h.UserAgent, slotUserAgent)
	case fold(key, "errorCode"):
		return c.str(&h.ErrorCode, slotErrorCode)
	case fold(key, "errorMessage"):
		return c.str(&h.ErrorMessage, slotErrorMessage)
	case fold(key, "readOnly"):
		return c.boolPtr(&h.ReadOnly)
	case fold(key, "userIdentity"):
		return c.identity(h)
	}
	return true
}

func (c *cursor) identity(h *header) bool {
	u := &h.UserIdentity
	return c.object(func(key []byte) bool {
		switch {
		case fold(key, "type"):
			return c.str(&u.Type, slotType)
		case fold(key, "arn"):
			return c.str(&u.ARN, slotARN)
		case fold(key, "principalId"):
			return c.str(&u.PrincipalID, slotPrincipal)
		case fold(key, "accountId"):
			return c.str(&u.AccountID, slotAccount)
		case fold(key, "userName"):
			return c.str(&u.UserName, slotUserName)
		case fold(key, "accessKeyId"):
			return c.str(&u.AccessKeyID, slotAccessKey)
		case fold(key, "invokedBy"):
			return c.str(&u.InvokedBy, slotInvokedBy)
		case fold(key, "sessionContext"):
			return c.object(func(key []byte) bool {
				if !fold(key, "sessionIssuer") {
					return c.skip()
				}
				return c.object(func(key []byte) bool {
					if fold(key, "arn") {
						return c.str(&u.SessionContext.SessionIssuer.ARN, slotIssuer)
					}
					return c.skip()
				})
			})
		}
		return c.skip()
	})
}

// cursor walks valid JSON.
type cursor struct {
	b  []byte
	i  int
	in *interner
}

func (c *cursor) ws() {
	for c.i < len(c.b) {
		switch c.b[c.i] {
		case ' ', '\t', '\n', '\r':
			c.i++
		default:
			return
		}
	}
}

// null consumes a null, which encoding/json leaves strings and structs
// alone for.
func (c *cursor) null() bool {
	if bytes.HasPrefix(c.b[c.i:], []byte("null")) {
		c.i += 4
		return true
	}
	return false
}

// object calls member for each member of the object (or null) at the
// cursor, with the cursor on the member's value. Keys with escapes or
// bytes outside ASCII are not handled.
func (c *cursor) object(member func(key []byte) bool) bool {
	c.ws()
	if c.i >= len(c.b) {
		return false
	}
	if c.null() {
		return true
	}
	if c.b[c.i] != '{' {
		return false
	}
	c.i++
	c.ws()
	if c.i < len(c.b) && c.b[c.i] == '}' {
		c.i++
		return true
	}
	for {
		c.ws()
		key, esc, ok := c.rawString()
		if !ok || esc || !ascii(key) {
			return false
		}
		c.ws()
		if c.i >= len(c.b) || c.b[c.i] != ':' {
			return false
		}
		c.i++
		c.ws()
		if !member(key) {
			return false
		}
		c.ws()
		if c.i >= len(c.b) {
			return false
		}
		switch c.b[c.i] {
		case ',':
			c.i++
		case '}':
			c.i++
			return true
		default:
			return false
		}
	}
}

// rawString reads the string at the cursor and returns what lies between
// its quotes, and whether that holds an escape.
func (c *cursor) rawString() (s []byte, esc bool, ok bool) {
	if c.i >= len(c.b) || c.b[c.i] != '"' {
		return nil, false, false
	}
	end := jsonscan.StringEnd(c.b, c.i)
	if end < 0 {
		return nil, false, false
	}
	s = c.b[c.i+1 : end-1]
	c.i = end
	return s, bytes.IndexByte(s, '\\') >= 0, true
}

// str reads a string (or null) into dst, interned in the given slot.
func (c *cursor) str(dst *string, slot int) bool {
	if c.null() {
		return true
	}
	from := c.i
	s, esc, ok := c.rawString()
	if !ok {
		return false
	}
	if esc || !ascii(s) && !utf8.Valid(s) {
		// Escapes and invalid UTF-8 are rare; leave them to encoding/json.
		var v string
		if json.Unmarshal(c.b[from:c.i], &v) != nil {
			return false
		}
		s = []byte(v)
	}
	c.in.set(dst, s, slot)
	return true
}

func (c *cursor) boolPtr(dst **bool) bool {
	rest := c.b[c.i:]
	var v bool
	switch {
	case bytes.HasPrefix(rest, []byte("null")):
		c.i += 4
		*dst = nil
		return true
	case bytes.HasPrefix(rest, []byte("true")):
		c.i += 4
		v = true
	case bytes.HasPrefix(rest, []byte("false")):
		c.i += 5
	default:
		return false
	}
	*dst = &v
	return true
}

// skip moves past the value at the cursor.
func (c *cursor) skip() bool {
	end := jsonscan.ValueEnd(c.b, c.i)
	if end < 0 {
		return false
	}
	c.i = end
	return true
}

// fold reports whether key equals name ignoring ASCII case, as
// encoding/json matches keys to fields.
func fold(key []byte, name string) bool {
	if len(key) != len(name) {
		return false
	}
	for i := range len(key) {
		a, b := key[i], name[i]
		if a == b {
			continue
		}
		if a|0x20 != b|0x20 || a|0x20 < 'a' || a|0x20 > 'z' {
			return false
		}
	}
	return true
}

func ascii(b []byte) bool { return jsonscan.ASCII(b) }
