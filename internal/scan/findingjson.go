package scan

import (
	"encoding/json"
	"strconv"

	"github.com/ttcproject/ttc/internal/jsonscan"
)

// MarshalJSON writes the finding exactly as encoding/json would from its
// struct tags, without reflection: streamed scans write a finding for most
// records, and reflection was a sixth of their time.
func (f *Finding) MarshalJSON() ([]byte, error) {
	return f.AppendJSON(make([]byte, 0, 1024)), nil
}

// AppendJSON appends the finding's JSON object to b.
func (f *Finding) AppendJSON(b []byte) []byte { return appendFinding(b, f, nil) }

// appendFinding appends the JSON object of f. When rh is not nil, the
// fields read from the record come from rh, the record's own JSON text,
// and f's copies of them are not used: a streamed finding is written
// without making a string of any of them. Both ways give the same bytes.
func appendFinding(b []byte, f *Finding, rh *rawHeader) []byte {
	if f.frag != nil {
		b = append(b, f.frag.head...)
	} else {
		b = appendHead(b, f)
	}
	b = appendKey(b, "outcome", f.Outcome)
	b = rh.omit(b, "error_code", hErrorCode, f.ErrorCode)
	b = rh.omit(b, "error_message", hErrorMessage, f.ErrorMessage)
	b = rh.key(b, "event_id", hEventID, f.EventID)
	b = rh.key(b, "event_time", hEventTime, f.EventTime)
	b = rh.key(b, "event_source", hEventSource, f.EventSource)
	b = rh.key(b, "event_name", hEventName, f.EventName)
	b = rh.key(b, "aws_region", hRegion, f.AWSRegion)
	b = rh.key(b, "recipient_account_id", hRecipient, f.RecipientAccountID)
	switch {
	case rh != nil && rh.readOnly != nil:
		b = append(b, `,"read_only":`...)
		b = append(b, rh.readOnly...)
	case rh == nil && f.ReadOnly != nil:
		b = append(b, `,"read_only":`...)
		b = strconv.AppendBool(b, *f.ReadOnly)
	}
	switch {
	case rh != nil:
		b = rh.appendTarget(b)
	case len(f.Target) > 0:
		b = append(b, `,"target":`...)
		b = appendFields(b, f.Target)
	}
	a := &f.Actor
	b = append(b, `,"actor":{"type":`...)
	b = rh.str(b, hType, a.Type)
	b = rh.omit(b, "arn", hARN, a.ARN)
	b = rh.omit(b, "principal_id", hPrincipal, a.PrincipalID)
	b = rh.omit(b, "account_id", hAccount, a.AccountID)
	b = rh.omit(b, "user_name", hUserName, a.UserName)
	b = rh.omit(b, "access_key_id", hAccessKey, a.AccessKeyID)
	b = rh.omit(b, "session_issuer", hIssuer, a.SessionIssuer)
	b = rh.omit(b, "on_behalf_of_user_id", hUserID, a.OnBehalfOfUserID)
	b = rh.omit(b, "identity_store_arn", hIdentityStore, a.IdentityStoreARN)
	b = rh.omit(b, "invoked_by", hInvokedBy, a.InvokedBy)
	b = rh.omit(b, "source_ip", hSourceIP, a.SourceIP)
	b = rh.omit(b, "user_agent", hUserAgent, a.UserAgent)
	if f.frag != nil {
		b = append(b, f.frag.rule...)
	} else {
		b = appendRule(b, f)
	}
	b = append(b, `},"record":{"file":`...)
	if rh != nil && rh.file != nil {
		b = append(b, rh.file...)
	} else {
		b = appendString(b, f.Record.File)
	}
	b = append(b, `,"ordinal":`...)
	b = strconv.AppendInt(b, f.Record.Ordinal, 10)
	b = append(b, `,"line":`...)
	b = strconv.AppendInt(b, f.Record.Line, 10)
	b = append(b, `,"offset":`...)
	b = strconv.AppendInt(b, f.Record.Offset, 10)
	b = append(b, `},"matched_fields":`...)
	if f.Matched == nil {
		b = append(b, "null"...)
	} else {
		b = appendFields(b, f.Matched)
	}
	if f.Correlation != nil {
		b = append(b, `,"correlation":`...)
		b = appendCorrelation(b, f.Correlation)
	}
	return append(b, '}')
}

// appendCorrelation appends a correlation finding's counts as encoding/json
// would write them.
func appendCorrelation(b []byte, c *Correlation) []byte {
	b = append(b, `{"type":`...)
	b = appendString(b, c.Type)
	b = append(b, `,"count":`...)
	b = strconv.AppendInt(b, c.Count, 10)
	if c.Field != "" {
		b = appendKey(b, "field", c.Field)
	}
	b = appendKey(b, "condition", c.Condition)
	b = appendKey(b, "timespan", c.Timespan)
	b = appendKey(b, "first_time", c.FirstTime)
	b = appendKey(b, "last_time", c.LastTime)
	b = append(b, `,"group":`...)
	b = appendGroup(b, c.Group)
	b = append(b, `,"records":`...)
	if c.Records == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, r := range c.Records {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"file":`...)
			b = appendString(b, r.File)
			b = append(b, `,"ordinal":`...)
			b = strconv.AppendInt(b, r.Ordinal, 10)
			b = append(b, `,"line":`...)
			b = strconv.AppendInt(b, r.Line, 10)
			b = append(b, `,"offset":`...)
			b = strconv.AppendInt(b, r.Offset, 10)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	return append(b, '}')
}

// appendFields appends a list of field values as a JSON array.
func appendFields(b []byte, fs []MatchedField) []byte {
	b = append(b, '[')
	for i, m := range fs {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"field":`...)
		b = appendString(b, m.Field)
		b = appendKey(b, "value", m.Value)
		b = append(b, '}')
	}
	return append(b, ']')
}

// frag holds the JSON of the parts of a finding that its rule and its
// technique fix, which are the same for every finding of the two: encoded
// once, they are copied into each.
type frag struct {
	head []byte // from the opening brace through the tactics
	rule []byte // the actor's closing brace and the rule object, open
}

// newFrag encodes the parts of f that its rule and technique fix.
func newFrag(f *Finding) *frag {
	return &frag{head: appendHead(nil, f), rule: appendRule(nil, f)}
}

// appendHead appends the opening of a finding's object: its type,
// technique and tactics.
func appendHead(b []byte, f *Finding) []byte {
	b = append(b, `{"type":`...)
	b = appendString(b, f.Type)
	b = appendKey(b, "technique_id", f.TechniqueID)
	b = appendKey(b, "technique_name", f.TechniqueName)
	b = append(b, `,"tactics":`...)
	return appendStrings(b, f.Tactics)
}

// appendRule closes the actor and appends the rule object, without its
// closing brace.
func appendRule(b []byte, f *Finding) []byte {
	b = append(b, `},"rule":{"id":`...)
	b = appendString(b, f.Rule.ID)
	b = appendKey(b, "title", f.Rule.Title)
	b = appendOmit(b, "level", f.Rule.Level)
	b = appendKey(b, "origin", f.Rule.Origin)
	b = appendKey(b, "file", f.Rule.File)
	if f.Rule.Line != 0 {
		b = append(b, `,"line":`...)
		b = strconv.AppendInt(b, int64(f.Rule.Line), 10)
	}
	if len(f.Rule.ATTACK) > 0 {
		b = append(b, `,"attack":`...)
		b = appendStrings(b, f.Rule.ATTACK)
	}
	return b
}

// appendTarget appends the target noteTarget found, as appendFields
// writes Finding.Target: the keys are letters and digits, written as they
// are, and each value as str writes a field.
func (rh *rawHeader) appendTarget(b []byte) []byte {
	if rh.nTargets == 0 {
		return b
	}
	b = append(b, `,"target":[`...)
	for i, t := range rh.targets[:rh.nTargets] {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"field":"`...)
		b = t.field(b)
		b = append(b, `","value":`...)
		b = rh.appendRaw(b, t.val, jsonscan.Plain(t.val[1:len(t.val)-1]))
		b = append(b, '}')
	}
	return append(b, ']')
}

// str appends record field k: from the record's JSON text when rh is not
// nil, else s.
func (rh *rawHeader) str(b []byte, k int, s string) []byte {
	if rh == nil {
		return appendString(b, s)
	}
	v := rh.v[k]
	if v == nil {
		return append(b, `""`...)
	}
	return rh.appendRaw(b, v, rh.isPlain(k))
}

// appendRaw appends the JSON string v, a record's text, as appendString
// writes its decoded and clipped value; plain says v's content is ASCII
// that needs no escaping.
func (rh *rawHeader) appendRaw(b, v []byte, plain bool) []byte {
	long := len(v)-2 > maxFieldBytes
	switch {
	case plain && !long:
		return append(b, v...) // quotes included
	case plainText(v[1 : len(v)-1]):
		if long { // clipped as the string path clips it
			rh.clip = appendClipped(rh.clip[:0], v[1:len(v)-1])
			return jsonscan.AppendBytes(b, rh.clip)
		}
		return jsonscan.AppendBytes(b, v[1:len(v)-1])
	}
	// Escapes or invalid UTF-8: decode as the string path does, clip as it
	// does, then encode.
	var t string
	_ = json.Unmarshal(v, &t)
	return appendString(b, clipField(t))
}

// empty reports whether record field k is the empty string.
func (rh *rawHeader) empty(k int, s string) bool {
	if rh == nil {
		return s == ""
	}
	return len(rh.v[k]) <= len(`""`) // a JSON string that decodes to "" is written ""
}

func (rh *rawHeader) key(b []byte, key string, k int, s string) []byte {
	return rh.str(appendName(b, key), k, s)
}

func (rh *rawHeader) omit(b []byte, key string, k int, s string) []byte {
	if rh.empty(k, s) {
		return b
	}
	return rh.key(b, key, k, s)
}

func appendKey(b []byte, key, v string) []byte { return appendString(appendName(b, key), v) }

// appendName appends `,"key":`.
func appendName(b []byte, key string) []byte {
	b = append(b, ',', '"')
	b = append(b, key...)
	return append(b, '"', ':')
}

func appendOmit(b []byte, key, v string) []byte {
	if v == "" {
		return b
	}
	return appendKey(b, key, v)
}

func appendStrings(b []byte, vs []string) []byte {
	if vs == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, v := range vs {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, v)
	}
	return append(b, ']')
}

func appendString(b []byte, s string) []byte { return jsonscan.AppendString(b, s) }
