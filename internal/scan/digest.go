package scan

import (
	"encoding/binary"
	"hash/maphash"
)

// sameEvent lists the record fields two copies of one event agree on: all
// that a finding reports of its record. Copies delivered twice (by two
// trails, in a log file and by LookupEvents) agree on all of them; records
// that merely share an event ID do not, and each keeps its findings.
var sameEvent = [...]int{hEventID, hRecipient, hEventTime, hEventSource, hEventName, hRegion, hSourceIP, hUserAgent,
	hErrorCode, hErrorMessage, hType, hARN, hPrincipal, hAccount, hUserName, hAccessKey, hInvokedBy, hIssuer, hUserID,
	hIdentityStore, hSignIn}

// sameEventOf returns the sameEvent fields of a finding, in that order.
func sameEventOf(f *Finding) [len(sameEvent)]string {
	a := &f.Actor
	return [...]string{f.EventID, f.RecipientAccountID, f.EventTime, f.EventSource, f.EventName, f.AWSRegion, a.SourceIP,
		a.UserAgent, f.ErrorCode, f.ErrorMessage, a.Type, a.ARN, a.PrincipalID, a.AccountID, a.UserName, a.AccessKeyID,
		a.InvokedBy, a.SessionIssuer, a.OnBehalfOfUserID, a.IdentityStoreARN, f.signIn}
}

// eventDigest hashes the sameEvent fields of the record findings fs come
// from; hasID is false when the record has no event ID, and no finding of
// it is a duplicate then.
func (w *worker) eventDigest(fs []Finding, rh *rawHeader) (digest uint64, hasID bool) {
	return w.recordDigest(fs, rh, false)
}

// recordDigest is eventDigest, and when always is set, the digest of a
// record without an event ID too (hasID false): a correlation's note of
// the record checks the record read again with it.
func (w *worker) recordDigest(fs []Finding, rh *rawHeader, always bool) (digest uint64, hasID bool) {
	hasID = true
	if rh != nil {
		buf := w.digest[:0]
		for _, k := range sameEvent {
			t := rh.text(k, &w.text)
			if k == hEventID && len(t) == 0 {
				if !always {
					return 0, false
				}
				hasID = false
			}
			if len(t) > maxFieldBytes { // as the finding reports it, like findingDigest
				t = appendClipped(w.clip[:0], t)
				w.clip = t
			}
			buf = appendDigestField(buf, t)
		}
		// The target, as findings report it: copies that differ in it are
		// not one event.
		buf = binary.LittleEndian.AppendUint64(buf, uint64(rh.nTargets))
		for i := range rh.targets[:rh.nTargets] {
			t := &rh.targets[i]
			w.text = t.field(w.text[:0])
			buf = appendDigestField(buf, w.text)
			w.text = t.appendText(w.text[:0])
			buf = appendDigestField(buf, w.text)
		}
		w.digest = buf
		return maphash.Bytes(w.s.seed, buf), hasID
	}
	if len(fs) == 0 || (fs[0].EventID == "" && !always) {
		return 0, false
	}
	return findingDigest(w.s.seed, &fs[0]), fs[0].EventID != ""
}

// findingDigest is eventDigest for a finding that holds its record fields.
// It writes the same bytes to the hash as eventDigest gathers, without
// gathering them first (maphash gives the same sum either way).
func findingDigest(seed maphash.Seed, f *Finding) uint64 {
	var h maphash.Hash
	h.SetSeed(seed)
	var n [8]byte
	for _, v := range sameEventOf(f) {
		binary.LittleEndian.PutUint64(n[:], uint64(len(v)))
		h.Write(n[:])
		h.WriteString(v)
	}
	binary.LittleEndian.PutUint64(n[:], uint64(len(f.Target)))
	h.Write(n[:])
	for _, t := range f.Target {
		for _, v := range [...]string{t.Field, t.Value} {
			binary.LittleEndian.PutUint64(n[:], uint64(len(v)))
			h.Write(n[:])
			h.WriteString(v)
		}
	}
	return h.Sum64()
}

// appendDigestField appends one field of an event digest: its length,
// then its text, so that no value can run into the next.
func appendDigestField[S ~string | ~[]byte](buf []byte, t S) []byte {
	buf = binary.LittleEndian.AppendUint64(buf, uint64(len(t)))
	return append(buf, t...)
}

// dupHash hashes what makes a finding a duplicate: its event and its rule
// and technique. A rule is known by its id, its file and its line in the
// file together: Sigma's id is optional, and two rules that both lack
// one, or that share one by mistake, in two files or in one, are still
// two rules whose findings both count.
func dupHash(seed maphash.Seed, event uint64, rule *RuleRef, technique string) uint64 {
	var h maphash.Hash
	h.SetSeed(seed)
	maphash.WriteComparable(&h, event)
	for _, s := range [...]string{rule.ID, rule.File} {
		maphash.WriteComparable(&h, len(s))
		h.WriteString(s)
	}
	maphash.WriteComparable(&h, rule.Line)
	h.WriteString(technique)
	return h.Sum64()
}
