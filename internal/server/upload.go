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
	"os"
	"path"
	"regexp"
	"runtime"
	"strings"
	"time"

	"github.com/ttcproject/ttc/internal/clip"
	"github.com/ttcproject/ttc/internal/scan"
)

// maxUploadFiles bounds the files of one upload. Each costs little once
// received (a name and its place in the upload's store), but a form of
// thousands of tiny parts would be mostly the form's own lines, which
// multipartOverhead leaves room for beside the files.
const maxUploadFiles = 1000

// upload is what a scan request sent: its files, received whole, one
// after the other, into one store: memory while they fit in spoolMem
// together, else one temporary file that holds them all, which is gone
// once closed (at once on Unix, where it is removed while open). However
// many files an upload holds, it takes one temporary file at most.
type upload struct {
	files []uploadedFile
	// groupBy is the form's group_by field, which the scan page and the
	// API's answer read.
	groupBy string

	mem  []byte
	file *spooled
	size int64
}

// uploadedFile is one file of an upload: its name, and where its bytes
// are in the upload's store.
type uploadedFile struct {
	name   string
	off, n int64
}

// spoolMem is how much of an upload is held in memory, all its files
// together; a larger one is received into a temporary file.
var spoolMem = 1 << 20

// Write adds b to the store: in memory while the upload fits in spoolMem,
// else to the temporary file, made when it first does not.
func (u *upload) Write(b []byte) (int, error) {
	if u.file == nil && len(u.mem)+len(b) <= spoolMem {
		u.mem = append(u.mem, b...)
		u.size += int64(len(b))
		return len(b), nil
	}
	if u.file == nil {
		f, err := newSpooled()
		if err != nil {
			return 0, err
		}
		u.file = f
		if _, err := f.Write(u.mem); err != nil {
			return 0, err
		}
		u.mem = nil
	}
	n, err := u.file.Write(b)
	u.size += int64(n)
	return n, err
}

// add receives one file of the upload from body, to its end, and returns
// how many bytes it took. An error reading body is the upload's; one
// storing it, a serverError.
func (u *upload) add(name string, body io.Reader) (int64, error) {
	rd := &trackReader{ctx: context.Background(), r: body}
	off := u.size
	n, err := io.Copy(u, rd)
	if rd.err != nil {
		return n, rd.err // the upload's fault: cut short, over the limit
	}
	if err != nil {
		return n, &serverError{fmt.Errorf("spool upload: %w", err)}
	}
	u.files = append(u.files, uploadedFile{name: name, off: off, n: n})
	return n, nil
}

// streams returns the upload's files to scan, in the order sent, each
// read through track.
func (u *upload) streams(track func(io.Reader) io.Reader) []scan.Stream {
	var at io.ReaderAt = bytes.NewReader(u.mem)
	if u.file != nil {
		at = u.file
	}
	out := make([]scan.Stream, len(u.files))
	for i, f := range u.files {
		out[i] = scan.Stream{Name: f.name, R: track(io.NewSectionReader(at, f.off, f.n))}
	}
	return out
}

// names returns the names of the upload's files, in the order sent.
func (u *upload) names() []string {
	out := make([]string, len(u.files))
	for i, f := range u.files {
		out[i] = f.name
	}
	return out
}

// Close drops what the upload holds.
func (u *upload) Close() error {
	u.mem = nil
	if u.file != nil {
		return u.file.Close()
	}
	return nil
}

// spooled is an upload received into a temporary file.
type spooled struct {
	*os.File
	removed bool
}

// newSpooled makes the temporary file of an upload, removed from its
// folder at once where the system allows it.
func newSpooled() (*spooled, error) {
	f, err := os.CreateTemp("", "ttc-upload-*")
	if err != nil {
		return nil, err
	}
	up := &spooled{File: f}
	if runtime.GOOS != "windows" {
		up.removed = os.Remove(f.Name()) == nil
	}
	return up, nil
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

// receive reads the upload of r whole: the multipart form's "file" parts,
// one or more, held to maxUpload bytes together, or the body itself, which
// limitBody holds to that. The whole body is paced (see pacedReader). On
// an error, what was received is dropped.
func (s *Server) receive(w http.ResponseWriter, r *http.Request) (*upload, error) {
	body := s.paced(w, r.Body)
	r.Body = struct {
		io.Reader
		io.Closer
	}{body, r.Body}
	up := &upload{}
	var err error
	if isMultipart(r) {
		err = s.receiveForm(w, r, up)
	} else {
		_, err = up.add("upload", r.Body)
	}
	if err != nil {
		up.Close()
		return nil, err
	}
	return up, nil
}

// receiveForm reads the parts of a multipart form into up: each "file"
// part a file, named by its file name, and the group_by field.
func (s *Server) receiveForm(w http.ResponseWriter, r *http.Request, up *upload) error {
	_, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	closing := newCloseWatch(r.Body, params["boundary"])
	r.Body = struct {
		io.Reader
		io.Closer
	}{closing, r.Body}
	mr, err := r.MultipartReader()
	if err != nil {
		return formError{err}
	}
	left := s.cfg.MaxUpload
	taken := map[string]bool{}
	seenGroupBy := false
	for {
		p, err := mr.NextPart()
		// The form's closing boundary is io.EOF itself, and the reader
		// wraps one that comes before it (formError says so); but a body
		// that ends inside a part's headers gives io.EOF too, so the
		// closing line must have been seen.
		if err == io.EOF && closing.seen {
			break
		}
		if err != nil && closing.opened && !closing.seen && (err == io.EOF || closing.ended) {
			// Whatever the reader makes of it (a header line cut reads as
			// malformed), a form whose body ended before its closing line
			// was cut short.
			return formError{errCutForm}
		}
		if err != nil {
			return asFormError(err)
		}
		switch p.FormName() {
		case "group_by":
			// A choice of a few letters: what is past them is no choice
			// offered (checkGroupBy refuses it), and is read, and dropped,
			// with the part.
			if seenGroupBy {
				// Two choices are none: refused whatever their order, at
				// the second, before reading any more of the form.
				return errGroupByTwice
			}
			v, err := io.ReadAll(io.LimitReader(p, maxGroupBy+1))
			if err != nil {
				return asFormError(err)
			}
			// A longer value is quoted in the refusal cut, with a mark.
			up.groupBy, seenGroupBy = clip.String(string(v), maxGroupBy), true
			continue
		case "file":
		default:
			continue
		}
		if len(up.files) == maxUploadFiles {
			return errManyFiles
		}
		n, err := up.add(uniqueName(fileName(p.FileName()), taken), &formPart{r: http.MaxBytesReader(w, p, left)})
		if err != nil {
			return err
		}
		left -= n
	}
	if len(up.files) == 0 {
		return errNoFile
	}
	return nil
}

// errCutForm is a form whose body ends before its closing line.
var errCutForm = fmt.Errorf("the body ends before the form's closing boundary line: %w",
	io.ErrUnexpectedEOF)

// closeWatch reads a multipart body and notes, line by line, whether a
// boundary line and the closing line went by where Go's multipart reader
// takes them for such: "--" boundary, then spaces or tabs, then the
// form's line ending ("--" boundary "--" for the closing line, which may
// also end the body), at the body's start, in the preamble, or after a
// line that ended with the form's line ending. That ending is CRLF until
// a first boundary line ends with a bare LF, as the reader decides it.
// A line is looked at only while it can still be such a line, and its
// run of blanks is held as one, so a line of any length is read whole.
type closeWatch struct {
	r      io.Reader
	dash   []byte // "--" boundary
	line   []byte // the current line as far as it can be a boundary line, blanks run together
	no     bool   // the current line is no boundary line
	lastCR bool   // the current line's last byte is a CR
	lf     bool   // the form's lines end with a bare LF
	prevNL bool   // the line before the current one ended with the form's line ending
	size   int    // the current line's length so far
	header bool   // the current line is a part's header line
	opened bool   // a boundary line went by
	seen   bool   // the closing line went by
	ended  bool   // the body's end was read
}

func newCloseWatch(r io.Reader, boundary string) *closeWatch {
	return &closeWatch{r: r, dash: []byte("--" + boundary), prevNL: true}
}

func (c *closeWatch) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	for p := b[:n]; len(p) > 0 && !c.seen; {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			c.add(p)
			break
		}
		c.add(p[:i])
		c.endLine(true)
		p = p[i+1:]
	}
	if err == io.EOF && !c.ended {
		c.ended = true
		if !c.seen {
			c.endLine(false)
		}
	}
	return n, err
}

// add reads bytes of the current line, an LF left out.
func (c *closeWatch) add(p []byte) {
	if len(p) == 0 {
		return
	}
	c.size += len(p)
	c.lastCR = p[len(p)-1] == '\r'
	for _, x := range p {
		if c.no {
			return
		}
		c.addByte(x)
	}
}

// addByte takes the next byte of a line that may still be a boundary
// line: the dash and boundary, "--" for the closing line, then blanks
// (held as one) and a CR before the LF.
func (c *closeWatch) addByte(x byte) {
	n := len(c.line)
	switch {
	case n < len(c.dash):
		c.no = x != c.dash[n]
	case x == '-':
		// Right after the boundary, and once more after that.
		c.no = n > len(c.dash)+1 || n == len(c.dash)+1 && c.line[n-1] != '-'
	case x == ' ' || x == '\t':
		// A run of blanks after the boundary is held as one; a blank
		// that ends the boundary itself ("b ") is not part of the run.
		if last := c.line[n-1]; n > len(c.dash) && (last == ' ' || last == '\t') {
			return
		}
		c.no = c.line[n-1] == '\r'
	case x == '\r':
		c.no = c.line[n-1] == '\r'
	default:
		c.no = true
	}
	if !c.no {
		c.line = append(c.line, x)
	}
}

// endLine looks at the line just read, which ended with an LF or, when
// !terminated, with the body.
func (c *closeWatch) endLine(terminated bool) {
	bodyStarts := false
	switch {
	case c.header:
		// A part's headers, which end at a blank line (CRLF or a bare
		// LF, as Go's reader takes either); its body may start with the
		// next boundary line, after any line ending.
		if c.size == 0 || c.size == 1 && c.lastCR {
			c.header, bodyStarts = false, true
		}
	case (!c.opened || c.prevNL) && !c.no && len(c.line) >= len(c.dash):
		nl := "\r\n"
		if c.lf {
			nl = "\n"
		}
		rest := string(c.line[len(c.dash):])
		if terminated {
			rest += "\n"
		}
		if final, ok := strings.CutPrefix(rest, "--"); ok {
			final = strings.TrimLeft(final, " \t")
			c.seen = final == "" && !terminated || final == nl
		} else {
			rest = strings.TrimLeft(rest, " \t")
			if !c.opened && rest == "\n" {
				c.lf, nl = true, "\n"
			}
			if rest == nl {
				c.opened, c.header = true, true
			}
		}
	}
	c.prevNL = bodyStarts || terminated && (c.lf || c.lastCR)
	c.line, c.no, c.lastCR, c.size = c.line[:0], false, false, 0
}

// fileName is the name a form gives a file part, without the path old
// browsers on Windows send; "upload" when it gives none.
func fileName(name string) string {
	if windowsPath.MatchString(name) {
		// Elsewhere a backslash is part of the name (Linux allows it).
		name = path.Base(strings.ReplaceAll(name, `\`, "/"))
	}
	if name == "." || name == "/" || name == "" {
		name = "upload"
	}
	// No file system holds a name longer than 255 bytes: a longer one is
	// the sender's invention, and would fill the page wherever it is named.
	// It is cut there, and ends with a "…" (three bytes more) that says so.
	return clip.String(name, maxFileName)
}

// maxGroupBy is how much of the form's group_by field is read: more than
// any choice offered ("actor"), so that a longer value is refused, and
// little enough to quote whole in the refusal.
const maxGroupBy = 16

// maxFileName is the longest file name an upload keeps whole, in bytes:
// NAME_MAX on Linux and macOS, about what Windows allows.
const maxFileName = 255

// windowsPath matches a file name sent with its Windows path: a drive
// (C:\) or a network share (\\host\).
var windowsPath = regexp.MustCompile(`^([A-Za-z]:\\|\\\\)`)

// uniqueName returns name, or when an earlier file of the upload took it
// (files of two folders may share a name; browsers send no folder), name
// with " (2)", " (3)" and so on after it, so that a rejection or a finding
// names one file. It notes the name returned in taken.
func uniqueName(name string, taken map[string]bool) string {
	out := name
	for i := 2; taken[out]; i++ {
		out = fmt.Sprintf("%s (%d)", name, i)
	}
	taken[out] = true
	return out
}

// formPart reads a file part of a form; an error reading it (a part cut
// short, a bad transfer encoding, the upload over its limit) is the form's.
type formPart struct {
	r io.Reader
}

func (p *formPart) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	if err != nil && err != io.EOF {
		err = asFormError(err)
	}
	return n, err
}

var (
	errNoFile       = errors.New("no file: choose one or more CloudTrail files to upload")
	errGroupByTwice = errors.New("the form gives group_by more than once; it takes one value: time or actor")
	errManyFiles    = fmt.Errorf("the form holds more than %d files: upload them in several scans, or scan them with ttc scan", maxUploadFiles)
)

// asFormError makes err, met reading a multipart form, a formError,
// unless it is the upload arriving too slowly, which says so itself.
func asFormError(err error) error {
	if errors.Is(err, errSlowUpload) {
		return err
	}
	return formError{err}
}

// formError is an error reading the multipart form. Its message leaves out
// the library's, which quotes the malformed part with Go escapes that the
// page would escape again; a body over the size limit says so.
type formError struct{ err error }

func (e formError) Error() string {
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(e.err, &tooLarge):
		return "read form: the upload is over the limit"
	case errors.Is(e.err, http.ErrMissingBoundary), errors.Is(e.err, http.ErrNotMultipart):
		return "read form: the Content-Type says multipart/form-data but names no boundary, or one that cannot be read: " +
			"send the form as a browser or curl -F does, or the file alone as the body"
	case errors.Is(e.err, io.ErrUnexpectedEOF): // errCutForm too
		return "read form: the upload is cut short: the body ends inside the form, " +
			"before the line that closes it with the Content-Type's boundary"
	case errors.Is(e.err, io.EOF):
		// The body ends before the line that closes the form: it holds
		// no boundary line at all (it is no form), or is cut short. The
		// reader's reason quotes nothing of the body.
		return "read form: the body could not be read as multipart form data (" + e.err.Error() +
			"): it ends before the line that closes the form with the Content-Type's boundary"
	case errors.Is(e.err, multipart.ErrMessageTooLarge):
		return "read form: the multipart form's part headers are more than the server reads"
	case errors.Is(e.err, bufio.ErrBufferFull):
		// The multipart reader looks for the boundary line by line, in a
		// 4 KiB buffer, and gives up on a longer line before it.
		return "read form: the multipart form is malformed: a line longer than 4 KiB " +
			"where the reader needs whole lines (before a part, or in a quoted-printable part)"
	}
	// Go's reader refuses a part header holding a control character,
	// which browsers send raw in a file's name: the likeliest cause when
	// the form came from a browser.
	return "read form: the multipart form is malformed (a file name holding a control character is one cause: rename that file)"
}

func (e formError) Unwrap() error { return e.err }

func isMultipart(r *http.Request) bool {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return mt == "multipart/form-data"
}

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
