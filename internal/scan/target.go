package scan

import (
	"bytes"
	"encoding/json"
	"unicode"

	"github.com/ttcproject/ttc/internal/jsonscan"
)

// A finding's target is what the call acted on, as its request names it:
// the members of requestParameters that name a resource (a bucket and key,
// a user, a role, a function, a trail, a detector). CloudTrail has no
// field for it across services, and its resources list is written for
// few management events, so the target is read from the request by the
// form of its keys: those ending in Name, Arn, Id, Identifier or Url, and
// key and name themselves; then the access key the call issued, if any
// (see issuedKeyObjects). A responder reads "mallory AKIA…" beside
// iam:CreateAccessKey without opening the record.
//
// String members count, of the request or of the one object EC2's newer
// calls nest theirs in; after them, when there is room, resources listed
// in arrays: the strings of a list named for them (secretsmanager's
// secretIdList, ssm:GetParameters' names), and the items of EC2's sets
// (ec2:TerminateInstances' instancesSet.items[].instanceId). A request
// that lists more than there is room for shows the first ones; the
// record, which the finding locates, holds them all.
const (
	maxRequestTargets = 3
	maxTargets        = maxRequestTargets + 1 // and the key the call issued
)

// targetPrefix starts the field path of every target member.
const targetPrefix = "requestParameters."

// isTargetKey reports whether a requestParameters key names a resource.
// Keys are matched as CloudTrail writes them (camelCase, sometimes with a
// capital first letter: GraphArn, EnvironmentId); a key with other bytes
// than letters and digits is none (S3's x-amz-… headers).
func isTargetKey(k []byte) bool {
	if !isKeyText(k) {
		return false
	}
	switch string(k) {
	case "key", "name", "id", "identifier", "target", "url", "username", "principal",
		"cluster", "service", "taskDefinition", "family", "rule", "eventDataStore", "bucket":
		// Resources named by kind (ssm:StartSession's target, ECS's
		// cluster and service, Lambda's principal given access).
		return true
	case "uploadId", "requestId", "clientRequestId",
		// A transfer's or request's own number; a secret shared with a
		// role's callers; an assertion's number; a policy statement's
		// label; an attribute's or a contact field's name.
		"externalId", "sAMLAssertionID", "statementId", "attributeName", "websiteURL",
		// The one IAM Identity Center instance or identity store of an
		// organization: the same for every call, it names nothing.
		"instanceArn", "identityStoreId":
		return false
	}
	// A bucket named alone (a DynamoDB export's s3Bucket) is where data goes.
	for _, suffix := range [...]string{"Name", "Arn", "ARN", "Id", "ID", "Identifier", "Url", "URL", "Bucket"} {
		if len(k) > len(suffix) && string(k[len(k)-len(suffix):]) == suffix {
			return true
		}
	}
	return false
}

// isKeyText reports whether k has the form of a CloudTrail request key:
// 1 to 64 ASCII letters and digits.
func isKeyText(k []byte) bool {
	if len(k) == 0 || len(k) > 64 {
		return false
	}
	for _, c := range k {
		if (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// rawTarget is one member of a finding's target as the record writes it.
type rawTarget struct {
	prefix string // the path of the object it is in, with a final '.'
	outer  []byte // the key of the object inside that one it is in, if any
	key    []byte // its key: letters and digits
	val    []byte // its value, a JSON string with its quotes
}

// appendText appends the member's value as a finding reports it: decoded
// as encoding/json decodes it, clipped as every field a finding quotes.
func (t *rawTarget) appendText(b []byte) []byte {
	s := t.val[1 : len(t.val)-1]
	if !plainText(s) {
		var value string
		_ = json.Unmarshal(t.val, &value) // a valid JSON string: the reader checked the record
		return append(b, clipField(value)...)
	}
	if len(s) > maxFieldBytes {
		return appendClipped(b, s)
	}
	return append(b, s...)
}

// field appends the target member's field path to b.
func (t *rawTarget) field(b []byte) []byte {
	b = append(b, t.prefix...)
	if t.outer != nil {
		b = append(append(b, t.outer...), '.')
	}
	return append(b, t.key...)
}

// The objects of responseElements whose accessKeyId is an access key the
// call issued: iam:CreateAccessKey's accessKey, and the credentials of
// the STS calls that make sessions (AssumeRole…, GetSessionToken,
// GetFederationToken). A responder follows the key to what it did next.
var issuedKeyObjects = map[string]string{
	"accessKey":   "responseElements.accessKey.",
	"credentials": "responseElements.credentials.",
}

var accessKeyID = []byte("accessKeyId")

// findTarget appends a record's target to dst: the requestParameters
// members that name a resource (see isTargetKey), in the request's order,
// at most maxRequestTargets, then the access key the call issued, if any.
// req and resp are requestParameters and responseElements; raw and idx,
// when idx is not nil, are the record and the reader's listing of it, in
// which reqObj and respObj place them. Keys written with escapes are passed
// over (CloudTrail writes none), and only non-empty strings count.
func findTarget(dst []rawTarget, raw []byte, idx *jsonscan.Index, req []byte, reqObj int32, resp []byte, respObj int32) []rawTarget {
	var room [32]jsonscan.Member
	if buf, ms, ok := membersOf(raw, idx, req, reqObj, room[:0]); ok {
		dst = requestTarget(dst, buf, ms, nil, false)
		// EC2's newer calls put their parameters in one object named for
		// the call (ModifyInstanceMetadataOptionsRequest): its members
		// are read as the request's.
		for _, m := range ms {
			if len(dst) == maxRequestTargets {
				break
			}
			if outer := buf[m.KStart+1 : m.KEnd-1]; !m.KEsc && bytes.HasSuffix(outer, []byte("Request")) && isKeyText(outer) {
				var inner [32]jsonscan.Member
				if ib, ims, ok := membersOf(raw, idx, buf[m.VStart:m.VEnd], m.Obj, inner[:0]); ok {
					dst = requestTarget(dst, ib, ims, outer, false)
				}
			}
		}
		if len(dst) < maxRequestTargets {
			dst = listedTarget(dst, buf, ms)
		}
	}
	if !bytes.Contains(resp, accessKeyID) {
		return dst
	}
	buf, ms, ok := membersOf(raw, idx, resp, respObj, room[:0])
	if !ok {
		return dst
	}
	for _, m := range ms {
		prefix, issued := issuedKeyObjects[string(buf[m.KStart+1:m.KEnd-1])]
		if m.KEsc || !issued {
			continue
		}
		var inner [8]jsonscan.Member
		ib, ims, ok := membersOf(raw, idx, buf[m.VStart:m.VEnd], m.Obj, inner[:0])
		if !ok {
			continue
		}
		for _, im := range ims {
			if v := ib[im.VStart:im.VEnd]; textMember(im, v) && bytes.Equal(ib[im.KStart+1:im.KEnd-1], accessKeyID) {
				return append(dst, rawTarget{prefix: prefix, key: accessKeyID, val: v}) // one call issues one key
			}
		}
	}
	return dst
}

// requestTarget appends the members of ms, members of a request object in
// buf, that name a resource, up to maxRequestTargets in dst; outer is the key of
// the object they are in, for those nested (nil for the request's own
// members). For the items of an EC2 set (kindOnly), only keys of the form
// kindId, kindArn or kindName count (instanceId, groupId, imageId): a key
// alone is none there, since the items of tagSet and filterSet, and of
// dhcpConfigurationSet, hold a key or a name and values, which name no
// resource. A member whose key and value are listed already is passed
// over (an item repeated).
func requestTarget(dst []rawTarget, buf []byte, ms []jsonscan.Member, outer []byte, kindOnly bool) []rawTarget {
	for _, m := range ms {
		if len(dst) == maxRequestTargets {
			break
		}
		v, key := buf[m.VStart:m.VEnd], buf[m.KStart+1:m.KEnd-1]
		if textMember(m, v) && isTargetKey(key) && (!kindOnly || !bareKey(key)) && string(v) != hiddenValue && !listed(dst, key, v) {
			dst = append(dst, rawTarget{prefix: targetPrefix, outer: outer, key: key, val: v})
		}
	}
	return dst
}

// listedTarget appends, up to maxRequestTargets in dst, the resources the
// request members ms (in buf) list in arrays: the strings of an array whose
// key names a list of resources (isListKey), and the members naming a
// resource of the objects in the items array of an EC2 set ("instancesSet":
// {"items": [{"instanceId": …}]}), named as Sigma names them
// (requestParameters.instancesSet.items.instanceId).
func listedTarget(dst []rawTarget, buf []byte, ms []jsonscan.Member) []rawTarget {
	for _, m := range ms {
		if len(dst) == maxRequestTargets {
			break
		}
		v, key := buf[m.VStart:m.VEnd], buf[m.KStart+1:m.KEnd-1]
		switch {
		case m.KEsc || len(v) < 2:
		case v[0] == '[' && isListKey(key):
			for i := 1; len(dst) < maxRequestTargets; {
				start, end, next, done, ok := jsonscan.NextElem(v, i)
				if done || !ok {
					break
				}
				if e := v[start:end]; len(e) > len(`""`) && e[0] == '"' && string(e) != hiddenValue && !listed(dst, key, e) {
					dst = append(dst, rawTarget{prefix: targetPrefix, key: key, val: e})
				}
				i = next
			}
		case v[0] == '{' && len(key) > len("Set") && bytes.HasSuffix(key, []byte("Set")) && isKeyText(key):
			dst = setItemsTarget(dst, key, v)
		}
	}
	return dst
}

// setItemsTarget appends the members naming a resource of the objects in
// the items array of set, the EC2 set named key.
func setItemsTarget(dst []rawTarget, key, set []byte) []rawTarget {
	var room [8]jsonscan.Member
	ms, ok := jsonscan.AppendMembers(room[:0], set)
	if !ok {
		return dst
	}
	for _, m := range ms {
		items := set[m.VStart:m.VEnd]
		if m.KEsc || string(set[m.KStart+1:m.KEnd-1]) != "items" || items[0] != '[' {
			continue
		}
		outer := append(append([]byte(nil), key...), ".items"...)
		for i := 1; len(dst) < maxRequestTargets; {
			start, end, next, done, ok := jsonscan.NextElem(items, i)
			if done || !ok {
				break
			}
			var inner [8]jsonscan.Member
			if e := items[start:end]; e[0] == '{' {
				if ims, ok := jsonscan.AppendMembers(inner[:0], e); ok {
					dst = requestTarget(dst, e, ims, outer, true)
				}
			}
			i = next
		}
		break
	}
	return dst
}

// bareKey reports the target keys that name a resource by kind alone (key,
// name, id…), with no suffix after a resource's kind.
func bareKey(k []byte) bool {
	return bytes.IndexFunc(k, unicode.IsUpper) < 0
}

// listed reports whether dst holds a member of key k with the value v
// already: a list that repeats a value shows it once.
func listed(dst []rawTarget, k, v []byte) bool {
	for _, t := range dst {
		if bytes.Equal(t.key, k) && bytes.Equal(t.val, v) {
			return true
		}
	}
	return false
}

// isListKey reports whether an array's key names a list of resources: a
// plural of a key that names one (instanceIds, names, roleArns), or one
// ending in List (secretIdList).
func isListKey(k []byte) bool {
	if !isKeyText(k) {
		return false
	}
	if n := len(k); n > len("List") && string(k[n-len("List"):]) == "List" {
		return isTargetKey(k[:n-len("List")])
	}
	if n := len(k); n > 1 && k[n-1] == 's' {
		return isTargetKey(k[:n-1])
	}
	return false
}

// textMember reports whether member m, whose value is v, can be part of a
// target: a key written without escapes (CloudTrail writes none) and a
// non-empty string.
func textMember(m jsonscan.Member, v []byte) bool {
	return !m.KEsc && len(v) > len(`""`) && v[0] == '"'
}

// hiddenValue is what CloudTrail writes in place of a value it keeps
// from the log (an external ID, a user's details in IAM Identity Center):
// it names nothing.
const hiddenValue = `"HIDDEN_DUE_TO_SECURITY_REASONS"`

// membersOf returns the members of the object v, and the text their
// offsets index: from idx when it lists the object as obj (raw is then
// the record), else read from v into room. ok is false when v is no
// object.
func membersOf(raw []byte, idx *jsonscan.Index, v []byte, obj int32, room []jsonscan.Member) ([]byte, []jsonscan.Member, bool) {
	if ms := idx.Of(obj); ms != nil {
		return raw, ms, true
	}
	if len(v) == 0 || v[0] != '{' {
		return nil, nil, false
	}
	ms, ok := jsonscan.AppendMembers(room, v)
	return v, ms, ok
}

// targetFields turns the target members ts into a finding's Target:
// values decoded as encoding/json decodes them and clipped as every field
// a finding quotes; in, when not nil, shares field names and repeated
// values between findings. nil when ts is empty.
func targetFields(ts []rawTarget, in *interner) []MatchedField {
	if len(ts) == 0 {
		return nil
	}
	out := make([]MatchedField, len(ts))
	var text []byte
	for i, t := range ts {
		text = t.appendText(text[:0])
		var field string
		switch {
		case t.outer != nil:
			field = string(t.field(nil))
		case t.prefix == targetPrefix:
			field = in.targetField(t.key)
		default:
			field = t.prefix + string(t.key)
		}
		out[i] = MatchedField{Field: field, Value: in.target(text)}
	}
	return out
}

// targetOf returns the target of a record from its requestParameters and
// responseElements, read from their text.
func targetOf(req, resp []byte, in *interner) []MatchedField {
	var ts [maxTargets]rawTarget
	return targetFields(findTarget(ts[:0], nil, nil, req, 0, resp, 0), in)
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
