package cloudtrail

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// A CloudWatch Logs subscription that delivers to a Lambda function hands
// it {"awslogs":{"data":"…"}}: the subscription payload (messageType,
// logEvents), gzip-compressed, then base64-encoded. Responders save such
// events from a function's logs or its test console. The reader takes a
// file that starts with one, decodes the payload and reads that instead,
// as if it were the file; positions then count in the decoded payload.

// lambdaKey reports whether b, at a top-level '{', opens an object whose
// first key is "awslogs", which no CloudTrail record or container has;
// short when b ends before it can tell.
func lambdaKey(b []byte) (yes, short bool) {
	i := skipWS(b, 1)
	const key = `"awslogs"`
	rest := b[i:]
	if len(rest) < len(key) {
		return false, bytes.HasPrefix([]byte(key), rest)
	}
	if !bytes.HasPrefix(rest, []byte(key)) {
		return false, false
	}
	i = skipWS(b, i+len(key))
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
	var ev struct {
		Awslogs *struct {
			Data *string `json:"data"`
		} `json:"awslogs"`
	}
	dec := json.NewDecoder(bytes.NewReader(event[:e]))
	dec.DisallowUnknownFields()
	err := dec.Decode(&ev)
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &te) && te.Field == "awslogs.data":
		return "", r.fileErr(start, fmt.Errorf("%w: awslogs.data of a Lambda subscription event is a JSON %s, not a string", ErrUnknownShape, te.Value))
	case errors.As(err, &te):
		return "", r.fileErr(start, fmt.Errorf("%w: awslogs of a Lambda subscription event is a JSON %s, not an object", ErrUnknownShape, te.Value))
	case err != nil && strings.HasPrefix(err.Error(), "json: unknown field "):
		return "", r.fileErr(start, fmt.Errorf("%w: the Lambda subscription event holds %s beside awslogs.data, which would go unread: "+
			"the event is refused whole", ErrUnknownShape, strings.TrimPrefix(err.Error(), "json: unknown field ")))
	case err != nil:
		return "", r.fileErr(start, fmt.Errorf("%w: Lambda subscription event (awslogs): %v", ErrSyntax, err))
	case ev.Awslogs == nil || ev.Awslogs.Data == nil:
		return "", r.fileErr(start, fmt.Errorf("%w: Lambda subscription event without awslogs.data", ErrUnknownShape))
	}
	return *ev.Awslogs.Data, nil
}

// blankRest reports whether b holds only JSON white space and byte order
// marks.
func blankRest(b []byte) bool {
	for len(b) > 0 {
		switch {
		case bomAt(b, 0) > 0:
			b = b[3:]
		case b[0] == ' ' || b[0] == '\t' || b[0] == '\r' || b[0] == '\n':
			b = b[1:]
		default:
			return false
		}
	}
	return true
}
