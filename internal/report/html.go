package report

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"strings"

	"github.com/ttcproject/ttc/internal/scan"
)

//go:embed report.html.tmpl
var htmlTemplate string

var reportTmpl = template.Must(template.New("report").Funcs(template.FuncMap{
	"event": eventLabel,
	"join":  strings.Join,
	"dash":  orDash,
}).Parse(htmlTemplate))

// WriteHTML writes a self-contained HTML report: no scripts, no external
// resources, every record value escaped by html/template.
func WriteHTML(w io.Writer, res *scan.Result, tactics tacticNamer, opts Options) error {
	data := struct {
		Document
		Line    string
		Tactics tacticNamer
	}{Build(res, Options{GroupByActor: true}), SummaryLine(res.Summary), tactics}
	if err := reportTmpl.Execute(w, data); err != nil {
		return fmt.Errorf("write html report: %w", err)
	}
	return nil
}
