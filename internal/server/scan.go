package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ttcproject/ttc/internal/report"
	"github.com/ttcproject/ttc/internal/scan"
)

func (s *Server) apiScan(w http.ResponseWriter, r *http.Request) {
	// A file sent as the whole body has no form field: the query may ask
	// for the grouping instead.
	query, byQuery := r.URL.Query()["group_by"]
	if byQuery {
		// A grouping the query gets wrong is refused before the upload is
		// received.
		if err := checkGrouping(query[0]); err != nil {
			unread(w)
			s.apiError(w, http.StatusBadRequest, err.Error())
			return
		}
	}
	check := func(up *upload) error {
		if byQuery {
			if up.groupBy != "" && up.groupBy != query[0] {
				return fmt.Errorf("group_by: the query asks for \"%s\" and the form for \"%s\": give one, or both alike", query[0], up.groupBy)
			}
			up.groupBy = query[0]
		}
		return checkGroupBy(up)
	}
	sc, status, err := s.scanRequest(w, r, check)
	if err != nil {
		unread(w)
		s.apiError(w, status, err.Error())
		return
	}
	defer sc.res.Close()
	// Written as the findings are read back: a scan of many findings
	// holds none of them in memory.
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	// Grouped by actor, the answer is the document of ttc scan -o json
	// --group-by actor: each finding under its actor, none in findings.
	opts := report.Options{GroupByActor: sc.groupBy == "actor"}
	if err := report.WriteJSON(w, sc.res, opts); err != nil {
		s.log.Debug("write scan response", "error", err)
	}
}

// unread closes the connection after the answer to an upload refused
// before its end. net/http would otherwise read on to reuse the
// connection, before it answers (a client that waits for the answer
// before it sends its body would get it only at the read timeout) or
// after it (a body under 256 KiB is drained, and the connection held
// until the read timeout). Ending reads now ends both.
func unread(w http.ResponseWriter) {
	w.Header().Set("Connection", "close")
	_ = http.NewResponseController(w).SetReadDeadline(time.Now())
}

// scanned is a scan of an upload: the names of its files, in the order
// sent, the form's group_by field, and what the scan found.
type scanned struct {
	names   []string
	groupBy string
	res     *scan.Result
}

// scanRequest receives the uploaded files (the multipart fields "file",
// or the whole body when it is not a form) and scans them together, as
// ttc scan does the files it is given. check, when not nil, may refuse the
// upload once it is received, before it is scanned. It returns the status
// to answer with when it fails.
func (s *Server) scanRequest(w http.ResponseWriter, r *http.Request, check func(*upload) error) (*scanned, int, error) {
	// Browsers say where a request comes from; a page of another site must
	// not make the user's browser upload to this server.
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" && site != "none" {
		return nil, http.StatusForbidden, fmt.Errorf("upload refused: the request comes from another site (%s)", site)
	}
	// Older browsers send no Sec-Fetch-Site; their Origin must then name this host.
	if origin := r.Header.Get("Origin"); origin != "" && r.Header.Get("Sec-Fetch-Site") == "" {
		if u, err := url.Parse(origin); err != nil || u.Host != r.Host {
			return nil, http.StatusForbidden, errors.New("upload refused: the request comes from another origin")
		}
	}
	// A body that says it is over the limit is refused before it is read.
	if limit := bodyLimit(r, s.cfg.MaxUpload); r.ContentLength > limit {
		err := &http.MaxBytesError{Limit: limit}
		return nil, statusOf(err), s.withLimit(err)
	}
	// The upload is received whole before a scan slot is taken, so that
	// a client sending slowly holds an upload slot and its connection,
	// not one of the few scans. The upload slot is held to the scan's
	// end: what the uploads hold, in memory and on disk, is at most
	// MaxConcurrentUploads of them.
	if err := take(r.Context(), s.uploads, "uploads are being received or scanned"); err != nil {
		return nil, statusOf(err), err
	}
	defer func() { <-s.uploads }()
	up, err := s.receive(w, r)
	if se := (*serverError)(nil); errors.As(err, &se) {
		s.log.Error("scan upload", "error", err)
		return nil, http.StatusInternalServerError, errors.New("scan upload: the server could not store the upload; its log says why")
	}
	if err != nil {
		return nil, statusOf(err), s.withLimit(err)
	}
	defer up.Close()
	if check != nil {
		if err := check(up); err != nil {
			return nil, http.StatusBadRequest, err
		}
	}
	res, status, err := s.scanFiles(r.Context(), up)
	if err != nil {
		return nil, status, err
	}
	return &scanned{names: up.names(), groupBy: up.groupBy, res: res}, http.StatusOK, nil
}

// scanFiles scans the files of up as one scan, once a scan slot is free.
func (s *Server) scanFiles(ctx context.Context, up *upload) (*scan.Result, int, error) {
	if err := take(ctx, s.scans, "scans are running"); err != nil {
		return nil, statusOf(err), err
	}
	defer func() { <-s.scans }()
	ctx, cancel := context.WithTimeout(ctx, ScanTimeout)
	defer cancel()
	var tracks []*trackReader
	streams := up.streams(func(r io.Reader) io.Reader {
		tr := &trackReader{ctx: ctx, r: r}
		tracks = append(tracks, tr)
		return tr
	})
	// The scanner gets no logger: its diagnostics name the uploaded files,
	// and nothing about an upload goes to the server's log.
	// Findings past a few thousand go to temporary files, as for ttc scan:
	// an upload of millions of matching records (copies of one event, say)
	// would otherwise hold them all in memory until duplicates are dropped.
	// What the upload decompresses to is bounded for its files together:
	// a thousand small files must not read what a thousand uploads would.
	// Grouped by actor, the page and the JSON answer say who obtained the
	// session keys an actor used, as ttc scan --group-by actor does.
	limit := expansionLimit(s.cfg.MaxUpload)
	sc := scan.New(s.cat, s.ruleSet, scan.Options{Workers: 1, MaxInputBytes: limit, MaxTotalInputBytes: limit, SpillAfter: spillAfter,
		Sessions: up.groupBy == "actor"})
	res, err := sc.ScanStreams(ctx, streams)
	var readErr error
	for _, tr := range tracks {
		if readErr = tr.err; readErr != nil {
			break
		}
	}
	if err != nil && readErr == nil && statusOf(err) == http.StatusBadRequest {
		// Not the upload's fault (input errors are rejections, not
		// errors): the scan itself failed, writing findings to disk, say.
		// The details, the server's paths, go to its log only; they hold
		// nothing of the upload.
		s.log.Error("scan upload", "error", err)
		return nil, http.StatusInternalServerError, errors.New("scan upload: the server could not complete the scan; its log says why")
	}
	if err == nil {
		err = readErr
	}
	if err != nil {
		if res != nil {
			res.Close()
		}
		return nil, statusOf(err), fmt.Errorf("scan upload: %w", s.withLimit(err))
	}
	// A log of no records ({"Records":[]}) is a log, as for ttc scan; an
	// upload that is empty, or no log at all, is refused with the reason.
	if sum := res.Summary; sum.Read == 0 && (sum.Files == 0 || len(res.Rejections) > 0) {
		res.Close()
		return nil, http.StatusBadRequest, errors.New(noRecords(res, len(up.files) > 1))
	}
	return res, http.StatusOK, nil
}

// noRecords says why a scan that read no record refuses the upload: the
// reasons of its files, as the reports list them (file, line, offset), up
// to maxReasons; the file is named when the upload held several.
func noRecords(res *scan.Result, several bool) string {
	msg := "the upload holds no CloudTrail records"
	var why []scan.Rejection
	switch {
	case len(res.Rejections) > 0:
		why = res.Rejections
	case len(res.Skipped) > 0:
		why = res.Skipped
	default:
		return msg
	}
	var parts []string
	for _, r := range why[:min(len(why), maxReasons)] {
		if !several && r.Line == 0 {
			parts = append(parts, r.Reason)
			continue
		}
		parts = append(parts, report.RejectionLine(r))
	}
	if more := len(why) - len(parts); more > 0 {
		parts = append(parts, fmt.Sprintf("and %d more", more))
	}
	return msg + ": " + strings.Join(parts, "; ")
}

// maxReasons bounds the reasons an upload of no records is refused with.
const maxReasons = 5

// expansionLimit is what an upload may decompress to: MaxExpansion times
// the upload limit, so that a file sent uncompressed is only ever cut by
// the upload limit.
func expansionLimit(maxUpload int64) int64 { return MaxExpansion * maxUpload }

// take takes a slot of slots, waiting up to scanQueueWait for one; what
// says what holds them all, for the error.
func take(ctx context.Context, slots chan struct{}, what string) error {
	wait := time.NewTimer(scanQueueWait)
	defer wait.Stop()
	select {
	case slots <- struct{}{}:
		return nil
	case <-wait.C:
		return &busyError{fmt.Sprintf("busy: %d %s, try again shortly", cap(slots), what)}
	case <-ctx.Done():
		return ctx.Err()
	}
}

// busyError is a request turned away because every slot is taken.
type busyError struct{ msg string }

func (e *busyError) Error() string { return e.msg }

// trackReader keeps the first read error that is not EOF, because the scanner
// turns read errors into per-file rejections and an oversized upload must
// become a 413 instead. It stops reading once ctx is done (the client left
// or the scan took too long), which ends the scan.
type trackReader struct {
	ctx context.Context
	r   io.Reader
	err error
}

func (t *trackReader) Read(p []byte) (int, error) {
	if err := t.ctx.Err(); err != nil {
		if t.err == nil {
			t.err = err
		}
		return 0, err
	}
	n, err := t.r.Read(p)
	if err != nil && !errors.Is(err, io.EOF) && t.err == nil {
		t.err = err
	}
	return n, err
}

// withLimit says what the limit is when err is an upload over it.
func (s *Server) withLimit(err error) error {
	if mb := (*http.MaxBytesError)(nil); errors.As(err, &mb) {
		return &limitError{limit: s.cfg.MaxUpload, err: err}
	}
	return err
}

// limitError is an upload over the server's limit, which is on its files
// together. Its message states the limit, and leaves out the reader's
// ("http: request body too large").
type limitError struct {
	limit int64
	err   error
}

func (e *limitError) Error() string {
	return fmt.Sprintf("the upload is larger than the server's limit of %s for its files together (ttc serve --max-upload)",
		report.HumanBytes(e.limit))
}

func (e *limitError) Unwrap() error { return e.err }

func statusOf(err error) int {
	var mb *http.MaxBytesError
	var busy *busyError
	switch {
	case errors.As(err, &mb):
		return http.StatusRequestEntityTooLarge
	case errors.As(err, &busy):
		return http.StatusServiceUnavailable
	case errors.Is(err, errSlowUpload):
		return http.StatusRequestTimeout
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return http.StatusServiceUnavailable
	}
	return http.StatusBadRequest
}
