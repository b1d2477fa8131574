package scan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ttcproject/ttc/internal/clip"
	"github.com/ttcproject/ttc/internal/cloudtrail"
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
	// Target is what the call acted on, as its request names it: the
	// requestParameters members that name a resource (see isTargetKey).
	Target []MatchedField `json:"target,omitempty"`

	Actor   Actor          `json:"actor"`
	Rule    RuleRef        `json:"rule"`
	Record  RecordRef      `json:"record"`
	Matched []MatchedField `json:"matched_fields"`
	// Correlation is set on a correlation rule's finding: what it counted.
	Correlation *Correlation `json:"correlation,omitempty"`

	time   time.Time
	signIn string // a sign-in event's result (header.SignIn), for the duplicate check
	frag   *frag  // the JSON of the parts its rule and technique fix, when a streamed scan made it
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
	// OnBehalfOfUserID is userIdentity.onBehalfOf.userId: the IAM Identity
	// Center user a call was made for, by its ID in the identity store
	// IdentityStoreARN names. Since July 2025 it is all that names a user
	// of the access portal, whose records carry no ARN, principal ID or
	// user name.
	OnBehalfOfUserID string `json:"on_behalf_of_user_id,omitempty"`
	IdentityStoreARN string `json:"identity_store_arn,omitempty"`
	InvokedBy        string `json:"invoked_by,omitempty"`
	SourceIP         string `json:"source_ip,omitempty"`
	UserAgent        string `json:"user_agent,omitempty"`
}

// Key names the actor for grouping: the session issuer (the role) or the
// ARN, else the Identity Center user a call was made for, else, for a
// caller of another account, that account and the principal ID, else the
// principal ID (SAML and web identity users, Identity Center users before
// July 2025, which have no ARN), else the access key, the user name, the
// service, the account. A session of an IAM Identity Center role is named
// by its ARN, which ends with the person's user name: one permission set's
// role is shared by everyone it is assigned to, and each is an actor.
//
// A user of the Identity Center access portal is named
// "IdentityCenterUser " and its user ID (onBehalfOf.userId), whatever the
// record's type (AWS wrote Unknown before July 2025, and may still): its
// records name no ARN, principal ID or user name, and without the ID every
// user of an account would share the account's timeline.
//
// An IAM user's record without an ARN (AWS writes none for a failed
// console sign-in) is named by the ARN its account and user name make, so
// that a user's failed sign-ins join the user's timeline. The made ARN
// has the partition aws and the path /: a user of another partition, or
// under a path, keeps its failed sign-ins apart.
//
// Each kind of key has a form the others cannot take, so that a forged
// value cannot join another actor's timeline: an ARN or a session issuer
// counts only when it starts with "arn:", an access key only when it is
// made of capitals and digits, a service only when it is a host name (or
// "AWS Internal"), and a type only when it is a word with a capital first
// letter other than IdentityCenterUser, whose keys come from the user ID
// alone; a value of another form is passed over for the next choice.
func (a Actor) Key() string {
	arn, issuer := isARN(a.ARN), isARN(a.SessionIssuer)
	// An Identity Center user's and another account's caller's keys have
	// forms of their own (below): a record of either type whose values
	// fall short of those forms does not make "<type> <value>", which a
	// forged value could make equal to a real one of that form.
	typed := isTypeName(a.Type) && a.Type != identityCenterUser && a.Type != "AWSAccount"
	switch {
	case a.ARN == "" && a.Type == "IAMUser" && IsAccountID(a.AccountID) && isIAMUserName(a.UserName):
		return "arn:aws:iam::" + a.AccountID + ":user/" + a.UserName
	case issuer && strings.Contains(a.SessionIssuer, ":role/aws-reserved/sso.amazonaws.com/") && arn:
		return a.ARN
	case issuer:
		return a.SessionIssuer
	case arn:
		return a.ARN
	case a.OnBehalfOfUserID != "":
		return identityCenterUser + " " + a.OnBehalfOfUserID
	case a.Type == "AWSAccount" && IsAccountID(a.AccountID):
		// A caller of another account, which the record names by its
		// account and principal ID only: the account is what a responder
		// needs first.
		return strings.TrimSpace("AWSAccount " + a.AccountID + " " + a.PrincipalID)
	case typed && a.PrincipalID != "":
		return a.Type + " " + a.PrincipalID
	case isAccessKeyID(a.AccessKeyID):
		return a.AccessKeyID
	case typed && a.UserName != "":
		return a.Type + " " + a.UserName
	case isServiceName(a.InvokedBy):
		return a.InvokedBy
	case a.AccountID != "":
		return "account " + a.AccountID
	}
	return "unknown"
}

// TimelineKey is the actor a report files f under when it groups findings
// by actor: Actor.Key, except for a correlation finding whose group names
// no identity (failed sign-ins for many users from one address, grouped
// by sourceIPAddress), whose record's caller is only the last of many: it
// is filed under its group, `correlation group sourceIPAddress="203.0.113.7"`,
// a form no Actor.Key takes. Each value is quoted by QuoteValue, a missing
// one written null, and the fields are separated by a space, so that no
// value can pass for another group's.
func (f *Finding) TimelineKey() string { return f.timeline(false) }

// TimelineLabel is TimelineKey as the tables show it: each group value as
// GroupValue.Shown writes it, as Evidence does, so that a value the scan
// cut shows ttc's note; in the key, a cut value and a record's text
// imitating the cut read alike.
func (f *Finding) TimelineLabel() string { return f.timeline(true) }

func (f *Finding) timeline(label bool) string {
	c := f.Correlation
	if c == nil || len(c.Group) == 0 || slices.ContainsFunc(c.Group, namesIdentity) {
		return f.Actor.Key()
	}
	b := []byte("correlation group")
	for _, v := range c.Group {
		b = append(b, ' ')
		b = append(b, v.Field...)
		b = append(b, '=')
		switch {
		case label:
			b = append(b, v.Shown()...)
		case v.Null:
			b = append(b, "null"...)
		default:
			b = append(b, QuoteValue(v.Value)...)
		}
	}
	return string(b)
}

// QuoteValue quotes a correlation group's value for people to read: in
// double quotes, a quote inside doubled (as CSV writes it), and nothing
// else changed. Reports escape the text around it as they escape any value
// (view.Line), before or after the quoting: neither adds what the other
// escapes, so a value shows escaped once ("a<b", not "a\u003cb"), and a
// quote that ends it is one not followed by another.
func QuoteValue(v string) string {
	return `"` + strings.ReplaceAll(v, `"`, `""`) + `"`
}

// namesIdentity reports whether a correlation's group-by value tells
// callers apart: a field of userIdentity.
func namesIdentity(v GroupValue) bool {
	return v.Field == "userIdentity" || strings.HasPrefix(v.Field, "userIdentity.")
}

// maxGroupKey bounds the actor keys a report holds, one for each actor at
// once: no real ARN is as long. A longer key (from a forged or damaged
// record) is cut, and told apart from others cut alike by a hash of the
// whole.
const maxGroupKey = 1024

// GroupKey is actor key k as reports group findings and name session
// callers by it: cut when it is too long to hold for every actor.
func GroupKey(k string) string {
	if len(k) <= maxGroupKey {
		return k
	}
	h := fnv.New64a()
	h.Write([]byte(k))
	return fmt.Sprintf("%s%s%016x", clip.Prefix(k, maxGroupKey), groupKeyMark, h.Sum64())
}

// groupKeyMark ends the part of a key GroupKey kept, before the hash.
const groupKeyMark = "…#"

// CutGroupKey splits a key GroupKey cut into the part of the actor key it
// kept and the hash of the whole key, in hexadecimal; cut is false for a
// key it left whole. Reports write the kept part escaped and their own
// note in place of the mark, which the escaping of a line in ASCII would
// otherwise turn into text a record could hold ("\u2026#…"). Only a cut
// key is longer than maxGroupKey, so no key a record names passes for
// one: "user/x…#0123456789abcdef" is a name.
func CutGroupKey(k string) (kept, hash string, cut bool) {
	i := len(k) - len(groupKeyMark) - 16
	if len(k) <= maxGroupKey || i < 0 || k[i:i+len(groupKeyMark)] != groupKeyMark {
		return k, "", false
	}
	return k[:i], k[i+len(groupKeyMark):], true
}

// EscapeGroupKey is esc(k) for a key GroupKey left whole; of a key it cut,
// it escapes the part kept and keeps the mark, so that CutGroupKey still
// splits the key escaped (escaping only lengthens a text).
func EscapeGroupKey(k string, esc func(string) string) string {
	kept, hash, cut := CutGroupKey(k)
	if !cut {
		return esc(k)
	}
	return esc(kept) + groupKeyMark + hash
}

func isARN(s string) bool { return strings.HasPrefix(s, "arn:") }

// identityCenterUser is the userIdentity type of a user of the IAM
// Identity Center access portal, and the first word of its actor key.
const identityCenterUser = "IdentityCenterUser"

// isTypeName reports whether s has the form of a userIdentity type
// (IAMUser, AssumedRole, WebIdentityUser): letters, the first a capital.
func isTypeName(s string) bool {
	if s == "" || s[0] < 'A' || s[0] > 'Z' {
		return false
	}
	for i := range len(s) {
		if c := s[i] | 0x20; c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

// isAccessKeyID reports whether s has the form of an access key ID:
// capitals and digits (AKIA…, ASIA…), 16 to 128 of them.
func isAccessKeyID(s string) bool {
	if len(s) < 16 || len(s) > 128 {
		return false
	}
	for i := range len(s) {
		if c := s[i]; (c < 'A' || c > 'Z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// isServiceName reports whether s has the form of the invokedBy of a
// call made by a service: a host name (ec2.amazonaws.com), or "AWS
// Internal".
func isServiceName(s string) bool {
	if s == "AWS Internal" {
		return true
	}
	if !strings.Contains(s, ".") {
		return false
	}
	for i := range len(s) {
		if c := s[i]; (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '.' && c != '-' {
			return false
		}
	}
	return true
}

// IsAccountID reports whether s is an AWS account ID: twelve digits.
func IsAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isIAMUserName reports whether s can be an IAM user's name (1 to 64
// letters, digits and +=,.@_-), and is not the name AWS writes in place of
// one that does not exist.
func isIAMUserName(s string) bool {
	if len(s) == 0 || len(s) > 64 || s == "HIDDEN_DUE_TO_SECURITY_REASONS" {
		return false
	}
	for _, c := range []byte(s) {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', strings.IndexByte("+=,.@_-", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// RuleRef names the rule that matched.
type RuleRef struct {
	ID     string `json:"id"`
	Title  string `json:"title"`
	Level  string `json:"level,omitempty"`
	Origin string `json:"origin"`
	File   string `json:"file"`
	// Line is the line the rule starts at in File when File holds several
	// rules (YAML documents); absent for a file of one rule.
	Line int `json:"line,omitempty"`
	// ATTACK lists the ATT&CK techniques the rule is tagged with that the
	// catalog does not hold: all a finding of a rule with no catalog
	// technique says of its technique, and more for one with some.
	ATTACK []string `json:"attack,omitempty"`
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

// header is the part of a matched record a finding reports. Its fields are
// read by their exact names, as the rules read them.
type header struct {
	EventID, EventTime, EventSource, EventName string
	AWSRegion, RecipientAccountID              string
	SourceIPAddress, UserAgent                 string
	ErrorCode, ErrorMessage                    string
	// errorMessage is set when the record has an errorMessage that
	// ErrorMessage leaves out: a streamed finding writes it from the
	// record's text, and only its presence is needed here.
	errorMessage bool
	ReadOnly     *bool
	UserIdentity struct {
		Type, ARN, PrincipalID, AccountID, UserName, AccessKeyID, InvokedBy string
		SessionContext                                                      struct {
			SessionIssuer struct{ ARN string }
		}
		OnBehalfOf struct{ UserID, IdentityStoreARN string }
	}
	// SignIn is the result of a sign-in event (eventSource
	// signin.amazonaws.com: ConsoleLogin, CheckMfa, PasswordUpdated…),
	// which CloudTrail writes as responseElements.<eventName>, "Success"
	// or "Failure": a failed sign-in carries no errorCode. IAM Identity
	// Center's sign-in events (CredentialChallenge, CredentialVerification,
	// UserAuthentication) write it as serviceEventDetails.<eventName>
	// instead, which is read when the first is missing or empty. A request to
	// Cognito's OAuth endpoints that was refused (an HTTP status of 400 or
	// more, see rawHeader.oauthResult) carries none either, and is "Failure"
	// too.
	SignIn string
	// Target is what the call acted on (Finding.Target).
	Target []MatchedField
}

// orOtherType returns s, the text of a string field, or for a value of
// another type that is not empty (0, false, [], {} and null are), the
// value as JSON, compacted.
func orOtherType(s string, v json.RawMessage) string {
	v = bytes.TrimSpace(v)
	if len(v) == 0 || v[0] == '"' || string(v) == "null" {
		return s
	}
	var b bytes.Buffer
	if json.Compact(&b, v) != nil {
		return s
	}
	c := b.String()
	if zeroNumber(c) || c == "false" || c == "[]" || c == "{}" {
		return s
	}
	return c
}

// zeroNumber reports whether c, compact JSON, is a number written as zero
// (0, -0, 0.0e5): every digit before its exponent is 0. 1e-400 is not,
// though it reads as zero in float64.
func zeroNumber(c string) bool {
	if c == "" || (c[0] != '-' && (c[0] < '0' || c[0] > '9')) {
		return false
	}
	for i := 0; i < len(c); i++ {
		switch {
		case c[i] == 'e' || c[i] == 'E':
			return true
		case c[i] >= '1' && c[i] <= '9':
			return false
		}
	}
	return true
}

// decodeHeader reads the reported fields of a matched record through
// encoding/json, by exact key: the reference readHeader agrees with, and
// its fallback. A field of another type than CloudTrail writes (attacker-
// made or broken input) is left empty rather than failing the finding.
func decodeHeader(raw []byte) header {
	var h header
	top := object(raw)
	u := &h.UserIdentity
	for dst, key := range map[*string]string{&h.EventID: "eventID", &h.EventTime: "eventTime",
		&h.EventSource: "eventSource", &h.EventName: "eventName", &h.AWSRegion: "awsRegion",
		&h.RecipientAccountID: "recipientAccountId", &h.SourceIPAddress: "sourceIPAddress",
		&h.UserAgent: "userAgent", &h.ErrorCode: "errorCode", &h.ErrorMessage: "errorMessage"} {
		*dst = text(top[key])
	}
	// An errorCode or errorMessage of another type (forged or broken
	// input) still says the call failed, unless it is empty as "" is: the
	// finding is an attempt, and shows the value as JSON, compacted.
	h.ErrorCode = orOtherType(h.ErrorCode, top["errorCode"])
	h.ErrorMessage = orOtherType(h.ErrorMessage, top["errorMessage"])
	var ro *bool
	if json.Unmarshal(top["readOnly"], &ro) == nil {
		h.ReadOnly = ro
	}
	ui := object(top["userIdentity"])
	for dst, key := range map[*string]string{&u.Type: "type", &u.ARN: "arn", &u.PrincipalID: "principalId",
		&u.AccountID: "accountId", &u.UserName: "userName", &u.AccessKeyID: "accessKeyId", &u.InvokedBy: "invokedBy"} {
		*dst = text(ui[key])
	}
	u.SessionContext.SessionIssuer.ARN = text(object(object(ui["sessionContext"])["sessionIssuer"])["arn"])
	behalf := object(ui["onBehalfOf"])
	u.OnBehalfOf.UserID, u.OnBehalfOf.IdentityStoreARN = text(behalf["userId"]), text(behalf["identityStoreArn"])
	h.Target = targetOf(top["requestParameters"], top["responseElements"], nil)
	if strings.EqualFold(h.EventSource, signInSource) {
		h.SignIn = text(object(top["responseElements"])[h.EventName])
		if h.SignIn == "" {
			h.SignIn = text(object(top["serviceEventDetails"])[h.EventName])
		}
	}
	if strings.EqualFold(h.EventSource, cognitoSource) && httpFailure(object(object(top["additionalEventData"])["responseParameters"])["status"]) {
		h.SignIn = "Failure"
	}
	return h
}

// object decodes a JSON object into its members; anything else gives none.
func object(raw json.RawMessage) map[string]json.RawMessage {
	var m map[string]json.RawMessage
	_ = json.Unmarshal(raw, &m)
	return m
}

// text decodes a JSON string; anything else gives "".
func text(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return ""
	}
	return s
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

// maxFieldBytes bounds each text a finding reports of its record. A
// record can hold megabytes in one field (CloudTrail's own fields hold a
// few kilobytes at most); a finding quotes the start of such a value and
// says how long it was, and the record's position leads to the rest. So a
// scan that keeps its findings, and a response of the server, grow with
// their number, not with what a record holds.
const maxFieldBytes = 8 << 10

// clipField returns s, or when it is longer than maxFieldBytes, its start
// (cut between characters) and its length.
func clipField(s string) string {
	if len(s) <= maxFieldBytes {
		return s
	}
	return string(appendClipped(nil, s))
}

// EventIDOf returns the event_id a finding reports of raw, a record read
// whole: its eventID when that is a string, clipped as findings clip it;
// "" when it is missing or no string. ttc record compares it with the
// finding's.
func EventIDOf(raw []byte) string {
	var rec map[string]json.RawMessage // keys as written: encoding/json's struct fields ignore case
	var id string
	if json.Unmarshal(raw, &rec) != nil || json.Unmarshal(rec["eventID"], &id) != nil {
		return ""
	}
	return clipField(id)
}

// WholeLength returns the length of the value a finding's field held in
// the record: len(s), or for a value clipField cut, the length its mark
// gives. A value of the clipped form that was not cut (a record can hold
// the mark's text) is read as cut: the mark cannot be told from its own.
func WholeLength(s string) int {
	i := strings.LastIndex(s, clipMarkOpen)
	if i < maxFieldBytes-utf8.UTFMax || i > maxFieldBytes || !strings.HasSuffix(s, clipMarkClose) {
		return len(s)
	}
	n, err := strconv.Atoi(s[i+len(clipMarkOpen) : len(s)-len(clipMarkClose)])
	if err != nil || n <= maxFieldBytes {
		return len(s)
	}
	return n
}

// appendClipped appends the clipped form of s, longer than maxFieldBytes,
// to b.
func appendClipped[S ~string | ~[]byte](b []byte, s S) []byte {
	cut := maxFieldBytes
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	b = append(b, s[:cut]...)
	b = append(b, clipMarkOpen...)
	b = strconv.AppendInt(b, int64(len(s)), 10)
	return append(b, clipMarkClose...)
}

// The mark a clipped field ends with, around its whole length:
// "… (9000 bytes in all)". WholeLength reads it back.
const (
	clipMarkOpen  = "… ("
	clipMarkClose = " bytes in all)"
)

// actor is the caller of h's record, its fields clipped as a finding's.
func (h *header) actor() Actor {
	c, u := clipField, &h.UserIdentity
	return Actor{
		Type: c(u.Type), ARN: c(u.ARN), PrincipalID: c(u.PrincipalID), AccountID: c(u.AccountID),
		UserName: c(u.UserName), AccessKeyID: c(u.AccessKeyID), InvokedBy: c(u.InvokedBy),
		SessionIssuer: c(u.SessionContext.SessionIssuer.ARN), OnBehalfOfUserID: c(u.OnBehalfOf.UserID),
		IdentityStoreARN: c(u.OnBehalfOf.IdentityStoreARN), SourceIP: c(h.SourceIPAddress), UserAgent: c(h.UserAgent),
	}
}

// newFindings appends one finding per technique the matched rule detects.
// describe gives a technique's name and tactics; at is the record's parsed eventTime.
func newFindings(dst []Finding, h *header, at time.Time, m detect.Match, r *ruleset.Rule,
	describe func(string) (string, []string), pos RecordRef) []Finding {
	c := clipField
	base := Finding{
		Type: "finding", Outcome: "success", ErrorCode: c(h.ErrorCode), ErrorMessage: c(h.ErrorMessage),
		EventID: c(h.EventID), EventTime: c(h.EventTime), EventSource: c(h.EventSource), EventName: c(h.EventName),
		AWSRegion: c(h.AWSRegion), RecipientAccountID: c(h.RecipientAccountID), ReadOnly: h.ReadOnly, Target: h.Target,
		Actor:  h.actor(),
		Rule:   RuleRef{ID: r.ID, Title: r.Title, Level: r.Level, Origin: string(r.Origin), File: r.File, Line: r.BundleLine()},
		Record: pos,
		time:   at,
		signIn: c(h.SignIn),
	}
	if h.failed() {
		base.Outcome = "attempt"
	}
	base.Matched = make([]MatchedField, 0, len(m.Fields))
	for _, f := range m.Fields {
		base.Matched = append(base.Matched, MatchedField{Field: f.Field, Value: clipField(f.Value)})
	}
	base.Rule.ATTACK = r.Unmapped
	return appendTechniques(dst, base, r, describe)
}

// appendTechniques appends base once for each technique rule r detects.
func appendTechniques(dst []Finding, base Finding, r *ruleset.Rule, describe func(string) (string, []string)) []Finding {
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

// signInSource is the eventSource of sign-in events, whose result is
// written as responseElements.<eventName>, or for IAM Identity Center as
// serviceEventDetails.<eventName> (header.SignIn).
const signInSource = "signin.amazonaws.com"

// cognitoSource is the eventSource of Cognito user pools, whose OAuth
// endpoints' events carry their HTTP status rather than an errorCode.
const cognitoSource = "cognito-idp.amazonaws.com"

// httpFailure reports whether raw is a JSON number of 400 or more: an HTTP
// status that refused the request.
func httpFailure(raw []byte) bool {
	var status float64
	return json.Unmarshal(raw, &status) == nil && status >= 400
}

// failed reports whether the record h heads was refused or failed: its
// findings are attempts.
func (h *header) failed() bool {
	return failed(h.ErrorCode, !Blank(h.ErrorMessage) || h.errorMessage, h.SignIn)
}

// Blank reports whether an errorCode or errorMessage holds nothing but the
// blanks a Sigma rule's \s matches (space, tab, line feed, carriage
// return, form feed): the catalog's rules read errorCode|re '\S' as a
// failure, and the outcome agrees with them.
func Blank(s string) bool { return strings.Trim(s, " \t\n\r\f") == "" }

// blankJSON is Blank for a string as JSON writes it between its quotes:
// its first byte other than a blank or an escape shows it holds text,
// which is the common case and costs no decoding; only text of blanks
// and escapes is decoded (\t is a blank, \u00a0 is not).
func blankJSON(raw []byte) bool {
	for _, c := range raw {
		switch c {
		case ' ', '\t', '\n', '\r', '\f', '\\':
			continue
		}
		if c != 'u' && c != 't' && c != 'n' && c != 'r' && c != 'f' && !isHex(c) {
			return false
		}
	}
	var s string
	if json.Unmarshal(append(append([]byte{'"'}, raw...), '"'), &s) != nil {
		return false
	}
	return Blank(s)
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

// ShownError is the errorCode reports show beside the outcome: none when
// it is blank (see Blank), as an export writes a success's.
func (f Finding) ShownError() string {
	if Blank(f.ErrorCode) {
		return ""
	}
	return f.ErrorCode
}

// ShownMessage is the errorMessage reports show beside an attempt: none
// when it is blank.
func (f Finding) ShownMessage() string {
	if Blank(f.ErrorMessage) {
		return ""
	}
	return f.ErrorMessage
}

// failed reports whether a call failed: an errorCode other than Success,
// an errorMessage (which CloudTrail writes only for failures, and alone
// for a failed console sign-in), or a sign-in event that responded
// Failure. An errorCode of blanks alone is none, as the catalog's rules
// read it (errorCode|re '\S'): exports write a success's as "".
func failed(errorCode string, errorMessage bool, signIn string) bool {
	return !Blank(errorCode) && !strings.EqualFold(errorCode, "Success") || errorMessage || strings.EqualFold(signIn, "Failure")
}

// parseTime reads CloudTrail's eventTime, and the looser forms some exports use.
func parseTime(s string) time.Time { return cloudtrail.ParseTime(s) }

// Time returns the finding's event time, zero when it could not be read.
func (f *Finding) Time() time.Time { return f.time }
