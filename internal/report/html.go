package report

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"strings"

	"github.com/ttcproject/ttc/internal/scan"
	"github.com/ttcproject/ttc/internal/view"
)

//go:embed report.html.tmpl
var htmlTemplate string

var reportTmpl = template.Must(template.New("report").Funcs(template.FuncMap{
	"event": eventLabel,
	"join":  strings.Join,
	"dash":  orDash,
	"count": func(n int, one, many string) string { return count(int64(n), one, many) },
}).Parse(htmlTemplate))

// WriteHTML writes a self-contained HTML report: no scripts, no external
// resources, every record value escaped by html/template.
func WriteHTML(w io.Writer, res *scan.Result, tactics tacticNamer, opts Options) error {
	data := struct {
		Document
		Line    string
		Tactics tacticNamer
	}{Build(Sanitise(res), Options{GroupByActor: true}), SummaryLine(res.Summary), tactics}
	if err := reportTmpl.Execute(w, data); err != nil {
		return fmt.Errorf("write html report: %w", err)
	}
	return nil
}

// Sanitise returns a copy of res whose record values and file names went
// through view.Line: html/template escapes markup but passes control and
// invisible characters through, and an HTML page should show a forged
// value the way the text outputs do.
func Sanitise(res *scan.Result) *scan.Result {
	out := *res
	out.Findings = make([]scan.Finding, len(res.Findings))
	for i, f := range res.Findings {
		for _, p := range []*string{&f.EventID, &f.EventTime, &f.EventSource, &f.EventName, &f.AWSRegion,
			&f.RecipientAccountID, &f.ErrorCode, &f.ErrorMessage, &f.Actor.Type, &f.Actor.ARN, &f.Actor.PrincipalID,
			&f.Actor.AccountID, &f.Actor.UserName, &f.Actor.AccessKeyID, &f.Actor.SessionIssuer, &f.Actor.InvokedBy,
			&f.Actor.SourceIP, &f.Actor.UserAgent, &f.TechniqueName, &f.Rule.ID, &f.Rule.Title, &f.Record.File} {
			*p = view.Line(*p)
		}
		out.Findings[i] = f
	}
	out.Rejections = lineFiles(res.Rejections)
	out.Skipped = lineFiles(res.Skipped)
	return &out
}

func lineFiles(rs []scan.Rejection) []scan.Rejection {
	out := make([]scan.Rejection, len(rs))
	for i, r := range rs {
		r.File, r.Reason = view.Line(r.File), view.Line(r.Reason)
		out[i] = r
	}
	return out
}
