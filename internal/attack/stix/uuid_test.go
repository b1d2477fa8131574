package stix

import (
	"regexp"
	"testing"
)

func TestNewID(t *testing.T) {
	shape := regexp.MustCompile(`^attack-pattern--[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	a := NewID("attack-pattern", "T1486.A001")
	if !shape.MatchString(a) {
		t.Errorf("NewID = %q, not a UUIDv5 STIX id", a)
	}
	// Reference value from Python's uuid.uuid5 with the same namespace and name.
	if want := "attack-pattern--87f9d2e7-5fe1-5aef-9ac4-aed1c1bfe87d"; a != want {
		t.Errorf("NewID = %q, want %q", a, want)
	}
	if b := NewID("attack-pattern", "T1486.A001"); b != a {
		t.Errorf("NewID not stable: %q then %q", a, b)
	}
	if c := NewID("attack-pattern", "T1486.A002"); c == a {
		t.Error("different keys gave the same id")
	}
	if d := NewID("course-of-action", "T1486.A001"); d[len("course-of-action--"):] == a[len("attack-pattern--"):] {
		t.Error("type does not enter the id")
	}
}
