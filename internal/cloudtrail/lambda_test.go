package cloudtrail

import (
	"bytes"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// lambdaEvent wraps a subscription payload as CloudWatch Logs hands it to
// a Lambda function: gzip, base64, {"awslogs":{"data":…}}.
func lambdaEvent(t testing.TB, payload []byte) []byte {
	t.Helper()
	return []byte(`{"awslogs":{"data":"` + base64.StdEncoding.EncodeToString(gz(t, payload)) + `"}}`)
}

func TestLambdaEvent(t *testing.T) {
	payload, err := os.ReadFile(filepath.Join("testdata", "cloudwatch.json"))
	if err != nil {
		t.Fatal(err)
	}
	event := lambdaEvent(t, payload)
	data := []byte(strings.TrimPrefix(string(event), `{"awslogs":{"data":"`))
	pretty := append([]byte("\ufeff\n  {\n  \"awslogs\" :\n    { \"data\": \""), data[:len(data)-len(`"}}`)]...)
	pretty = append(pretty, "\"\n    }\n}\n"...)
	for _, tt := range []struct {
		name  string
		data  []byte
		opts  Options
		shape Shape
	}{
		{"compact", event, Options{}, 0},
		{"pretty", pretty, Options{}, 0},
		{"tiny-buffer", pretty, Options{BufferSize: 7}, 0},
		{"gzip-file", gz(t, event), Options{}, ShapeGzip},
		{"escaped-key", []byte(`{"\u0061wslogs":` + strings.TrimPrefix(string(event), `{"awslogs":`)), Options{}, 0},
		{"escaped-key-tiny-buffer", []byte(`{"\u0061ws\u006cogs" :` + strings.TrimPrefix(string(event), `{"awslogs":`)), Options{BufferSize: 7}, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := read(t, bytes.NewReader(tt.data), "event.json", tt.opts)
			if res.err != nil || len(res.rejects) != 0 {
				t.Fatalf("err %v, rejects %v", res.err, res.rejects)
			}
			if got := strings.Join(eventIDs(t, res.raws), ","); got != strings.Join(threeIDs, ",") {
				t.Errorf("eventIDs = %s, want %s", got, strings.Join(threeIDs, ","))
			}
			for i, s := range res.shapes {
				if s != ShapeCloudWatch {
					t.Errorf("record %d: shape %s, want cloudwatch", i, s)
				}
			}
			// The payload is gzip whether or not the file is.
			if want := ShapeLambda | ShapeGzip | ShapeCloudWatch | tt.shape; res.stats.Shapes != want {
				t.Errorf("file shapes = %s, want %s", res.stats.Shapes, want)
			}
			// Positions count in the payload, as if it were the file.
			if res.stats.Bytes != int64(len(payload)) {
				t.Errorf("bytes = %d, want the payload's %d", res.stats.Bytes, len(payload))
			}
			if first := res.pos[0]; first.File != "event.json" || first.Line != 1 || first.Offset <= 0 || first.Offset >= int64(len(payload)) {
				t.Errorf("first record at %+v, want a place in the payload", first)
			}
		})
	}
}

func TestLambdaEventErrors(t *testing.T) {
	control := []byte(`{"messageType":"CONTROL_MESSAGE","owner":"CloudwatchLogs","logGroup":"","logStream":"",` +
		`"subscriptionFilters":[],"logEvents":[{"id":"","timestamp":1,"message":"CWL CONTROL MESSAGE: Checking health of destination"}]}`)
	record := `{"eventVersion":"1.11","eventTime":"2026-03-01T10:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","eventID":"e1"}`
	for _, tt := range []struct {
		name    string
		in      []byte
		opts    Options
		err     error  // how reading ends
		reason  string // in the error's text
		records int
		rejects int
		skipped int64
	}{
		{name: "not base64", in: []byte(`{"awslogs":{"data":"H4sI!!"}}`), err: ErrUnknownShape, reason: "is not base64"},
		{name: "no data", in: []byte(`{"awslogs":{}}`), err: ErrUnknownShape, reason: "without awslogs.data"},
		{name: "misspelt data", in: []byte(`{"awslogs":{"date":"H4sI"}}`), err: ErrUnknownShape, reason: `has no data, but "date"`},
		// Members beside awslogs.data would go unread: the event is refused.
		{name: "records beside", in: []byte(`{"awslogs":{"data":"H4sI"},"Records":[{"eventName":"DeleteTrail"}]}`),
			err: ErrUnknownShape, reason: `holds "Records" beside awslogs`},
		{name: "records inside", in: []byte(`{"awslogs":{"data":"H4sI","Records":[]}}`), err: ErrUnknownShape, reason: `holds "Records"`},
		{name: "repeated data", in: []byte(`{"awslogs":{"data":"H4sI","data":"H4sI"}}`), err: ErrDuplicateKey, reason: "repeats a key"},
		{name: "awslogs not an object", in: []byte(`{"awslogs":"H4sI"}`), err: ErrUnknownShape, reason: "awslogs of a Lambda subscription event is a JSON string"},
		{name: "data not text", in: []byte(`{"awslogs":{"data":12}}`), err: ErrUnknownShape, reason: "awslogs.data of a Lambda subscription event is a JSON number, not a string"},
		{name: "data null", in: []byte(`{"awslogs":{"data":null}}`), err: ErrUnknownShape, reason: "awslogs.data of a Lambda subscription event is null, not a string"},
		// Keys are matched exactly: encoding/json would take "Data" for data,
		// and no other tool does.
		{name: "data in another case", in: []byte(`{"awslogs":{"data":"H4sI","Data":"H4sI"}}`), err: ErrUnknownShape, reason: `holds "Data" beside data`},
		{name: "data only in another case", in: []byte(`{"awslogs":{"DATA":"H4sI"}}`), err: ErrUnknownShape, reason: `has no data, but "DATA"`},
		{name: "awslogs in another case", in: []byte(`{"awslogs":{"data":"H4sI"},"AWSLOGS":{"data":"H4sI"}}`), err: ErrUnknownShape, reason: `holds "AWSLOGS" beside awslogs`},
		{name: "awslogs with a long s", in: []byte(`{"awslogs":{"data":"H4sI"},"awſlogs":{"data":"H4sI"}}`), err: ErrUnknownShape, reason: `holds "awſlogs" beside awslogs`},
		{name: "cut short", in: []byte(`{"awslogs":{"data":"H4sI"`), err: ErrTruncated, reason: "cut short"},
		{name: "broken JSON", in: []byte(`{"awslogs":{"data":"H4sI",}}`), err: ErrSyntax, reason: "Lambda subscription event"},
		{name: "more after it", in: append(lambdaEvent(t, control), "\n{}"...), err: ErrMixedShapes, reason: "put each event in a file of its own"},
		{name: "too large", in: []byte(`{"awslogs":{"data":"` + strings.Repeat("A", 4096) + `"}}`), opts: Options{MaxValueSize: MinValueSize},
			err: ErrTooLarge, reason: "jq -r .awslogs.data"},
		// A payload that is a Lambda event again is not unwrapped twice.
		{name: "event in event", in: lambdaEvent(t, lambdaEvent(t, control)), err: ErrUnknownShape,
			reason: "neither records nor record fields (in the payload of the Lambda subscription event, awslogs.data)"},
		// Only the input's first value is taken for an event.
		{name: "after a record", in: []byte(record + "\n" + string(lambdaEvent(t, control))), records: 1, rejects: 1},
		{name: "control message", in: lambdaEvent(t, control), skipped: 1},
		{name: "empty payload", in: []byte(`{"awslogs":{"data":""}}`), err: ErrUnknownShape, reason: "awslogs.data of a Lambda subscription event is empty"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := read(t, bytes.NewReader(tt.in), "event.json", tt.opts)
			if !errors.Is(res.err, tt.err) {
				t.Fatalf("error = %v, want %v", res.err, tt.err)
			}
			if res.err != nil {
				var fe *FileError
				if !errors.As(res.err, &fe) || fe.Pos.File != "event.json" || !strings.Contains(res.err.Error(), tt.reason) {
					t.Errorf("error %q: want a file error of event.json saying %q", res.err, tt.reason)
				}
			}
			if len(res.raws) != tt.records || len(res.rejects) != tt.rejects || res.stats.Skipped != tt.skipped {
				t.Errorf("%d records, %d rejected, %d skipped; want %d, %d, %d",
					len(res.raws), len(res.rejects), res.stats.Skipped, tt.records, tt.rejects, tt.skipped)
			}
		})
	}
}

func TestLambdaKey(t *testing.T) {
	for _, tt := range []struct {
		in         string
		yes, short bool
	}{
		{`{"awslogs":{`, true, false},
		{`{ "awslogs" : {`, true, false},
		{`{"\u0061wslogs":{`, true, false},
		{`{"\u0061\u0077\u0073\u006c\u006f\u0067\u0073":{`, true, false},
		{`{"awslogs"`, false, true},
		{`{"aws`, false, true},
		{`{"\u0061ws`, false, true},
		{`{`, false, true},
		{`{"awslogsX":{`, false, false},
		{`{"awslog":{`, false, false},
		{`{"Records":[`, false, false},
		{`{"awslogs","x"`, false, false},
		{`{"` + strings.Repeat("a", 60), false, false}, // too long to be the key, however it ends
		{`{}`, false, false},
	} {
		yes, short := lambdaKey([]byte(tt.in))
		if yes != tt.yes || short != tt.short {
			t.Errorf("lambdaKey(%s) = %v, %v; want %v, %v", tt.in, yes, short, tt.yes, tt.short)
		}
	}
}
