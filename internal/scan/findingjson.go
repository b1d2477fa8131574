package scan

import (
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
func (f *Finding) AppendJSON(b []byte) []byte {
	b = append(b, `{"type":`...)
	b = appendString(b, f.Type)
	b = appendKey(b, "technique_id", f.TechniqueID)
	b = appendKey(b, "technique_name", f.TechniqueName)
	b = append(b, `,"tactics":`...)
	b = appendStrings(b, f.Tactics)
	b = appendKey(b, "outcome", f.Outcome)
	b = appendOmit(b, "error_code", f.ErrorCode)
	b = appendOmit(b, "error_message", f.ErrorMessage)
	b = appendKey(b, "event_id", f.EventID)
	b = appendKey(b, "event_time", f.EventTime)
	b = appendKey(b, "event_source", f.EventSource)
	b = appendKey(b, "event_name", f.EventName)
	b = appendKey(b, "aws_region", f.AWSRegion)
	b = appendKey(b, "recipient_account_id", f.RecipientAccountID)
	if f.ReadOnly != nil {
		b = append(b, `,"read_only":`...)
		b = strconv.AppendBool(b, *f.ReadOnly)
	}
	a := &f.Actor
	b = append(b, `,"actor":{"type":`...)
	b = appendString(b, a.Type)
	b = appendOmit(b, "arn", a.ARN)
	b = appendOmit(b, "principal_id", a.PrincipalID)
	b = appendOmit(b, "account_id", a.AccountID)
	b = appendOmit(b, "user_name", a.UserName)
	b = appendOmit(b, "access_key_id", a.AccessKeyID)
	b = appendOmit(b, "session_issuer", a.SessionIssuer)
	b = appendOmit(b, "invoked_by", a.InvokedBy)
	b = appendOmit(b, "source_ip", a.SourceIP)
	b = appendOmit(b, "user_agent", a.UserAgent)
	b = append(b, `},"rule":{"id":`...)
	b = appendString(b, f.Rule.ID)
	b = appendKey(b, "title", f.Rule.Title)
	b = appendOmit(b, "level", f.Rule.Level)
	b = appendKey(b, "origin", f.Rule.Origin)
	b = appendKey(b, "file", f.Rule.File)
	b = append(b, `},"record":{"file":`...)
	b = appendString(b, f.Record.File)
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
		b = append(b, '[')
		for i, m := range f.Matched {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"field":`...)
			b = appendString(b, m.Field)
			b = appendKey(b, "value", m.Value)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	return append(b, '}')
}

func appendKey(b []byte, key, v string) []byte {
	b = append(b, ',', '"')
	b = append(b, key...)
	b = append(b, '"', ':')
	return appendString(b, v)
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
