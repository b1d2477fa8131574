package server

import (
	"io/fs"
	"net/http"
	"strings"
)

// routes registers every page and API endpoint. Paths not listed here answer
// 404 and known paths with another method 405, both in the application's
// error shape (see dispatch).
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()

	mux.HandleFunc("GET /{$}", s.home)
	mux.HandleFunc("GET /matrix", s.matrix)
	mux.HandleFunc("GET /techniques", s.techniques)
	mux.HandleFunc("GET /techniques/{id}", s.technique)
	mux.HandleFunc("GET /tactics", s.tactics)
	mux.HandleFunc("GET /tactics/{id}", s.tactic)
	mux.HandleFunc("GET /services", s.services)
	mux.HandleFunc("GET /services/{key}", s.service)
	mux.HandleFunc("GET /mitigations", s.mitigations)
	mux.HandleFunc("GET /mitigations/{id}", s.mitigation)
	mux.HandleFunc("GET /events/{event}", s.event)
	mux.HandleFunc("GET /scan", s.scanForm)
	mux.HandleFunc("POST /scan", s.scanUpload)
	mux.Handle("GET /static/{file}", s.static())

	mux.HandleFunc(s.api("GET /api/v1/techniques", s.apiTechniques))
	mux.HandleFunc(s.api("GET /api/v1/techniques/{id}", s.apiTechnique))
	mux.HandleFunc(s.api("GET /api/v1/tactics", s.apiTactics))
	mux.HandleFunc(s.api("GET /api/v1/services", s.apiServices))
	mux.HandleFunc(s.api("GET /api/v1/services/{key}", s.apiService))
	mux.HandleFunc(s.api("GET /api/v1/mitigations", s.apiMitigations))
	mux.HandleFunc(s.api("GET /api/v1/mitigations/{id}", s.apiMitigation))
	mux.HandleFunc(s.api("GET /api/v1/matrix", s.apiMatrix))
	mux.HandleFunc(s.api("GET /api/v1/search", s.apiSearch))
	mux.HandleFunc(s.api("POST /api/v1/scan", s.apiScan))
	mux.HandleFunc(s.api("GET /api/v1/openapi.json", s.apiOpenAPI))

	return s.accessLog(secure(limitBody(s.cfg.MaxUpload, s.revalidate(s.dispatch(mux)))))
}

// static serves the embedded stylesheet, script and icon. Names are
// single path segments, so there is no directory to list.
func (s *Server) static() http.Handler {
	sub, _ := fs.Sub(staticFS, "static")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("file")
		if _, err := fs.Stat(sub, name); err != nil || strings.HasPrefix(name, ".") {
			s.fail(w, r, http.StatusNotFound, "no such file: "+r.URL.Path)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=3600")
		http.ServeFileFS(w, r, sub, name)
	})
}
