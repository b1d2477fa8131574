package server

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path"
	"regexp"
	"runtime"
	"strings"
	"time"

	"github.com/ttcproject/ttc/internal/catalog"
	"github.com/ttcproject/ttc/internal/report"
	"github.com/ttcproject/ttc/internal/scan"
	"github.com/ttcproject/ttc/internal/view"
)

// maxFindingsShown caps the findings table of the scan page; the counts and
// the JSON answer cover all of them.
const maxFindingsShown = 500

// scanPage is the body of the scan page, before and after an upload.
type scanPage struct {
	MaxUpload int64
	Error     string
	// The fields below are set after a successful scan.
	Done       bool
	FileName   string
	Summary    scan.Summary
	Line       string
	Techniques []report.TechniqueCount
	Findings   []scan.Finding
	Hidden     int
	Rejections []scan.Rejection
	Warnings   []scan.Rejection
	Grid       grid
}

func (s *Server) scanForm(w http.ResponseWriter, r *http.Request) {
	s.renderScan(w, r, http.StatusOK, scanPage{})
}

func (s *Server) renderScan(w http.ResponseWriter, r *http.Request, status int, p scanPage) {
	p.MaxUpload = s.cfg.MaxUpload
	s.render(w, r, status, "scan", page{Title: "Scan a CloudTrail log", Nav: "scan", Body: p})
}

func (s *Server) scanUpload(w http.ResponseWriter, r *http.Request) {
	name, res, status, err := s.scanRequest(w, r)
	if err != nil {
		unread(w)
		s.renderScan(w, r, status, scanPage{Error: view.Line(err.Error())})
		return
	}
	defer res.Close()
	// The findings may be on disk (see scanRequest): they are counted and
	// the first ones kept as they are read back.
	counts, err := report.Tally(res)
	var shown []scan.Finding
	if err == nil {
		err = res.Each(func(f *scan.Finding) error {
			if len(shown) == maxFindingsShown {
				return errShownAll
			}
			shown = append(shown, *f)
			return nil
		})
	}
	if err != nil && !errors.Is(err, errShownAll) {
		s.log.Error("read an upload's findings back", "error", err)
		s.renderScan(w, r, http.StatusInternalServerError, scanPage{Error: "The server could not read the scan's findings back; its log says why."})
		return
	}
	// The page shows record values and names as the text outputs do:
	// control and invisible characters escaped, not passed to the browser.
	san := report.Sanitise(&scan.Result{Summary: res.Summary, Findings: shown, Rejections: res.Rejections, Skipped: res.Skipped,
		Warnings: res.Warnings})
	p := scanPage{
		Done: true, FileName: view.Line(name), Summary: res.Summary, Line: report.SummaryLine(res.Summary),
		Techniques: counts, Findings: san.Findings, Rejections: san.Rejections, Warnings: san.Warnings,
		Hidden: res.Summary.Findings - len(shown), Grid: s.observedGrid(counts),
	}
	s.renderScan(w, r, http.StatusOK, p)
}

// errShownAll stops reading findings once the page has all it lists.
var errShownAll = errors.New("all the findings the page lists")

func (s *Server) apiScan(w http.ResponseWriter, r *http.Request) {
	_, res, status, err := s.scanRequest(w, r)
	if err != nil {
		unread(w)
		s.apiError(w, status, err.Error())
		return
	}
	defer res.Close()
	// Written as the findings are read back: a scan of many findings
	// holds none of them in memory.
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	if err := report.WriteJSON(w, res, report.Options{}); err != nil {
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

// scanRequest finds the uploaded file (the multipart field "file", or the
// whole body when it is not a form) and scans it. It returns the status to
// answer with when it fails.
func (s *Server) scanRequest(w http.ResponseWriter, r *http.Request) (string, *scan.Result, int, error) {
	// Browsers say where a request comes from; a page of another site must
	// not make the user's browser upload to this server.
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" && site != "none" {
		return "", nil, http.StatusForbidden, fmt.Errorf("upload refused: the request comes from another site (%s)", site)
	}
	// Older browsers send no Sec-Fetch-Site; their Origin must then name this host.
	if origin := r.Header.Get("Origin"); origin != "" && r.Header.Get("Sec-Fetch-Site") == "" {
		if u, err := url.Parse(origin); err != nil || u.Host != r.Host {
			return "", nil, http.StatusForbidden, errors.New("upload refused: the request comes from another origin")
		}
	}
	// A body that says it is over the limit is refused before it is read.
	if limit := bodyLimit(r, s.cfg.MaxUpload); r.ContentLength > limit {
		err := &http.MaxBytesError{Limit: limit}
		return "", nil, statusOf(err), s.withLimit(err)
	}
	// The upload is received whole before a scan slot is taken, so that
	// a client sending slowly holds an upload slot and its connection,
	// not one of the few scans. The upload slot is held to the scan's
	// end: what the uploads hold, in memory and on disk, is at most
	// MaxConcurrentUploads of them.
	if err := take(r.Context(), s.uploads, "uploads are being received or scanned"); err != nil {
		return "", nil, statusOf(err), err
	}
	defer func() { <-s.uploads }()
	body, name, err := uploadedFile(w, r, s.cfg.MaxUpload)
	if err != nil {
		return "", nil, statusOf(err), s.withLimit(err)
	}
	up, err := spool(s.paced(w, body))
	if se := (*serverError)(nil); errors.As(err, &se) {
		s.log.Error("scan upload", "error", err)
		return "", nil, http.StatusInternalServerError, errors.New("scan upload: the server could not store the upload; its log says why")
	}
	if err != nil {
		return "", nil, statusOf(err), s.withLimit(err)
	}
	defer up.Close()
	if err := take(r.Context(), s.scans, "scans are running"); err != nil {
		return "", nil, statusOf(err), err
	}
	defer func() { <-s.scans }()
	ctx, cancel := context.WithTimeout(r.Context(), ScanTimeout)
	defer cancel()
	tr := &trackReader{ctx: ctx, r: up}
	// The scanner gets no logger: its diagnostics name the uploaded file,
	// and nothing about an upload goes to the server's log.
	// Findings past a few thousand go to temporary files, as for ttc scan:
	// an upload of millions of matching records (copies of one event, say)
	// would otherwise hold them all in memory until duplicates are dropped.
	sc := scan.New(s.cat, s.ruleSet, scan.Options{Workers: 1, MaxInputBytes: expansionLimit(s.cfg.MaxUpload), SpillAfter: spillAfter})
	res, err := sc.ScanReader(ctx, name, tr)
	if err != nil && tr.err == nil && statusOf(err) == http.StatusBadRequest {
		// Not the upload's fault (input errors are rejections, not
		// errors): the scan itself failed, writing findings to disk, say.
		// The details, the server's paths, go to its log only; they hold
		// nothing of the upload.
		s.log.Error("scan upload", "error", err)
		return "", nil, http.StatusInternalServerError, errors.New("scan upload: the server could not complete the scan; its log says why")
	}
	if err == nil {
		err = tr.err
	}
	if err != nil {
		if res != nil {
			res.Close()
		}
		return "", nil, statusOf(err), fmt.Errorf("scan upload: %w", s.withLimit(err))
	}
	// A log of no records ({"Records":[]}) is a log, as for ttc scan; an
	// upload that is empty, or no log at all, is refused with the reason.
	if sum := res.Summary; sum.Read == 0 && (sum.Files == 0 || len(res.Rejections) > 0) {
		msg := "the upload holds no CloudTrail records"
		switch {
		case len(res.Rejections) > 0:
			msg += ": " + res.Rejections[0].Reason
		case len(res.Skipped) > 0:
			msg += ": " + res.Skipped[0].Reason
		}
		res.Close()
		return "", nil, http.StatusBadRequest, errors.New(msg)
	}
	return name, res, http.StatusOK, nil
}

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

// The slowest an upload may arrive: after uploadGrace, at minUploadRate
// bytes a second on average. A client sending slower holds an upload slot
// and its connection for nothing; 32 such clients would hold every slot
// until the read timeout. Variables, so that tests can make them small.
var (
	minUploadRate = 32 << 10
	uploadGrace   = 10 * time.Second
)

// errSlowUpload is an upload cut off for arriving slower than minUploadRate.
var errSlowUpload = errors.New("upload too slow")

// pacedReader reads an upload with the connection's read deadline set,
// before each read, to when the bytes received so far were due at
// minUploadRate (after uploadGrace), and never past the server's own
// read timeout.
type pacedReader struct {
	r     io.Reader
	rc    *http.ResponseController
	start time.Time
	end   time.Time
	n     int64
}

// paced wraps body, an upload of the request w answers, in a pacedReader.
func (s *Server) paced(w http.ResponseWriter, body io.Reader) io.Reader {
	now := time.Now()
	return &pacedReader{r: body, rc: http.NewResponseController(w), start: now,
		end: now.Add(orDefault(s.cfg.ReadTimeout, defaultRead))}
}

func (p *pacedReader) Read(b []byte) (int, error) {
	// Whole seconds first: n times a second overflows past 9 GB.
	rate := int64(minUploadRate)
	owed := time.Duration(p.n/rate)*time.Second + time.Duration(p.n%rate)*time.Second/time.Duration(rate)
	due := p.start.Add(uploadGrace + owed)
	paced := due.Before(p.end)
	if !paced {
		due = p.end
	}
	_ = p.rc.SetReadDeadline(due) // a writer that cannot set one (a test's recorder) reads unpaced
	n, err := p.r.Read(b)
	p.n += int64(n)
	if err != nil && paced && errors.Is(err, os.ErrDeadlineExceeded) {
		err = fmt.Errorf("%w: %d bytes in %s, under %d KiB a second", errSlowUpload, p.n,
			time.Since(p.start).Round(time.Second), minUploadRate>>10)
	}
	return n, err
}

// spoolMem is how much of an upload is held in memory; a larger one is
// received into a temporary file.
var spoolMem = 1 << 20

// spool receives an upload: into memory when it is small, else into a
// temporary file, which is gone once closed (at once on Unix, where it is
// removed while open).
func spool(body io.Reader) (io.ReadCloser, error) {
	rd := &trackReader{ctx: context.Background(), r: body}
	head, err := io.ReadAll(io.LimitReader(rd, int64(spoolMem)+1))
	if err != nil {
		return nil, err // the upload's fault: cut short, over the limit
	}
	if len(head) <= spoolMem {
		return io.NopCloser(bytes.NewReader(head)), nil
	}
	f, err := os.CreateTemp("", "ttc-upload-*")
	if err != nil {
		return nil, &serverError{fmt.Errorf("spool upload: %w", err)}
	}
	up := &spooled{File: f}
	if runtime.GOOS != "windows" {
		up.removed = os.Remove(f.Name()) == nil
	}
	if _, err := io.Copy(f, io.MultiReader(bytes.NewReader(head), rd)); err != nil {
		up.Close()
		if rd.err != nil {
			return nil, rd.err
		}
		return nil, &serverError{fmt.Errorf("spool upload: %w", err)}
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		up.Close()
		return nil, &serverError{fmt.Errorf("spool upload: %w", err)}
	}
	return up, nil
}

// spooled is an upload received into a temporary file.
type spooled struct {
	*os.File
	removed bool
}

func (u *spooled) Close() error {
	err := u.File.Close()
	if !u.removed {
		os.Remove(u.Name())
	}
	return err
}

// serverError is a failure of the server's own, not of the request.
type serverError struct{ err error }

func (e *serverError) Error() string { return e.err.Error() }
func (e *serverError) Unwrap() error { return e.err }

// expansionLimit is what an upload may decompress to: MaxExpansion times
// the upload limit, so that a file sent uncompressed is only ever cut by
// the upload limit.
func expansionLimit(maxUpload int64) int64 { return MaxExpansion * maxUpload }

func isMultipart(r *http.Request) bool {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return mt == "multipart/form-data"
}

// uploadedFile returns the file part of a multipart form, held to
// maxUpload bytes as limitBody holds a body, or the body itself, which
// limitBody holds to that.
func uploadedFile(w http.ResponseWriter, r *http.Request, maxUpload int64) (io.Reader, string, error) {
	if !isMultipart(r) {
		return r.Body, "upload", nil
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, "", formError{err}
	}
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil, "", errNoFile
		}
		if err != nil {
			return nil, "", formError{err}
		}
		if p.FormName() == "file" {
			name := p.FileName()
			if windowsPath.MatchString(name) {
				// Old browsers on Windows send the whole path; elsewhere a
				// backslash is part of the name (Linux allows it).
				name = path.Base(strings.ReplaceAll(name, `\`, "/"))
			}
			if name == "." || name == "/" || name == "" {
				name = "upload"
			}
			return &formPart{r: http.MaxBytesReader(w, p, maxUpload), form: mr}, name, nil
		}
	}
}

// windowsPath matches a file name sent with its Windows path: a drive
// (C:\) or a network share (\\host\).
var windowsPath = regexp.MustCompile(`^([A-Za-z]:\\|\\\\)`)

// formPart reads the file part of a form; an error reading it (a part cut
// short, a bad transfer encoding) is the form's. At its end, it reads the
// rest of the form, and refuses a second file part: one would otherwise
// be left out without a word.
type formPart struct {
	r    io.Reader
	form *multipart.Reader
	end  error // what the file part's end gave, once reached
}

func (p *formPart) Read(b []byte) (int, error) {
	if p.end != nil {
		return 0, p.end
	}
	n, err := p.r.Read(b)
	if err == io.EOF {
		err = p.rest()
	}
	if err != nil && err != io.EOF && !errors.Is(err, errTwoFiles) {
		err = formError{err}
	}
	if err != nil {
		p.end = err
	}
	return n, err
}

// rest reads the parts after the file; io.EOF when none is a second file.
func (p *formPart) rest() error {
	for {
		part, err := p.form.NextPart()
		if err != nil {
			return err
		}
		if part.FormName() == "file" {
			return errTwoFiles
		}
	}
}

var (
	errNoFile   = errors.New("no file: choose a CloudTrail file to upload")
	errTwoFiles = errors.New("the form holds more than one file: upload one file per request")
)

// formError is an error reading the multipart form. Its message leaves out
// the library's, which quotes the malformed part with Go escapes that the
// page would escape again; a body over the size limit says so.
type formError struct{ err error }

func (e formError) Error() string {
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(e.err, &tooLarge):
		return "read form: the upload is over the limit"
	case errors.Is(e.err, bufio.ErrBufferFull):
		// The multipart reader looks for the boundary line by line, in a
		// 4 KiB buffer, and gives up on a longer line before it.
		return "read form: the multipart form is malformed: a line before the file part is longer than 4 KiB"
	}
	return "read form: the multipart form is malformed"
}

func (e formError) Unwrap() error { return e.err }

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

// limitError is an upload over the server's limit. Its message states the
// limit, and leaves out the reader's ("http: request body too large").
type limitError struct {
	limit int64
	err   error
}

func (e *limitError) Error() string {
	return fmt.Sprintf("the upload is larger than the server's limit of %s for a file (ttc serve --max-upload)", report.HumanBytes(e.limit))
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
