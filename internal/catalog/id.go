package catalog

import (
	"fmt"
	"regexp"
	"strings"
)

// IDKind tells which of the catalog's ID forms an ID has.
type IDKind int

// The ID forms. The zero value is not a valid kind.
const (
	// KindTechnique is an ATT&CK technique, T1485.
	KindTechnique IDKind = iota + 1
	// KindSubTechnique is an ATT&CK sub-technique, T1485.001.
	KindSubTechnique
	// KindAWSSubTechnique is an AWS-specific sub-technique of an ATT&CK technique, T1485.A003.
	KindAWSSubTechnique
	// KindAWSTechnique is an AWS-defined technique with no ATT&CK equivalent, AT1667.
	KindAWSTechnique
	// KindAWSTechniqueSub is a sub-technique of an AWS-defined technique, AT1667.001.
	KindAWSTechniqueSub
)

var idPatterns = []struct {
	kind IDKind
	re   *regexp.Regexp
}{
	{KindTechnique, regexp.MustCompile(`^T[0-9]{4}$`)},
	{KindSubTechnique, regexp.MustCompile(`^T[0-9]{4}\.[0-9]{3}$`)},
	{KindAWSSubTechnique, regexp.MustCompile(`^T[0-9]{4}\.A[0-9]{3}$`)},
	{KindAWSTechnique, regexp.MustCompile(`^AT[0-9]{4}$`)},
	{KindAWSTechniqueSub, regexp.MustCompile(`^AT[0-9]{4}\.[0-9]{3}$`)},
}

// ParseID reports the kind of id, or an error naming the accepted forms.
func ParseID(id string) (IDKind, error) {
	for _, p := range idPatterns {
		if p.re.MatchString(id) {
			return p.kind, nil
		}
	}
	return 0, fmt.Errorf("malformed technique ID \"%s\": want T1234, T1234.001, T1234.A001, AT1234 or AT1234.001", id)
}

// IsSub reports whether the kind is a sub-technique of some parent.
func (k IDKind) IsSub() bool {
	return k == KindSubTechnique || k == KindAWSSubTechnique || k == KindAWSTechniqueSub
}

// IsAWSSpecific reports whether IDs of this kind are AWS-specific.
func (k IDKind) IsAWSSpecific() bool {
	return k == KindAWSSubTechnique || k == KindAWSTechnique || k == KindAWSTechniqueSub
}

// ParentID returns the ID a sub-technique ID hangs under, or "" for a top-level ID.
func ParentID(id string) string {
	if i := strings.IndexByte(id, '.'); i > 0 {
		return id[:i]
	}
	return ""
}

// AttackID returns the nearest ID that MITRE ATT&CK itself knows: the ID for an
// ATT&CK technique or sub-technique, the parent for an AWS-specific
// sub-technique of an ATT&CK technique, and "" for AWS-defined techniques.
func AttackID(id string) string {
	kind, err := ParseID(id)
	if err != nil {
		return ""
	}
	switch kind {
	case KindTechnique, KindSubTechnique:
		return id
	case KindAWSSubTechnique:
		return ParentID(id)
	}
	return ""
}
