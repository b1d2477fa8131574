package report_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/ttcproject/ttc/internal/report"
	"github.com/ttcproject/ttc/internal/scan"
)

// TestFirstActors checks that FirstActors groups as the grouped table does
// (the actor seen first first, each actor's findings oldest first), keeps
// to its three bounds, and counts every actor and finding all the same.
func TestFirstActors(t *testing.T) {
	// Three actors, a with 4 findings, b with 2 and c with 1, interleaved in time.
	res := &scan.Result{}
	for i, who := range []string{"a", "b", "a", "c", "a", "b", "a"} {
		f := small().Findings[0]
		f.Actor.ARN = "arn:aws:iam::111122223333:user/" + who
		f.EventTime = fmt.Sprintf("2026-03-14T02:00:%02dZ", i)
		res.Findings = append(res.Findings, f)
	}
	for _, tc := range []struct {
		name                          string
		maxActors, perActor, maxFinds int
		listed                        []int // findings listed per actor
	}{
		{"no bound reached", 10, 10, 10, []int{4, 2, 1}},
		{"per actor", 10, 2, 10, []int{2, 2, 1}},
		{"in all", 10, 10, 5, []int{4, 1, 0}},
		{"actors", 2, 10, 10, []int{4, 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := report.FirstActors(res, tc.maxActors, tc.perActor, tc.maxFinds)
			if err != nil {
				t.Fatal(err)
			}
			if got.Actors != 3 || len(got.Groups) != len(tc.listed) {
				t.Fatalf("%d actors, %d listed; want 3, %d listed", got.Actors, len(got.Groups), len(tc.listed))
			}
			for i, g := range got.Groups {
				want := "arn:aws:iam::111122223333:user/" + string("abc"[i])
				if g.Actor != want || g.N != []int{4, 2, 1}[i] || len(g.Findings) != tc.listed[i] {
					t.Errorf("group %d: %s with %d findings, %d listed; want %s, %d listed", i, g.Actor, g.N, len(g.Findings), want, tc.listed[i])
				}
				if !slices.IsSortedFunc(g.Findings, func(a, b scan.Finding) int { return strings.Compare(a.EventTime, b.EventTime) }) {
					t.Errorf("group %d: findings out of time order", i)
				}
				if h := g.Heading(g.N); h.Findings != g.N || h.First != g.First || h.Keys[0] != "AKIAEXAMPLEKEY000001" {
					t.Errorf("group %d: heading %+v", i, h)
				}
			}
		})
	}
}

// TestHeadingEscaped checks that an actor's heading, as a page shows it,
// carries its values as the terminal table does: in ASCII, with no raw
// control character, and with the commas that separate listed values
// escaped inside a value.
func TestHeadingEscaped(t *testing.T) {
	res := small()
	f := &res.Findings[0]
	f.Actor.ARN = "arn:aws:iam::1:user/<script>alert(1)</script>\u202e\x1b, keys AKIAFORGED"
	f.Actor.SourceIP = "6.6.6.6, 7.7.7.7"
	f.Actor.UserAgent = "ua\u2028 · from 8.8.8.8"
	got, err := report.FirstActors(res, 1, 1, 1)
	if err != nil || len(got.Groups) != 1 {
		t.Fatalf("%+v, %v", got, err)
	}
	h := got.Groups[0].Heading(1)
	for _, v := range append([]string{h.Actor, h.Type, h.First, h.Last}, append(h.From, h.UserAgents...)...) {
		if strings.ContainsFunc(v, func(r rune) bool { return r < ' ' || r > '~' }) {
			t.Errorf("%q is not printable ASCII", v)
		}
	}
	if want := `arn:aws:iam::1:user/<script>alert(1)</script>\u202e\x1b\x2c keys AKIAFORGED`; h.Actor != want {
		t.Errorf("actor %q, want %q", h.Actor, want)
	}
	if len(h.From) != 1 || h.From[0] != `6.6.6.6\x2c 7.7.7.7` || len(h.UserAgents) != 1 || !strings.Contains(h.UserAgents[0], `\u2028 \u00b7 from`) {
		t.Errorf("from %q, user agents %q", h.From, h.UserAgents)
	}
}
