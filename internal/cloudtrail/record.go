package cloudtrail

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ttcproject/ttc/internal/jsonscan"
)

// Kind tells what family a record belongs to.
type Kind uint8

// Record kinds.
const (
	// KindEvent is an API call, console, service or network activity event.
	KindEvent Kind = iota
	// KindInsight is a CloudTrail Insights event (eventType AwsCloudTrailInsight).
	KindInsight
)

// String returns the kind's name.
func (k Kind) String() string {
	if k == KindInsight {
		return "insight"
	}
	return "event"
}

// Shape is a set of container shapes seen in one file.
type Shape uint16

// Container shapes the reader recognises.
const (
	// ShapeRecords is a CloudTrail log file: {"Records":[…]}.
	ShapeRecords Shape = 1 << iota
	// ShapeArray is a bare JSON array of records or envelopes.
	ShapeArray
	// ShapeObjects is one or more top-level record objects (one record, NDJSON).
	ShapeObjects
	// ShapeEventBridge marks records unwrapped from EventBridge envelopes (detail).
	ShapeEventBridge
	// ShapeCloudWatch marks records decoded from CloudWatch Logs events (message).
	ShapeCloudWatch
	// ShapeLookup marks records decoded from LookupEvents output (CloudTrailEvent).
	ShapeLookup
	// ShapeDigest is a log-file validation digest; it holds no records.
	ShapeDigest
	// ShapeGzip marks gzip-compressed input.
	ShapeGzip
	// ShapeLambda marks a CloudWatch Logs subscription payload decoded from
	// the event a Lambda function receives (awslogs.data).
	ShapeLambda
)

var shapeNames = []string{"records", "array", "objects", "eventbridge", "cloudwatch", "lookup", "digest", "gzip", "lambda"}

// String lists the shapes in s, joined by '+'.
func (s Shape) String() string {
	var names []string
	for i, n := range shapeNames {
		if s&(1<<i) != 0 {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, "+")
}

// Position locates a record, or the point where reading a file stopped.
type Position struct {
	// File is the name given to Reset ("-" for standard input).
	File string
	// Ordinal is the record's 1-based number in the file, counting rejected
	// records; in a FileError it is the number of records read before it.
	Ordinal int64
	// Offset is the byte offset in the decompressed stream: the start of the
	// record, or of the envelope or string container that held it.
	Offset int64
	// Line is the 1-based line of Offset in the decompressed stream.
	Line int64
}

// String formats the position as "file:line (record n, offset x)".
func (p Position) String() string {
	return fmt.Sprintf("%s:%d (record %d, offset %d)", p.File, p.Line, p.Ordinal, p.Offset)
}

// Record is one CloudTrail record as it was found.
type Record struct {
	// Raw is the record's JSON object. It points into the reader's buffer and
	// stays valid only until the next call to Next or Reset; copy it to keep it.
	Raw []byte
	// Kind is the record's family.
	Kind Kind
	// Shape is the container the record came from (one shape bit).
	Shape Shape
	// Pos locates the record.
	Pos Position
	// EventSource and EventName are the raw contents of the record's
	// top-level string fields (escapes not decoded), nil when missing or not a
	// string. They alias Raw.
	EventSource, EventName []byte
	// NamesEvent reports whether the record's object has both an
	// eventSource and an eventName member whose values are strings that
	// are not empty: every CloudTrail record but an Insights record has
	// them at its top level.
	NamesEvent bool
	// Top lists the members of Raw's object, in order, as offsets into Raw,
	// found while the record was checked; nil when they were not listed.
	// Like Raw it is only valid until the next call to Next or Reset.
	Top []jsonscan.Member
	// Index lists the objects nested in Raw's object, found in the same
	// pass; nil when they were not listed. Its members' Obj numbers, and
	// those in Top, refer to it. Valid as long as Top is.
	Index *jsonscan.Index
}

// Stats counts what a reader saw in one file. Read == Produced + Rejected.
type Stats struct {
	// Read counts records found: produced and rejected.
	Read int64
	// Produced counts records handed on by Next.
	Produced int64
	// Rejected counts records reported as *RecordError.
	Rejected int64
	// Insights counts produced records of KindInsight.
	Insights int64
	// Skipped counts items that are not records and are set aside on purpose
	// (CloudWatch Logs control messages).
	Skipped int64
	// OtherEvents counts EventBridge events whose detail is no CloudTrail
	// record (another service's events, such as GuardDuty findings): set
	// aside, and not in Read.
	OtherEvents int64
	// Bytes counts decompressed bytes consumed.
	Bytes int64
	// Shapes lists the container shapes seen.
	Shapes Shape
	// Repeated counts container keys after the first in one object, the
	// same key again ({"Records":[…],"Records":[…]}) or another
	// ({"Records":[…],"Events":[…]}). The records of every such array are
	// read, but most JSON tools keep only the last value of a key, and
	// CloudTrail's own readers only Records, so the file reads differently
	// there: a forged or damaged log.
	Repeated int64
	// Unseparated counts records read in an array where the ',' before
	// them was missing (other bytes in its place are a damaged item,
	// rejected): read all the same, but other tools fail on such a file.
	Unseparated int64
	// UnseparatedAt and UnseparatedLine are where the first ',' was
	// missing.
	UnseparatedAt, UnseparatedLine int64
}

// Errors the reader wraps in *FileError, for use with errors.Is.
var (
	// ErrDigest marks a log-file validation digest: the file is set aside.
	ErrDigest = errors.New("digest file, not a log")
	// ErrUnknownShape marks input that is no CloudTrail container or record.
	ErrUnknownShape = errors.New("unknown shape")
	// ErrMixedShapes marks a file whose top-level values mix containers and records.
	ErrMixedShapes = errors.New("mixed shapes")
	// ErrSyntax marks JSON that cannot be parsed nor resynchronised.
	ErrSyntax = errors.New("invalid JSON")
	// ErrTruncated marks input that ends inside a value.
	ErrTruncated = errors.New("unexpected end of input")
	// ErrDuplicateKey marks a container object that repeats a key, or holds
	// an object that does, before its records: it is forged or damaged, and
	// tools would read it differently.
	ErrDuplicateKey = errors.New("duplicate key")
	// ErrTooLarge marks a run of blanks inside an array longer than
	// Options.MaxValueSize; records that large are rejected and skipped.
	ErrTooLarge = errors.New("value too large")
	// ErrInputTooLarge ends an input longer, decompressed, than
	// Options.MaxInputBytes allows.
	ErrInputTooLarge = errors.New("input too large")
)

// RecordError reports a rejected record; the reader goes on with the next.
type RecordError struct {
	Pos    Position
	Reason string
	// Raw is the rejected record's text when it is valid JSON the reader
	// held whole (a record that repeats a key, say): evidence to show.
	// Like Record.Raw it is valid until the next call to Next or Reset.
	Raw []byte
}

// Error formats the position and the reason.
func (e *RecordError) Error() string {
	return fmt.Sprintf("reject record %s: %s", e.Pos, e.Reason)
}

// FileError ends reading a file. Pos says where reading stopped, and
// Pos.Ordinal how many records were read before.
type FileError struct {
	Pos Position
	Err error
}

// Error formats the position and the cause.
func (e *FileError) Error() string {
	records := "records"
	if e.Pos.Ordinal == 1 {
		records = "record"
	}
	return fmt.Sprintf("read %s:%d (offset %d, after %d %s): %v",
		e.Pos.File, e.Pos.Line, e.Pos.Offset, e.Pos.Ordinal, records, e.Err)
}

// Unwrap returns the cause.
func (e *FileError) Unwrap() error { return e.Err }

// ParseTime reads a record's eventTime: RFC 3339 as CloudTrail writes it
// (a lower-case t and z too, as RFC 3339 allows), and the looser forms
// some exports use (a space for the T, no zone, read as UTC). It returns
// the zero time for anything else, an offset past 23:59 included, which
// Go's parser takes; TimeOf tells that from a time of year 1.
func ParseTime(s string) time.Time {
	t, _ := TimeOf(s)
	return t
}

// TimeOf is ParseTime, and reports whether s was a time.
func TimeOf(s string) (time.Time, bool) {
	for range 2 {
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999", "2006-01-02 15:04:05", "2006-01-02T15:04:05"} {
			if t, err := time.Parse(layout, s); err == nil && ValidZone(s) {
				return t.UTC(), true
			}
		}
		if !strings.ContainsAny(s, "tz") {
			break
		}
		s = strings.ToUpper(s)
	}
	return time.Time{}, false
}

// ValidZone reports whether the zone a time's text ends with, if any, is
// one RFC 3339 allows: Z, or an offset of at most 23:59.
func ValidZone(s string) bool {
	n := len(s)
	if n < 6 || s[n-6] != '+' && s[n-6] != '-' || s[n-3] != ':' {
		return true // Z, or no zone
	}
	hh, mm := s[n-5:n-3], s[n-2:]
	return hh <= "23" && mm <= "59"
}
