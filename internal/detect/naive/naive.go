// Package naive is the slow reference path for ttc's Sigma engine: it
// decodes each record with encoding/json into a map and evaluates every
// rule on it, with no index and no lazy field reading. It exists to measure
// internal/detect against the approach other Go Sigma engines take, and to
// cross-check its results.
package naive

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/ttcproject/ttc/internal/detect"
)

// Matcher matches records by decoding them first.
type Matcher struct {
	m *detect.Matcher
}

// New returns a naive Matcher over the rules of m.
func New(m *detect.Matcher) *Matcher {
	return &Matcher{m: m}
}

// Match decodes record and evaluates every rule against it.
func (n *Matcher) Match(record []byte) ([]detect.Match, error) {
	dec := json.NewDecoder(bytes.NewReader(record))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("decode record: %w", err)
	}
	return n.m.MatchDecoded(doc), nil
}
