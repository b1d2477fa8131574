package server

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"html"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strconv"
	"strings"

	"github.com/ttcproject/ttc/internal/catalog"
	"github.com/ttcproject/ttc/internal/report"
	"github.com/ttcproject/ttc/internal/scan"
	"github.com/ttcproject/ttc/internal/view"
)

//go:embed templates/*.tmpl
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

//go:embed openapi.json
var openapiJSON []byte

// pages holds one parsed template set per page, each with the shared layout.
type pages struct {
	sets map[string]*template.Template
}

// page is what every template receives.
type page struct {
	Title string
	// Nav names the active navigation entry.
	Nav string
	// Terms are the search terms to highlight.
	Terms []string
	Stats stats
	Body  any
}

type navItem struct{ Key, Label, Href string }

var nav = []navItem{
	{"matrix", "Matrix", "/matrix"},
	{"techniques", "Techniques", "/techniques"},
	{"tactics", "Tactics", "/tactics"},
	{"services", "Services", "/services"},
	{"mitigations", "Mitigations", "/mitigations"},
	{"scan", "Scan", "/scan"},
}

// grid is what the matrix partial renders.
type grid struct {
	Columns []view.MatrixColumn
	Terms   []string
	// Open unfolds every technique; OpenIDs only those listed.
	Open    bool
	OpenIDs map[string]bool
	// Observed counts findings per technique, on the scan page.
	Observed map[string]int
}

// techList is what the technique table partial renders.
type techList struct {
	Items []catalog.TechniqueSummary
	Terms []string
}

type stats struct {
	Techniques, Tactics, Services, Mitigations int
}

func loadPages(c *catalog.Catalog) (*pages, error) {
	md := markdown{known: func(id string) bool { _, ok := c.Technique(id); return ok }}
	funcs := template.FuncMap{
		"md":      md.Render,
		"inline":  md.Inline,
		"hl":      highlight,
		"safeURL": func(s string) string { u, _ := safeURL(s); return u },
		"tactic": func(id string) string {
			if t, ok := c.AttackTactic(id); ok {
				return t.Name
			}
			return id
		},
		"service": func(key string) string {
			if s, ok := c.Service(key); ok {
				return s.Name
			}
			return key
		},
		"eventPath": func(e string) string { return "/events/" + e },
		// breakable lets a browser break an event or host name only after
		// its ':' and '.': "cloudtrail:<wbr>PutInsightSelectors", not
		// "PutInsightSelector|s".
		"breakable": breakable,
		"attackURL": attackURL,
		"plural": func(n int, one, many string) string {
			if n == 1 {
				return fmt.Sprintf("%d %s", n, one)
			}
			return fmt.Sprintf("%d %s", n, many)
		},
		"records": func(n int64) string { // a rejection's count of records before it
			if n == 1 {
				return "1 record"
			}
			return fmt.Sprintf("%d records", n)
		},
		"join": strings.Join,
		"line": view.Line, // request or record text: control and invisible characters escaped
		// clean is line for imported prose (ATT&CK's), which keeps its
		// line breaks for the Markdown renderer.
		"clean": view.Clean,
		"short": shortName,
		// eventLabel writes a finding's event in the catalog's
		// service:EventName notation, with a correlation's count, as the
		// reports' tables do; timelineKey is the actor they file it under.
		"eventLabel":  report.EventLabel,
		"timelineKey": func(f scan.Finding) string { return f.TimelineLabel() },
		"targetText":  report.TargetText,
		"matchedText": report.MatchedText,
		"mitigation": func(id string) *catalog.Mitigation {
			m, _ := c.Mitigation(id)
			return m
		},
		"isJSON": func(s string) bool { return json.Valid([]byte(s)) && strings.HasPrefix(strings.TrimSpace(s), "{") },
		"size": func(n int64) string { // an upload limit: whole MiB as such
			if n >= 1<<20 && n%(1<<20) == 0 {
				return fmt.Sprintf("%d MiB", n>>20)
			}
			return report.HumanBytes(n)
		},
		"navItems": func() []navItem { return nav },
		"gridOf": func(cols []view.MatrixColumn, terms []string, open bool, obs map[string]int) grid {
			return grid{Columns: cols, Terms: terms, Open: open, Observed: obs}
		},
		"listOf": func(items []catalog.TechniqueSummary, terms []string) techList {
			return techList{Items: items, Terms: terms}
		},
	}
	base, err := template.New("").Funcs(funcs).ParseFS(templateFS, "templates/_*.tmpl")
	if err != nil {
		return nil, fmt.Errorf("parse layout: %w", err)
	}
	names, err := fs.Glob(templateFS, "templates/[a-z]*.tmpl")
	if err != nil {
		return nil, fmt.Errorf("list templates: %w", err)
	}
	p := &pages{sets: map[string]*template.Template{}}
	for _, n := range names {
		t, err := template.Must(base.Clone()).ParseFS(templateFS, n)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", n, err)
		}
		p.sets[strings.TrimSuffix(path.Base(n), ".tmpl")] = t
	}
	return p, nil
}

// shortName drops the parent's name from a sub-technique's name
// ("Impair Defenses: Disable Cloud Logs" → "Disable Cloud Logs"), for the matrix.
func shortName(name string) string {
	if _, after, ok := strings.Cut(name, ": "); ok && after != "" {
		return after
	}
	return name
}

// attackURL is MITRE's page for an ATT&CK technique ID (T1562.008 → T1562/008).
func attackURL(id string) string {
	return "https://attack.mitre.org/techniques/" + strings.ReplaceAll(id, ".", "/") + "/"
}

// render executes a page into a buffer first, so that a template error becomes
// a clean 500 instead of half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, p page) {
	t, ok := s.pages.sets[name]
	if !ok {
		s.log.Error("render page", "page", name, "error", "no such template")
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	p.Stats = stats{
		Techniques: len(s.cat.Techniques()), Tactics: len(s.cat.Tactics()),
		Services: len(s.cat.Services()), Mitigations: len(s.cat.Mitigations()),
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		s.log.Error("render page", "page", name, "error", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(buf.Bytes())
	}
}

// retryLater tells the client of a 503 (every scan slot taken, or a
// scan past its time) when to try again: after about as long as an
// upload waits for a slot.
func retryLater(w http.ResponseWriter, status int) {
	if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", strconv.Itoa(max(1, int(scanQueueWait.Seconds()+0.5))))
	}
}

// fail answers an error in the request's language: JSON under /api, a page elsewhere.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, status int, msg string) {
	if isAPI(r) {
		s.apiError(w, status, msg)
		return
	}
	retryLater(w, status)
	s.render(w, r, status, "error", page{
		Title: http.StatusText(status),
		Body:  ErrorDetail{Status: status, Message: view.Line(msg)}, // it may quote the request
	})
}

// breakable escapes s for HTML with a <wbr> after each ':' and '.', the
// only places a page's CSS lets an event or host name break.
func breakable(s string) template.HTML {
	var b strings.Builder
	for {
		i := strings.IndexAny(s, ":.")
		if i < 0 {
			b.WriteString(html.EscapeString(s))
			return template.HTML(b.String())
		}
		b.WriteString(html.EscapeString(s[:i+1]) + "<wbr>")
		s = s[i+1:]
	}
}
