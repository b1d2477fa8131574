package server

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"

	"github.com/ttcproject/ttc/internal/catalog"
	"github.com/ttcproject/ttc/internal/view"
)

// filterForm is the state of the filter form, echoed back into the page.
type filterForm struct {
	Action   string
	Services []serviceOption
	Tactics  []view.TacticRow
	Filter   catalog.Filter
	// Selected counts the chosen services, for the form's summary line.
	Selected int
	// Active is true when any filter is set.
	Active bool
	// Query is the filter as a query string, for links to the other views;
	// url.Values.Encode made it, so the template may use it as it is.
	Query template.URL
	// Error says what is wrong with the filter, shown above the form that
	// holds it, so that it can be mended there.
	Error string
	// tacticIDs are the IDs of the filter's tactics, however they were
	// named (ATT&CK v19's Stealth is TA0005).
	tacticIDs []string
}

// pageFilter applies the request's filter for a page: a bad one gives no
// results, the page's form with the reason, and the status 400.
// The page takes the query parameters of its API twin; another (a typo,
// ?search= for ?q=) is named, not read as no filter.
func (s *Server) pageFilter(r *http.Request, action string) ([]catalog.Result, filterForm, int) {
	rs, f, err := s.applyFilter(r)
	form := s.form(action, f)
	if msg := checkQuery(r.URL.RawQuery, queryParams()["GET /api/v1"+action]); msg != "" && err == nil {
		err = errors.New(msg)
	}
	if err != nil {
		form.Error = view.Line(err.Error()) // it may quote the request
		return nil, form, http.StatusBadRequest
	}
	return rs, form, http.StatusOK
}

type serviceOption struct {
	view.ServiceRow
	Checked bool
}

func (s *Server) form(action string, f catalog.Filter) filterForm {
	ff := filterForm{Action: action, Filter: f, Tactics: s.views.tactics}
	for _, v := range f.Tactics {
		if t, ok := s.cat.Tactic(v); ok {
			ff.tacticIDs = append(ff.tacticIDs, t.ID)
		}
	}
	for _, row := range s.views.services {
		// A service may be named by key, event source, name or alias.
		on := slices.ContainsFunc(f.Services, func(v string) bool {
			return slices.ContainsFunc(s.cat.ServicesFor(v), func(sv *catalog.Service) bool { return sv.Key == row.Key })
		})
		if on {
			ff.Selected++
		}
		ff.Services = append(ff.Services, serviceOption{ServiceRow: row, Checked: on})
	}
	// The form lists services by name, as readers look for them.
	sort.SliceStable(ff.Services, func(i, j int) bool {
		return strings.ToLower(ff.Services[i].Name) < strings.ToLower(ff.Services[j].Name)
	})
	ff.Active = len(f.Services) > 0 || len(f.Tactics) > 0 || f.AWSSpecific || len(f.Events) > 0 || f.Search != ""
	ff.Query = template.URL(filterQuery(f).Encode())
	return ff
}

// HasTactic reports whether the filter selects tactic t.
func (ff filterForm) HasTactic(t view.TacticRow) bool { return slices.Contains(ff.tacticIDs, t.ID) }

func filterQuery(f catalog.Filter) url.Values {
	q := url.Values{}
	for _, v := range f.Services {
		q.Add("service", v)
	}
	for _, v := range f.Tactics {
		q.Add("tactic", v)
	}
	if f.AWSSpecific {
		q.Set("aws_specific", "1")
	}
	for _, v := range f.Events {
		q.Add("event", v)
	}
	if f.Search != "" {
		q.Set("q", f.Search)
	}
	return q
}

// matrixPage is the body of the matrix page.
type matrixPage struct {
	Form    filterForm
	Columns []view.MatrixColumn
	Total   int
	Open    bool
	// Observed marks techniques seen in a scan; empty on the catalog matrix.
	Observed map[string]int
}

func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "home", page{Title: "Threat Technique Catalog for AWS", Nav: "home",
		Body: struct {
			Tactics  []view.TacticRow
			Services []view.ServiceRow
		}{s.views.tactics, s.views.services}})
}

func (s *Server) matrix(w http.ResponseWriter, r *http.Request) {
	rs, form, status := s.pageFilter(r, "/matrix")
	f := form.Filter
	cols := view.OnlyTactics(s.cat, view.BuildMatrix(s.cat, rs), f.Tactics)
	body := matrixPage{Form: form, Columns: cols, Total: len(rs)}
	body.Open = body.Form.Active
	s.render(w, r, status, "matrix", page{Title: "Matrix", Nav: "matrix",
		Terms: catalog.SearchTerms(f.Search), Body: body})
}

func (s *Server) techniques(w http.ResponseWriter, r *http.Request) {
	rs, form, status := s.pageFilter(r, "/techniques")
	f := form.Filter
	title := "Techniques"
	if f.Search != "" {
		title = fmt.Sprintf("Search: %s", view.Line(f.Search)) // the request's text, shown as the text outputs show it
	}
	s.render(w, r, status, "techniques", page{Title: title, Nav: "techniques",
		Terms: catalog.SearchTerms(f.Search),
		Body: struct {
			Form  filterForm
			Items []catalog.TechniqueSummary
		}{form, s.cat.Summaries(rs)}})
}

// eventRow is one CloudTrail event on a technique page.
type eventRow struct {
	Event  string
	Source string
	Rules  []RuleRef
	// Others is how many other techniques list the event.
	Others int
	// Data marks a data event, which a trail records only when asked.
	Data bool
}

func (s *Server) technique(w http.ResponseWriter, r *http.Request) {
	t, ok := s.cat.Technique(r.PathValue("id"))
	if !ok {
		s.fail(w, r, http.StatusNotFound, fmt.Sprintf("no technique \"%s\" in the catalog", r.PathValue("id")))
		return
	}
	if canonical(w, r, r.PathValue("id"), t.ID) {
		return
	}
	var events []eventRow
	for _, e := range t.Detection.CloudTrailEvents {
		events = append(events, eventRow{Event: e, Source: s.cat.EventSource(e),
			Rules: s.rules.For(s.cat, t.ID, e), Others: len(s.cat.ByEvent(e)) - 1, Data: s.cat.IsDataEvent(e)})
	}
	s.render(w, r, http.StatusOK, "technique", page{Title: t.ID + " " + t.Name, Nav: "techniques",
		Body: struct {
			D       catalog.TechniqueDetail
			Events  []eventRow
			Rules   []RuleRef
			Samples []sampleRow
		}{s.views.details[t.ID], events, s.rules[t.ID], s.samples[t.ID]}})
}

func (s *Server) tactics(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "tactics", page{Title: "Tactics", Nav: "tactics", Body: s.views.tactics})
}

func (s *Server) tactic(w http.ResponseWriter, r *http.Request) {
	ta, ok := s.cat.Tactic(r.PathValue("id"))
	if !ok {
		s.fail(w, r, http.StatusNotFound, fmt.Sprintf("no tactic \"%s\" in the catalog", r.PathValue("id")))
		return
	}
	rs, _ := s.cat.Filter(catalog.Filter{Tactics: []string{ta.ID}})
	s.render(w, r, http.StatusOK, "tactic", page{Title: ta.Name, Nav: "tactics",
		Body: struct {
			Tactic *catalog.Tactic
			Items  []catalog.TechniqueSummary
		}{ta, s.cat.Summaries(rs)}})
}

func (s *Server) services(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "services", page{Title: "Services", Nav: "services", Body: s.views.services})
}

func (s *Server) service(w http.ResponseWriter, r *http.Request) {
	d, ok := s.serviceDetail(r.PathValue("key"))
	if !ok {
		s.fail(w, r, http.StatusNotFound, fmt.Sprintf("no service \"%s\" in the catalog", r.PathValue("key")))
		return
	}
	if canonical(w, r, r.PathValue("key"), d.Key) {
		return
	}
	s.render(w, r, http.StatusOK, "service", page{Title: d.Name, Nav: "services", Body: d})
}

// mitigations lists the mitigations, those of the services the request
// names only (?service=, repeatable, as in the API).
func (s *Server) mitigations(w http.ResponseWriter, r *http.Request) {
	rows, keys, err := s.mitigationsOf(r)
	if err != nil {
		s.fail(w, r, http.StatusBadRequest, err.Error())
		return
	}
	form := s.form("/mitigations", catalog.Filter{Services: keys})
	title := "Mitigations"
	if len(keys) > 0 {
		title = "Mitigations for " + strings.Join(keys, ", ")
	}
	s.render(w, r, http.StatusOK, "mitigations", page{Title: title, Nav: "mitigations",
		Body: struct {
			Form  filterForm
			Items []view.MitigationRow
		}{form, rows}})
}

func (s *Server) mitigation(w http.ResponseWriter, r *http.Request) {
	d, ok := s.mitigationDetail(r.PathValue("id"))
	if !ok {
		s.fail(w, r, http.StatusNotFound, fmt.Sprintf("no mitigation \"%s\" in the catalog", r.PathValue("id")))
		return
	}
	if canonical(w, r, r.PathValue("id"), d.ID) {
		return
	}
	s.render(w, r, http.StatusOK, "mitigation", page{Title: d.Name, Nav: "mitigations", Body: d})
}

// eventTechnique is a technique that lists an event, with its rules for it.
type eventTechnique struct {
	catalog.TechniqueSummary
	Rules []RuleRef
}

func (s *Server) event(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("event")
	ts := s.cat.ByEvent(name)
	if len(ts) == 0 { // a finding's label (rdsdata:ExecuteStatement) or an event source's name
		ts = s.cat.ByEvent(s.cat.NormaliseEvent(name))
	}
	if len(ts) == 0 {
		// An event named under a service it is not of (one that moved to
		// a service of its own, as rds:ExecuteStatement to rds-data), or
		// with no service, or an SDK operation CloudTrail logs under
		// another name (s3:PutBucketLifecycleConfiguration): the one the
		// catalog lists, or the list of them.
		_, bare, qualified := strings.Cut(strings.TrimSpace(name), ":")
		if !qualified {
			bare = strings.TrimSpace(name)
		}
		logged := s.cat.LoggedAs(s.cat.NormaliseEvent(name))
		var listed []string
		for _, e := range s.cat.Events() {
			if _, n, _ := strings.Cut(e, ":"); bare != "" && strings.EqualFold(n, bare) ||
				slices.ContainsFunc(logged, func(l string) bool { return strings.EqualFold(l, e) }) {
				listed = append(listed, e)
			}
		}
		switch len(listed) {
		case 1:
			u := *r.URL
			u.Path, u.RawPath = "/events/"+listed[0], ""
			http.Redirect(w, r, u.RequestURI(), http.StatusMovedPermanently)
		case 0:
			s.fail(w, r, http.StatusNotFound, fmt.Sprintf("no technique lists the event \"%s\"", name))
		default:
			// Several events answer to the name (CreateUser of iam and of
			// identitystore): the techniques listing filtered by it shows
			// them all, as ttc techniques --event does.
			http.Redirect(w, r, "/techniques?"+url.Values{"event": {strings.TrimSpace(name)}}.Encode(), http.StatusFound)
		}
		return
	}
	// The catalog's spelling of the event has the page, whatever case the URL had.
	want := name
	for _, e := range ts[0].Detection.CloudTrailEvents {
		if strings.EqualFold(e, strings.TrimSpace(name)) || strings.EqualFold(e, s.cat.NormaliseEvent(name)) {
			want = e
		}
	}
	if canonical(w, r, name, want) {
		return
	}
	var items []eventTechnique
	for _, t := range ts {
		items = append(items, eventTechnique{s.cat.Summary(t), s.rules.For(s.cat, t.ID, name)})
	}
	svc, _, _ := strings.Cut(name, ":")
	s.render(w, r, http.StatusOK, "event", page{Title: name, Nav: "techniques",
		Body: struct {
			Event, Service, Source string
			Data                   bool
			Items                  []eventTechnique
		}{name, svc, s.cat.EventSource(name), s.cat.IsDataEvent(name), items}})
}
