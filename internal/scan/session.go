package scan

import (
	"bytes"
	"slices"
	"sync"
	"time"

	"github.com/ttcproject/ttc/internal/clip"
	"github.com/ttcproject/ttc/internal/cloudtrail"
	"github.com/ttcproject/ttc/internal/detect"
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
	// Others counts the other claims that the same key was issued, at
	// another time or to another caller: a forged record, or a damaged
	// log. The two copies of a cross-account call, which share their
	// sharedEventID and time, are one claim, as are records that repeat
	// one. The earliest claim is kept.
	Others int `json:"other_claims,omitempty"`

	at     time.Time // At, parsed
	claims []string  // the distinct claims seen, up to maxClaims (see claimID)
	extra  int       // distinct claims past those
}

// maxClaims bounds the claims an origin tells apart; past it, each
// record that differs from the last kept is counted as one more.
const maxClaims = 8

// claimID names the claim a record makes: its sharedEventID (a non-empty
// string) and time, which the copies of one cross-account call share,
// else its caller and time.
func claimID(shared []byte, by, at string) string {
	if len(shared) > len(`""`) && shared[0] == '"' {
		return "shared\x00" + string(shared) + "\x00" + at
	}
	return "caller\x00" + by + "\x00" + at
}

// Time is At, parsed.
func (o SessionOrigin) Time() time.Time { return o.at }

// earlier reports whether o is to be kept over p, both claiming one key:
// the earlier call, then a caller named by an ARN, then the first by name,
// so that the choice does not depend on which worker read which file.
func (o *SessionOrigin) earlier(p *SessionOrigin) bool {
	if !o.at.Equal(p.at) {
		return o.at.Before(p.at)
	}
	if oa, pa := isARN(o.By), isARN(p.By); oa != pa {
		return oa
	}
	return o.By < p.By
}

// claim adds o, a claim on o.AccessKeyID, to the origins kept in m, and
// reports whether it found room for it.
func claim(m map[string]SessionOrigin, o SessionOrigin, room bool) bool {
	p, ok := m[o.AccessKeyID]
	if !ok {
		if room {
			m[o.AccessKeyID] = o
		}
		return room
	}
	keep := p
	if o.earlier(&p) {
		keep = o
	}
	claims, extra := slices.Clone(p.claims), p.extra+o.extra
	for _, c := range o.claims {
		switch {
		case slices.Contains(claims, c):
		case len(claims) < maxClaims:
			claims = append(claims, c)
		default:
			extra++
		}
	}
	keep.claims, keep.extra = claims, extra
	keep.Others = len(claims) - 1 + extra
	m[o.AccessKeyID] = keep
	return true
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

// maxSessions bounds the session origins a scan keeps, all its workers
// together: a log may hold any number of role assumptions (services
// assume roles all day). Past it, the keys met later are not kept, and
// the summary counts their records. Each origin holds at most
// maxGroupKey bytes of caller and a few dozen more.
var maxSessions = 1 << 15 // a variable for tests

// sessionKeys are the keys whose origins a scan keeps, all its workers
// together.
type sessionKeys struct {
	mu   sync.Mutex
	kept map[string]struct{}
}

// room reports whether the origin of key is kept: it is, or there is room
// for one more.
func (k *sessionKeys) room(key string) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	if _, ok := k.kept[key]; ok {
		return true
	}
	if len(k.kept) >= maxSessions {
		return false
	}
	if k.kept == nil {
		k.kept = map[string]struct{}{}
	}
	k.kept[key] = struct{}{}
	return true
}

// maxOriginText bounds an origin's time and address: CloudTrail's are
// far shorter, and a forged one is cut.
const maxOriginText = 64

// stsSource is the eventSource of the calls that issue sessions, as a
// JSON string.
var stsSource = []byte(`"sts.amazonaws.com"`)

// noteSession keeps the origin of the session a record issued, if it is
// a successful STS call that issued one. tops are the record's top-level
// members, idx its listing (nil when not listed).
func (w *worker) noteSession(raw []byte, tops []jsonscan.Member, idx *jsonscan.Index) {
	sts := false
	var shared []byte
	for _, m := range tops {
		switch {
		case m.KEsc:
		case string(raw[m.KStart+1:m.KEnd-1]) == "eventSource":
			sts = bytes.Equal(raw[m.VStart:m.VEnd], stsSource) // the last one counts, as for the rules
		case string(raw[m.KStart+1:m.KEnd-1]) == "sharedEventID":
			shared = raw[m.VStart:m.VEnd]
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
	// STS issues temporary keys only (ASIA…); a record that claims to
	// have issued a long-term key is forged.
	if !isAccessKeyID(string(key)) || !bytes.HasPrefix(key, []byte("ASIA")) {
		return
	}
	// Nor is a call that cannot be placed in time (its findings would be
	// rejected) a witness.
	at, ok := cloudtrail.TimeOf(string(rh.text(hEventTime, &w.text)))
	if !ok || !detect.Countable(at) {
		return
	}
	if w.p.sessions == nil {
		w.p.sessions = map[string]SessionOrigin{}
	}
	h := rh.header(nil)
	a := h.actor()
	by := w.p.shared(GroupKey(a.Key()))
	o := SessionOrigin{AccessKeyID: string(key), Event: event, By: by,
		At: clip.String(h.EventTime, maxOriginText), SourceIP: w.p.shared(clip.String(h.SourceIPAddress, maxOriginText)),
		at: at, claims: []string{claimID(shared, by, at.UTC().Format(time.RFC3339Nano))}}
	// A key not kept yet takes room from the scan's bound, which the
	// workers share; a claim on a key kept, by any worker, is always
	// taken, so that past the bound a later claim cannot hide an earlier
	// one that another worker read.
	_, known := w.p.sessions[o.AccessKeyID]
	if !claim(w.p.sessions, o, known || w.s.sessionKeys.room(o.AccessKeyID)) {
		w.p.sum.SessionsNotKept++
	}
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
