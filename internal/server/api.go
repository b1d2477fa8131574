package server

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/ttcproject/ttc/internal/catalog"
	"github.com/ttcproject/ttc/internal/view"
)

// ErrorBody is the one shape of every API error: {"error":{"status":404,"message":"..."}}.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail is the inside of ErrorBody.
type ErrorDetail struct {
	Status  int    `json:"status"`
	Message string `json:"message"`
}

// ServiceDetail is one service with the techniques that involve it and the
// catalog events it emits. The CLI has no single-service view yet, so the type
// lives here; it embeds the CLI's listing row.
type ServiceDetail struct {
	view.ServiceRow
	TechniqueList []catalog.TechniqueSummary `json:"technique_list"`
	Events        []string                   `json:"events"`
	// Mitigations are the controls that name the service.
	Mitigations []view.MitigationRow `json:"mitigations"`
}

// MitigationDetail is one mitigation with the techniques it addresses.
type MitigationDetail struct {
	*catalog.Mitigation
	TechniqueList []catalog.TechniqueSummary `json:"technique_list"`
}

// writeJSON writes v with the given status in the CLI's JSON encoding.
func (s *Server) writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(status)
	if err := view.WriteJSON(w, v); err != nil {
		s.log.Debug("write response", "error", err)
	}
}

func (s *Server) apiError(w http.ResponseWriter, status int, msg string) {
	retryLater(w, status)
	// A message may quote the request or the upload: escaped as the error
	// page escapes it, so that `jq -r` prints no terminal control.
	s.writeJSON(w, status, ErrorBody{ErrorDetail{Status: status, Message: view.Line(msg)}})
}

// filterFrom reads the CLI's technique filters from the query string. An
// empty service, tactic or event is refused, as the CLI refuses an empty
// --service, rather than read as no filter; only a page takes an empty
// tactic, which its form's "Any tactic" sends. An empty q is no search,
// as an empty --search is.
func filterFrom(r *http.Request) (catalog.Filter, error) {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return catalog.Filter{}, fmt.Errorf("query string: %w", err)
	}
	f := catalog.Filter{
		Services: trimmed(q["service"]),
		Tactics:  trimmed(q["tactic"]),
		Events:   trimmed(q["event"]),
		Search:   strings.TrimSpace(q.Get("q")),
	}
	if !isAPI(r) {
		f.Tactics = slices.DeleteFunc(f.Tactics, func(v string) bool { return v == "" })
	}
	if vs, given := q["aws_specific"]; given {
		switch v := strings.ToLower(strings.TrimSpace(vs[0])); v {
		case "0", "false", "no", "off":
		case "1", "true", "yes", "on":
			f.AWSSpecific = true
		default:
			return f, fmt.Errorf("aws_specific: want true or false, got \"%s\"", v)
		}
	}
	return f, nil
}

// trimmed returns the values without surrounding space, empty ones
// included, for the catalog's filter to refuse.
func trimmed(vs []string) []string {
	var out []string
	for _, v := range vs {
		out = append(out, strings.TrimSpace(v))
	}
	return out
}

// filtered applies the request's filter, answering 400 itself on a bad one.
func (s *Server) filtered(w http.ResponseWriter, r *http.Request) ([]catalog.Result, catalog.Filter, bool) {
	rs, f, err := s.applyFilter(r)
	if err != nil {
		s.fail(w, r, http.StatusBadRequest, err.Error())
		return nil, f, false
	}
	return rs, f, true
}

// applyFilter reads the request's filter and applies it; an error names
// the query parameter at fault.
func (s *Server) applyFilter(r *http.Request) ([]catalog.Result, catalog.Filter, error) {
	f, err := filterFrom(r)
	if err == nil {
		var rs []catalog.Result
		if rs, err = s.cat.Filter(f); err == nil {
			return rs, f, nil
		}
	}
	var fe *catalog.FilterError
	if errors.As(err, &fe) {
		err = fmt.Errorf("%s: %w", filterParam(fe.Field), err)
	}
	return nil, f, err
}

// filterParam maps a catalog filter field to its query parameter.
func filterParam(field string) string {
	if field == "search" {
		return "q"
	}
	return field
}

func (s *Server) apiTechniques(w http.ResponseWriter, r *http.Request) {
	if rs, _, ok := s.filtered(w, r); ok {
		s.writeJSON(w, http.StatusOK, view.List("techniques", s.cat.Summaries(rs)))
	}
}

func (s *Server) apiSearch(w http.ResponseWriter, r *http.Request) {
	if strings.TrimSpace(r.URL.Query().Get("q")) == "" {
		s.apiError(w, http.StatusBadRequest, "q: give the text to search for")
		return
	}
	s.apiTechniques(w, r)
}

func (s *Server) apiTechnique(w http.ResponseWriter, r *http.Request) {
	t, ok := s.cat.Technique(r.PathValue("id"))
	if !ok {
		s.apiError(w, http.StatusNotFound, fmt.Sprintf("no technique \"%s\"", r.PathValue("id")))
		return
	}
	if canonical(w, r, r.PathValue("id"), t.ID) {
		return
	}
	s.writeJSON(w, http.StatusOK, view.One("technique", s.views.details[t.ID]))
}

func (s *Server) apiTactics(w http.ResponseWriter, r *http.Request) {
	s.writeJSON(w, http.StatusOK, view.List("tactics", s.views.tactics))
}

func (s *Server) apiServices(w http.ResponseWriter, r *http.Request) {
	s.writeJSON(w, http.StatusOK, view.List("services", s.views.services))
}

func (s *Server) apiService(w http.ResponseWriter, r *http.Request) {
	d, ok := s.serviceDetail(r.PathValue("key"))
	if !ok {
		s.apiError(w, http.StatusNotFound, fmt.Sprintf("no service \"%s\"", r.PathValue("key")))
		return
	}
	if canonical(w, r, r.PathValue("key"), d.Key) {
		return
	}
	s.writeJSON(w, http.StatusOK, view.One("service", d))
}

// apiMitigations lists the mitigations, those of the given services only
// when service parameters are present.
func (s *Server) apiMitigations(w http.ResponseWriter, r *http.Request) {
	rows, _, err := s.mitigationsOf(r)
	if err != nil {
		s.apiError(w, http.StatusBadRequest, err.Error())
		return
	}
	s.writeJSON(w, http.StatusOK, view.List("mitigations", rows))
}

// mitigationsOf returns the mitigations the request's service parameters
// select (all without one), and the keys of those services.
func (s *Server) mitigationsOf(r *http.Request) ([]view.MitigationRow, []string, error) {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, nil, fmt.Errorf("query string: %w", err)
	}
	rows, keys, err := view.MitigationsFor(s.cat, s.views.mitigations, trimmed(q["service"]))
	if err != nil {
		return nil, nil, fmt.Errorf("service: %w", err)
	}
	return rows, keys, nil
}

func (s *Server) apiMitigation(w http.ResponseWriter, r *http.Request) {
	d, ok := s.mitigationDetail(r.PathValue("id"))
	if !ok {
		s.apiError(w, http.StatusNotFound, fmt.Sprintf("no mitigation \"%s\"", r.PathValue("id")))
		return
	}
	if canonical(w, r, r.PathValue("id"), d.ID) {
		return
	}
	s.writeJSON(w, http.StatusOK, view.One("mitigation", d))
}

func (s *Server) apiMatrix(w http.ResponseWriter, r *http.Request) {
	if rs, f, ok := s.filtered(w, r); ok {
		s.writeJSON(w, http.StatusOK, view.List("matrix", view.OnlyTactics(s.cat, view.BuildMatrix(s.cat, rs), f.Tactics)))
	}
}

func (s *Server) apiOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	_, _ = w.Write(openapiJSON)
}

// serviceDetail looks a service up by key, event source, name or alias.
func (s *Server) serviceDetail(key string) (ServiceDetail, bool) {
	svc, ok := s.cat.Service(key)
	if !ok {
		return ServiceDetail{}, false
	}
	rs, _ := s.cat.Filter(catalog.Filter{Services: []string{svc.Key}})
	d := ServiceDetail{
		ServiceRow:    view.ServiceRow{Service: *svc, Techniques: len(rs)},
		TechniqueList: s.cat.Summaries(rs),
		Events:        []string{},
	}
	d.Mitigations, _, _ = view.MitigationsFor(s.cat, s.views.mitigations, []string{svc.Key}) // a known key: no error
	for _, e := range s.cat.Events() {
		if strings.HasPrefix(e, svc.Key+":") {
			d.Events = append(d.Events, e)
		}
	}
	return d, true
}

func (s *Server) mitigationDetail(id string) (MitigationDetail, bool) {
	m, ok := s.cat.Mitigation(id)
	if !ok {
		return MitigationDetail{}, false
	}
	d := MitigationDetail{Mitigation: m, TechniqueList: []catalog.TechniqueSummary{}}
	for _, t := range s.cat.MitigatedBy(m.ID) {
		d.TechniqueList = append(d.TechniqueList, s.cat.Summary(t))
	}
	return d, true
}
