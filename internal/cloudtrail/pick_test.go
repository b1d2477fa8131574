package cloudtrail

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
)

// TestPickMatchesReading checks that Pick finds, in every container shape,
// the record that reading the file numbers so (the number a finding
// carries), rejected ones included, and says when a file ends first.
func TestPickMatchesReading(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.json*")
	damaged := filepath.Join(t.TempDir(), "damaged.json")
	if err := os.WriteFile(damaged, []byte(`{"Records":[{"eventVersion":"1.08","a":1},{"eventVersion":tru},{"eventVersion":"1.08","a":3}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	files = append(files, damaged)
	picked := 0
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		type seen struct {
			raw    []byte
			reason string
		}
		all := map[int64]seen{}
		var read int64
		r := NewReader(Options{})
		r.Reset(bytes.NewReader(data), name)
		for {
			rec, err := r.Next()
			var re *RecordError
			if errors.As(err, &re) {
				all[re.Pos.Ordinal] = seen{raw: bytes.Clone(re.Raw), reason: re.Reason}
				continue
			}
			if err != nil {
				break
			}
			all[rec.Pos.Ordinal] = seen{raw: bytes.Clone(rec.Raw)}
		}
		read = r.Stats().Read
		if read == 0 {
			continue // digest and other files without records
		}
		want := []int64{read} // the last, the first and one in between, out of order
		if mid := (read + 1) / 2; read > 2 {
			want = append(want, 1, mid)
		} else if read == 2 {
			want = append(want, 1)
		}
		got, err := Pick(bytes.NewReader(data), name, want, Options{})
		if err != nil {
			t.Errorf("%s: %v", name, err)
		}
		for _, n := range want {
			if g, w := got[n], all[n]; !bytes.Equal(g.Raw, w.raw) || g.Reason != w.reason || g.Pos.Ordinal != n {
				t.Errorf("%s: record %d is %q (%q), read as %q (%q)", name, n, g.Raw, g.Reason, w.raw, w.reason)
			}
			picked++
		}
		if _, err := Pick(bytes.NewReader(data), name, []int64{2, read + 1}, Options{}); err == nil ||
			!strings.Contains(err.Error(), "no record") {
			t.Errorf("%s: asking for record %d of %d gave %v", name, read+1, read, err)
		}
	}
	if picked < 20 {
		t.Errorf("picked %d records from %d files; the fixtures hold more", picked, len(files))
	}
	if _, err := Pick(strings.NewReader(`{"Records":[]}`), "x", []int64{0}, Options{}); err == nil {
		t.Error("record 0 was not refused")
	}
}

// TestPickDamagedAfter checks that Pick reads past the records asked for
// to the end of the file, and says when the file fails there: a gzip
// checksum that does not match covers the records returned too.
func TestPickDamagedAfter(t *testing.T) {
	log := []byte(`{"Records":[` + recA + `,` + recB + `]}`)
	badCRC := gz(t, log)
	badCRC[len(badCRC)-8] ^= 0xff // the CRC-32 in the gzip trailer
	for _, tc := range []struct {
		name string
		data []byte
		want string // in the error; "" for none
	}{
		{"whole", gz(t, log), ""},
		{"bad checksum", badCRC, "the checksum covers the records asked for too"},
		{"junk after", append(slices.Clone(log), "\ntrailing junk\n"...), "the file is damaged after the records asked for"},
	} {
		got, err := Pick(bytes.NewReader(tc.data), tc.name, []int64{1}, Options{})
		if len(got[1].Raw) == 0 {
			t.Errorf("%s: record 1 not returned", tc.name)
		}
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.want != "" && (!errors.Is(err, ErrDamagedAfter) || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: %v, want ErrDamagedAfter saying %q", tc.name, err, tc.want)
		}
	}
}

// TestPickPrefix checks that PickPrefix stops at the last record asked
// for: damage after it is not its concern, and an input that fails past
// that record is not read so far.
func TestPickPrefix(t *testing.T) {
	log := []byte(`{"Records":[` + recA + `,` + recB + `]}`)
	badCRC := gz(t, log)
	badCRC[len(badCRC)-8] ^= 0xff
	failing := io.MultiReader(strings.NewReader(`{"Records":[`+recA+`,`), iotest.ErrReader(errors.New("not to be read")))
	for _, tc := range []struct {
		name string
		src  io.Reader
	}{
		{"bad checksum", bytes.NewReader(badCRC)},
		{"junk after", bytes.NewReader(append(slices.Clone(log), "\ntrailing junk\n"...))},
		{"fails after", failing},
	} {
		got, err := PickPrefix(tc.src, tc.name, []int64{1}, Options{})
		if err != nil || string(got[1].Raw) != recA {
			t.Errorf("%s: %q, %v; want record 1 and no error", tc.name, got[1].Raw, err)
		}
	}
	if _, err := PickPrefix(bytes.NewReader(log), "short", []int64{3}, Options{}); err == nil {
		t.Error("a record past the end: no error")
	}
}
