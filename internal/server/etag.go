package server

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"strings"
)

// newETag makes the entity tag of a server's answers: a random token drawn
// when the server starts. What a GET answers depends only on the URL, the
// catalog and the program, and those change only with a restart, which
// draws a new token.
func newETag() string {
	var b [12]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	return `W/"` + hex.EncodeToString(b[:]) + `"`
}

// revalidate tags the 200 answers to GET and HEAD, and answers 304, without
// the body, where the request already holds that answer (If-None-Match
// names the server's tag). Only a 200 is turned into a 304: a request
// that would be refused, redirected or not found gets that answer, as RFC
// 9110 has it, whatever tag it holds.
func (s *Server) revalidate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			next.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(&taggingWriter{ResponseWriter: w, etag: s.etag,
			// Header lines of one name are one list (RFC 9110, 5.3).
			held: matchesTag(strings.Join(r.Header.Values("If-None-Match"), ","), s.etag)}, r)
	})
}

// matchesTag reports whether an If-None-Match header names tag (weakly
// compared, as RFC 9110 has it for If-None-Match), or is "*", which any
// current answer matches. Only a 200 is turned into a 304 (see
// taggingWriter), so "*" leaves a 404 a 404, as the RFC has it for a
// resource that does not exist; the file server answers it alike.
func matchesTag(header, tag string) bool {
	for t := range strings.SplitSeq(header, ",") {
		if t = strings.TrimSpace(t); t == "*" || strings.TrimPrefix(t, "W/") == strings.TrimPrefix(tag, "W/") {
			return true
		}
	}
	return false
}

// taggingWriter adds the tag to a 200 answer, and turns it into a 304
// without its body when the request holds it already.
type taggingWriter struct {
	http.ResponseWriter
	etag        string
	held        bool // the request named the tag
	written     bool
	notModified bool
}

func (t *taggingWriter) WriteHeader(status int) {
	if t.written {
		t.ResponseWriter.WriteHeader(status)
		return
	}
	t.written = true
	if status == http.StatusOK {
		t.Header().Set("ETag", t.etag)
		if t.held {
			t.notModified = true
			for _, h := range []string{"Content-Type", "Content-Length"} {
				t.Header().Del(h)
			}
			status = http.StatusNotModified
		}
	}
	t.ResponseWriter.WriteHeader(status)
}

func (t *taggingWriter) Write(b []byte) (int, error) {
	if !t.written {
		t.WriteHeader(http.StatusOK)
	}
	if t.notModified {
		return len(b), nil // a 304 has no body
	}
	return t.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (t *taggingWriter) Unwrap() http.ResponseWriter { return t.ResponseWriter }
