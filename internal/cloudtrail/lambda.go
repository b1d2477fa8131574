package cloudtrail

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"github.com/ttcproject/ttc/internal/clip"
	"github.com/ttcproject/ttc/internal/jsonscan"
)

// A CloudWatch Logs subscription that delivers to a Lambda function hands
// it {"awslogs":{"data":"…"}}: the subscription payload (messageType,
// logEvents), gzip-compressed, then base64-encoded. Responders save such
// events from a function's logs or its test console. The reader takes a
// file that starts with one, decodes the payload and reads that instead,
// as if it were the file; positions then count in the decoded payload.

// lambdaKey reports whether b, at a top-level '{', opens an object whose
// first key is "awslogs", which no CloudTrail record or container has;
// short when b ends before it can tell. The key counts as decoded, as
// other keys do: "\u0061wslogs" is "awslogs" too.
func lambdaKey(b []byte) (yes, short bool) {
	const key = "awslogs"
	const longest = len(key)*len(`\u0000`) + 2 // every character escaped, and the quotes
	i := skipWS(b, 1)
	if i >= len(b) {
		return false, true
	}
	if b[i] != '"' {
		return false, false
	}
	e := jsonscan.StringEnd(b[:min(len(b), i+longest)], i)
	switch {
	case e < 0:
		return false, len(b)-i < longest
	case e-i < len(key)+2 || string(jsonscan.DecodeString(nil, b[i:e])) != key:
		return false, false
	}
	i = skipWS(b, e)
	if i >= len(b) {
		return false, true
	}
	return b[i] == ':', false
}

// atStart reports whether the top-level value about to be read is the
// input's first, and a Lambda event may be unwrapped there: nothing was
// read before it, and the input is not a Lambda event's payload already.
func (r *Reader) atStart() bool {
	st := &r.stats
	return !r.lambda && r.cat == catNone && st.Read == 0 && st.Skipped == 0 && st.Shapes&^ShapeGzip == 0
}

// unwrapLambda reads the Lambda event that starts at b[i], the input's
// first value, to the end of the input, and goes on with its decoded
// payload in its place.
func (r *Reader) unwrapLambda(i int) error {
	start := r.abs(i)
	for r.fill() {
	}
	switch {
	case r.tooLarge:
		return r.fileErr(start, fmt.Errorf("%w: Lambda subscription event (awslogs) larger than %s; "+
			"decode it first: jq -r .awslogs.data FILE | base64 -d | gunzip", ErrTooLarge, sizeText(int64(r.opts.MaxValueSize))))
	case r.readErr != nil:
		return r.endErr(start)
	}
	event := r.data()[r.idx(start):]
	data, err := r.lambdaData(event, start)
	if err != nil {
		return err
	}
	payload, err := base64.StdEncoding.DecodeString(data)
	switch {
	case err != nil:
		return r.fileErr(start, fmt.Errorf("%w: awslogs.data of a Lambda subscription event is not base64: %v", ErrUnknownShape, err))
	case len(payload) == 0:
		return r.fileErr(start, fmt.Errorf("%w: awslogs.data of a Lambda subscription event is empty", ErrUnknownShape))
	}
	stats := r.stats
	stats.Shapes |= ShapeLambda
	r.Reset(bytes.NewReader(payload), r.name)
	r.stats, r.lambda = stats, true
	return r.start()
}

// lambdaData checks the Lambda event in event, which starts at offset
// start and runs to the end of the input, and returns its awslogs.data.
// The event must be one JSON object holding awslogs.data and nothing
// else: another member (Records beside awslogs, say) would go unread and
// uncounted, and a repeated key could show one payload to ttc and another
// to the next tool, so such an event is refused whole.
func (r *Reader) lambdaData(event []byte, start int64) (string, error) {
	r.sc.dup = 0
	e := r.sc.value(event, 0, 0)
	switch {
	case e == fail:
		return "", r.fileErr(start+int64(r.sc.errAt), fmt.Errorf("%w: Lambda subscription event (awslogs): %s", ErrSyntax, r.sc.explain(event)))
	case e == more:
		return "", r.fileErr(start, fmt.Errorf("%w: the Lambda subscription event (awslogs) is cut short", ErrTruncated))
	case r.sc.dup != 0:
		return "", r.fileErr(start+int64(r.sc.dup), fmt.Errorf("%w: the Lambda subscription event (awslogs) repeats a key", ErrDuplicateKey))
	case !blankRest(event[e:]):
		return "", r.fileErr(start+int64(skipWS(event, e)), fmt.Errorf("%w: more follows the Lambda subscription event (awslogs): "+
			"an input is read as one Lambda event; put each event in a file of its own", ErrMixedShapes))
	}
	// Keys are matched exactly, member by member: encoding/json's struct
	// decoding folds case ("Data" or "DATA" would be taken for data, as no
	// other tool reads them), and the scan above has refused repeated keys.
	var top map[string]json.RawMessage
	if err := json.Unmarshal(event[:e], &top); err != nil {
		return "", r.fileErr(start, fmt.Errorf("%w: Lambda subscription event (awslogs): %v", ErrSyntax, err))
	}
	if err := onlyKey(top, "awslogs", "the Lambda subscription event"); err != nil {
		return "", r.fileErr(start, err)
	}
	var awslogs map[string]json.RawMessage
	if err := json.Unmarshal(top["awslogs"], &awslogs); err != nil || awslogs == nil {
		return "", r.fileErr(start, fmt.Errorf("%w: awslogs of a Lambda subscription event is %s, not an object", ErrUnknownShape, jsonKind(top["awslogs"])))
	}
	if len(awslogs) == 0 {
		return "", r.fileErr(start, fmt.Errorf("%w: Lambda subscription event without awslogs.data", ErrUnknownShape))
	}
	if err := onlyKey(awslogs, "data", "awslogs of the Lambda subscription event"); err != nil {
		return "", r.fileErr(start, err)
	}
	var data string
	if err := json.Unmarshal(awslogs["data"], &data); err != nil || jsonKind(awslogs["data"]) == "null" {
		return "", r.fileErr(start, fmt.Errorf("%w: awslogs.data of a Lambda subscription event is %s, not a string", ErrUnknownShape, jsonKind(awslogs["data"])))
	}
	return data, nil
}

// onlyKey checks that members holds key and nothing else; the first other
// key in sorted order is named, so that the reason is the same each time.
func onlyKey(members map[string]json.RawMessage, key, what string) error {
	_, has := members[key]
	for _, k := range slices.Sorted(maps.Keys(members)) {
		switch {
		case k == key:
		case has:
			return fmt.Errorf("%w: %s holds \"%s\" beside %s, which would go unread: the event is refused whole", ErrUnknownShape, what, clip.String(k, 64), key)
		default:
			return fmt.Errorf("%w: %s has no %s, but \"%s\"", ErrUnknownShape, what, key, clip.String(k, 64))
		}
	}
	if !has {
		return fmt.Errorf("%w: %s has no %s", ErrUnknownShape, what, key)
	}
	return nil
}

// jsonKind names the kind of the JSON value v ("a JSON number", "null").
func jsonKind(v json.RawMessage) string {
	v = bytes.TrimSpace(v)
	if len(v) == 0 {
		return "missing"
	}
	switch v[0] {
	case '{':
		return "a JSON object"
	case '[':
		return "a JSON array"
	case '"':
		return "a JSON string"
	case 't', 'f':
		return "a JSON boolean"
	case 'n':
		return "null"
	}
	return "a JSON number"
}

// blankRest reports whether b holds only JSON white space and byte order
// marks.
func blankRest(b []byte) bool {
	i := skipWS(b, 0)
	for bomAt(b, i) > 0 {
		i = skipWS(b, i+3)
	}
	return i == len(b)
}
