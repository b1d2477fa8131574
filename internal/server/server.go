package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/ttcproject/ttc/internal/catalog"
	"github.com/ttcproject/ttc/internal/ruleset"
)

// Limits and timeouts used when Config leaves them zero.
const (
	DefaultAddr      = "127.0.0.1:8080"
	DefaultMaxUpload = 32 << 20
	// MaxUploadLimit is the largest MaxUpload a server takes: a terabyte,
	// far past any log file, and small enough that the limits derived from
	// it (MaxExpansion times it) are numbers.
	MaxUploadLimit = 1 << 40
	// MaxConcurrentScans bounds the uploads scanned at once; scanning is
	// CPU-bound, and the machine has a few cores at most to give.
	MaxConcurrentScans = 2
	// MaxConcurrentUploads bounds the uploads received, waiting for a scan
	// or scanned at once, each held in memory (up to 1 MiB) or in a
	// temporary file of up to --max-upload bytes until its scan ends.
	MaxConcurrentUploads = 32
	// ScanTimeout bounds how long one upload may be scanned.
	ScanTimeout = 60 * time.Second
	// spillAfter is how many findings a scan of an upload holds in memory
	// before it writes them to temporary files.
	spillAfter = 8192
	// MaxExpansion bounds what an upload may decompress to, as a multiple
	// of MaxUpload: CloudTrail logs shrink 7 to 15 times under gzip, and a
	// file made to expand further (a gzip bomb of records) is read up to
	// that size only, the rest of it reported as not read.
	MaxExpansion      = 32
	defaultMaxBody    = 64 << 10
	defaultReadHeader = 5 * time.Second
	defaultRead       = 60 * time.Second
	defaultWrite      = 90 * time.Second
	defaultIdle       = 120 * time.Second
	defaultShutdown   = 10 * time.Second
	maxHeaderBytes    = 64 << 10
	// multipartOverhead is the room a form's own lines may take beside its
	// files: 64 KiB, and 512 bytes for each file part's boundary and
	// headers, of the most files an upload may hold.
	multipartOverhead = 64<<10 + maxUploadFiles*512
)

// scanQueueWait is how long an upload waits for a free scan slot before
// it is turned away with 503 (a variable for tests).
var scanQueueWait = 10 * time.Second

// Config is what New needs. Only Catalog is required.
type Config struct {
	// Addr is the listen address; DefaultAddr when empty.
	Addr string
	// Catalog is the loaded catalog the pages and the API show.
	Catalog *catalog.Catalog
	// Rules are the compiled rules the scan page runs; when nil, New compiles
	// the catalog's own rules.
	Rules *ruleset.Set
	// Log receives the access log and lifecycle messages; slog.Default when nil.
	Log *slog.Logger
	// MaxUpload caps an upload in bytes, its files together;
	// DefaultMaxUpload when zero.
	MaxUpload int64
	// Timeouts of the http.Server; defaults when zero.
	ReadHeaderTimeout, ReadTimeout, WriteTimeout, IdleTimeout time.Duration
	// ShutdownTimeout bounds how long ListenAndServe waits for requests in
	// flight once its context is cancelled.
	ShutdownTimeout time.Duration
	// AttackParent returns MITRE ATT&CK's own entry for a technique from
	// imported ATT&CK data, or nil; technique pages and the API show it.
	// Nil when no ATT&CK data is imported.
	AttackParent func(id string) *catalog.AttackData
	// AttackMitigationNames names ATT&CK mitigations by ID from the same
	// data, for technique pages and the API; nil without it.
	AttackMitigationNames func(ids []string) map[string]string
}

// Server is the web application. Its Handler is safe for concurrent use.
type Server struct {
	cfg     Config
	cat     *catalog.Catalog
	log     *slog.Logger
	pages   *pages
	rules   ruleIndex
	samples sampleIndex
	ruleSet *ruleset.Set
	views   *views
	handler http.Handler
	etag    string // see newETag
	// scans holds a token for each scan running; uploads wait for one.
	scans chan struct{}
	// uploads holds a token for each upload from its first byte to the
	// end of its scan.
	uploads chan struct{}
}

// New builds the server: it parses the templates and indexes the catalog.
func New(cfg Config) (*Server, error) {
	if cfg.Catalog == nil {
		return nil, errors.New("new server: no catalog")
	}
	if cfg.Addr == "" {
		cfg.Addr = DefaultAddr
	}
	if cfg.MaxUpload <= 0 {
		cfg.MaxUpload = DefaultMaxUpload
	}
	if cfg.MaxUpload > MaxUploadLimit {
		return nil, fmt.Errorf("new server: an upload limit of %d bytes is past the largest, %d", cfg.MaxUpload, int64(MaxUploadLimit))
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	p, err := loadPages(cfg.Catalog)
	if err != nil {
		return nil, fmt.Errorf("new server: %w", err)
	}
	rs := cfg.Rules
	if rs == nil {
		// Rules that do not compile are left out of the set; the catalog's
		// validation reports them, so a warning is enough here.
		if rs, err = ruleset.Load(cfg.Catalog, nil); err != nil {
			cfg.Log.Warn("some rules left out of the scan", "error", err)
		}
		if rs == nil {
			return nil, errors.New("new server: no rule set")
		}
	}
	views := buildViews(cfg.Catalog, cfg.AttackParent, cfg.AttackMitigationNames)
	s := &Server{cfg: cfg, cat: cfg.Catalog, log: cfg.Log, pages: p, rules: indexRules(cfg.Catalog, views.details), ruleSet: rs,
		views: views, scans: make(chan struct{}, MaxConcurrentScans),
		uploads: make(chan struct{}, MaxConcurrentUploads), etag: newETag()}
	s.samples = indexSamples(cfg.Catalog, rs)
	s.handler = s.routes()
	return s, nil
}

// Handler returns the application with its middleware: security headers,
// body limits, panic recovery and the access log.
func (s *Server) Handler() http.Handler { return s.handler }

// HTTPServer returns an http.Server for the handler with the configured timeouts.
func (s *Server) HTTPServer() *http.Server {
	return &http.Server{
		Addr:              s.cfg.Addr,
		Handler:           s.handler,
		ReadHeaderTimeout: orDefault(s.cfg.ReadHeaderTimeout, defaultReadHeader),
		ReadTimeout:       orDefault(s.cfg.ReadTimeout, defaultRead),
		WriteTimeout:      orDefault(s.cfg.WriteTimeout, defaultWrite),
		IdleTimeout:       orDefault(s.cfg.IdleTimeout, defaultIdle),
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
}

// ListenAndServe listens on the configured address and serves until ctx is
// cancelled, then shuts down gracefully, letting requests in flight finish.
func (s *Server) ListenAndServe(ctx context.Context) error {
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	return s.Serve(ctx, ln)
}

// Serve is ListenAndServe on a listener the caller opened.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	hs := s.HTTPServer()
	if listensOnLoopback(ln.Addr()) {
		hs.Handler = secure(s.loopbackOnly(hs.Handler))
	}
	s.log.Info("server listening", "addr", "http://"+ln.Addr().String())
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()

	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	s.log.Info("server shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), orDefault(s.cfg.ShutdownTimeout, defaultShutdown))
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("shut down: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	s.log.Info("server stopped")
	return nil
}

func orDefault(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}
