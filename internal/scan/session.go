package scan

import (
	"bytes"

	"github.com/ttcproject/ttc/internal/jsonscan"
)

// SessionOrigin is the call that issued a temporary access key, as a
// record of it in the logs shows: who obtained the session whose calls
// carry the key. A role session's calls name the role, not who assumed it;
// the issuing record names both.
type SessionOrigin struct {
	AccessKeyID string `json:"access_key_id"`
	// Event is the issuing call, as service:EventName (sts:AssumeRole).
	Event string `json:"event"`
	// By is the caller that obtained the session, named as actors are
	// (Actor.Key): a user's or a role session's ARN, a web identity or
	// SAML subject with its provider.
	By       string `json:"by"`
	At       string `json:"at"`
	SourceIP string `json:"source_ip,omitempty"`
}

// sessionEvents are the STS calls that issue temporary keys, in the
// records' own spelling.
var sessionEvents = map[string]string{
	"AssumeRole":                "sts:AssumeRole",
	"AssumeRoleWithSAML":        "sts:AssumeRoleWithSAML",
	"AssumeRoleWithWebIdentity": "sts:AssumeRoleWithWebIdentity",
	"GetSessionToken":           "sts:GetSessionToken",
	"GetFederationToken":        "sts:GetFederationToken",
}

// maxSessions bounds the session origins one worker, and a scan, keeps:
// a log may hold any number of role assumptions (services assume roles
// all day). Past it, later ones are not kept, and the summary counts them.
var maxSessions = 1 << 16 // a variable for tests

// stsSource is the eventSource of the calls that issue sessions, as a
// JSON string.
var stsSource = []byte(`"sts.amazonaws.com"`)

// noteSession keeps the origin of the session a record issued, if it is
// a successful STS call that issued one. tops are the record's top-level
// members, idx its listing (nil when not listed).
func (w *worker) noteSession(raw []byte, tops []jsonscan.Member, idx *jsonscan.Index) {
	sts := false
	for _, m := range tops {
		if !m.KEsc && string(raw[m.KStart+1:m.KEnd-1]) == "eventSource" {
			sts = bytes.Equal(raw[m.VStart:m.VEnd], stsSource) // the last one counts, as for the rules
		}
	}
	if !sts {
		return
	}
	rh, ok := readRawHeader(raw, tops, idx)
	if !ok || len(rh.v[hErrorCode]) > len(`""`) || len(rh.v[hErrorMessage]) > len(`""`) {
		return
	}
	// A service assumes roles all day (instance profiles, Lambda
	// functions), and its sessions' names say which instance or function:
	// no caller to find behind them.
	if string(rh.v[hType]) == `"AWSService"` || len(rh.v[hInvokedBy]) > len(`""`) {
		return
	}
	event, ok := sessionEvents[string(rh.text(hEventName, &w.text))]
	if !ok {
		return
	}
	var ts [maxTargets]rawTarget
	var key []byte
	for _, t := range findTarget(ts[:0], raw, idx, nil, 0, rh.response, rh.responseObj) {
		if t.prefix == issuedKeyObjects["credentials"] {
			key = t.appendText(nil)
		}
	}
	if !isAccessKeyID(string(key)) {
		return
	}
	if w.p.sessions == nil {
		w.p.sessions = map[string]SessionOrigin{}
	}
	if _, seen := w.p.sessions[string(key)]; !seen && len(w.p.sessions) >= maxSessions {
		w.p.sum.SessionsNotKept++
		return
	}
	h := rh.header(nil)
	u := &h.UserIdentity
	a := Actor{Type: clipField(u.Type), ARN: clipField(u.ARN), PrincipalID: clipField(u.PrincipalID), AccountID: clipField(u.AccountID),
		UserName: clipField(u.UserName), AccessKeyID: clipField(u.AccessKeyID), InvokedBy: clipField(u.InvokedBy),
		SessionIssuer: clipField(u.SessionContext.SessionIssuer.ARN)}
	w.p.sessions[string(key)] = SessionOrigin{AccessKeyID: string(key), Event: event, By: w.p.shared(a.Key()), At: clipField(h.EventTime),
		SourceIP: w.p.shared(clipField(h.SourceIPAddress))}
}

// shared returns s, or an equal string kept before: a few callers obtain
// most sessions, from a few addresses.
func (p *part) shared(s string) string {
	if t, ok := p.sessionStrs[s]; ok {
		return t
	}
	if p.sessionStrs == nil {
		p.sessionStrs = map[string]string{}
	}
	if len(p.sessionStrs) < 1<<12 && len(s) <= 256 {
		p.sessionStrs[s] = s
	}
	return s
}
