package cloudtrail

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
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
	var ev struct {
		Awslogs *struct {
			Data *string `json:"data"`
		} `json:"awslogs"`
	}
	if err := json.Unmarshal(event, &ev); err != nil {
		at := start
		var se *json.SyntaxError
		if errors.As(err, &se) {
			at += se.Offset
		}
		return r.fileErr(at, fmt.Errorf("%w: Lambda subscription event (awslogs): %v", ErrSyntax, err))
	}
	if ev.Awslogs == nil || ev.Awslogs.Data == nil {
		return r.fileErr(start, fmt.Errorf("%w: Lambda subscription event without awslogs.data", ErrUnknownShape))
	}
	payload, err := base64.StdEncoding.DecodeString(*ev.Awslogs.Data)
	if err != nil {
		return r.fileErr(start, fmt.Errorf("%w: awslogs.data of a Lambda subscription event is not base64: %v", ErrUnknownShape, err))
	}
	stats := r.stats
	stats.Shapes |= ShapeLambda
	r.Reset(bytes.NewReader(payload), r.name)
	r.stats, r.lambda = stats, true
	return r.start()
}
