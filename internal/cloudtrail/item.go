package cloudtrail

import (
	"fmt"

	"github.com/ttcproject/ttc/internal/jsonscan"
)

// span is a value's place in an object, relative to the object's '{'.
// e == 0 means the key was absent.
type span struct{ s, e int }

func (p span) ok() bool { return p.e > 0 }

// itemKeys holds what the reader needs from an object's top-level keys to
// tell records from envelopes and to fill Record's shortcut fields.
type itemKeys struct {
	eventName, eventSource, eventType span
	detail, cloudTrailEvent, message  span
	detailType                        span // an EventBridge envelope's detail-type
	messageType                       span
	envelope                          bool // detail-type or source
	logEvent                          bool // timestamp or id
	recordish                         bool // a key only CloudTrail records have
	digest                            bool // a digest-only key
	container                         bool // a nested container key
	// folded is a key that is one of a record's in other letter case
	// ("EventName"), and known the one it folds to: tools that match keys
	// ignoring case (Go's encoding/json) read the one for the other.
	folded, foldsTo string
	// envFolded is such a key of an EventBridge envelope ("Detail" beside
	// "detail"), and envFoldsTo the one it folds to.
	envFolded, envFoldsTo string
}

func (k *itemKeys) set(name []byte, v span) {
	switch string(name) {
	case "eventName":
		k.eventName, k.recordish = v, true
	case "eventSource":
		k.eventSource, k.recordish = v, true
	case "eventType":
		k.eventType, k.recordish = v, true
	case "eventVersion", "eventTime", "eventID", "userIdentity", "awsRegion",
		"eventCategory", "recipientAccountId", "requestParameters":
		k.recordish = true
	case "detail":
		k.detail = v
	case "detail-type":
		k.envelope, k.detailType = true, v
	case "source":
		k.envelope = true
	case "CloudTrailEvent":
		k.cloudTrailEvent = v
	case "message":
		k.message = v
	case "timestamp", "id":
		k.logEvent = true
	case "messageType":
		k.messageType = v
	case "digestS3Object", "digestS3Bucket", "digestPublicKeyFingerprint":
		k.digest = true
	case "Records", "Events", "logEvents":
		k.container = true
	case "sourceIPAddress", "userAgent", "errorCode", "errorMessage", "responseElements", "additionalEventData",
		"requestID", "readOnly", "resources", "managementEvent", "tlsDetails", "apiVersion", "sharedEventID",
		"vpcEndpointId", "vpcEndpointAccountId", "serviceEventDetails", "sessionCredentialFromConsole",
		"addendum", "edgeDeviceDetails", "insightDetails":
		// The rest of a record's keys: none of them is a case variant.
	default:
		if to := foldsTo(name, allRecordKeys); to != "" && k.folded == "" {
			k.folded, k.foldsTo = string(name), to
		}
		if to := foldsTo(name, envelopeKeys); to != "" && k.envFolded == "" {
			k.envFolded, k.envFoldsTo = string(name), to
		}
	}
}

// envelopeKeys are the top-level keys of an EventBridge event.
var envelopeKeys = []string{"version", "id", "detail-type", "source", "account", "time", "region", "resources", "detail"}

// allRecordKeys are the top-level keys of CloudTrail records, as
// CloudTrail spells them.
var allRecordKeys = []string{"eventVersion", "userIdentity", "eventTime", "eventSource", "eventName", "awsRegion",
	"sourceIPAddress", "userAgent", "errorCode", "errorMessage", "requestParameters", "responseElements",
	"additionalEventData", "requestID", "eventID", "eventType", "apiVersion", "managementEvent", "readOnly",
	"resources", "recipientAccountId", "serviceEventDetails", "sharedEventID", "vpcEndpointId",
	"vpcEndpointAccountId", "eventCategory", "addendum", "sessionCredentialFromConsole", "edgeDeviceDetails",
	"tlsDetails", "insightDetails"}

// object scans the object at b[i] == '{', filling k with its top-level keys,
// s.members with its members and s.index with the objects nested in it,
// and returns the index after it. It resets s.dup first.
func (s *scanner) object(b []byte, i int, k *itemKeys) int {
	s.index.Reset()
	s.base, s.indexing, s.overflow = i, true, false
	e := s.members1(b, i, k)
	s.indexing = false
	return e
}

// listed returns the index of the object scanned last, nil when it
// overflowed.
func (s *scanner) listed() *jsonscan.Index {
	if s.overflow {
		return nil
	}
	return &s.index
}

func (s *scanner) members1(b []byte, i int, k *itemKeys) int {
	*k = itemKeys{}
	s.dup, s.top, s.members = 0, s.top[:0], s.members[:0]
	var mask uint64
	j := skipWS(b, i+1)
	if j >= len(b) {
		return more
	}
	if b[j] == '}' {
		return j + 1
	}
	for {
		nobj := len(s.index.Objects)
		ke, vs, ve, fp, esc := s.member(b, j)
		if ve < 0 {
			return ve
		}
		m := member(i, j, ke, vs, ve, esc)
		if len(s.index.Objects) > nobj && b[vs] == '{' && !s.overflow {
			m.Obj = int32(len(s.index.Objects)) // the last to close is the value itself
		}
		name := b[j+1 : ke-1]
		if m.KEsc {
			name = s.name(b, j, ke)
		}
		k.set(name, span{vs - i, ve - i})
		if seen(&mask, fp) {
			s.collide(s.top, b, j, ke, fp)
		}
		if len(s.top) >= maxKeys {
			return s.refuse(j, fmt.Sprintf("more than %d keys in one object (CloudTrail records hold hundreds)", maxKeys))
		}
		s.top = append(s.top, keyRef{fp: fp, q: int32(j), e: int32(ke)})
		s.members = append(s.members, m)
		j = skipWS(b, ve)
		if j >= len(b) {
			return more
		}
		switch b[j] {
		case ',':
			j = skipWS(b, j+1)
		case '}':
			if len(s.top) > linearKeys {
				s.repeat(s.closeKeys(b, s.top))
			}
			return j + 1
		default:
			return s.syntax(j, "',' or '}' expected in object")
		}
	}
}

// member describes the member whose key is b[j:ke], holding an escape
// when esc is set, and value b[vs:ve], in the object whose '{' is at b[o],
// relative to it.
func member(o, j, ke, vs, ve int, esc bool) jsonscan.Member {
	return jsonscan.Member{KStart: j - o, KEnd: ke - o, VStart: vs - o, VEnd: ve - o, KEsc: esc}
}

// member scans `"key": value` at b[i] and returns the index after the key's
// closing quote, the value's start, and its end (or more/fail), the key's
// fingerprint and whether it holds an escape.
func (s *scanner) member(b []byte, i int) (ke, vs, ve int, fp uint64, esc bool) {
	ke, vs, fp, esc = s.key(b, i)
	if vs < 0 {
		return 0, 0, vs, 0, false
	}
	return ke, vs, s.value(b, vs, 1), fp, esc
}

// key scans `"key":` at b[i] and returns the index after the key's closing
// quote, the index of the value (more or fail when there is none yet), the
// key's fingerprint and whether it holds an escape.
func (s *scanner) key(b []byte, i int) (ke, vs int, fp uint64, esc bool) {
	if i >= len(b) {
		return 0, more, 0, false
	}
	if b[i] != '"' {
		return 0, s.syntax(i, "object key expected"), 0, false
	}
	if ke, fp, esc = s.keyScan(b, i); ke < 0 {
		return 0, ke, 0, false
	}
	j := skipWS(b, ke)
	if j >= len(b) {
		return 0, more, 0, false
	}
	if b[j] != ':' {
		return 0, s.syntax(j, "':' expected after object key"), 0, false
	}
	if vs = skipWS(b, j+1); vs >= len(b) {
		return 0, more, 0, false
	}
	return ke, vs, fp, esc
}

// structural finds the end of the value at b[i] by brackets and strings
// alone, ignoring the rest of the grammar, to step over a record that is not
// valid JSON. It returns more, fail (brackets do not match: the container
// itself is broken) or the index after the value.
func structural(b []byte, i int, stack []byte) (int, []byte) {
	stack = stack[:0]
	for ; i < len(b); i++ {
		switch c := b[i]; c {
		case '"':
			for i++; i < len(b) && b[i] != '"'; i++ {
				if b[i] == '\\' {
					i++
				}
			}
			if i >= len(b) {
				return more, stack
			}
		case '{', '[':
			stack = append(stack, c)
		case '}', ']':
			if len(stack) == 0 {
				return i, stack // a scalar ended by its container
			}
			if stack[len(stack)-1] != c-2 { // '{'+2 == '}', '['+2 == ']'
				return fail, stack
			}
			stack = stack[:len(stack)-1]
			if len(stack) == 0 {
				return i + 1, stack
			}
		case ',':
			if len(stack) == 0 {
				return i, stack
			}
		}
	}
	return more, stack
}

// Listed checks that raw holds one JSON object and lists its members and
// the objects nested in it, as the reader does for every record it hands on
// (Record.Top and Record.Index); offsets are into raw. ok is false when raw
// is not one valid object, or repeats a key in any object.
func Listed(raw []byte) (top []jsonscan.Member, idx *jsonscan.Index, ok bool) {
	var s scanner
	var k itemKeys
	i := skipWS(raw, 0)
	if i >= len(raw) || raw[i] != '{' {
		return nil, nil, false
	}
	e := s.object(raw, i, &k)
	if e < 0 || skipWS(raw, e) != len(raw) || s.dup != 0 {
		return nil, nil, false
	}
	idx = s.listed()
	for _, ms := range [][]jsonscan.Member{s.members, s.index.Members} {
		for j := range ms {
			m := &ms[j]
			m.KStart, m.KEnd, m.VStart, m.VEnd = m.KStart+i, m.KEnd+i, m.VStart+i, m.VEnd+i
		}
	}
	if s.members == nil {
		s.members = []jsonscan.Member{}
	}
	return s.members, idx, true
}
