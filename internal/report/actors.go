package report

import (
	"fmt"
	"strings"

	"github.com/ttcproject/ttc/internal/scan"
	"github.com/ttcproject/ttc/internal/view"
)

// ActorGroup is one actor of a scan grouped by actor, for a page that
// lists the first findings of each: the actor's timeline, whose Findings
// hold the first of its findings, and how many it has in all.
type ActorGroup struct {
	ActorTimeline
	N int
}

// ActorGroups is the first actors of a scan grouped by actor.
type ActorGroups struct {
	Groups []ActorGroup
	// Actors counts every actor, listed in Groups or not.
	Actors int
}

// FirstActors groups res's findings by actor as ttc scan --group-by actor
// does (the actor seen first first, each actor's findings in time order),
// for a page that lists some of them: the first maxActors actors, each
// with its first perActor findings, and no more than maxFindings findings
// in all. It reads every finding once and holds only those it lists.
func FirstActors(res *scan.Result, maxActors, perActor, maxFindings int) (ActorGroups, error) {
	var out ActorGroups
	var tb *timelineBuilder
	var shown []scan.Finding
	listed := 0
	end := func() {
		if tb == nil {
			return
		}
		a := tb.out[0]
		a.withSessions(res.Sessions)
		a.Findings = shown
		out.Groups = append(out.Groups, ActorGroup{ActorTimeline: a, N: tb.count[0]})
		tb, shown = nil, nil
	}
	err := eachByActor(res, func(string) error {
		end()
		if out.Actors++; len(out.Groups) < maxActors {
			tb = &timelineBuilder{}
		}
		return nil
	}, func(f *scan.Finding) error {
		if tb == nil {
			return nil // an actor past those listed: counted only
		}
		tb.add(f)
		if len(shown) < perActor && listed < maxFindings {
			shown = append(shown, *f)
			listed++
		}
		return nil
	})
	if err != nil {
		return ActorGroups{}, err
	}
	end()
	return out, nil
}

// Heading is what the heading of an actor's timeline says, each value
// escaped as the terminal table's heading escapes it: in ASCII, with its
// commas and runs of spaces escaped, so that no value can pose as another
// part of the heading. A web page shows it with its markup escaped on top.
type Heading struct {
	Actor       string
	Type        string
	Findings    int
	First, Last string
	// Keys and From list the access keys and source addresses used, the
	// first MaxListed of each; MoreKeys and MoreFrom say there are others.
	Keys, From         []string
	MoreKeys, MoreFrom bool
	// Into marks an actor of another account with the accounts it calls
	// into; empty when every call was made in its own.
	Into string
	// Sessions say who obtained the session keys the actor used, when the
	// logs hold the call that issued them; MoreSessions that keys not
	// listed may have origins too.
	Sessions     []string
	MoreSessions bool
	// UserAgents are one line each, those of the AWS CLI that differ only
	// in their command folded into one (see foldedAgents).
	UserAgents     []string
	MoreUserAgents bool
}

// Heading returns the heading of a, a timeline of n findings.
func (a *ActorTimeline) Heading(n int) Heading {
	h := Heading{
		Actor: shownActor(a.Actor, summaryValue), Type: actorType(a.Type), Findings: n,
		First: summaryValue(stamp(a.first, a.First)), Last: summaryValue(stamp(a.last, a.Last)),
		Keys: listItems(a, a.AccessKey), MoreKeys: a.MoreAccessKeys,
		From: listItems(a, a.SourceIPs), MoreFrom: a.MoreSourceIPs,
		MoreSessions: len(a.Sessions) > 0 && a.MoreAccessKeys,
		UserAgents:   foldedAgents(a), MoreUserAgents: a.MoreUserAgents,
	}
	if len(a.IntoAccounts) > 0 {
		h.Into = intoText(*a)
	}
	for _, s := range a.Sessions {
		h.Sessions = append(h.Sessions, sessionText(s))
	}
	return h
}

// parts are the heading's parts after the actor, as the terminal table
// writes them on one line, separated by " · ".
func (h Heading) parts() []string {
	parts := []string{fmt.Sprintf("%s, %s, %s … %s", h.Type, view.Count(int64(h.Findings), "finding", "findings"), h.First, h.Last)}
	if len(h.Keys) > 0 {
		parts = append(parts, fmt.Sprintf("keys %s%s", strings.Join(h.Keys, ", "), andMore(h.MoreKeys)))
	}
	if len(h.From) > 0 {
		parts = append(parts, fmt.Sprintf("from %s%s", strings.Join(h.From, ", "), andMore(h.MoreFrom)))
	}
	if h.Into != "" {
		parts = append(parts, h.Into)
	}
	return parts
}

// SanitiseFindings returns copies of fs whose record values and file
// names went through view.Line, as Sanitise does a result's.
func SanitiseFindings(fs []scan.Finding) []scan.Finding {
	out := make([]scan.Finding, len(fs))
	for i, f := range fs {
		out[i] = sanitiseFinding(f)
	}
	return out
}
