package detect

import (
	"errors"
	"fmt"
)

// Sentinel errors. Callers test them with errors.Is to tell a rule that uses
// a Sigma feature ttc refuses from a rule that is simply broken.
var (
	// ErrUnsupported marks a rule that uses a Sigma feature ttc does not
	// evaluate: correlation types other than event_count and value_count,
	// legacy aggregations, legacy rule collections, placeholders without
	// values.
	ErrUnsupported = errors.New("unsupported sigma feature")
	// ErrLogsource marks a rule whose logsource is not AWS CloudTrail.
	ErrLogsource = errors.New("logsource is not aws cloudtrail")
	// ErrMalformed marks a record that is not a well-formed JSON object.
	ErrMalformed = errors.New("malformed json record")
	// ErrTooManyValues marks a record whose fields, as the rules read them,
	// hold more than MaxValues values: the matcher refuses it rather than
	// hold them all.
	ErrTooManyValues = fmt.Errorf("refused: the fields the rules read hold more than %d values (array elements and scalars; CloudTrail records hold far fewer)", MaxValues)
	// ErrRegexpTooCostly marks a record the rules' regular expressions
	// would take more than maxReWork steps on.
	ErrRegexpTooCostly = fmt.Errorf("refused: the rules' regular expressions would take more than %d steps on its values (their length times the expressions' size)", maxReWork)
	// ErrTooManyPairs marks a record whose values the rules' fieldref
	// items would spend more than maxRefWork bytes of comparison on.
	ErrTooManyPairs = fmt.Errorf("refused: comparing its fields with each other (fieldref) would take more than %d bytes of comparison", maxRefWork)
)

// MaxValues bounds the values the matcher holds for one record: the
// elements of the arrays and the scalars of the objects of the fields the
// rules read. Each costs it 80 bytes, and a 14 MiB record of seven million
// zeros in one array field would otherwise take gigabytes.
const MaxValues = 1 << 17

// RuleError is a problem in one rule file, with the position in that file
// where it was found. Line and Column are 1-based; 0 means unknown.
type RuleError struct {
	File   string
	Line   int
	Column int
	Err    error
}

// Error formats the error as "file:line:col: message".
func (e *RuleError) Error() string {
	switch {
	case e.Line > 0 && e.Column > 0:
		return fmt.Sprintf("%s:%d:%d: %v", e.File, e.Line, e.Column, e.Err)
	case e.Line > 0:
		return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.File, e.Err)
}

// Unwrap returns the underlying error.
func (e *RuleError) Unwrap() error { return e.Err }

// posError is an error tied to a position inside the rule file; the rule
// compiler turns it into a RuleError once the file name is known.
type posError struct {
	line, col int
	err       error
}

func (e *posError) Error() string { return fmt.Sprintf("%d:%d: %v", e.line, e.col, e.err) }
func (e *posError) Unwrap() error { return e.err }

func errAt(line, col int, format string, args ...any) error {
	return &posError{line: line, col: col, err: fmt.Errorf(format, args...)}
}

// unsupportedAt builds a positioned error that wraps ErrUnsupported.
func unsupportedAt(line, col int, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	return &posError{line: line, col: col, err: fmt.Errorf("%w: %s", ErrUnsupported, msg)}
}

// ruleError attaches the file name to err, keeping a position if err has one.
func ruleError(file string, err error) *RuleError {
	var re *RuleError
	if errors.As(err, &re) {
		return re
	}
	var pe *posError
	if errors.As(err, &pe) {
		return &RuleError{File: file, Line: pe.line, Column: pe.col, Err: pe.err}
	}
	return &RuleError{File: file, Err: err}
}
