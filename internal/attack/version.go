package attack

import (
	"strconv"
	"strings"
)

// compareVersions compares dotted version strings numerically ("9.0" < "18.1");
// a non-numeric part compares as text. It returns -1, 0 or +1.
func compareVersions(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < max(len(as), len(bs)); i++ {
		x, y := part(as, i), part(bs, i)
		xn, errX := strconv.Atoi(x)
		yn, errY := strconv.Atoi(y)
		switch {
		case errX == nil && errY == nil && xn != yn:
			return sign(xn - yn)
		case (errX != nil || errY != nil) && x != y:
			return strings.Compare(x, y)
		}
	}
	return 0
}

func part(s []string, i int) string {
	if i < len(s) {
		return s[i]
	}
	return "0"
}

func sign(n int) int {
	switch {
	case n < 0:
		return -1
	case n > 0:
		return 1
	}
	return 0
}

// Major returns the major part of an ATT&CK version ("18" for "18.1").
func Major(version string) string {
	major, _, _ := strings.Cut(strings.TrimPrefix(version, "v"), ".")
	return major
}
