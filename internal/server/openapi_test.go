package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/ttcproject/ttc/internal/catalog"
)

// openAPI is the part of the OpenAPI document the checks read.
type openAPI struct {
	Paths map[string]map[string]struct {
		Parameters []struct {
			Name     string `json:"name"`
			In       string `json:"in"`
			Required bool   `json:"required"`
			Example  any    `json:"example"`
		} `json:"parameters"`
		Responses map[string]struct {
			Content map[string]struct {
				Schema json.RawMessage `json:"schema"`
			} `json:"content"`
		} `json:"responses"`
	} `json:"paths"`
}

const specURL = "https://ttc.invalid/openapi.json"

// schemaChecker compiles the response schemas of the OpenAPI document.
type schemaChecker struct {
	doc openAPI
	c   *jsonschema.Compiler
}

func newSchemaChecker(t testing.TB) *schemaChecker {
	t.Helper()
	var sc schemaChecker
	if err := json.Unmarshal(openapiJSON, &sc.doc); err != nil {
		t.Fatalf("parse openapi.json: %v", err)
	}
	raw, err := jsonschema.UnmarshalJSON(bytes.NewReader(openapiJSON))
	if err != nil {
		t.Fatal(err)
	}
	sc.c = jsonschema.NewCompiler()
	sc.c.DefaultDraft(jsonschema.Draft2020)
	if err := sc.c.AddResource(specURL, raw); err != nil {
		t.Fatal(err)
	}
	return &sc
}

// check validates body against the schema documented for path, method and status.
func (sc *schemaChecker) check(path, method string, status int, body []byte) error {
	op, ok := sc.doc.Paths[path][strings.ToLower(method)]
	if !ok {
		return fmt.Errorf("%s %s is not documented", method, path)
	}
	resp, ok := op.Responses[strconv.Itoa(status)]
	if !ok {
		return fmt.Errorf("%s %s: status %d is not documented", method, path, status)
	}
	if _, ok := resp.Content["application/json"]; !ok {
		return fmt.Errorf("%s %s: status %d has no JSON schema", method, path, status)
	}
	ptr := "#/paths/" + escapePointer(path) + "/" + strings.ToLower(method) + "/responses/" +
		strconv.Itoa(status) + "/content/application~1json/schema"
	sch, err := sc.c.Compile(specURL + ptr)
	if err != nil {
		return fmt.Errorf("compile schema %s: %w", ptr, err)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("%s %s: answer is not JSON: %w", method, path, err)
	}
	if err := sch.Validate(v); err != nil {
		return fmt.Errorf("%s %s: answer does not fit the schema: %w", method, path, err)
	}
	return nil
}

func escapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// example builds a request target for a documented GET from its parameter examples.
func (sc *schemaChecker) example(path string) string {
	op := sc.doc.Paths[path]["get"]
	q := url.Values{}
	target := path
	for _, p := range op.Parameters {
		switch {
		case p.In == "path":
			target = strings.ReplaceAll(target, "{"+p.Name+"}", fmt.Sprint(p.Example))
		case p.In == "query" && p.Example != nil:
			if list, ok := p.Example.([]any); ok {
				for _, v := range list {
					q.Add(p.Name, fmt.Sprint(v))
				}
			} else {
				q.Set(p.Name, fmt.Sprint(p.Example))
			}
		}
	}
	if len(q) > 0 {
		target += "?" + q.Encode()
	}
	return target
}

// TestOpenAPI checks that every documented path answers, that the answers
// fit the documented schemas (errors included), and that every API route is
// documented.
func TestOpenAPI(t *testing.T) {
	sc := newSchemaChecker(t)
	s := newServer(t, fixture(t), nil)
	checkAPI(t, sc, s)
}

func checkAPI(t *testing.T, sc *schemaChecker, s *Server) {
	h := s.Handler()
	paths := make([]string, 0, len(sc.doc.Paths))
	for p := range sc.doc.Paths {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		if _, ok := sc.doc.Paths[p]["get"]; !ok {
			continue
		}
		for _, target := range []string{sc.example(p), p} {
			t.Run("GET "+target, func(t *testing.T) {
				if strings.Contains(target, "{") {
					// The bare template of a path with parameters must be a documented 404.
					target = strings.NewReplacer("{id}", "NOPE", "{key}", "nope").Replace(target)
				}
				rec := do(t, h, http.MethodGet, target, nil)
				if rec.Code >= 500 {
					t.Fatalf("status %d", rec.Code)
				}
				if err := sc.check(p, "GET", rec.Code, rec.Body.Bytes()); err != nil {
					t.Error(err)
				}
			})
		}
	}
	t.Run("POST /api/v1/scan", func(t *testing.T) {
		body, ct := multipartFile(t, "file", "trail.json", sampleLog(t))
		rec := do(t, h, http.MethodPost, "/api/v1/scan", body, "Content-Type", ct)
		if rec.Code != http.StatusOK {
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
		if err := sc.check("/api/v1/scan", "POST", rec.Code, rec.Body.Bytes()); err != nil {
			t.Error(err)
		}
		// A finding whose actor has every field the API can send, so that
		// the schema (which allows no other) must list each.
		full := `{"Records":[{"eventVersion":"1.10","eventTime":"2026-05-11T03:12:09Z",` +
			`"eventSource":"cloudtrail.amazonaws.com","eventName":"DeleteTrail","awsRegion":"us-east-1",` +
			`"sourceIPAddress":"cloudformation.amazonaws.com","userAgent":"cloudformation.amazonaws.com",` +
			`"errorCode":"AccessDenied","errorMessage":"not allowed","eventID":"full-actor","recipientAccountId":"111122223333",` +
			`"readOnly":false,"userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLE:deploy",` +
			`"arn":"arn:aws:sts::111122223333:assumed-role/deployer/deploy","accountId":"111122223333",` +
			`"accessKeyId":"ASIAEXAMPLE","userName":"deployer","invokedBy":"cloudformation.amazonaws.com",` +
			`"sessionContext":{"sessionIssuer":{"type":"Role","arn":"arn:aws:iam::111122223333:role/deployer"}},` +
			`"onBehalfOf":{"userId":"c2a5f4e8-7091-70d4-1b3e-8f6a2d9c4e17","identityStoreArn":"arn:aws:identitystore::111122223333:identitystore/d-9367a1b2c3"}}}]}`
		rec = do(t, h, http.MethodPost, "/api/v1/scan", strings.NewReader(full), "Content-Type", "application/json")
		if !strings.Contains(rec.Body.String(), `"invoked_by"`) || !strings.Contains(rec.Body.String(), `"session_issuer"`) ||
			!strings.Contains(rec.Body.String(), `"identity_store_arn"`) {
			t.Fatalf("status %d: no finding with a full actor: %.500s", rec.Code, rec.Body)
		}
		if err := sc.check("/api/v1/scan", "POST", rec.Code, rec.Body.Bytes()); err != nil {
			t.Error(err)
		}
		rec = do(t, h, http.MethodPost, "/api/v1/scan", strings.NewReader(""), "Content-Type", "multipart/form-data; boundary=x")
		if err := sc.check("/api/v1/scan", "POST", rec.Code, rec.Body.Bytes()); err != nil {
			t.Error(err)
		}
		// Several files in one form, one of them with a rejected record,
		// as the document describes them.
		body, ct = multipartForm(t, fileParts("a.json", string(sampleLog(t)), "b.jsonl", "{\"hello\":1}\n"))
		rec = do(t, h, http.MethodPost, "/api/v1/scan", body, "Content-Type", ct)
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"file": "b.jsonl"`) {
			t.Errorf("two files: status %d: %.300s", rec.Code, rec.Body)
		}
		if err := sc.check("/api/v1/scan", "POST", rec.Code, rec.Body.Bytes()); err != nil {
			t.Error(err)
		}
	})
	t.Run("every route documented", func(t *testing.T) {
		for _, route := range apiRoutes(t) {
			method, path, _ := strings.Cut(route, " ")
			if _, ok := sc.doc.Paths[path][strings.ToLower(method)]; !ok {
				t.Errorf("route %s is not in openapi.json", route)
			}
		}
	})
}

// apiRoutes reads the API patterns registered in routes.go, so that a route
// added without documentation fails the test.
func apiRoutes(t *testing.T) []string {
	src, err := os.ReadFile("routes.go")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, line := range strings.Split(string(src), "\n") {
		_, rest, ok := strings.Cut(line, `mux.HandleFunc("`)
		if !ok {
			_, rest, ok = strings.Cut(line, `mux.HandleFunc(s.api("`)
		}
		if !ok {
			continue
		}
		pattern, _, _ := strings.Cut(rest, `"`)
		if strings.Contains(pattern, " /api/") {
			out = append(out, pattern)
		}
	}
	if len(out) < 10 {
		t.Fatalf("found only %d API routes in routes.go", len(out))
	}
	return out
}

// multipartFile builds a form with one file field.
func multipartFile(t testing.TB, field, name string, data []byte) (*bytes.Buffer, string) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	fw, err := mw.CreateFormFile(field, name)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return &b, mw.FormDataContentType()
}

// TestOpenAPIEmbeddedCatalog checks every technique, service and
// mitigation of the embedded catalog, as the API serves it, against the
// OpenAPI document: the fixture catalog cannot hold every shape the real
// one does (a Cognito endpoint event with '_' broke the event pattern).
func TestOpenAPIEmbeddedCatalog(t *testing.T) {
	sc := newSchemaChecker(t)
	c, err := catalog.Open()
	if err != nil {
		t.Fatal(err)
	}
	h := newServer(t, c, nil).Handler()
	var targets []string
	for _, tq := range c.Techniques() {
		targets = append(targets, "/api/v1/techniques/"+tq.ID)
	}
	for _, s := range c.Services() {
		targets = append(targets, "/api/v1/services/"+s.Key)
	}
	for _, m := range c.Mitigations() {
		targets = append(targets, "/api/v1/mitigations/"+m.ID)
	}
	for _, target := range targets {
		doc := "/api/v1/" + strings.SplitN(strings.TrimPrefix(target, "/api/v1/"), "/", 2)[0]
		doc += map[string]string{"/api/v1/services": "/{key}"}[doc]
		if !strings.HasSuffix(doc, "}") {
			doc += "/{id}"
		}
		rec := do(t, h, http.MethodGet, target, nil)
		if rec.Code != http.StatusOK {
			t.Errorf("GET %s: status %d", target, rec.Code)
			continue
		}
		if err := sc.check(doc, "GET", rec.Code, rec.Body.Bytes()); err != nil {
			t.Errorf("GET %s: %v", target, err)
		}
	}
}

// TestQueryParametersChecked checks that every API route refuses a query
// parameter the OpenAPI document does not give it, and a one-value
// parameter given twice, with a documented 400; and takes what it lists.
func TestQueryParametersChecked(t *testing.T) {
	sc := newSchemaChecker(t)
	h := newServer(t, fixture(t), nil).Handler()
	for _, route := range apiRoutes(t) {
		method, p, _ := strings.Cut(route, " ")
		target := strings.NewReplacer("{id}", "T1485", "{key}", "s3").Replace(p)
		t.Run(route, func(t *testing.T) {
			rec := do(t, h, method, target+"?Service=s3", nil)
			if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `unknown query parameter \"Service\"`) {
				t.Errorf("?Service=s3: status %d: %s; want 400 naming the parameter", rec.Code, rec.Body)
			}
			if err := sc.check(p, method, rec.Code, rec.Body.Bytes()); err != nil {
				t.Error(err)
			}
		})
	}
	for target, want := range map[string]int{
		"/api/v1/techniques?aws_specific=true&aws_specific=false": http.StatusBadRequest,
		"/api/v1/search?q=s3&q=iam":                               http.StatusBadRequest,
		"/api/v1/techniques?service=s3&service=iam&tactic=impact": http.StatusOK,
		"/api/v1/matrix?event=s3:CopyObject&event=StopLogging":    http.StatusOK,
		"/api/v1/mitigations?service=s3":                          http.StatusOK,
	} {
		if rec := do(t, h, http.MethodGet, target, nil); rec.Code != want {
			t.Errorf("%s: status %d, want %d: %s", target, rec.Code, want, rec.Body)
		}
	}
}
