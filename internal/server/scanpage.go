package server

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/ttcproject/ttc/internal/catalog"
	"github.com/ttcproject/ttc/internal/report"
	"github.com/ttcproject/ttc/internal/scan"
	"github.com/ttcproject/ttc/internal/view"
)

// maxFindingsShown caps the findings the scan page lists, in time order
// or by actor; the counts and the JSON answer cover all of them.
const maxFindingsShown = 500

// Grouped by actor, the scan page lists the first maxActorsShown actors,
// and of each its first maxActorFindingsShown findings (within
// maxFindingsShown in all): an actor of thousands of findings, a role
// every call of which a hunting rule flags, leaves room for the others.
const (
	maxActorsShown        = 100
	maxActorFindingsShown = 50
)

// scanPage is the body of the scan page, before and after an upload.
type scanPage struct {
	MaxUpload int64
	MaxFiles  int
	// GroupBy is the order of findings the form offers checked: "actor",
	// or in time order.
	GroupBy string
	Error   string
	// The fields below are set after a successful scan.
	Done bool
	// FileName names the file of an upload of one; Files those of an
	// upload of several, in the order sent.
	FileName   string
	Files      []string
	Summary    scan.Summary
	Line       string
	Techniques []report.TechniqueCount
	// Table lists the first findings in time order; Actors, grouped by
	// actor, the first actors, each with its first findings.
	Table  findingTable
	Actors []actorShown
	// MoreActors counts the actors past those listed, and MoreActorsFindings
	// their findings.
	MoreActors, MoreActorsFindings int
	// Listed and Hidden count the findings listed and not.
	Listed, Hidden int
	Rejections     []scan.Rejection
	// Skipped are the files of the upload set aside unread (empty, or
	// CloudTrail's digest files).
	Skipped  []scan.Rejection
	Warnings []scan.Rejection
	Grid     grid
}

// findingTable is a table of findings on the scan page.
type findingTable struct {
	Rows []scan.Finding
	// Actor adds a column for each finding's actor, which the table of one
	// actor's findings leaves out; Files names each finding's file beside
	// its record, when the upload held several.
	Actor, Files bool
}

// actorShown is an actor of the scan page grouped by actor: the heading
// of its timeline, its first findings, and how many more it has.
type actorShown struct {
	report.Heading
	Table findingTable
	More  int
}

func (s *Server) scanForm(w http.ResponseWriter, r *http.Request) {
	s.renderScan(w, r, http.StatusOK, scanPage{})
}

func (s *Server) renderScan(w http.ResponseWriter, r *http.Request, status int, p scanPage) {
	p.MaxUpload, p.MaxFiles = s.cfg.MaxUpload, maxUploadFiles
	s.render(w, r, status, "scan", page{Title: "Scan CloudTrail logs", Nav: "scan", Body: p})
}

// checkGroupBy refuses an order of findings that the scan page and the
// API do not offer: they take the form's values as sent, "time" (the
// default when the field is absent or empty) or "actor".
func checkGroupBy(up *upload) error { return checkGrouping(up.groupBy) }

// checkGrouping refuses a group_by value, the form's or the query's, that
// names no order the scan page and the API offer.
func checkGrouping(v string) error {
	switch v {
	case "", "time", "actor":
		return nil
	}
	return fmt.Errorf("group_by: unknown grouping \"%s\": want time or actor", v)
}

func (s *Server) scanUpload(w http.ResponseWriter, r *http.Request) {
	sc, status, err := s.scanRequest(w, r, checkGroupBy)
	if err != nil {
		unread(w)
		retryLater(w, status)
		s.renderScan(w, r, status, scanPage{Error: view.Line(err.Error())})
		return
	}
	res := sc.res
	defer res.Close()
	// The findings may be on disk (see scanFiles): they are counted and
	// the first ones kept as they are read back.
	counts, err := report.Tally(res)
	p := scanPage{
		Done: true, GroupBy: sc.groupBy, Summary: res.Summary, Line: report.SummaryLine(res.Summary),
		Techniques: counts, Grid: s.observedGrid(counts),
	}
	// The page shows record values and names as the text outputs do:
	// control and invisible characters escaped, not passed to the browser.
	if len(sc.names) == 1 {
		p.FileName = view.Line(sc.names[0])
	} else {
		for _, n := range sc.names {
			p.Files = append(p.Files, view.Line(n))
		}
	}
	if err == nil && sc.groupBy == "actor" {
		err = p.listByActor(res)
	} else if err == nil {
		err = p.listInTimeOrder(res)
	}
	if err != nil {
		s.log.Error("read an upload's findings back", "error", err)
		s.renderScan(w, r, http.StatusInternalServerError, scanPage{Error: "The server could not read the scan's findings back; its log says why."})
		return
	}
	san := report.Sanitise(&scan.Result{Rejections: res.Rejections, Skipped: res.Skipped, Warnings: res.Warnings})
	p.Rejections, p.Skipped, p.Warnings = san.Rejections, san.Skipped, san.Warnings
	s.renderScan(w, r, http.StatusOK, p)
}

// listInTimeOrder sets the page's table to the first maxFindingsShown
// findings of res.
func (p *scanPage) listInTimeOrder(res *scan.Result) error {
	var shown []scan.Finding
	err := res.Each(func(f *scan.Finding) error {
		if len(shown) == maxFindingsShown {
			return errShownAll
		}
		shown = append(shown, *f)
		return nil
	})
	if err != nil && !errors.Is(err, errShownAll) {
		return err
	}
	p.Table = findingTable{Rows: report.SanitiseFindings(shown), Actor: true, Files: len(p.Files) > 0}
	p.Listed, p.Hidden = len(shown), res.Summary.Findings-len(shown)
	return nil
}

// errShownAll stops reading findings once the page has all it lists.
var errShownAll = errors.New("all the findings the page lists")

// listByActor sets the page's actors to the first of res's, grouped as
// ttc scan --group-by actor groups them, each with its first findings.
func (p *scanPage) listByActor(res *scan.Result) error {
	groups, err := report.FirstActors(res, maxActorsShown, maxActorFindingsShown, maxFindingsShown)
	if err != nil {
		return err
	}
	listed, ofListed := 0, 0
	for _, g := range groups.Groups {
		p.Actors = append(p.Actors, actorShown{
			Heading: g.Heading(g.N),
			Table:   findingTable{Rows: report.SanitiseFindings(g.Findings), Files: len(p.Files) > 0},
			More:    g.N - len(g.Findings),
		})
		listed += len(g.Findings)
		ofListed += g.N
	}
	p.MoreActors = groups.Actors - len(groups.Groups)
	p.MoreActorsFindings = res.Summary.Findings - ofListed
	p.Listed, p.Hidden = listed, res.Summary.Findings-listed
	return nil
}

// observedGrid lays out the whole catalog with the techniques seen in the
// findings marked, their parents unfolded.
func (s *Server) observedGrid(counts []report.TechniqueCount) grid {
	obs := map[string]int{}
	openIDs := map[string]bool{}
	for _, c := range counts {
		if c.TechniqueID == "" {
			continue
		}
		obs[c.TechniqueID] += c.Findings
		if p := catalog.ParentID(c.TechniqueID); p != "" {
			openIDs[p] = true
		}
	}
	all, _ := s.cat.Filter(catalog.Filter{})
	return grid{Columns: view.BuildMatrix(s.cat, all), Observed: obs, OpenIDs: openIDs}
}
