package view

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/ttcproject/ttc/internal/catalog"
	"github.com/ttcproject/ttc/internal/jsonscan"
)

// Format is an output format.
type Format string

// The output formats; not every command offers all of them.
const (
	Table     Format = "table"
	JSON      Format = "json"
	YAML      Format = "yaml"
	Markdown  Format = "markdown"
	JSONL     Format = "jsonl"
	HTML      Format = "html"
	Navigator Format = "navigator"
)

// ListFormats are the formats every catalog listing offers.
var ListFormats = []Format{Table, JSON, YAML, Markdown}

// ParseFormat checks s against the allowed formats.
func ParseFormat(s string, allowed []Format) (Format, error) {
	f := Format(strings.ToLower(strings.TrimSpace(s)))
	if slices.Contains(allowed, f) {
		return f, nil
	}
	names := make([]string, len(allowed))
	for i, a := range allowed {
		names[i] = string(a)
	}
	return "", fmt.Errorf("unknown output format \"%s\": want %s", s, strings.Join(names, ", "))
}

// Document is the envelope of every JSON and YAML output.
type Document struct {
	SchemaVersion string `json:"schema_version" yaml:"schema_version"`
	Kind          string `json:"kind" yaml:"kind"`
	Count         *int   `json:"count,omitempty" yaml:"count,omitempty"`
	Items         any    `json:"items,omitempty" yaml:"items,omitempty"`
	Item          any    `json:"item,omitempty" yaml:"item,omitempty"`
}

// List wraps items as a document of the given kind.
func List[T any](kind string, items []T) Document {
	if items == nil {
		items = []T{}
	}
	n := len(items)
	return Document{SchemaVersion: catalog.SchemaVersion, Kind: kind, Count: &n, Items: items}
}

// One wraps a single item as a document of the given kind.
func One(kind string, item any) Document {
	return Document{SchemaVersion: catalog.SchemaVersion, Kind: kind, Item: item}
}

// WriteJSON writes v indented, with a final newline. HTML characters are
// escaped so that the output is safe to embed, and so is each character a
// terminal would act on or hide (bidirectional overrides, zero-width and
// blank characters, jsonscan.AppendShown), as scan reports write them:
// catalog overlays and imported ATT&CK data are third-party text too.
func WriteJSON(w io.Writer, v any) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(jsonscan.AppendShown(nil, b.Bytes()))
	return err
}

// WriteYAML writes v as YAML by way of its JSON form, so that both formats
// use the same field names.
func WriteYAML(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode yaml: %w", err)
	}
	var generic any
	if err := yaml.Unmarshal(b, &generic); err != nil {
		return fmt.Errorf("encode yaml: %w", err)
	}
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(generic); err != nil {
		return fmt.Errorf("encode yaml: %w", err)
	}
	return enc.Close()
}

// WriteDoc writes a document in JSON or YAML.
func WriteDoc(w io.Writer, f Format, d Document) error {
	if f == YAML {
		return WriteYAML(w, d)
	}
	return WriteJSON(w, d)
}
