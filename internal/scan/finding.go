package scan

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/ttcproject/ttc/internal/detect"
	"github.com/ttcproject/ttc/internal/jsonscan"
	"github.com/ttcproject/ttc/internal/ruleset"
)

// Finding is one technique observed in one CloudTrail record.
type Finding struct {
	// Type is always "finding", so that JSON Lines consumers can tell lines apart.
	Type          string   `json:"type"`
	TechniqueID   string   `json:"technique_id"`
	TechniqueName string   `json:"technique_name"`
	Tactics       []string `json:"tactics"`
	// Outcome is "success", or "attempt" when the call failed (errorCode set).
	Outcome      string `json:"outcome"`
	ErrorCode    string `json:"error_code,omitempty"`
	ErrorMessage string `json:"error_message,omitempty"`

	EventID            string `json:"event_id"`
	EventTime          string `json:"event_time"`
	EventSource        string `json:"event_source"`
	EventName          string `json:"event_name"`
	AWSRegion          string `json:"aws_region"`
	RecipientAccountID string `json:"recipient_account_id"`
	ReadOnly           *bool  `json:"read_only,omitempty"`

	Actor   Actor          `json:"actor"`
	Rule    RuleRef        `json:"rule"`
	Record  RecordRef      `json:"record"`
	Matched []MatchedField `json:"matched_fields"`

	time time.Time
}

// Actor is who made the call.
type Actor struct {
	Type          string `json:"type"`
	ARN           string `json:"arn,omitempty"`
	PrincipalID   string `json:"principal_id,omitempty"`
	AccountID     string `json:"account_id,omitempty"`
	UserName      string `json:"user_name,omitempty"`
	AccessKeyID   string `json:"access_key_id,omitempty"`
	SessionIssuer string `json:"session_issuer,omitempty"`
	InvokedBy     string `json:"invoked_by,omitempty"`
	SourceIP      string `json:"source_ip,omitempty"`
	UserAgent     string `json:"user_agent,omitempty"`
}

// Key names the actor for grouping: the session issuer or ARN, else the
// access key, else the account.
func (a Actor) Key() string {
	switch {
	case a.SessionIssuer != "":
		return a.SessionIssuer
	case a.ARN != "":
		return a.ARN
	case a.AccessKeyID != "":
		return a.AccessKeyID
	case a.InvokedBy != "":
		return a.InvokedBy
	case a.AccountID != "":
		return "account " + a.AccountID
	}
	return "unknown"
}

// RuleRef names the rule that matched.
type RuleRef struct {
	ID     string `json:"id"`
	Title  string `json:"title"`
	Level  string `json:"level,omitempty"`
	Origin string `json:"origin"`
	File   string `json:"file"`
}

// RecordRef locates the record that matched.
type RecordRef struct {
	File    string `json:"file"`
	Ordinal int64  `json:"ordinal"`
	Line    int64  `json:"line"`
	Offset  int64  `json:"offset"`
}

// MatchedField is a field value that made the rule match.
type MatchedField struct {
	Field string `json:"field"`
	Value string `json:"value"`
}

// header is the part of a matched record a finding reports.
type header struct {
	EventID            string `json:"eventID"`
	EventTime          string `json:"eventTime"`
	EventSource        string `json:"eventSource"`
	EventName          string `json:"eventName"`
	AWSRegion          string `json:"awsRegion"`
	RecipientAccountID string `json:"recipientAccountId"`
	SourceIPAddress    string `json:"sourceIPAddress"`
	UserAgent          string `json:"userAgent"`
	ErrorCode          string `json:"errorCode"`
	ErrorMessage       string `json:"errorMessage"`
	ReadOnly           *bool  `json:"readOnly"`
	UserIdentity       struct {
		Type           string `json:"type"`
		ARN            string `json:"arn"`
		PrincipalID    string `json:"principalId"`
		AccountID      string `json:"accountId"`
		UserName       string `json:"userName"`
		AccessKeyID    string `json:"accessKeyId"`
		InvokedBy      string `json:"invokedBy"`
		SessionContext struct {
			SessionIssuer struct {
				ARN string `json:"arn"`
			} `json:"sessionIssuer"`
		} `json:"sessionContext"`
	} `json:"userIdentity"`
}

// decodeHeader reads the reported fields of a matched record. Fields of an
// unexpected type are left empty rather than failing the finding.
func decodeHeader(raw []byte) header {
	var h header
	if err := json.Unmarshal(raw, &h); err != nil {
		// A field of another type than CloudTrail documents (attacker-made or
		// broken input): fall back to reading what is a string.
		var loose map[string]json.RawMessage
		_ = json.Unmarshal(raw, &loose)
		str := func(k string) string {
			var s string
			_ = json.Unmarshal(loose[k], &s)
			return s
		}
		h = header{EventID: str("eventID"), EventTime: str("eventTime"), EventSource: str("eventSource"),
			EventName: str("eventName"), AWSRegion: str("awsRegion"), RecipientAccountID: str("recipientAccountId"),
			SourceIPAddress: str("sourceIPAddress"), UserAgent: str("userAgent"), ErrorCode: str("errorCode")}
	}
	return h
}

// headerOf reads the reported fields of a matched record, on the fast path
// when it can; in shares repeated strings between findings.
func headerOf(raw []byte, in *interner) header {
	if h, ok := readHeader(raw, in); ok {
		return h
	}
	return decodeHeader(raw)
}

// headerOfTops is headerOf for a record whose top-level members are listed
// in tops; nil tops are not known.
func headerOfTops(raw []byte, tops []jsonscan.Member, in *interner) header {
	if tops == nil {
		return headerOf(raw, in)
	}
	if h, ok := readHeaderTops(raw, tops, in); ok {
		return h
	}
	return decodeHeader(raw)
}

// newFindings appends one finding per technique the matched rule detects.
// describe gives a technique's name and tactics; at is the record's parsed eventTime.
func newFindings(dst []Finding, h *header, at time.Time, m detect.Match, r *ruleset.Rule,
	describe func(string) (string, []string), pos RecordRef) []Finding {
	base := Finding{
		Type: "finding", Outcome: "success", ErrorCode: h.ErrorCode, ErrorMessage: h.ErrorMessage,
		EventID: h.EventID, EventTime: h.EventTime, EventSource: h.EventSource, EventName: h.EventName,
		AWSRegion: h.AWSRegion, RecipientAccountID: h.RecipientAccountID, ReadOnly: h.ReadOnly,
		Actor: Actor{
			Type: h.UserIdentity.Type, ARN: h.UserIdentity.ARN, PrincipalID: h.UserIdentity.PrincipalID,
			AccountID: h.UserIdentity.AccountID, UserName: h.UserIdentity.UserName,
			AccessKeyID: h.UserIdentity.AccessKeyID, InvokedBy: h.UserIdentity.InvokedBy,
			SessionIssuer: h.UserIdentity.SessionContext.SessionIssuer.ARN,
			SourceIP:      h.SourceIPAddress, UserAgent: h.UserAgent,
		},
		Rule:   RuleRef{ID: r.ID, Title: r.Title, Level: r.Level, Origin: string(r.Origin), File: r.File},
		Record: pos,
		time:   at,
	}
	if h.ErrorCode != "" && !strings.EqualFold(h.ErrorCode, "Success") {
		base.Outcome = "attempt"
	}
	base.Matched = make([]MatchedField, 0, len(m.Fields))
	for _, f := range m.Fields {
		base.Matched = append(base.Matched, MatchedField{Field: f.Field, Value: f.Value})
	}
	techniques := r.Techniques
	if len(techniques) == 0 {
		techniques = []string{""}
	}
	for _, id := range techniques {
		dst = append(dst, base)
		f := &dst[len(dst)-1]
		f.TechniqueID = id
		f.Tactics = r.Tactics
		if id != "" {
			f.TechniqueName, f.Tactics = describe(id)
		}
		if f.Tactics == nil {
			f.Tactics = []string{}
		}
	}
	return dst
}

// parseTime reads CloudTrail's eventTime, and the looser forms some exports use.
func parseTime(s string) time.Time {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999", "2006-01-02 15:04:05", "2006-01-02T15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

// Time returns the finding's event time, zero when it could not be read.
func (f *Finding) Time() time.Time { return f.time }
