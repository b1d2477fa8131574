package cloudtrail

import (
	"fmt"
	"strings"
	"testing"
)

// envelope wraps rec in an EventBridge envelope, as a rule delivers it.
func envelope(rec string) string {
	return `{"version":"0","id":"e1","detail-type":"AWS API Call via CloudTrail","source":"aws.s3",` +
		`"account":"111111111111","time":"2026-03-01T10:00:00Z","region":"eu-west-1","resources":[],"detail":` + rec + `}`
}

// otherEnvelope is an EventBridge event of another service than
// CloudTrail: a GuardDuty finding, as an archive holds it beside
// CloudTrail's events.
const otherEnvelope = `{"version":"0","id":"e2","detail-type":"GuardDuty Finding","source":"aws.guardduty",` +
	`"account":"111111111111","time":"2026-03-01T10:00:00Z","region":"eu-west-1","resources":[],"detail":` +
	`{"schemaVersion":"2.0","accountId":"111111111111","region":"eu-west-1","id":"f1",` +
	`"type":"Recon:EC2/PortProbeUnprotectedPort","severity":2,"service":{"action":{"actionType":"NETWORK_CONNECTION"}}}}`

// logEvents puts each message in a CloudWatch Logs subscription payload.
func logEvents(messageType string, messages ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `{"messageType":%q,"owner":"1","logGroup":"g","logStream":"s","logEvents":[`, messageType)
	for i, m := range messages {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":"%d","timestamp":%d,"message":%s}`, i, i, quote(m))
	}
	b.WriteString("]}")
	return b.String()
}

// lookupEvents puts each string in a LookupEvents answer.
func lookupEvents(events ...string) string {
	var b strings.Builder
	b.WriteString(`{"Events":[`)
	for i, e := range events {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"EventId":"%d","EventName":"x","CloudTrailEvent":%s}`, i, quote(e))
	}
	b.WriteString("]}")
	return b.String()
}

// TestWrapped checks what the string containers (CloudWatch Logs messages,
// LookupEvents CloudTrailEvent) may hold: a record, an EventBridge envelope
// around one, or anything else, which is rejected.
func TestWrapped(t *testing.T) {
	const cwEB = ShapeCloudWatch | ShapeEventBridge
	tests := []struct {
		name     string
		in       string
		names    []string // eventName of each record produced
		shapes   []Shape  // Shape of each record produced
		rejected []string // substrings of each rejection reason, in order
		skipped  int64
		other    int64 // Stats.OtherEvents
		file     Shape // Stats.Shapes
	}{
		{name: "message holds an envelope", in: logEvents("DATA_MESSAGE", envelope(recA), recB),
			names: []string{"A", "B"}, shapes: []Shape{ShapeEventBridge, ShapeCloudWatch}, file: cwEB},
		{name: "filter output holds an envelope", in: `{"events":[{"logStreamName":"s","timestamp":1,"message":` +
			quote(envelope(recA)) + `,"eventId":"1"}]}`, names: []string{"A"}, shapes: []Shape{ShapeEventBridge}, file: cwEB},
		{name: "log event lines hold envelopes", in: `{"id":"1","timestamp":1,"message":` + quote(envelope(recA)) + "}\n" +
			`{"id":"2","timestamp":2,"message":` + quote(recB) + "}\n",
			names: []string{"A", "B"}, shapes: []Shape{ShapeEventBridge, ShapeCloudWatch}, file: ShapeObjects | cwEB},
		{name: "CloudTrailEvent holds an envelope", in: lookupEvents(recA, envelope(recB)),
			names: []string{"A", "B"}, shapes: []Shape{ShapeLookup, ShapeEventBridge}, file: ShapeLookup | ShapeEventBridge},
		{name: "envelope detail not an object", in: logEvents("DATA_MESSAGE", envelope(`"x"`), recB),
			names: []string{"B"}, shapes: []Shape{ShapeCloudWatch}, rejected: []string{"EventBridge detail is not an object"},
			file: ShapeCloudWatch},
		{name: "envelope detail repeats a key", in: logEvents("DATA_MESSAGE", envelope(`{"eventName":"C","eventName":"D"}`)),
			rejected: []string{`message holds a duplicate key "eventName"`}},
		{name: "message holds an object without record fields", in: logEvents("DATA_MESSAGE", `{"level":"info","msg":"hi"}`, recA),
			names: []string{"A"}, shapes: []Shape{ShapeCloudWatch}, rejected: []string{"message holds no CloudTrail record"},
			file: ShapeCloudWatch},
		{name: "message holds an empty object", in: logEvents("DATA_MESSAGE", `{}`),
			rejected: []string{"message holds no CloudTrail record"}},
		{name: "message holds a container", in: logEvents("DATA_MESSAGE", `{"Records":[`+recA+`]}`),
			rejected: []string{"message holds a nested container, no CloudTrail record"}},
		{name: "CloudTrailEvent holds an object without record fields", in: lookupEvents(`{"foo":1}`, `{}`, recB),
			names: []string{"B"}, shapes: []Shape{ShapeLookup},
			rejected: []string{"CloudTrailEvent holds no CloudTrail record", "CloudTrailEvent holds no CloudTrail record"},
			file:     ShapeLookup},
		{name: "control message still skipped", in: logEvents("CONTROL_MESSAGE", `{"foo":1}`), skipped: 1},
		// Events of other services are set aside, not read as records.
		{name: "other service's envelope among lone ones", in: otherEnvelope + "\n" + envelope(recA) + "\n" + otherEnvelope + "\n",
			names: []string{"A"}, shapes: []Shape{ShapeEventBridge}, file: ShapeObjects | ShapeEventBridge, other: 2},
		{name: "other service's envelope first in an array", in: "[" + otherEnvelope + "," + envelope(recA) + "]",
			names: []string{"A"}, shapes: []Shape{ShapeEventBridge}, file: ShapeArray | ShapeEventBridge, other: 1},
		{name: "CloudTrail's envelope without record fields", in: envelope(`{}`) + "\n" + envelope(`{"foo":1}`) + "\n" + envelope(recA) + "\n",
			names: []string{"A"}, shapes: []Shape{ShapeEventBridge}, file: ShapeObjects | ShapeEventBridge,
			rejected: []string{"EventBridge event of CloudTrail whose detail holds no record fields", "EventBridge event of CloudTrail"}},
		{name: "CloudTrail's detail type in other case, without record fields",
			in:    strings.Replace(envelope(`{}`), "AWS API Call via CloudTrail", "aws api call via cloudtrail ", 1) + "\n" + envelope(recA) + "\n",
			names: []string{"A"}, shapes: []Shape{ShapeEventBridge}, file: ShapeObjects | ShapeEventBridge,
			rejected: []string{"EventBridge event of CloudTrail whose detail holds no record fields"}},
		{name: "message holds another service's envelope", in: logEvents("DATA_MESSAGE", otherEnvelope, recB),
			names: []string{"B"}, shapes: []Shape{ShapeCloudWatch}, file: cwEB, other: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			readBothBuffers(t, tt.in, nil, func(opts Options, res result) {
				if names := eventNames(t, res.raws); fmt.Sprint(names) != fmt.Sprint(tt.names) {
					t.Errorf("records %v, want %v", names, tt.names)
				}
				if fmt.Sprint(res.shapes) != fmt.Sprint(tt.shapes) {
					t.Errorf("record shapes %v, want %v", res.shapes, tt.shapes)
				}
				if opts.BufferSize == 0 && res.listed != len(res.raws) {
					t.Errorf("%d of %d records list their members", res.listed, len(res.raws))
				}
				if len(res.rejects) != len(tt.rejected) {
					t.Fatalf("rejects %v, want %d", res.rejects, len(tt.rejected))
				}
				for i, re := range res.rejects {
					if !strings.Contains(re.Reason, tt.rejected[i]) {
						t.Errorf("reject %d: %q does not say %q", i, re.Reason, tt.rejected[i])
					}
				}
				if res.stats.Skipped != tt.skipped {
					t.Errorf("skipped %d, want %d", res.stats.Skipped, tt.skipped)
				}
				if res.stats.OtherEvents != tt.other {
					t.Errorf("other events %d, want %d", res.stats.OtherEvents, tt.other)
				}
				if read := int64(len(res.raws) + len(res.rejects)); res.stats.Read != read {
					t.Errorf("read %d, want the %d records and rejections", res.stats.Read, read)
				}
				if res.stats.Shapes != tt.file {
					t.Errorf("file shapes %s, want %s", res.stats.Shapes, tt.file)
				}
			})
		})
	}
}

func TestViaCloudTrailType(t *testing.T) {
	for in, want := range map[string]bool{
		`AWS API Call via CloudTrail`:            true,
		`AWS Console Sign In via CloudTrail`:     true,
		`aws api call via cloudtrail `:           true,
		` AWS API Call via CloudTrail\t`:         true, // an escape, as the JSON string holds it
		`AWS API Call via\u00a0CloudTrail`:       true,
		`AWS API Call via  CloudTrail`:           true,
		`GuardDuty Finding`:                      false,
		`EC2 Instance State-change Notification`: false,
		`AWSAPICallviaCloudTrail`:                false,
		``:                                       false,
	} {
		if got := viaCloudTrailType([]byte(in)); got != want {
			t.Errorf("viaCloudTrailType(%q) = %v, want %v", in, got, want)
		}
	}
}
