package scan

import (
	"encoding/json"

	"github.com/ttcproject/ttc/internal/jsonscan"
)

// A finding's target is what the call acted on, as its request names it:
// the members of requestParameters that name a resource (a bucket and key,
// a user, a role, a function, a trail, a detector). CloudTrail has no
// field for it across services, and its resources list is written for
// few management events, so the target is read from the request by the
// form of its keys: those ending in Name, Arn, Id, Identifier or Url, and
// key and name themselves. A responder reads "userName=mallory" beside
// iam:CreateAccessKey without opening the record.
//
// Only top-level string members count: a request that lists its resources
// in arrays (ec2:TerminateInstances' instancesSet) has no target here, and
// the record, which the finding locates, holds them.
const maxTargets = 3

// targetPrefix starts the field path of every target member.
const targetPrefix = "requestParameters."

// isTargetKey reports whether a requestParameters key names a resource.
// Keys are matched as CloudTrail writes them (camelCase, sometimes with a
// capital first letter: GraphArn, EnvironmentId); a key with other bytes
// than letters and digits is none (S3's x-amz-… headers).
func isTargetKey(k []byte) bool {
	if len(k) == 0 || len(k) > 64 {
		return false
	}
	for _, c := range k {
		if (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (c < '0' || c > '9') {
			return false
		}
	}
	switch string(k) {
	case "key", "name":
		return true
	case "uploadId", "requestId", "clientRequestId":
		return false // a transfer's or request's own number, not what it acts on
	}
	for _, suffix := range [...]string{"Name", "Arn", "ARN", "Id", "ID", "Identifier", "Url", "URL"} {
		if len(k) > len(suffix) && string(k[len(k)-len(suffix):]) == suffix {
			return true
		}
	}
	return false
}

// appendTarget appends the target among ms, members of an object in buf,
// to dst (see pickTarget). Values are decoded as encoding/json decodes
// them and clipped as every field a finding quotes; in, when not nil,
// shares field names and repeated values between findings.
func appendTarget(dst []MatchedField, buf []byte, ms []jsonscan.Member, in *interner) []MatchedField {
	var picked [maxTargets]jsonscan.Member
	for _, m := range pickTarget(picked[:0], buf, ms) {
		v, key := buf[m.VStart:m.VEnd], buf[m.KStart+1:m.KEnd-1]
		var value string
		if s := v[1 : len(v)-1]; plainText(s) {
			value = in.target(s)
		} else {
			_ = json.Unmarshal(v, &value) // a valid JSON string: the reader checked the record
		}
		dst = append(dst, MatchedField{Field: in.targetField(key), Value: clipField(value)})
	}
	return dst
}

// pickTarget appends the target members among ms, members of an object in
// buf, to dst: at most maxTargets, non-empty strings under keys that name
// a resource, in the request's order. A key written with escapes is
// passed over (CloudTrail writes none).
func pickTarget(dst []jsonscan.Member, buf []byte, ms []jsonscan.Member) []jsonscan.Member {
	for _, m := range ms {
		if len(dst) == maxTargets {
			break
		}
		v := buf[m.VStart:m.VEnd]
		if !m.KEsc && len(v) > len(`""`) && v[0] == '"' && isTargetKey(buf[m.KStart+1:m.KEnd-1]) {
			dst = append(dst, m)
		}
	}
	return dst
}

// targetOf returns the target of a request, requestParameters' JSON
// value; nil when it names none or is no object.
func targetOf(request []byte, in *interner) []MatchedField {
	if len(request) == 0 || request[0] != '{' {
		return nil
	}
	ms, ok := jsonscan.AppendMembers(nil, request)
	if !ok {
		return nil
	}
	return appendTarget(nil, request, ms, in)
}

// targetField returns the field path of target key k.
func (in *interner) targetField(k []byte) string {
	if in == nil {
		return targetPrefix + string(k)
	}
	if s, ok := in.fields[string(k)]; ok {
		return s
	}
	s := targetPrefix + string(k)
	if len(in.fields) < maxTargetFields {
		in.fields[string(k)] = s
	}
	return s
}

// maxTargetFields bounds the target field names one worker keeps: a log
// can hold any number of made-up keys.
const maxTargetFields = 1 << 10

// target returns the text of a target value, shared with equal values
// seen before when it is short (bucket, user and role names repeat).
func (in *interner) target(b []byte) string {
	if in == nil || len(b) > 128 {
		return string(b)
	}
	s, ok := in.m[string(b)]
	if !ok {
		s = string(b)
		if len(in.m) < maxInterned {
			in.m[s] = s
		}
	}
	return s
}
