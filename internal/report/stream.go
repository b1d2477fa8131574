package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/ttcproject/ttc/internal/catalog"
	"github.com/ttcproject/ttc/internal/jsonscan"
	"github.com/ttcproject/ttc/internal/scan"
)

// The reports read a result's findings with scan.Result.Each, once to sum
// them up and once to list them, and never hold them all: a scan that
// spilled hundreds of thousands of findings to disk is reported in flat
// memory too.

// tally is what a report says of all findings before it lists them: the
// count of each technique. What each actor did is said per actor, as its
// findings are read (eachTimeline), so that a report holds one actor at a
// time however many there are.
type tally struct {
	counts []TechniqueCount
}

// total is how many findings there are.
func (t tally) total() int {
	n := 0
	for _, c := range t.counts {
		n += c.Findings
	}
	return n
}

// tallyOf reads res's findings once to sum them up.
func tallyOf(res *scan.Result) (tally, error) {
	tc := newTechniqueCounter()
	err := res.Each(func(f *scan.Finding) error {
		tc.add(f)
		return nil
	})
	if err != nil {
		return tally{}, err
	}
	return tally{counts: tc.counts()}, nil
}

// Tally counts res's findings per technique, most seen first, reading them
// back from disk when the scan spilled them.
func Tally(res *scan.Result) ([]TechniqueCount, error) {
	t, err := tallyOf(res)
	return t.counts, err
}

// eachTimeline reads res's findings grouped by actor, the actor seen first
// first, and calls fn with each actor's timeline (without its findings),
// how many findings it has, and the group to read them from.
func eachTimeline(res *scan.Result, fn func(a ActorTimeline, n int, g *scan.Group) error) error {
	return res.EachGroup(ActorKey, func(g *scan.Group) error {
		var tb timelineBuilder
		if err := g.Each(func(f *scan.Finding) error {
			tb.add(f)
			return nil
		}); err != nil {
			return err
		}
		a := tb.out[0]
		a.withSessions(res.Sessions)
		return fn(a, g.N, g)
	})
}

// eachByActor reads res's findings grouped by actor, in the order of
// eachTimeline, in one pass, for the reports that need not say what an
// actor did before they list its findings: it calls start with the
// actor's key before its first finding, and row with each finding.
func eachByActor(res *scan.Result, start func(actor string) error, row func(f *scan.Finding) error) error {
	last, started := "", false
	return res.EachGrouped(ActorKey, func(f *scan.Finding) error {
		if k := ActorKey(f); !started || k != last {
			last, started = k, true
			if err := start(k); err != nil {
				return err
			}
		}
		return row(f)
	})
}

// ActorKey is the actor a report counts and groups a finding under: its
// TimelineKey, cut when it is too long to hold for every actor.
func ActorKey(f *scan.Finding) string { return scan.GroupKey(f.TimelineKey()) }

// errEnough stops reading findings once a report has all it shows.
var errEnough = errors.New("enough findings")

// ignoreEnough turns errEnough into success.
func ignoreEnough(err error) error {
	if errors.Is(err, errEnough) {
		return nil
	}
	return err
}

// WriteJSON writes the scan as one JSON document, indented by two spaces,
// listing the findings as it reads them.
func WriteJSON(w io.Writer, res *scan.Result, opts Options) error {
	t, err := tallyOf(res)
	if err != nil {
		return err
	}
	jw := &jsonDoc{w: bufio.NewWriterSize(w, 256<<10)}
	jw.raw("{")
	jw.field("  ", "schema_version", catalog.SchemaVersion, true)
	jw.field("  ", "kind", "scan", false)
	jw.field("  ", "summary", res.Summary, false)
	jw.field("  ", "techniques", t.counts, false)
	if opts.GroupByActor && t.total() == 0 {
		jw.raw(",\n  \"actors\": []")
	} else if opts.GroupByActor {
		jw.raw(",\n  \"actors\": [")
		actors := 0
		err := eachTimeline(res, func(a ActorTimeline, _ int, g *scan.Group) error {
			if actors > 0 {
				jw.raw(",")
			}
			actors++
			// The timeline's other fields, then its findings, which come last.
			b, err := json.MarshalIndent(a, "    ", "  ")
			if err != nil {
				return fmt.Errorf("write json report: %w", err)
			}
			b = jsonscan.AppendShown(nil, b) // log text, as findings write it
			b = bytes.TrimSuffix(b, []byte("\n    }"))
			b = bytes.TrimSuffix(b, []byte(`"findings": null`))
			jw.raw("\n    ")
			jw.w.Write(b)
			jw.raw("\"findings\": [")
			if _, err := jw.findingList("        ", g.Each); err != nil {
				return err
			}
			jw.raw("\n      ]\n    }")
			return jw.err
		})
		if err != nil {
			return err
		}
		jw.raw("\n  ]")
	} else {
		// Ungrouped, the findings are one list; grouped, each is listed
		// once, under its actor, not in both.
		jw.raw(",\n  \"findings\": [")
		n, err := jw.findingList("    ", res.Each)
		if err != nil {
			return err
		}
		if n > 0 {
			jw.raw("\n  ")
		}
		jw.raw("]")
	}
	jw.field("  ", "rejections", res.Rejections, false)
	jw.field("  ", "skipped_files", res.Skipped, false)
	warnings := res.Warnings
	if warnings == nil {
		warnings = []scan.Rejection{} // [], never null
	}
	jw.field("  ", "warnings", warnings, false)
	jw.raw("\n}\n")
	if jw.err == nil {
		jw.err = jw.w.Flush()
	}
	if jw.err != nil {
		return fmt.Errorf("write json report: %w", jw.err)
	}
	return nil
}

// jsonDoc writes an indented JSON document piece by piece, the way
// encoding/json's indenting encoder would write it whole.
type jsonDoc struct {
	w   *bufio.Writer
	buf []byte
	ind bytes.Buffer
	err error
}

// findingList writes the findings each hands on as the items of an array,
// at indent, and returns how many it wrote.
func (d *jsonDoc) findingList(indent string, each func(func(*scan.Finding) error) error) (int, error) {
	n := 0
	err := each(func(f *scan.Finding) error {
		d.finding(indent, f, n == 0)
		n++
		return d.err
	})
	return n, err
}

func (d *jsonDoc) raw(s string) {
	if d.err == nil {
		_, d.err = d.w.WriteString(s)
	}
}

// field writes "key": value at the indent given, after a comma unless first.
func (d *jsonDoc) field(indent, key string, v any, first bool) {
	if d.err != nil {
		return
	}
	b, err := json.MarshalIndent(v, indent, "  ")
	if err != nil {
		d.err = err
		return
	}
	b = jsonscan.AppendShown(nil, b) // rejections name files and keys of logs
	if !first {
		d.raw(",")
	}
	d.raw("\n" + indent + `"` + key + `": `)
	if d.err == nil {
		_, d.err = d.w.Write(b)
	}
}

// finding writes f as an element of an array at the indent given.
func (d *jsonDoc) finding(indent string, f *scan.Finding, first bool) {
	if d.err != nil {
		return
	}
	d.buf = f.AppendJSON(d.buf[:0])
	d.ind.Reset()
	if d.err = json.Indent(&d.ind, d.buf, indent, "  "); d.err != nil {
		return
	}
	if !first {
		d.raw(",")
	}
	d.raw("\n" + indent)
	if d.err == nil {
		_, d.err = d.w.Write(d.ind.Bytes())
	}
}
