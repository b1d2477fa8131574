package cloudtrail

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

// TestNestedOpenLinesLinear checks that lines that each leave a bracket
// open, every one inside the one before, cost linear work: each is one
// rejected record, and reading each again up to where the one before it
// failed made a few megabytes of them take minutes. The work is counted,
// not timed: the bytes scanned, skipped and counted for lines must stay
// within a small multiple of the input (the old reader needed about half
// the input per line).
func TestNestedOpenLinesLinear(t *testing.T) {
	const n = 3000
	rep := strings.Repeat
	filler := rep(" 1,\n", 20)
	tests := []struct {
		name    string
		in      string
		names   int // records produced
		rejects int
		reason  string // a substring of every rejection but the last ones told apart below
	}{
		{name: "open to the end", in: recA + "\n" + rep("{\"a\":[\n", n),
			names: 1, rejects: n, reason: "still open at end of input"},
		{name: "open to the end, with lines between", in: recA + "\n" + rep("{\"a\":[\n"+filler, n),
			names: 1, rejects: n, reason: "still open at end of input"},
		{name: "open to an error", in: recA + "\n" + rep("{\"a\":[\n", n) + "x\n" + recB + "\n",
			names: 2, rejects: n, reason: "value expected"},
		{name: "open to a control character", in: recA + "\n" + rep("{\"a\":[\n", n) + "\"a\tb\"\n" + recB + "\n",
			names: 2, rejects: n, reason: "control character"},
		{name: "open past the nesting limit", in: recA + "\n" + rep("{\"\":\n", maxDepth+n),
			names: 1, rejects: maxDepth + n},
		{name: "stray containers open to the end", in: recA + "\n" + rep("{\"Records\":[\n", n),
			names: 1, rejects: n, reason: "still open at end of input"},
		{name: "stray containers open to a control character", in: recA + "\n" + rep("{\"Records\":[\n", n) + "\"a\tb\"\n" + recB + "\n",
			names: 2, rejects: n, reason: "still open at the start of line"},
		{name: "stray containers in open lines", in: recA + "\n" + rep("{\"a\":[\n{\"Records\":[\n", n),
			names: 1, rejects: 2 * n},
		{name: "open lines with records between", in: recA + "\n" + rep("{\"a\":[\n"+recB+",\n", n),
			names: 1 + n, rejects: 2 * n},
	}
	for _, tt := range tests {
		for _, o := range []Options{{}, {BufferSize: 5}} {
			t.Run(fmt.Sprintf("%s/%d", tt.name, o.BufferSize), func(t *testing.T) {
				r := NewReader(o)
				r.Reset(strings.NewReader(tt.in), "in")
				names, rejects := 0, 0
				for {
					_, err := r.Next()
					var re *RecordError
					if errors.As(err, &re) {
						if rejects++; tt.reason != "" && rejects < tt.rejects-1 && !strings.Contains(re.Reason, tt.reason) {
							t.Fatalf("rejection %d: %v, want %q", rejects, re, tt.reason)
						}
						continue
					}
					if err == io.EOF {
						break
					}
					if err != nil {
						t.Fatal(err)
					}
					names++
				}
				if names != tt.names || rejects != tt.rejects {
					t.Errorf("%d records and %d rejections, want %d and %d", names, rejects, tt.names, tt.rejects)
				}
				if limit := 16 * int64(len(tt.in)); r.steps > limit {
					t.Errorf("%d steps for %d bytes, want at most %d", r.steps, len(tt.in), limit)
				}
			})
		}
	}
}

// TestNestedRefusedLines checks that lines still open inside a lone object
// refused for its nesting, where it was refused, are refused with it, each
// one rejected record, and reading goes on after them: a line among them
// is not read again with the nesting it has of its own, which would scan
// the same bytes again for each.
func TestNestedRefusedLines(t *testing.T) {
	const n = maxDepth/2 + 10 // each line nests two levels
	in := recA + "\n" + strings.Repeat("{\"\":[\n", n) + "1" + strings.Repeat("]}", n) + "\n" + recB + "\n"
	readBothBuffers(t, in, nil, func(_ Options, res result) {
		if names := eventNames(t, res.raws); fmt.Sprint(names) != "[A B]" {
			t.Errorf("records %v, want [A B]", names)
		}
		refused := 0
		for _, re := range res.rejects {
			if strings.Contains(re.Reason, "refused: nesting deeper than 10000 levels at line 5002") {
				refused++
			}
		}
		// The lines up to the one refused, then the next line, whole, with
		// the lines it holds: a ']' follows it, so it sits inside the lines
		// before, and the brackets left over go with it.
		if want := maxDepth / 2; refused != want || len(res.rejects) != want+1 {
			t.Errorf("%d rejections, %d of them refused at line 5002, want %d and %d", len(res.rejects), refused, want+1, want)
		}
		if last := res.rejects[len(res.rejects)-1].Reason; !strings.Contains(last, "sits inside the broken value") {
			t.Errorf("last rejection %q, want it nested", last)
		}
	})
}
