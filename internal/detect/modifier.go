package detect

import (
	"fmt"
	"strings"
)

// modSet is the parsed modifier chain of one field key ("field|m1|m2").
type modSet struct {
	transforms []string // value transformations in the order written
	all        bool
	cased      bool
	neq        bool
	exists     bool
	re         bool
	reFlags    string // subset of "ims"
	cidr       bool
	cmp        string // lt, lte, gt, gte
	timePart   string // minute, hour, day, week, month, year
	fieldref   bool
	expand     bool
	wrap       string // contains, startswith, endswith (last one wins)
}

var transformMods = map[string]bool{
	"windash": true, "base64": true, "base64offset": true,
	"utf16le": true, "wide": true, "utf16be": true, "utf16": true,
	"contains": true, "startswith": true, "endswith": true,
}

var timeMods = map[string]bool{
	"minute": true, "hour": true, "day": true, "week": true, "month": true, "year": true,
}

// parseMods checks a modifier chain and the combinations the engine can
// evaluate. mods excludes the field name.
func parseMods(mods []string) (modSet, error) {
	var m modSet
	for i, mod := range mods {
		switch {
		case mod == "all":
			m.all = true
		case mod == "cased":
			m.cased = true
		case mod == "neq":
			m.neq = true
		case mod == "exists":
			m.exists = true
		case mod == "re":
			m.re = true
		case mod == "i" || mod == "m" || mod == "s":
			if i == 0 || !(mods[i-1] == "re" || strings.Contains("ims", mods[i-1])) {
				return m, fmt.Errorf("regular expression flag \"%s\" must follow the re modifier", mod)
			}
			m.reFlags += mod
		case mod == "cidr":
			m.cidr = true
		case mod == "lt" || mod == "lte" || mod == "gt" || mod == "gte":
			if m.cmp != "" {
				return m, fmt.Errorf("modifiers %s and %s cannot be combined", m.cmp, mod)
			}
			m.cmp = mod
		case timeMods[mod]:
			if m.timePart != "" {
				return m, fmt.Errorf("time modifiers %s and %s cannot be combined", m.timePart, mod)
			}
			m.timePart = mod
		case mod == "fieldref":
			m.fieldref = true
		case mod == "expand":
			m.expand = true
		case transformMods[mod]:
			m.transforms = append(m.transforms, mod)
			if mod == "contains" || mod == "startswith" || mod == "endswith" {
				m.wrap = mod
			}
		case mod == "":
			return m, fmt.Errorf("empty modifier")
		default:
			return m, fmt.Errorf("unknown modifier \"%s\"", mod)
		}
	}
	return m, m.check()
}

// check refuses modifier combinations that have no defined meaning.
func (m modSet) check() error {
	typed := 0
	for _, on := range []bool{m.exists, m.re, m.cidr, m.cmp != "", m.fieldref} {
		if on {
			typed++
		}
	}
	switch {
	case typed > 1:
		return fmt.Errorf("modifiers exists, re, cidr, lt/lte/gt/gte and fieldref cannot be combined")
	case m.exists && (len(m.transforms) > 0 || m.all || m.cased || m.neq || m.timePart != "" || m.expand):
		return fmt.Errorf("modifier exists takes no other modifier")
	case (m.re || m.cidr) && len(m.transforms) > 0:
		return fmt.Errorf("modifier %s cannot be combined with %s", m.typedName(), m.transforms[0])
	case m.cmp != "" && len(m.transforms) > 0:
		return fmt.Errorf("modifier %s cannot be combined with %s", m.cmp, m.transforms[0])
	case m.fieldref && m.hasEncoding():
		return fmt.Errorf("modifier fieldref combines only with " +
			"contains, startswith, endswith, cased, neq and all")
	case m.timePart != "" && (len(m.transforms) > 0 || m.re || m.cidr || m.fieldref):
		return fmt.Errorf("time modifier %s can only be combined with lt/lte/gt/gte, neq and all", m.timePart)
	case m.expand && (m.fieldref || m.cmp != ""):
		return fmt.Errorf("modifier expand cannot be combined with fieldref or numeric comparisons")
	}
	return nil
}

func (m modSet) hasEncoding() bool {
	for _, t := range m.transforms {
		if t != "contains" && t != "startswith" && t != "endswith" {
			return true
		}
	}
	return false
}

func (m modSet) typedName() string {
	switch {
	case m.re:
		return "re"
	case m.cidr:
		return "cidr"
	}
	return m.cmp
}
