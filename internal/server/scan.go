package server

import (
	"context"
	"io"
	"net/http"
)

// ScanFunc classifies the CloudTrail records in r (name is the uploaded file's
// name, for messages).
type ScanFunc func(ctx context.Context, name string, r io.Reader) (any, error)

type scanPage struct {
	Available bool
	MaxUpload int64
	Error     string
}

func (s *Server) scanForm(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "scan", page{Title: "Scan a CloudTrail log", Nav: "scan",
		Body: scanPage{Available: s.cfg.Scan != nil, MaxUpload: s.cfg.MaxUpload}})
}

func (s *Server) scanUpload(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Scan == nil {
		s.render(w, r, http.StatusNotImplemented, "scan", page{Title: "Scan a CloudTrail log", Nav: "scan",
			Body: scanPage{MaxUpload: s.cfg.MaxUpload}})
		return
	}
}

func (s *Server) apiScan(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Scan == nil {
		s.apiError(w, http.StatusNotImplemented, "scan not available in this build")
		return
	}
}
