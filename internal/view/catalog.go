package view

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/ttcproject/ttc/internal/catalog"
)

// TacticRow is a tactic in a listing, with how many techniques it holds.
type TacticRow struct {
	catalog.Tactic
	Techniques int `json:"techniques" yaml:"techniques"`
}

// TacticRows builds the tactic listing of c.
func TacticRows(c *catalog.Catalog) []TacticRow {
	var out []TacticRow
	for _, t := range c.Tactics() {
		n, _ := c.Filter(catalog.Filter{Tactics: []string{t.ID}})
		out = append(out, TacticRow{Tactic: t, Techniques: len(n)})
	}
	return out
}

// WriteTactics renders the tactic listing.
func WriteTactics(w io.Writer, f Format, rows []TacticRow, opts Options) error {
	if f == JSON || f == YAML {
		return WriteDoc(w, f, List("tactics", rows))
	}
	g := Grid{Headers: []string{"ID", "SHORT NAME", "NAME", "TECHNIQUES", "ATT&CK V19"}, Flex: -1, Whole: []int{0}}
	for _, r := range rows {
		v19 := ""
		if v := r.AttackV19; v != nil {
			v19 = "renamed " + v.Name
			if v.Split != nil {
				v19 += "; " + v.Split.ID + " split off"
			}
		}
		g.Rows = append(g.Rows, []string{r.ID, r.ShortName, r.Name, fmt.Sprint(r.Techniques), v19})
	}
	return writeGrid(w, f, g, opts)
}

// ServiceRow is a service in a listing, with how many techniques involve it.
type ServiceRow struct {
	catalog.Service
	Techniques int `json:"techniques" yaml:"techniques"`
}

// ServiceRows builds the service listing of c.
func ServiceRows(c *catalog.Catalog) []ServiceRow {
	var out []ServiceRow
	for _, s := range c.Services() {
		n, _ := c.Filter(catalog.Filter{Services: []string{s.Key}})
		out = append(out, ServiceRow{Service: s, Techniques: len(n)})
	}
	return out
}

// WriteServices renders the service listing.
func WriteServices(w io.Writer, f Format, rows []ServiceRow, opts Options) error {
	if f == JSON || f == YAML {
		return WriteDoc(w, f, List("services", rows))
	}
	g := Grid{Headers: []string{"KEY", "NAME", "TECHNIQUES", "EVENT SOURCES"}, Flex: -1, Whole: []int{0}}
	for _, r := range rows {
		g.Rows = append(g.Rows, []string{r.Key, r.Name, fmt.Sprint(r.Techniques), strings.Join(r.EventSources, ", ")})
	}
	return writeGrid(w, f, g, opts)
}

// WriteTechniques renders a technique listing. Scores are shown when present.
func WriteTechniques(w io.Writer, f Format, c *catalog.Catalog, rows []catalog.TechniqueSummary, opts Options) error {
	if f == JSON || f == YAML {
		return WriteDoc(w, f, List("techniques", rows))
	}
	scored := len(rows) > 0 && rows[0].Score > 0
	g := Grid{Headers: []string{"ID", "AWS", "TACTICS", "NAME", "SERVICES"}, Flex: 4, Whole: []int{0}}
	if scored {
		g.Headers = append(g.Headers, "SCORE")
	}
	for _, r := range rows {
		aws := ""
		if r.AWSSpecific {
			aws = "yes"
		}
		row := []string{r.ID, aws, tacticNames(c, r.Tactics), r.Name, strings.Join(r.Services, ",")}
		if scored {
			row = append(row, fmt.Sprintf("%.1f", r.Score))
		}
		g.Rows = append(g.Rows, row)
	}
	return writeGrid(w, f, g, opts)
}

// MitigationRow is a mitigation in a listing.
type MitigationRow struct {
	ID         string   `json:"id" yaml:"id"`
	Name       string   `json:"name" yaml:"name"`
	Services   []string `json:"services" yaml:"services"`
	Summary    string   `json:"summary" yaml:"summary"`
	Techniques []string `json:"techniques" yaml:"techniques"`
}

// MitigationRows builds the mitigation listing of c.
func MitigationRows(c *catalog.Catalog) []MitigationRow {
	var out []MitigationRow
	for _, m := range c.Mitigations() {
		r := MitigationRow{ID: m.ID, Name: m.Name, Services: m.Services, Summary: m.Summary, Techniques: []string{}}
		for _, t := range c.MitigatedBy(m.ID) {
			r.Techniques = append(r.Techniques, t.ID)
		}
		out = append(out, r)
	}
	return out
}

// MitigationsFor keeps the rows that name one of the services, given by
// key, event source, name or alias; every row when none is given. It also
// returns the services' keys.
func MitigationsFor(c *catalog.Catalog, rows []MitigationRow, services []string) ([]MitigationRow, []string, error) {
	if len(services) == 0 {
		return rows, nil, nil
	}
	var keys []string
	for _, n := range services {
		svc, ok := c.Service(n)
		if !ok {
			if near := c.NearServices(n); len(near) > 0 {
				return nil, nil, fmt.Errorf("unknown service \"%s\"; did you mean %s?", n, strings.Join(near, ", "))
			}
			return nil, nil, fmt.Errorf("unknown service \"%s\"", n)
		}
		if !slices.Contains(keys, svc.Key) {
			keys = append(keys, svc.Key)
		}
	}
	out := []MitigationRow{}
	for _, m := range rows {
		if slices.ContainsFunc(keys, func(k string) bool { return slices.Contains(m.Services, k) }) {
			out = append(out, m)
		}
	}
	return out, keys, nil
}

// WriteMitigations renders the mitigation listing.
func WriteMitigations(w io.Writer, f Format, rows []MitigationRow, opts Options) error {
	if f == JSON || f == YAML {
		return WriteDoc(w, f, List("mitigations", rows))
	}
	// A long list of services gives way with the name, not before it.
	g := Grid{Headers: []string{"ID", "TECHNIQUES", "SERVICES", "NAME"}, Flex: -1, Give: []int{2}, Whole: []int{0}}
	for _, r := range rows {
		g.Rows = append(g.Rows, []string{r.ID, fmt.Sprint(len(r.Techniques)), strings.Join(r.Services, ","), r.Name})
	}
	return writeGrid(w, f, g, opts)
}

func writeGrid(w io.Writer, f Format, g Grid, opts Options) error {
	if f == Markdown {
		return WriteMarkdown(w, g)
	}
	return WriteTable(w, g, opts)
}

func tacticNames(c *catalog.Catalog, ids []string) string {
	names := make([]string, 0, len(ids))
	for _, id := range ids {
		if t, ok := c.AttackTactic(id); ok {
			names = append(names, t.ShortName)
		} else {
			names = append(names, id)
		}
	}
	return strings.Join(names, ",")
}
