// Package clip shortens text quoted in messages: an error naming a key, a
// condition or a filter value quotes it, and a crafted one can run to
// megabytes.
package clip

import "unicode/utf8"

// Ellipsis marks where a clipped text was cut.
const Ellipsis = "…"

// String returns s, or when it is longer than n bytes, its first n bytes or
// fewer, cut between characters, followed by Ellipsis.
func String(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return Prefix(s, n) + Ellipsis
}

// Prefix returns s, or when it is longer than n bytes, its first n bytes or
// fewer, cut between characters, with no mark.
func Prefix(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := max(n, 0)
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i]
}
