package stix

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/ttcproject/ttc/internal/jsonscan"
)

// maxKeyDepth bounds how deep checkKeys follows nested objects and arrays:
// ATT&CK's objects nest a few levels; deeper input is left to the decoder,
// which refuses what it cannot hold.
const maxKeyDepth = 64

// checkKeys refuses a document in which an object repeats a key, holds
// two keys that differ only in letter case, or writes a property ttc reads
// in other letter case ("TYPE"). Go's decoder lets the last of
// repeated keys win and matches property names whatever their case, so
// such a bundle would show ttc one value (a technique's "NAME") and other
// STIX tools, which read property names as written, another. Malformed
// JSON is let through: the decoder then says where it breaks.
func checkKeys(b []byte) error {
	_, err := keysIn(b, jsonscan.SkipSpace(b, 0), 0)
	return err
}

// keysIn checks the value at b[i] and returns where it ends, or -1 when
// it is malformed. It reads the document once: each value's end comes from
// checking it, not from a scan of its own. Values deeper than maxKeyDepth
// are passed over unchecked.
func keysIn(b []byte, i, depth int) (int, error) {
	if i >= len(b) {
		return -1, nil
	}
	if depth > maxKeyDepth || (b[i] != '{' && b[i] != '[') {
		return jsonscan.ValueEnd(b, i), nil
	}
	isObj, end := b[i] == '{', byte(']')
	var seen map[string]string
	if isObj {
		end, seen = '}', map[string]string{}
	}
	j := jsonscan.SkipSpace(b, i+1)
	if j < len(b) && b[j] == end {
		return j + 1, nil
	}
	for {
		if isObj {
			if j >= len(b) || b[j] != '"' {
				return -1, nil
			}
			ke := jsonscan.StringEnd(b, j)
			if ke < 0 {
				return -1, nil
			}
			if err := checkKey(seen, string(jsonscan.DecodeString(nil, b[j:ke])), i); err != nil {
				return -1, err
			}
			if j = jsonscan.SkipSpace(b, ke); j >= len(b) || b[j] != ':' {
				return -1, nil
			}
			j = jsonscan.SkipSpace(b, j+1)
		}
		next, err := keysIn(b, j, depth+1)
		if err != nil || next < 0 {
			return -1, err
		}
		if j = jsonscan.SkipSpace(b, next); j >= len(b) {
			return -1, nil
		}
		switch b[j] {
		case end:
			return j + 1, nil
		case ',':
			j = jsonscan.SkipSpace(b, j+1)
		default:
			return -1, nil
		}
	}
}

// checkKey refuses key, of the object at byte at whose keys so far seen
// holds by foldName, when it repeats one, folds together with one, or
// writes a property ttc decodes other than as STIX spells it.
func checkKey(seen map[string]string, key string, at int) error {
	folded := foldName(key)
	if first, dup := seen[folded]; dup {
		what := "repeats the key"
		if first != key {
			what = fmt.Sprintf("holds keys that differ only in letter case, %q and", first)
		}
		return fmt.Errorf("an object at byte %d %s %q: STIX property names are case-sensitive and unique, "+
			"and tools would read different values", at, what, key)
	}
	if name, ok := decodedNames()[folded]; ok && name != key {
		return fmt.Errorf("an object at byte %d holds the key %q: STIX writes the property %q so, "+
			"and tools other than ttc would not read it", at, key, name)
	}
	seen[folded] = key
	return nil
}

// foldName folds a key as Go's decoder does when it matches a key with a
// property name (bytes.EqualFold): ASCII letters in upper case, other
// characters to the first of those that fold together with them, so that
// "ſ" (U+017F) is "S" as the decoder reads it, not a letter of its own.
func foldName(k string) string {
	var b strings.Builder
	for _, r := range k {
		if r < utf8.RuneSelf {
			b.WriteRune(unicode.ToUpper(r))
			continue
		}
		for {
			next := unicode.SimpleFold(r)
			if next <= r {
				r = next
				break
			}
			r = next
		}
		b.WriteRune(r)
	}
	return b.String()
}

// decodedNames returns, by foldName, the JSON names of the properties ttc
// decodes, in every struct a document is decoded into: Go's decoder would
// take a key that folds to one of them whatever its letter case. (A
// dictionary's key, such as one of hashes, is held to it too: none that
// STIX defines is spelled as a property name.)
var decodedNames = sync.OnceValue(func() map[string]string {
	names := map[string]string{}
	seen := map[reflect.Type]bool{}
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct || seen[t] {
			return
		}
		seen[t] = true
		for f := range t.Fields() {
			if name, _, _ := strings.Cut(f.Tag.Get("json"), ","); name != "" && name != "-" {
				names[foldName(name)] = name
			}
			walk(f.Type)
		}
	}
	walk(reflect.TypeFor[Bundle]())
	return names
})
