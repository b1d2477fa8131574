// Package cloudtrail reads AWS CloudTrail records from files, folders and
// standard input, whatever container they come in, one record at a time.
//
// Inputs walks paths in a fixed order and recognises the S3 delivery layout
// (AWSLogs/[<org>/]<account>/CloudTrail|CloudTrail-Insight|CloudTrail-Digest/
// <region>/…): files that are neither gzip nor JSON are set aside with a
// reason, and digest files by the reader, from what they hold, wherever
// they lie; a file named explicitly, or named as CloudTrail
// names its log files, is always read, so that a damaged log fails; found
// in a folder, such a file fails at once when empty or blank (ErrEmptyLog),
// and any entry that is no regular file, behind a symbolic link too, is
// set aside.
//
// A Reader sniffs each file's content, never its name: one layer of gzip
// (any number of members), then {"Records":[…]}, a bare array, one or more
// top-level records (NDJSON), EventBridge envelopes (detail), CloudWatch
// Logs subscription payloads and filter/get output (logEvents[].message,
// events[].message, JSON strings), a subscription payload as a Lambda
// function receives it ({"awslogs":{"data":…}}, gzip then base64, as the
// input's first value: its payload is read in its place, and positions
// count in the payload), CloudWatch Logs S3 exports ("<timestamp>
// {record}" lines), LookupEvents output (Events[].CloudTrailEvent, a JSON
// string) and digest objects (ErrDigest). Envelopes may appear in arrays
// and line streams too, and inside the JSON strings (an EventBridge rule
// that writes to a log group); a string that holds neither a record nor an
// envelope is a rejected record. An envelope whose detail has no record
// fields is another service's event (a GuardDuty finding), set aside and
// counted in Stats.OtherEvents, not read. A file may hold several top-level values
// of one family (concatenated log files, NDJSON): lone records after a
// container object end the file (ErrMixedShapes), and a container object
// among lone records is one rejected record whose items are not read. A
// key spelled with escapes means the key it decodes to: "Rec\u006frds" is
// a Records container like "Records", and "event\u004eame" a record field.
//
// Records stream: the reader holds at most one record, or one top-level
// object until it turns out to be a container, in a buffer bounded by
// Options.MaxValueSize. Record.Raw points into that buffer and is valid
// until the next call to Next or Reset. A validating scanner finds each
// record's end and checks its JSON in the same pass, so Raw is always a
// valid JSON object. A record larger than the buffer is rejected with its
// size and streamed past without being held, following only strings,
// escapes and the nesting count, and reading goes on with the next record;
// a member that large in a container object, outside its records, is
// passed over the same way. Among lone records, a skipped line that leaves
// a bracket open is rejected at the next line that starts an object in its
// first column, where reading resumes; the lines of a pretty-printed value
// are indented, so such a value is passed over whole, unless a line of it
// starts in the first column and more than Options.MaxValueSize follows
// before it closes (it is then taken for a broken line).
//
// Every record read ends as produced or rejected, and Stats.Read ==
// Produced + Rejected. A record is rejected with a *RecordError when it is
// not a JSON object, is invalid JSON whose brackets still balance, is
// larger than Options.MaxValueSize, has an object that repeats a key, is a
// string container whose string is not one JSON object, or, outside a
// Records array, has none of the fields CloudTrail records carry
// (eventVersion, eventTime, eventSource, eventName, eventID, eventType,
// userIdentity, …). Inside a Records array any object counts as a record,
// even one whose fields are null or misnamed: deciding what such a record
// means is left to the rules. Broken containers (truncated gzip or JSON,
// brackets that do not match, unknown top-level shapes) end the file with a
// *FileError after the records read so far.
//
// Repeated keys: tools disagree on which value an object that repeats a key
// holds (the rule matcher keeps the first, encoding/json the last), so such
// a record could show one face to detection and another to whoever reads
// it next; CloudTrail never writes one. Any object at any depth of a record,
// or of the envelope that carries it, counts, and keys compare decoded
// ("\u0061" repeats "a"); the reason names the key, quoted and clipped, and
// its line and offset. A container object that repeats a key before its
// records ends the file with ErrDuplicateKey; its keys after the records
// are not checked.
//
// Lone top-level records (NDJSON) resynchronise on lines: a line that is
// invalid JSON, that leaves an object open (so that it would take in the
// lines after it, up to the end of input) or that holds text starting no
// JSON value is one rejected record, and reading resumes at the next line
// that starts an object no further indented than the rejected record, or
// the last whole one (the objects nested in a broken pretty-printed record
// are not records), or at an object joined to the end of another with no
// newline between them ("}{" then a key, as Firehose writes records). Text
// passed over with a rejected record is named in its reason ("lines 2-9
// passed over"), so that no line goes unmentioned. Lines that each leave a
// bracket open inside the one before cost linear time: where the line they are in failed is
// remembered, and each is rejected for the same reason without being
// scanned again; one such line inside a line refused for its nesting or
// its keys, still open where that line was refused, is refused with it,
// whatever nesting it has of its own. Only a file whose first value is cut
// short ends with ErrTruncated. A first value that is no record (a comment, an empty
// or foreign object) is one rejected record when one of the next few
// values is a record and the values before it are objects, the values
// after it on its line being read too; otherwise the
// file is not a stream of records and fails as a whole (ErrUnknownShape),
// as a package.json or a text does.
package cloudtrail
