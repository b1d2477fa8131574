package attack

import (
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"time"

	"github.com/ttcproject/ttc/internal/attack/stix"
)

// stixUUID is the part STIX gives every id after its type and two dashes.
var stixUUID = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// ttcIdentity is the identity ttc's own STIX export names as its creator.
var ttcIdentity = stix.NewID("identity", "ttc")

// screen returns the objects of a bundle that can be imported, and warns
// about each kind it leaves out: an object without a type or whose id is
// not of its type (an id whose UUID is malformed is kept, with a
// warning); one of a spec_version other than 2.0 and
// 2.1; the older versions of an object given more than once (the newest
// modified is kept, as STIX versions objects); and, of two current
// techniques or mitigations claiming one ATT&CK ID, the older one. It
// refuses ttc's own export as ATT&CK data (read by ttc's own IDs, as the
// round-trip tests read it, it is let through).
func (c *converter) screen(objs []stix.Object) ([]stix.Object, error) {
	warn := func(what string, n int, example string) {
		if n > 0 {
			c.opts.Logger.Warn("attack data: objects left out", "why", what, "count", n, "first", example)
		}
	}
	var malformed, badSpec, older, notUUID, badTime, conflict int
	var malformedAt, badSpecAt, olderAt, notUUIDAt, badTimeAt, conflictAt string
	byID := map[string]int{} // id to its index in out
	out := make([]stix.Object, 0, len(objs))
	for i := range objs {
		o := &objs[i]
		if (o.ID == ttcIdentity || o.CreatedByRef == ttcIdentity) && c.opts.IDSource != stix.SourceTTC {
			return nil, fmt.Errorf("import attack data: this is ttc's own STIX export, not MITRE ATT&CK data; import ATT&CK from MITRE's releases")
		}
		typ, uuid, ok := strings.Cut(o.ID, "--")
		if !ok || o.Type == "" || typ != o.Type {
			if malformed++; malformed == 1 {
				malformedAt = fmt.Sprintf("object %d: type \"%s\", id \"%s\"", i+1, o.Type, o.ID)
			}
			continue
		}
		if !stixUUID.MatchString(uuid) {
			if notUUID++; notUUID == 1 {
				notUUIDAt = o.ID
			}
		}
		if o.SpecVersion != "" && o.SpecVersion != "2.0" && o.SpecVersion != "2.1" {
			if badSpec++; badSpec == 1 {
				badSpecAt = fmt.Sprintf("%s: spec_version \"%s\"", o.ID, o.SpecVersion)
			}
			continue
		}
		if bad := badStamps(o); bad != "" {
			if badTime++; badTime == 1 {
				badTimeAt = o.ID + ": " + bad
			}
		}
		if j, seen := byID[o.ID]; seen {
			switch {
			case newer(o.Modified, out[j].Modified):
				out[j] = *o
				fallthrough
			case newer(out[j].Modified, o.Modified):
				if older++; older == 1 {
					olderAt = o.ID
				}
			case !reflect.DeepEqual(*o, out[j]):
				if conflict++; conflict == 1 {
					conflictAt = o.ID + ", modified \"" + o.Modified + "\""
				}
			}
			continue
		}
		byID[o.ID] = len(out)
		out = append(out, *o)
	}
	warn("not STIX objects: no type, or an id that is not of its type (type--UUID)", malformed, malformedAt)
	if notUUID > 0 {
		c.opts.Logger.Warn("attack data: ids whose part after the type is no UUID, kept", "count", notUUID, "first", notUUIDAt)
	}
	warn("a spec_version other than 2.0 and 2.1", badSpec, badSpecAt)
	warn("older versions of an object given more than once", older, olderAt)
	if badTime > 0 {
		c.opts.Logger.Warn("attack data: created or modified not an RFC 3339 time, or out of order or in the future, kept (a time that does not parse counts as oldest)",
			"count", badTime, "first", badTimeAt)
	}
	if conflict > 0 {
		c.opts.Logger.Warn("attack data: copies of an object with the same modified time but different content; the first is kept",
			"count", conflict, "first", conflictAt)
	}
	return c.oneCurrentPerID(out), nil
}

// oneCurrentPerID keeps, of two current (neither revoked nor deprecated)
// techniques or mitigations that claim one ATT&CK ID, the one modified
// last, and warns about the other: which one a reader would take is
// otherwise the order of the file.
func (c *converter) oneCurrentPerID(objs []stix.Object) []stix.Object {
	owner := map[string]int{}
	drop := map[int]bool{}
	for i := range objs {
		o := &objs[i]
		if (o.Type != "attack-pattern" && o.Type != "course-of-action") || o.IsRevoked() || o.IsDeprecated() {
			continue
		}
		id, _ := o.ExternalID(c.opts.IDSource)
		if id == "" {
			continue
		}
		j, seen := owner[o.Type+" "+id]
		if !seen {
			owner[o.Type+" "+id] = i
			continue
		}
		keep, lose := j, i
		if newer(o.Modified, objs[j].Modified) {
			keep, lose = i, j
		}
		owner[o.Type+" "+id] = keep
		drop[lose] = true
		c.opts.Logger.Warn("attack data: two objects claim one ATT&CK ID; the one modified last is kept",
			"attack_id", id, "kept", objs[keep].ID, "left_out", objs[lose].ID)
	}
	if len(drop) == 0 {
		return objs
	}
	out := objs[:0:0]
	for i := range objs {
		if !drop[i] {
			out = append(out, objs[i])
		}
	}
	return out
}

// newer reports whether STIX timestamp a is later than b. Both are read as
// RFC 3339 times, so that "…00.500Z" is later than "…00Z" (as text it
// sorts first); a time that does not parse is older than one that does,
// and two that do not are compared as text.
func newer(a, b string) bool {
	ta, errA := time.Parse(time.RFC3339Nano, a)
	tb, errB := time.Parse(time.RFC3339Nano, b)
	switch {
	case errA == nil && errB == nil:
		return ta.After(tb)
	case errA == nil || errB == nil:
		return errA == nil
	}
	return a > b
}

// badStamps names o's created or modified time when one is given and is
// not an RFC 3339 time, when modified comes before created, or when either
// lies in the future (a copy so dated wins over every other); "" when they
// are well formed or absent.
func badStamps(o *stix.Object) string {
	var at [2]time.Time
	for i, f := range []struct{ name, v string }{{"created", o.Created}, {"modified", o.Modified}} {
		if f.v == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339Nano, f.v)
		if err != nil {
			return fmt.Sprintf("%s \"%s\"", f.name, f.v)
		}
		at[i] = t
	}
	future := time.Now().Add(24 * time.Hour)
	switch created, modified := at[0], at[1]; {
	case !created.IsZero() && !modified.IsZero() && modified.Before(created):
		return fmt.Sprintf("modified \"%s\" before created \"%s\"", o.Modified, o.Created)
	case modified.After(future):
		return fmt.Sprintf("modified \"%s\" in the future", o.Modified)
	case created.After(future): // modified, absent, cannot be later
		return fmt.Sprintf("created \"%s\" in the future", o.Created)
	}
	return ""
}
