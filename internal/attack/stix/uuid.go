package stix

import (
	"crypto/sha1"
	"encoding/hex"
)

// namespace is the fixed UUIDv5 namespace for ttc's STIX ids. Changing it
// changes every exported id, so it never changes.
var namespace = [16]byte{
	0x6f, 0x0e, 0x4c, 0x8e, 0x3b, 0x1d, 0x4e, 0x55, 0x9a, 0x02, 0x5d, 0x7c, 0x1b, 0x84, 0x20, 0xe3,
}

// NewID returns the deterministic STIX id "<typ>--<uuid>" for key: a UUIDv5
// (RFC 9562) of "<typ>:<key>" under ttc's namespace.
func NewID(typ, key string) string {
	h := sha1.New()
	h.Write(namespace[:])
	h.Write([]byte(typ + ":" + key))
	var u [16]byte
	copy(u[:], h.Sum(nil))
	u[6] = u[6]&0x0f | 0x50 // version 5
	u[8] = u[8]&0x3f | 0x80 // RFC 4122 variant

	var b [36]byte
	hex.Encode(b[0:8], u[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], u[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], u[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], u[8:10])
	b[23] = '-'
	hex.Encode(b[24:], u[10:])
	return typ + "--" + string(b[:])
}
