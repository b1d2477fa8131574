package navigator

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/ttcproject/ttc/internal/jsonscan"
)

// Layer is one Navigator layer. Optional booleans and numbers are pointers so
// a decoded layer encodes back with the same explicit values.
type Layer struct {
	Name     string    `json:"name"`
	Versions *Versions `json:"versions,omitempty"`
	// Version is the top-level version of layers older than format 4.0.
	Version                       string       `json:"version,omitempty"`
	Domain                        string       `json:"domain"`
	Description                   string       `json:"description,omitempty"`
	CustomDataURL                 string       `json:"customDataURL,omitempty"`
	Filters                       *Filters     `json:"filters,omitempty"`
	Sorting                       *int         `json:"sorting,omitempty"`
	Layout                        *Layout      `json:"layout,omitempty"`
	HideDisabled                  *bool        `json:"hideDisabled,omitempty"`
	Techniques                    []Technique  `json:"techniques,omitempty"`
	Gradient                      *Gradient    `json:"gradient,omitempty"`
	LegendItems                   []LegendItem `json:"legendItems,omitempty"`
	ShowTacticRowBackground       *bool        `json:"showTacticRowBackground,omitempty"`
	TacticRowBackground           string       `json:"tacticRowBackground,omitempty"`
	SelectTechniquesAcrossTactics *bool        `json:"selectTechniquesAcrossTactics,omitempty"`
	SelectSubtechniquesWithParent *bool        `json:"selectSubtechniquesWithParent,omitempty"`
	SelectVisibleTechniques       *bool        `json:"selectVisibleTechniques,omitempty"`
	Metadata                      []Metadata   `json:"metadata,omitempty"`
	Links                         []Link       `json:"links,omitempty"`
}

// Versions names the ATT&CK, Navigator and layer-format versions.
type Versions struct {
	Attack    string `json:"attack,omitempty"`
	Navigator string `json:"navigator"`
	Layer     string `json:"layer"`
}

// Filters limits the matrix to platforms (Stages only in pre-4.0 layers).
type Filters struct {
	Platforms []string `json:"platforms,omitempty"`
	Stages    []string `json:"stages,omitempty"`
}

// Layout is how Navigator draws the matrix.
type Layout struct {
	Layout                string `json:"layout,omitempty"`
	ShowID                *bool  `json:"showID,omitempty"`
	ShowName              *bool  `json:"showName,omitempty"`
	ShowAggregateScores   *bool  `json:"showAggregateScores,omitempty"`
	CountUnscored         *bool  `json:"countUnscored,omitempty"`
	AggregateFunction     string `json:"aggregateFunction,omitempty"`
	ExpandedSubtechniques string `json:"expandedSubtechniques,omitempty"`
}

// Technique annotates one technique, under one tactic or (Tactic empty) all.
type Technique struct {
	TechniqueID       string     `json:"techniqueID"`
	Tactic            string     `json:"tactic,omitempty"`
	Score             *float64   `json:"score,omitempty"`
	Color             string     `json:"color,omitempty"`
	Comment           string     `json:"comment,omitempty"`
	Enabled           *bool      `json:"enabled,omitempty"`
	Metadata          []Metadata `json:"metadata,omitempty"`
	Links             []Link     `json:"links,omitempty"`
	ShowSubtechniques *bool      `json:"showSubtechniques,omitempty"`
}

// Gradient maps scores to colours.
type Gradient struct {
	Colors   []string `json:"colors"`
	MinValue float64  `json:"minValue"`
	MaxValue float64  `json:"maxValue"`
}

// LegendItem is one entry of the legend.
type LegendItem struct {
	Label string `json:"label"`
	Color string `json:"color"`
}

// Metadata is a name/value pair, or a divider line when Divider is set.
type Metadata struct {
	Name    string `json:"name,omitempty"`
	Value   string `json:"value,omitempty"`
	Divider bool   `json:"divider,omitempty"`
}

// Link is a labelled URL, or a divider line when Divider is set.
type Link struct {
	Label   string `json:"label,omitempty"`
	URL     string `json:"url,omitempty"`
	Divider bool   `json:"divider,omitempty"`
}

// Decode reads a layer file: one layer object or an array of layers.
func Decode(r io.Reader) ([]*Layer, error) {
	br := bufio.NewReader(r)
	first, err := firstByte(br)
	if err != nil {
		return nil, fmt.Errorf("read layer: %w", err)
	}
	dec := json.NewDecoder(br)
	if first == '[' {
		var layers []*Layer
		if err := dec.Decode(&layers); err != nil {
			return nil, fmt.Errorf("decode layers: %w", err)
		}
		for i, l := range layers {
			if l == nil {
				return nil, fmt.Errorf("decode layers: element %d is null", i)
			}
		}
		return layers, nil
	}
	var l Layer
	if err := dec.Decode(&l); err != nil {
		return nil, fmt.Errorf("decode layer: %w", err)
	}
	return []*Layer{&l}, nil
}

// firstByte returns the first non-space byte without consuming it.
func firstByte(br *bufio.Reader) (byte, error) {
	for {
		b, err := br.ReadByte()
		if err != nil {
			return 0, err
		}
		if b != ' ' && b != '\t' && b != '\n' && b != '\r' && b != 0xEF && b != 0xBB && b != 0xBF {
			return b, br.UnreadByte()
		}
	}
}

// Encode writes one layer, or an array when given several. A layer made
// from a scan quotes log content, which an actor writes: each character a
// terminal or viewer would act on or hide is written as a \u escape, as
// ttc's other JSON output does (jsonscan.AppendShown).
func Encode(w io.Writer, layers ...*Layer) error {
	var v any = layers
	if len(layers) == 1 {
		v = layers[0]
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("encode layer: %w", err)
	}
	if _, err := w.Write(jsonscan.AppendShown(nil, buf.Bytes())); err != nil {
		return fmt.Errorf("write layer: %w", err)
	}
	return nil
}
