package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
)

// queryParams lists, per API route as routes.go registers it ("GET
// /api/v1/techniques"), the query parameters the OpenAPI document gives
// it, each with whether it may repeat (an array). The document is the
// one list: a parameter it does not name is refused, so a typo
// (?Service=s3) is not read as no filter. It is read when a server is
// built, not when any ttc command starts.
var queryParams = sync.OnceValue(func() map[string]map[string]bool { return mustQueryParams(openapiJSON) })

func mustQueryParams(doc []byte) map[string]map[string]bool {
	var d struct {
		Paths map[string]map[string]struct {
			Parameters []struct {
				Name   string `json:"name"`
				In     string `json:"in"`
				Schema struct {
					Type string `json:"type"`
				} `json:"schema"`
			} `json:"parameters"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(doc, &d); err != nil {
		panic("openapi.json: " + err.Error()) // embedded, and read by the tests
	}
	out := map[string]map[string]bool{}
	for path, ops := range d.Paths {
		for method, op := range ops {
			params := map[string]bool{}
			for _, p := range op.Parameters {
				if p.In == "query" {
					params[p.Name] = p.Schema.Type == "array"
				}
			}
			out[strings.ToUpper(method)+" "+path] = params
		}
	}
	return out
}

// api registers an API handler that first refuses query parameters its
// route does not take, and a parameter of one value given twice.
func (s *Server) api(pattern string, h http.HandlerFunc) (string, http.HandlerFunc) {
	allowed := queryParams()[pattern]
	return pattern, func(w http.ResponseWriter, r *http.Request) {
		if msg := checkQuery(r.URL.RawQuery, allowed); msg != "" {
			s.fail(w, r, http.StatusBadRequest, msg)
			return
		}
		h(w, r)
	}
}

// checkQuery says what is wrong with a query string, or "".
func checkQuery(raw string, allowed map[string]bool) string {
	q, err := url.ParseQuery(raw)
	if err != nil {
		return "query string: " + err.Error()
	}
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		repeats, ok := allowed[k]
		switch {
		case !ok:
			return fmt.Sprintf("unknown query parameter \"%s\"%s", k, takes(allowed))
		case !repeats && len(q[k]) > 1:
			return fmt.Sprintf("query parameter \"%s\" given %d times; it takes one value", k, len(q[k]))
		}
	}
	return ""
}

// takes names the parameters a route takes, for an error.
func takes(allowed map[string]bool) string {
	if len(allowed) == 0 {
		return " (this endpoint takes none)"
	}
	names := make([]string, 0, len(allowed))
	for k := range allowed {
		names = append(names, k)
	}
	slices.Sort(names)
	return " (this endpoint takes " + strings.Join(names, ", ") + ")"
}

// canonical redirects a request whose last path segment names a catalog
// entry in other than its own spelling (t1485, "T1485 ", Amazon S3) to
// the entry's own URL, and reports whether it did: one entry, one URL,
// and a page never shows a name as the URL spelled it.
func canonical(w http.ResponseWriter, r *http.Request, given, want string) bool {
	if given == want {
		return false
	}
	u := *r.URL
	u.Path = strings.TrimSuffix(r.URL.Path, given) + want
	u.RawPath = ""
	if isAPI(r) {
		// No HTML body in the API: the Location says it all.
		w.Header().Set("Location", u.RequestURI())
		w.WriteHeader(http.StatusMovedPermanently)
		return true
	}
	http.Redirect(w, r, u.RequestURI(), http.StatusMovedPermanently)
	return true
}
