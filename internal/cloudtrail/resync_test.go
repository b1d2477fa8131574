package cloudtrail

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestArrayResync checks that in an array of records an item whose
// brackets do not balance (a record cut short, a corrupted byte) costs that
// item only: reading goes on at the next record that begins as CloudTrail's
// do, whatever the buffer size, and the bytes between are one rejection.
// Arrays of envelopes, and damage with no record after it, still end the
// file.
func TestArrayResync(t *testing.T) {
	rec := func(name string) string {
		return `{"eventVersion":"1.08","eventName":"` + name + `","eventSource":"s3.amazonaws.com","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/x"}}`
	}
	cut := rec("X")[:60] // ends inside a string of userIdentity
	// Records whose keys were sorted (jq -S): awsRegion first, or
	// additionalEventData before it.
	sorted := func(name string) string {
		return `{"awsRegion":"us-east-1","eventName":"` + name + `","eventSource":"s3.amazonaws.com","eventVersion":"1.08","userIdentity":{"arn":"arn:aws:iam::1:user/x","type":"IAMUser"}}`
	}
	sortedExtra := `{"additionalEventData":{"x":1},"awsRegion":"us-east-1","eventName":"E","eventVersion":"1.08"}`
	sortedNested := `{"awsRegion":"us-east-1","eventName":"X","requestParameters":{"inner":{"awsRegion":"eu-west-1","eventName":"Fake"}},"a":[}`
	cutInString := `{"eventVersion":"1.08","eventName":"X","userAgent":"aws-cli/2.15 Py`
	nested := `{"eventVersion":"1.08","eventName":"X","requestParameters":{"inner":{"eventVersion":"1.08","eventName":"Fake"}},"a":[}`
	tests := []struct {
		name     string
		in       string
		names    []string
		rejected int
		fileErr  bool
		balanced bool   // the damaged item's brackets balance: reading goes on after it
		holds    string // what the rejection says of record-like objects inside it
	}{
		{name: "records, cut record", in: `{"Records":[` + rec("A") + "," + cut + "," + rec("B") + "," + rec("C") + `]}`,
			names: []string{"A", "B", "C"}, rejected: 1},
		{name: "records, cut record then no comma", in: `{"Records":[` + rec("A") + "," + cut + rec("B") + `]}`,
			names: []string{"A", "B"}, rejected: 1},
		{name: "bare array, extra brace", in: `[` + rec("A") + "," + strings.Replace(rec("X"), `"type"`, `{"type"`, 1) + "," + rec("B") + `]`,
			names: []string{"A", "B"}, rejected: 1},
		{name: "two damaged records", in: `{"Records":[` + cut + "," + rec("A") + "," + cut + "," + rec("B") + `]}`,
			names: []string{"A", "B"}, rejected: 2},
		{name: "cut at the end", in: `{"Records":[` + rec("A") + "," + cut, names: []string{"A"}, fileErr: true},
		{name: "damage with no record after", in: `{"Records":[` + rec("A") + "," + cut + `]}`, names: []string{"A"}, fileErr: true},
		{name: "envelopes", in: `[` + envelope(rec("A")) + "," + envelope(cut) + "," + envelope(rec("B")) + `]`,
			names: []string{"A"}, fileErr: true},
		// Quotes paired across records by a cut inside a string used to
		// balance the brackets records later, and those records were lost.
		{name: "cut inside a string", in: `{"Records":[` + rec("A") + "," + cutInString + ",\n" + rec("B") + ",\n" + rec("C") + ",\n" + rec("D") + `]}`,
			names: []string{"A", "B", "C", "D"}, rejected: 1},
		// A record's own member that looks like a record is not where
		// reading resumes.
		{name: "nested record-like member", in: `{"Records":[` + rec("A") + "," + nested + "," + rec("B") + `]}`,
			names: []string{"A", "B"}, rejected: 1, holds: "it holds an object that begins as a record does"},
		// A record cut where a member's value is due takes the next record
		// for that value: it is lost with it, and the rejection says so.
		{name: "cut where a value is due", in: `{"Records":[` + rec("A") + `,{"eventVersion":"1.08","eventName":"X","userIdentity":` +
			rec("Lost") + "," + rec("B") + "," + rec("C") + `]}`,
			names: []string{"A", "B", "C"}, rejected: 1, holds: "it holds an object that begins as a record does"},
		// Damage that runs to the end of the file takes the records after
		// it; the file error says how many.
		{name: "damage to the end", in: `{"Records":[` + rec("A") + `,{"eventVersion":"1.08","eventName":"X","rp":{"ops":["a",` + "," +
			rec("L1") + "," + rec("L2") + `]}`,
			names: []string{"A"}, fileErr: true, holds: "holds 2 objects that begin as records do"},
		// Record-like objects in an array of a damaged record are its own.
		{name: "record-like items in a damaged record", in: `{"Records":[` + rec("A") + `,{"eventVersion":"1.08","eventName":"X","items":[` +
			rec("Fake") + "," + rec("Fake2") + `],"bad":tru},` + rec("B") + "," + rec("C") + `]}`,
			names: []string{"A", "B", "C"}, rejected: 1, balanced: true, holds: "it holds 2 objects that begin as records do"},
		{name: "damage before record-like items", in: `{"Records":[` + rec("A") + `,{"eventVersion":"1.08","eventName":"X" "bad","items":[` +
			rec("Fake") + `]},` + rec("B") + `]}`,
			names: []string{"A", "B"}, rejected: 1, balanced: true, holds: "it holds an object that begins as a record does"},
		// A cut after a ':' inside a string (ARNs are full of them).
		{name: "cut after a colon in a string", in: `{"Records":[` + rec("A") + "," + rec("X")[:strings.Index(rec("X"), "iam::")+5] +
			rec("B") + "," + rec("C") + `]}`,
			names: []string{"A", "B", "C"}, rejected: 1},
		{name: "cut string ending in a colon and a line break", in: `{"Records":[` + rec("A") + `,{"eventVersion":"1.08","eventName":"X","ua":"a: ` +
			"\n" + rec("B") + "," + rec("C") + `]}`,
			names: []string{"A", "B", "C"}, rejected: 1},
		{name: "sorted keys, cut record", in: `{"Records":[` + sorted("A") + ",\n" + sorted("X")[:70] + ",\n" + sorted("B") + ",\n" + sortedExtra + `]}`,
			names: []string{"A", "B", "E"}, rejected: 1},
		{name: "sorted keys, nested record-like member", in: `{"Records":[` + sorted("A") + "," + sortedNested + "," + sorted("B") + `]}`,
			names: []string{"A", "B"}, rejected: 1, holds: "it holds an object that begins as a record does"},
		// Bytes in place of the comma may be the end of the record before,
		// closed early: they are rejected, not passed over unsaid.
		{name: "corrupted comma", in: `{"Records":[` + rec("A") + ".x" + rec("B") + "," + rec("C") + `]}`,
			names: []string{"A", "B", "C"}, rejected: 1},
		{name: "record closed early", in: `{"Records":[` + rec("A") + "," + rec("X")[:len(rec("X"))-1] + `,"req":{"n":"t"}}},"errorCode":"AccessDenied"},` +
			rec("B") + `]}`,
			names: []string{"A", "X", "B"}, rejected: 1},
		{name: "garbage between", in: `[` + rec("A") + `, x": 1}, ` + rec("B") + `]`,
			names: []string{"A", "B"}, rejected: 1},
		{name: "object fragment between", in: `[` + rec("A") + ` {"x": 1, ` + rec("B") + `]`,
			names: []string{"A", "B"}, rejected: 1},
		// A stray ']' (with the '}' and ',' a join of files may leave)
		// between records closed the array, and the records after it
		// were lost with the file.
		{name: "stray bracket between", in: `{"Records":[` + rec("A") + " ]\n" + rec("B") + ",\n" + rec("C") + `]}`,
			names: []string{"A", "B", "C"}, rejected: 1},
		{name: "stray bracket, brace and comma between", in: `{"Records":[` + rec("A") + "\n]},\n" + rec("B") + `]}`,
			names: []string{"A", "B"}, rejected: 1},
		{name: "bare array, brackets and braces between", in: `[` + rec("A") + ` ]]]}}} ,` + rec("B") + `]`,
			names: []string{"A", "B"}, rejected: 1},
		// Only what stands within 64 bytes of the ']' is looked at, on
		// any buffer: a record further on ends the file there.
		{name: "stray bracket, record within the look-ahead", in: `{"Records":[` + rec("A") + "]" + strings.Repeat(" ", 60) + rec("B") + `]}`,
			names: []string{"A", "B"}, rejected: 1},
		{name: "stray bracket, record past the look-ahead", in: `{"Records":[` + rec("A") + "]" + strings.Repeat(" ", 70) + rec("B") + `]}`,
			names: []string{"A"}, fileErr: true},
		// A second document after the first is read whole, not as damage:
		// records one to a line after a bare array. After a Records
		// document they are a mixed shape, which a file may not hold: its
		// "]}" is taken for damage, and they are read to the end of the
		// input, which may end the array the bracket reopened (a join of
		// two files), with no warning of the commas they lack.
		{name: "bare array, then records on lines", in: `[` + rec("A") + "]\n" + rec("B") + "\n" + rec("C") + "\n",
			names: []string{"A", "B", "C"}},
		{name: "records document, then records on lines", in: `{"Records":[` + rec("A") + "]}\n" + rec("B") + "\n" + rec("C") + "\n",
			names: []string{"A", "B", "C"}, rejected: 1},
		{name: "bare array and a comma, then records on lines", in: `[` + rec("A") + "],\n" + rec("B") + "\n" + rec("C"),
			names: []string{"A", "B", "C"}, rejected: 1},
		{name: "stray bracket, then records cut after a comma", in: `{"Records":[` + rec("A") + "]\n" + rec("B") + ",",
			names: []string{"A", "B"}, rejected: 1, fileErr: true},
		{name: "stray bracket, then records cut after a comma and blanks", in: `{"Records":[` + rec("A") + "]\n" + rec("B") + "," + strings.Repeat(" \n", 30),
			names: []string{"A", "B"}, rejected: 1, fileErr: true},
		{name: "stray bracket, then records and blanks", in: `{"Records":[` + rec("A") + "]\n" + rec("B") + strings.Repeat(" \n", 30),
			names: []string{"A", "B"}, rejected: 1},
		// Only records one to a line may end with the input: records with
		// commas between, or two on a line, are the array's, and a cut
		// after them is a cut; so is a second document cut after the
		// first's stray bracket.
		{name: "stray bracket, then records with commas, cut", in: `{"Records":[` + rec("A") + "]\n," + rec("B") + "," + rec("C"),
			names: []string{"A", "B", "C"}, rejected: 1, fileErr: true},
		{name: "stray bracket, then records on one line, cut", in: `{"Records":[` + rec("A") + "]\n" + rec("B") + " " + rec("C") + "\n",
			names: []string{"A", "B", "C"}, rejected: 1, fileErr: true},
		{name: "stray bracket, then a second document cut", in: `{"Records":[` + rec("A") + "]\n," + rec("B") + "]}\n" + `{"Records":[` + rec("C") + "," + rec("D"),
			names: []string{"A", "B", "C", "D"}, rejected: 1, fileErr: true},
		{name: "two documents", in: `{"Records":[` + rec("A") + `]}{"Records":[` + rec("B") + `]}`,
			names: []string{"A", "B"}},
		{name: "two documents on lines", in: `{"Records":[` + rec("A") + "]}\n" + `{"Records":[` + rec("B") + "]}\n",
			names: []string{"A", "B"}},
	}
	for _, tt := range tests {
		for size := 1; size < 48; size += 3 {
			got := sameForBuffers(t, []byte(tt.in), Options{}, Options{BufferSize: size})
			var names []string
			for _, raw := range got.Raws {
				var rec struct{ EventName string }
				if err := json.Unmarshal([]byte(raw), &rec); err != nil {
					t.Fatal(err)
				}
				names = append(names, rec.EventName)
			}
			if strings.Join(names, ",") != strings.Join(tt.names, ",") {
				t.Errorf("%s (buffer %d): records %v, want %v", tt.name, size, names, tt.names)
			}
			if len(got.Rejects) != tt.rejected {
				t.Errorf("%s (buffer %d): %d rejections %v, want %d", tt.name, size, len(got.Rejects), got.Rejects, tt.rejected)
			}
			for _, r := range got.Rejects {
				if says := strings.Contains(r, "begin"); says != (tt.holds != "") || !strings.Contains(r, tt.holds) {
					t.Errorf("%s (buffer %d): rejection %q, want it to say %q", tt.name, size, r, tt.holds)
				}
				if resumed := strings.Contains(r, "reading resumed at the next record"); resumed == tt.balanced {
					t.Errorf("%s (buffer %d): rejection %q: says where reading resumed: %v, want %v", tt.name, size, r, resumed, !tt.balanced)
				}
			}
			if tt.fileErr && !strings.Contains(got.Err, tt.holds) {
				t.Errorf("%s (buffer %d): file error %q, want it to say %q", tt.name, size, got.Err, tt.holds)
			}
			if (got.Err != "") != tt.fileErr {
				t.Errorf("%s (buffer %d): file error %q, want one: %v", tt.name, size, got.Err, tt.fileErr)
			}
		}
	}
}

// TestArrayResyncBeyondLimit checks that a damaged record is passed over
// however much follows it: only the bytes up to the next record are held,
// not the rest of the array, which may be larger than the size limit.
func TestArrayResyncBeyondLimit(t *testing.T) {
	rec := `{"eventVersion":"1.08","eventName":"A","eventSource":"s3.amazonaws.com"}`
	var b strings.Builder
	b.WriteString(`{"Records":[` + rec + `,{"eventVersion":"1.08","eventName":"X","userAgent":"cut`)
	const after = 200
	for range after {
		b.WriteString("," + rec)
	}
	b.WriteString("]}")
	if b.Len() < 8*MinValueSize {
		t.Fatalf("input of %d bytes is not well past the limit", b.Len())
	}
	got := sameForBuffers(t, []byte(b.String()), Options{MaxValueSize: MinValueSize}, Options{MaxValueSize: MinValueSize, BufferSize: 5})
	if len(got.Raws) != after+1 || len(got.Rejects) != 1 || got.Err != "" {
		t.Errorf("%d records, %d rejections, error %q; want %d, 1, none", len(got.Raws), len(got.Rejects), got.Err, after+1)
	}
	// Cut inside a string, then more than the limit with no quote.
	in := `{"Records":[` + rec + `,{"eventVersion":"1.08","userAgent":"cut` + strings.Repeat("z", 10*MinValueSize) + rec + `]}`
	got = sameForBuffers(t, []byte(in), Options{MaxValueSize: MinValueSize}, Options{MaxValueSize: MinValueSize, BufferSize: 5})
	if len(got.Raws) != 2 || len(got.Rejects) != 1 || got.Err != "" {
		t.Errorf("long cut string: %d records, %d rejections, error %q; want 2, 1, none", len(got.Raws), len(got.Rejects), got.Err)
	}
}

// TestMissingComma checks that records of an array with no ',' between two
// of them are read, and the file noted, rather than the rest lost; other
// bytes in the comma's place are rejected, and reading goes on after them.
func TestMissingComma(t *testing.T) {
	rec := `{"eventVersion":"1.08","eventName":"A"}`
	for _, in := range []string{`{"Records":[` + rec + rec + "," + rec + `]}`, "[" + rec + "\n  " + rec + "]", "[" + rec + ";" + rec + "]"} {
		got := sameForBuffers(t, []byte(in), Options{}, Options{BufferSize: 3})
		unseparated, rejected := int64(1), 0
		if strings.Contains(in, ";") {
			unseparated, rejected = 0, 1
		}
		if len(got.Raws) != strings.Count(in, "eventVersion") || len(got.Rejects) != rejected || got.Err != "" || got.Stats.Unseparated != unseparated {
			t.Errorf("%s: %d records, %d rejections, error %q, unseparated %d", in, len(got.Raws), len(got.Rejects), got.Err, got.Stats.Unseparated)
		}
		for _, r := range got.Rejects {
			if !strings.Contains(r, `found ";{"eventVersion"" at line 1: a byte that is no record, and may be the end of the record before`) {
				t.Errorf("%s: rejection %q", in, r)
			}
		}
	}
}

// TestDamagedRunsLinear checks that many damaged items in a row, with or
// without a record after them, and records with no mark to find, cost
// time in proportion to the input: each damaged item is followed to its
// own end, not searched past for a record each time.
func TestDamagedRunsLinear(t *testing.T) {
	rec := `{"eventVersion":"1.08","eventName":"A"}`
	sorted := `{"eventName":"A","eventVersion":"1.08"}` // no mark: keys sorted
	tests := []struct {
		name           string
		in             string
		names, rejects int
	}{
		{"damaged items then a record", `{"Records":[` + rec + "," + strings.Repeat(`{x},`, 5000) + rec + `]}`, 2, 5000},
		{"damaged items to the end", `{"Records":[` + rec + "," + strings.Repeat(`{x},`, 5000) + `{x}]}`, 1, 5001},
		{"no marks, every other damaged", `[` + strings.Repeat(sorted+`,{"a":"\q"},`, 2000) + sorted + `]`, 2001, 2000},
	}
	for _, tt := range tests {
		for _, o := range []Options{{}, {BufferSize: 5}} {
			res := read(t, strings.NewReader(tt.in), "in", o)
			if len(res.raws) != tt.names || len(res.rejects) != tt.rejects {
				t.Errorf("%s: %d records and %d rejections, want %d and %d", tt.name, len(res.raws), len(res.rejects), tt.names, tt.rejects)
			}
			if limit := 16 * int64(len(tt.in)); res.steps > limit {
				t.Errorf("%s: %d steps for %d bytes, want at most %d", tt.name, res.steps, len(tt.in), limit)
			}
		}
	}
}

// TestRecordsAfterContainerEnd checks what the reason says when damage
// makes a Records array look closed and records follow: they are not
// read, and the reason says so rather than naming an unknown shape.
func TestRecordsAfterContainerEnd(t *testing.T) {
	rec := `{"eventVersion":"1.08","eventName":"A","eventSource":"s3.amazonaws.com"}`
	in := `{"Records":[` + rec + `]}` + ",\n" + rec + "," + rec + `]}`
	for size := 1; size < 64; size += 7 {
		got := sameForBuffers(t, []byte(in), Options{}, Options{BufferSize: size})
		if len(got.Raws) != 3 || len(got.Rejects) != 1 || !strings.Contains(got.Rejects[0], "closed early by") || got.Err != "" {
			t.Errorf("buffer %d: %d records, rejections %q, error %q", size, len(got.Raws), got.Rejects, got.Err)
		}
	}
	// Where the container is not an array of records, what follows its
	// end is still not read, and the error says why.
	in = `{"Records":[` + rec + `]}` + ",\n" + `{"Records":[` + rec + `]}`
	for size := 1; size < 64; size += 7 {
		got := sameForBuffers(t, []byte(in), Options{}, Options{BufferSize: size})
		if len(got.Raws) != 1 || got.Err == "" {
			t.Errorf("buffer %d: %d records, error %q", size, len(got.Raws), got.Err)
		}
	}
}

// TestPrettyDamageNamesLines checks that a damaged record of a
// pretty-printed file, passed over until its brackets balance again (and
// which may take the records after it when its damage flips what is
// quoted), names the lines it passed over, so that nothing is lost unsaid.
func TestPrettyDamageNamesLines(t *testing.T) {
	var recs []string
	for _, name := range []string{"A", "X", "B"} {
		recs = append(recs, "    {\n      \"eventVersion\": \"1.08\",\n      \"eventName\": \""+name+"\",\n      \"readOnly\": false,\n      \"userAgent\": \"ua\"\n    }")
	}
	recs[1] = strings.Replace(recs[1], "false", "flase", 1)
	in := "{\n  \"Records\": [\n" + strings.Join(recs, ",\n") + "\n  ]\n}\n"
	got := sameForBuffers(t, []byte(in), Options{}, Options{BufferSize: 7})
	if len(got.Rejects) != 1 || len(got.Raws) != 2 || got.Err != "" {
		t.Fatalf("%d rejections %v, %d records, error %q; want 1, 2, none", len(got.Rejects), got.Rejects, len(got.Raws), got.Err)
	}
	// X's record takes lines 9 to 14: from its '{' to its '}'.
	if !strings.Contains(got.Rejects[0], "lines 9-14 passed over") {
		t.Errorf("rejection %q does not name lines 9-14", got.Rejects[0])
	}
}
