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
// map lookup. A nil interner shares nothing.
type interner struct {
	m      map[string]string
	last   [nHeader]string
	fields map[string]string // target field paths by key (targetField)
}

// The string fields of a record that a finding reports, in a header and
// a rawHeader; they also number the interner's slots.
const (
	hEventID = iota
	hEventTime
	hEventSource
	hEventName
	hRegion
	hRecipient
	hSourceIP
	hUserAgent
	hErrorCode
	hErrorMessage
	hType
	hARN
	hPrincipal
	hAccount
	hUserName
	hAccessKey
	hInvokedBy
	hIssuer
	hUserID        // userIdentity.onBehalfOf.userId
	hIdentityStore // userIdentity.onBehalfOf.identityStoreArn
	hSignIn        // the result of a sign-in event (header.SignIn)
	nHeader
)

func newInterner() *interner { return &interner{m: map[string]string{}, fields: map[string]string{}} }

// str returns b as a string, shared with earlier equal values of the slot.
// Event IDs and times are near unique, and not shared.
func (in *interner) str(b []byte, slot int) string {
	// A value longer than a finding quotes is clipped next, and not kept
	// whole here.
	if in == nil || slot == hEventID || slot == hEventTime || len(b) > maxFieldBytes {
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

// rawHeader locates the reported fields of a record: the JSON text of each
// string field's value, quotes included, nil when the field is absent or
// null. A finding is written from it without making strings (see
// appendFinding), or its strings are made once (see header).
type rawHeader struct {
	v [nHeader][]byte
	// checked and plain have bit k set once field k was checked, and when
	// its text needs no escaping in or out (see isPlain).
	checked, plain uint32
	// file is the JSON string of the record's file name, encoded once a
	// file by a streamed scan; nil when not.
	file     []byte
	clip     []byte // scratch for a clipped field
	readOnly []byte // "true" or "false"; nil when absent or null
	response []byte // responseElements, read only for a sign-in event
	// service is serviceEventDetails, where the sign-in events of IAM
	// Identity Center write their result (see signIn).
	service []byte
	// additional is additionalEventData, read only for an event of
	// Cognito's OAuth endpoints (see oauthResult).
	additional []byte
	// request is requestParameters, and requestObj its place in the
	// record's index when it was listed there, for the finding's target.
	request    []byte
	requestObj int32
	// responseObj places responseElements in the record's index.
	responseObj int32
	// targets are the members a streamed finding writes as its target,
	// nTargets of them (see noteTarget).
	targets  [maxTargets]rawTarget
	nTargets int
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
// been listed already.
func readHeaderTops(raw []byte, tops []jsonscan.Member, in *interner) (h header, ok bool) {
	rh, ok := readRawHeader(raw, tops, nil)
	if !ok {
		return h, false
	}
	return rh.header(in), true
}

// readRawHeader locates the reported fields of a record from its top-level
// members, with readHeader's rules. When a field appears twice the last one
// counts, and null leaves a string field as it was, as with encoding/json.
// idx, when not nil, lists the record's nested objects (see
// cloudtrail.Record.Index): userIdentity is then read from it rather than
// walked again.
func readRawHeader(raw []byte, tops []jsonscan.Member, idx *jsonscan.Index) (rh rawHeader, ok bool) {
	for _, m := range tops {
		if m.KEsc {
			return rh, false
		}
		if !rh.topField(raw, m, idx) {
			return rh, false
		}
	}
	return rh, rh.signIn() && rh.oauthResult()
}

// topField notes the value of top-level member m, if it is a reported
// field. Its value is read from m's span, not scanned again.
func (rh *rawHeader) topField(raw []byte, m jsonscan.Member, idx *jsonscan.Index) bool {
	v := raw[m.VStart:m.VEnd]
	key := raw[m.KStart+1 : m.KEnd-1]
	if k := topStringField(key); k >= 0 {
		return rh.setStr(k, v)
	}
	switch string(key) {
	case "readOnly":
		switch string(v) {
		case "null":
			rh.readOnly = nil // as encoding/json clears a pointer
		case "true", "false":
			rh.readOnly = v
		default:
			return false
		}
	case "userIdentity":
		if listed := idx.Of(m.Obj); listed != nil {
			return rh.identityListed(raw, idx, listed)
		}
		c := cursor{b: raw, i: m.VStart}
		return c.identity(rh)
	case "responseElements":
		rh.response, rh.responseObj = v, m.Obj
	case "serviceEventDetails":
		rh.service = v
	case "additionalEventData":
		rh.additional = v
	case "requestParameters":
		rh.request, rh.requestObj = v, m.Obj
	}
	return true
}

// identityListed reads the userIdentity members ms from the index, as
// cursor.identity reads them from the text.
func (rh *rawHeader) identityListed(raw []byte, idx *jsonscan.Index, ms []jsonscan.Member) bool {
	for _, m := range ms {
		if m.KEsc {
			return false
		}
		key := raw[m.KStart+1 : m.KEnd-1]
		if k := identityField(key); k >= 0 {
			if !rh.setStr(k, raw[m.VStart:m.VEnd]) {
				return false
			}
			continue
		}
		switch string(key) {
		case "sessionContext":
			if !rh.sessionListed(raw, idx, m) {
				return false
			}
		case "onBehalfOf":
			if !rh.onBehalfOfListed(raw, idx, m) {
				return false
			}
		}
	}
	return true
}

// sessionListed reads the sessionContext member m from the index, as
// cursor.sessionContext reads it from the text.
func (rh *rawHeader) sessionListed(raw []byte, idx *jsonscan.Index, m jsonscan.Member) bool {
	c := cursor{b: raw, i: m.VStart}
	ctx := idx.Of(m.Obj)
	if ctx == nil { // null, {} or not listed
		return c.sessionContext(rh)
	}
	for _, cm := range ctx {
		if cm.KEsc {
			return false
		}
		if string(raw[cm.KStart+1:cm.KEnd-1]) != "sessionIssuer" {
			continue
		}
		issuer := idx.Of(cm.Obj)
		if issuer == nil {
			c.i = cm.VStart
			if !c.sessionIssuer(rh) {
				return false
			}
			continue
		}
		for _, im := range issuer {
			if im.KEsc {
				return false
			}
			if string(raw[im.KStart+1:im.KEnd-1]) == "arn" && !rh.setStr(hIssuer, raw[im.VStart:im.VEnd]) {
				return false
			}
		}
	}
	return true
}

// onBehalfOfListed reads the onBehalfOf member m from the index, as
// cursor.onBehalfOf reads it from the text.
func (rh *rawHeader) onBehalfOfListed(raw []byte, idx *jsonscan.Index, m jsonscan.Member) bool {
	behalf := idx.Of(m.Obj)
	if behalf == nil { // null, {} or not listed
		c := cursor{b: raw, i: m.VStart}
		return c.onBehalfOf(rh)
	}
	for _, bm := range behalf {
		if bm.KEsc {
			return false
		}
		if k := onBehalfOfField(raw[bm.KStart+1 : bm.KEnd-1]); k >= 0 && !rh.setStr(k, raw[bm.VStart:bm.VEnd]) {
			return false
		}
	}
	return true
}

// setStr notes the JSON value v as string field k; null leaves the field
// as it was, and any other value fails.
func (rh *rawHeader) setStr(k int, v []byte) bool {
	switch {
	case v[0] == '"':
		rh.v[k] = v
		return true
	case string(v) == "null":
		return true
	}
	return false
}

// signIn notes the result of a sign-in event ("Success" or "Failure"; see
// header.SignIn): responseElements.<eventName>, or when that is missing,
// null or empty, serviceEventDetails.<eventName>.
func (rh *rawHeader) signIn() bool {
	var source, name []byte
	if !bytes.EqualFold(rh.text(hEventSource, &source), []byte(signInSource)) {
		return true
	}
	event := rh.text(hEventName, &name)
	for _, obj := range [][]byte{rh.response, rh.service} {
		if obj == nil || len(rh.v[hSignIn]) > len(`""`) {
			continue
		}
		rh.v[hSignIn] = nil
		c := cursor{b: obj}
		ok := c.object(func(key []byte) bool {
			if string(key) == string(event) {
				return c.str(rh, hSignIn)
			}
			return c.skip()
		})
		if !ok {
			return false
		}
	}
	return true
}

// oauthResult notes a refused request to Cognito's OAuth endpoints
// (Token_POST, Login_POST…): CloudTrail writes no errorCode for it, only the
// HTTP status, as additionalEventData.responseParameters.status. A status
// of 400 or more is noted as the sign-in result Failure (see header.SignIn).
func (rh *rawHeader) oauthResult() bool {
	var source []byte
	if rh.additional == nil || !bytes.EqualFold(rh.text(hEventSource, &source), []byte(cognitoSource)) {
		return true
	}
	c := cursor{b: rh.additional}
	return c.object(func(key []byte) bool {
		if string(key) != "responseParameters" {
			return c.skip()
		}
		return c.object(func(key []byte) bool {
			start := c.i
			if !c.skip() {
				return false
			}
			if string(key) == "status" && httpFailure(c.b[start:c.i]) {
				rh.v[hSignIn] = []byte(`"Failure"`)
			}
			return true
		})
	})
}

func (c *cursor) identity(rh *rawHeader) bool {
	return c.object(func(key []byte) bool {
		if k := identityField(key); k >= 0 {
			return c.str(rh, k)
		}
		switch string(key) {
		case "sessionContext":
			return c.sessionContext(rh)
		case "onBehalfOf":
			return c.onBehalfOf(rh)
		}
		return c.skip()
	})
}

// onBehalfOf reads userIdentity.onBehalfOf: the Identity Center user a
// call was made for.
func (c *cursor) onBehalfOf(rh *rawHeader) bool {
	return c.object(func(key []byte) bool {
		if k := onBehalfOfField(key); k >= 0 {
			return c.str(rh, k)
		}
		return c.skip()
	})
}

func (c *cursor) sessionContext(rh *rawHeader) bool {
	return c.object(func(key []byte) bool {
		if string(key) != "sessionIssuer" {
			return c.skip()
		}
		return c.sessionIssuer(rh)
	})
}

func (c *cursor) sessionIssuer(rh *rawHeader) bool {
	return c.object(func(key []byte) bool {
		if string(key) == "arn" {
			return c.str(rh, hIssuer)
		}
		return c.skip()
	})
}

// topStringField returns the string field of rh that a top-level key holds, or
// -1.
func topStringField(key []byte) int {
	switch string(key) {
	case "eventID":
		return hEventID
	case "eventTime":
		return hEventTime
	case "eventSource":
		return hEventSource
	case "eventName":
		return hEventName
	case "awsRegion":
		return hRegion
	case "recipientAccountId":
		return hRecipient
	case "sourceIPAddress":
		return hSourceIP
	case "userAgent":
		return hUserAgent
	case "errorCode":
		return hErrorCode
	case "errorMessage":
		return hErrorMessage
	}
	return -1
}

// identityField returns the string field of rh that the userIdentity key
// holds, or -1.
func identityField(key []byte) int {
	switch string(key) {
	case "type":
		return hType
	case "arn":
		return hARN
	case "principalId":
		return hPrincipal
	case "accountId":
		return hAccount
	case "userName":
		return hUserName
	case "accessKeyId":
		return hAccessKey
	case "invokedBy":
		return hInvokedBy
	}
	return -1
}

// onBehalfOfField returns the string field of rh that the
// userIdentity.onBehalfOf key holds, or -1.
func onBehalfOfField(key []byte) int {
	switch string(key) {
	case "userId":
		return hUserID
	case "identityStoreArn":
		return hIdentityStore
	}
	return -1
}

// text returns the decoded string of field k (nil when absent): the bytes
// between the quotes when they hold no escape and are valid UTF-8, else
// the string encoding/json decodes, in scratch.
func (rh *rawHeader) text(k int, scratch *[]byte) []byte {
	v := rh.v[k]
	if v == nil {
		return nil
	}
	if s := v[1 : len(v)-1]; rh.isPlain(k) || plainText(s) {
		return s
	}
	var s string
	_ = json.Unmarshal(v, &s) // v is a valid JSON string: the reader checked the record
	*scratch = append((*scratch)[:0], s...)
	return *scratch
}

// isPlain reports whether the text of field k, as the record holds it
// between quotes, is ASCII that needs no escaping, in JSON read or written:
// it is then the decoded text and its own JSON encoding. Each field is
// checked once, for the digest and every finding of the record.
func (rh *rawHeader) isPlain(k int) bool {
	bit := uint32(1) << k
	if rh.checked&bit == 0 {
		rh.checked |= bit
		if v := rh.v[k]; v != nil && jsonscan.Plain(v[1:len(v)-1]) {
			rh.plain |= bit
		}
	}
	return rh.plain&bit != 0
}

// plainText reports whether the content of a JSON string is its text:
// no escapes, valid UTF-8.
func plainText(s []byte) bool {
	return bytes.IndexByte(s, '\\') < 0 && (jsonscan.ASCII(s) || utf8.Valid(s))
}

// header makes the strings of rh, shared by in.
func (rh *rawHeader) header(in *interner) header {
	var h header
	u := &h.UserIdentity
	dst := [nHeader]*string{
		hEventID: &h.EventID, hEventTime: &h.EventTime, hEventSource: &h.EventSource, hEventName: &h.EventName,
		hRegion: &h.AWSRegion, hRecipient: &h.RecipientAccountID, hSourceIP: &h.SourceIPAddress,
		hUserAgent: &h.UserAgent, hErrorCode: &h.ErrorCode, hErrorMessage: &h.ErrorMessage,
		hType: &u.Type, hARN: &u.ARN, hPrincipal: &u.PrincipalID, hAccount: &u.AccountID, hUserName: &u.UserName,
		hAccessKey: &u.AccessKeyID, hInvokedBy: &u.InvokedBy, hIssuer: &u.SessionContext.SessionIssuer.ARN,
		hUserID: &u.OnBehalfOf.UserID, hIdentityStore: &u.OnBehalfOf.IdentityStoreARN, hSignIn: &h.SignIn,
	}
	var scratch []byte
	for k, v := range rh.v {
		if v != nil {
			*dst[k] = in.str(rh.text(k, &scratch), k)
		}
	}
	if rh.readOnly != nil {
		ro := rh.readOnly[0] == 't'
		h.ReadOnly = &ro
	}
	h.Target = rh.target(nil, nil, in)
	return h
}

// noteTarget finds the target for findings written from the record's
// text (appendFinding): it keeps where its members are, and makes no
// string. raw is the record, idx its listing or nil.
func (rh *rawHeader) noteTarget(raw []byte, idx *jsonscan.Index) {
	rh.nTargets = len(findTarget(rh.targets[:0], raw, idx, rh.request, rh.requestObj, rh.response, rh.responseObj))
}

// target reads the finding's target: from the record's listing when idx
// lists its objects (raw is then the record), else from their text.
func (rh *rawHeader) target(raw []byte, idx *jsonscan.Index, in *interner) []MatchedField {
	var ts [maxTargets]rawTarget
	return targetFields(findTarget(ts[:0], raw, idx, rh.request, rh.requestObj, rh.response, rh.responseObj), in)
}

// cursor walks valid JSON.
type cursor struct {
	b []byte
	i int
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
		if !ok || esc {
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

// str notes the string at the cursor as field k of rh; null leaves the
// field as it was.
func (c *cursor) str(rh *rawHeader, k int) bool {
	if c.null() {
		return true
	}
	if c.i >= len(c.b) || c.b[c.i] != '"' {
		return false
	}
	end := jsonscan.StringEnd(c.b, c.i)
	if end < 0 {
		return false
	}
	rh.v[k] = c.b[c.i:end]
	c.i = end
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
