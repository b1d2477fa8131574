package server

import (
	"bytes"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"
)

// csp allows only same-origin styles and scripts and no inline code at all.
const csp = "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; " +
	"form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// secure sets the security headers on every response.
func secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

// limitBody caps request bodies: uploads get what bodyLimit says,
// everything else a few KiB.
func limitBody(maxUpload int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := int64(defaultMaxBody)
		if isScanPath(r.URL.Path) {
			n = bodyLimit(r, maxUpload)
		}
		r.Body = http.MaxBytesReader(w, r.Body, n)
		next.ServeHTTP(w, r)
	})
}

// bodyLimit is the largest body an upload may have: the file itself
// (maxUpload), and in a multipart form room for the form's own lines as
// well, where the file parts are held to maxUpload together (see
// receiveForm).
func bodyLimit(r *http.Request, maxUpload int64) int64 {
	if isMultipart(r) {
		return maxUpload + multipartOverhead
	}
	return maxUpload
}

func isScanPath(p string) bool { return p == "/scan" || p == "/api/v1/scan" }

// recordWriter remembers the status and the number of body bytes written.
type recordWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (rw *recordWriter) WriteHeader(code int) {
	if rw.status == 0 {
		rw.status = code
	}
	rw.ResponseWriter.WriteHeader(code)
}

func (rw *recordWriter) Write(b []byte) (int, error) {
	if rw.status == 0 {
		rw.status = http.StatusOK
	}
	n, err := rw.ResponseWriter.Write(b)
	rw.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (rw *recordWriter) Unwrap() http.ResponseWriter { return rw.ResponseWriter }

// accessLog logs one line per request. It logs the path only: query strings
// can carry search text, and uploads are never echoed.
func (s *Server) accessLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rw := &recordWriter{ResponseWriter: w}
		defer func() {
			if v := recover(); v != nil {
				s.log.Error("handler panic", "method", r.Method, "path", r.URL.Path, "error", v)
				if rw.status == 0 {
					s.fail(rw, r, http.StatusInternalServerError, "internal error")
				}
			}
			if rw.status == 0 {
				rw.status = http.StatusOK
			}
			s.log.Info("request", "method", r.Method, "path", r.URL.Path, "status", rw.status,
				"bytes", rw.bytes, "duration_ms", float64(time.Since(start).Microseconds())/1000)
		}()
		next.ServeHTTP(rw, r)
	})
}

// fallbackWriter captures what ServeMux writes for unmatched requests, so that
// 404 and 405 answers get the application's own error pages.
type fallbackWriter struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (f *fallbackWriter) Header() http.Header         { return f.header }
func (f *fallbackWriter) WriteHeader(code int)        { f.status = code }
func (f *fallbackWriter) Write(b []byte) (int, error) { return f.body.Write(b) }

// dispatch routes through mux, replacing its plain-text 404 and 405 answers.
func (s *Server) dispatch(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, pattern := mux.Handler(r)
		if pattern != "" {
			mux.ServeHTTP(w, r)
			return
		}
		fw := &fallbackWriter{header: http.Header{}}
		h.ServeHTTP(fw, r)
		switch fw.status {
		case http.StatusNotFound:
			s.fail(w, r, http.StatusNotFound, "no such page: "+r.URL.Path)
		case http.StatusMethodNotAllowed:
			allow := fw.header.Get("Allow")
			if r.Method == http.MethodOptions {
				// What may be done here, asked: not an error.
				w.Header().Set("Allow", allow+", OPTIONS")
				w.WriteHeader(http.StatusNoContent)
				return
			}
			w.Header().Set("Allow", allow+", OPTIONS")
			s.fail(w, r, http.StatusMethodNotAllowed, "method "+r.Method+" not allowed here")
		default:
			for k, v := range fw.header {
				w.Header()[k] = v
			}
			w.WriteHeader(fw.status)
			_, _ = w.Write(fw.body.Bytes())
		}
	})
}

func isAPI(r *http.Request) bool {
	return r.URL.Path == "/api" || strings.HasPrefix(r.URL.Path, "/api/")
}

// loopbackOnly refuses a request whose Host header does not name the
// loopback interface, for a server that listens only there. A page on
// another site can point a DNS name of its own at 127.0.0.1 ("DNS
// rebinding"); the browser then takes this server for that site's
// origin, and the same-origin checks of the scan upload pass. Such a
// request still names the other site in Host, and is refused here.
func (s *Server) loopbackOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !loopbackHost(r.Host) {
			s.log.Warn("request refused: its Host names no loopback address", "method", r.Method, "path", r.URL.Path,
				"status", http.StatusMisdirectedRequest)
			s.fail(w, r, http.StatusMisdirectedRequest,
				"this server listens on the loopback interface and answers only requests that name it as localhost "+
					"(or a name under it) or by a loopback address (127.0.0.1, [::1]), not the host this request names")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// loopbackHost reports whether host, a Host header with or without a
// port, names the loopback interface: localhost (or a name under it,
// which browsers resolve to loopback themselves) or a loopback address.
// An empty Host (HTTP/1.0, which no browser sends) is let through.
func loopbackHost(host string) bool {
	if host == "" {
		return true
	}
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if ip, err := netip.ParseAddr(host); err == nil {
		return ip.Unmap().IsLoopback()
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	return host == "localhost" || strings.HasSuffix(host, ".localhost")
}

// listensOnLoopback reports whether addr, a listener's address, is a
// loopback address.
func listensOnLoopback(addr net.Addr) bool {
	ta, ok := addr.(*net.TCPAddr)
	return ok && ta.IP.IsLoopback()
}
