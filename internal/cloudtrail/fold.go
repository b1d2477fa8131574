package cloudtrail

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/ttcproject/ttc/internal/jsonscan"
)

// Tools that decode a record into structures match keys ignoring letter
// case (Go's encoding/json): a record that holds "arn" and "Arn" in its
// userIdentity shows them one actor and ttc another. The reader rejects a
// record whose top-level keys (itemKeys.set) or whose userIdentity's keys,
// at any depth, differ so; other objects (requestParameters) are decoded
// into maps, which keep both.

// caseNote says why keys that differ only in letter case are refused.
const caseNote = "tools that ignore case, as Go's encoding/json does, read one for the other"

// otherCase is the reason given for key, which is to in other letter
// case, in a forged or damaged what (a record, an event, a log).
func otherCase(key, to, what string) string {
	return fmt.Sprintf("key %s is %s in other letter case: %s (a forged or damaged %s)", strconv.Quote(key), strconv.Quote(to), caseNote, what)
}

// foldsTo returns the one of keys that name is in other letter case, as
// encoding/json folds it (beyond ASCII too: "eventſource" is
// eventSource), and "" for none.
func foldsTo(name []byte, keys []string) string {
	for _, k := range keys {
		if bytes.EqualFold(name, []byte(k)) && string(name) != k {
			return k
		}
	}
	return ""
}

// containerKeys are the keys of a top-level object that hold a container's
// array, in other letter case than containerName takes.
var containerKeys = []string{"Records", "Events", "logEvents"}

// foldedContainer returns the container key ("Records") a top-level key
// is in other letter case, and "" for none.
func foldedContainer(name []byte) string {
	if len(name) < len("Events") || len(name) > 2*len("logEvents") || string(name) == "events" {
		return ""
	}
	return foldsTo(name, containerKeys)
}

// maxFoldDepth bounds how deep foldedIdentity looks into userIdentity
// (sessionContext, sessionIssuer: 3 levels hold every key CloudTrail
// writes there).
const maxFoldDepth = 4

// foldedIdentity returns a message naming two keys of the record's
// userIdentity object, at any depth up to maxFoldDepth, that differ only in
// letter case; "" for none. top lists the record's members, idx its nested
// objects (nil when not listed: the objects are scanned then).
func foldedIdentity(raw []byte, top []jsonscan.Member, idx *jsonscan.Index) string {
	for _, m := range top {
		if m.KEnd-m.KStart != len(`"userIdentity"`) || string(raw[m.KStart+1:m.KEnd-1]) != "userIdentity" {
			continue
		}
		if m.VStart >= len(raw) || raw[m.VStart] != '{' {
			return ""
		}
		a, b, path := foldedObject(raw, m, idx, 1)
		if a == nil {
			return ""
		}
		return "keys " + strconv.Quote(string(a)) + " and " + strconv.Quote(string(b)) + " of " +
			strings.Join(append([]string{"userIdentity"}, path...), ".") +
			" differ only in letter case: " + caseNote + " (a forged or damaged record)"
	}
	return ""
}

// foldedObject is foldedIdentity for the object that is member m's value:
// the two keys, and the path to their object below m's (nil a for none).
func foldedObject(raw []byte, m jsonscan.Member, idx *jsonscan.Index, depth int) (a, b []byte, path []string) {
	if depth > maxFoldDepth {
		return nil, nil, nil
	}
	ms := idx.Of(m.Obj)
	if ms == nil { // not listed: read its members
		for i := m.VStart + 1; ; {
			mm, next, done, ok := jsonscan.NextMember(raw, i)
			if !ok || done {
				break
			}
			ms = append(ms, mm)
			i = next
		}
	}
	for i := range ms {
		ci := raw[ms[i].KStart+1] // the key's first byte, or its closing quote
		for j := i + 1; j < len(ms); j++ {
			// Keys whose first bytes are ASCII other than letters' case
			// and escapes differ at once, which is most pairs.
			if cj := raw[ms[j].KStart+1]; ci < 0x80 && cj < 0x80 && ci != '\\' && cj != '\\' && ci|0x20 != cj|0x20 {
				continue
			}
			ki, kj := keyText(raw, ms[i]), keyText(raw, ms[j])
			if bytes.EqualFold(ki, kj) && !bytes.Equal(ki, kj) {
				return ki, kj, nil
			}
		}
	}
	for _, mm := range ms {
		if mm.VStart >= len(raw) || raw[mm.VStart] != '{' {
			continue
		}
		if a, b, path := foldedObject(raw, mm, idx, depth+1); a != nil {
			return a, b, append([]string{string(keyText(raw, mm))}, path...)
		}
	}
	return nil, nil, nil
}

// keyText returns member m's key, decoded when it holds an escape.
func keyText(raw []byte, m jsonscan.Member) []byte {
	if m.KEsc {
		return jsonscan.DecodeString(nil, raw[m.KStart:m.KEnd])
	}
	return raw[m.KStart+1 : m.KEnd-1]
}

// MiscasedField returns the field path as CloudTrail spells it when path
// (a Sigma field name, dotted) spells a part of it in other letter case
// ("EventName" for eventName, "userIdentity.Arn" for userIdentity.arn),
// or "": for a path CloudTrail spells so, or one whose parts it does not
// know. It knows the top-level keys of records and those of userIdentity,
// whose names are fixed; requestParameters and the like hold each
// service's own.
func MiscasedField(path string) string {
	parts := strings.Split(path, ".")
	keys, changed := allRecordKeys, false
	for i, p := range parts {
		if to := foldsTo([]byte(p), keys); to != "" {
			parts[i], changed = to, true
		} else if !slices.Contains(keys, p) {
			break
		}
		if keys = identityKeys[parts[i]]; keys == nil {
			break
		}
	}
	if !changed {
		return ""
	}
	return strings.Join(parts, ".")
}

// identityKeys are the keys of userIdentity's objects, by the key that
// holds them, as CloudTrail spells them.
var identityKeys = map[string][]string{
	"userIdentity": {"type", "principalId", "arn", "accountId", "accessKeyId", "userName", "invokedBy",
		"identityProvider", "credentialId", "onBehalfOf", "inScopeOf", "sessionContext"},
	"sessionContext": {"sessionIssuer", "attributes", "webIdFederationData", "sourceIdentity", "ec2RoleDelivery",
		"assumedRoot"},
	"sessionIssuer": {"type", "principalId", "arn", "accountId", "userName"},
	"attributes":    {"creationDate", "mfaAuthenticated"},
	"onBehalfOf":    {"userId", "identityStoreArn"},
}
