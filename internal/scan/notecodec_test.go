package scan

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// noteEntries makes n entries that tell their fields apart: places that
// go back as well as forth, times before 1970, texts, several rules,
// notes whose keys repeat (numbered), pass the numbered keys' cap, are
// too long to number or empty, and that count no value, one or a list.
func noteEntries(r *rand.Rand, n int) []noteEntry {
	out := make([]noteEntry, n)
	for i := range out {
		en := &out[i]
		en.ordinal = int64(r.IntN(1 << 20))
		en.line = int64(r.IntN(1<<20)) - 5
		en.offset = r.Int64() >> r.IntN(63)
		en.at = r.Int64() - math.MaxInt64/2
		en.digest = r.Uint64()
		en.flags = uint8(r.IntN(noteEntryFlagMask + 1))
		en.flags &= noteEntryFlagMask
		if en.flags&recTimeText != 0 {
			en.text = fmt.Sprintf("2027-01-11T03:00:%02d.000+01:00", i%60)
		}
		for range 1 + r.IntN(3) {
			en.rules = append(en.rules, uint32(r.IntN(300)))
		}
		for c := range r.IntN(4) {
			var key []byte
			switch k := r.IntN(10); {
			case k < 5:
				key = fmt.Appendf(nil, "\x014:user%d", k) // repeats
			case k < 8:
				key = fmt.Appendf(nil, "\x015:u%05d", r.IntN(10_000)) // many: past the cap
			case k == 8:
				key = []byte(strings.Repeat("long key ", 40)) // not numbered
			}
			note := entryNote{corr: c * 3, key: key}
			for range r.IntN(4) {
				note.hashes = append(note.hashes, r.Uint64())
			}
			en.notes = append(en.notes, note)
		}
	}
	return out
}

// sameEntry reports how got differs from want: nil and empty lists alike.
func sameEntry(got, want *noteEntry) string {
	g, w := *got, *want
	g.notes, w.notes = nil, nil
	if len(g.rules) == 0 && len(w.rules) == 0 {
		g.rules, w.rules = nil, nil
	}
	if !reflect.DeepEqual(g, w) {
		return fmt.Sprintf("got %+v\nwant %+v", g, w)
	}
	if len(got.notes) != len(want.notes) {
		return fmt.Sprintf("%d notes, want %d", len(got.notes), len(want.notes))
	}
	for i, gn := range got.notes {
		wn := want.notes[i]
		if gn.corr != wn.corr || !bytes.Equal(gn.key, wn.key) || len(gn.hashes) != len(wn.hashes) ||
			(len(wn.hashes) > 0 && !reflect.DeepEqual(gn.hashes, wn.hashes)) {
			return fmt.Sprintf("note %d: got %+v\nwant %+v", i, gn, wn)
		}
	}
	return ""
}

// writeRuns encodes each list of entries as a run of its own, one after
// the other, and returns the bytes and where each run starts, and ends.
func writeRuns(t *testing.T, runs ...[]noteEntry) ([]byte, []int) {
	t.Helper()
	var b bytes.Buffer
	enc := newNoteEncoder(&b)
	bounds := []int{0}
	for _, run := range runs {
		enc.reset()
		for i := range run {
			n, err := enc.encode(&run[i])
			if err != nil {
				t.Fatal(err)
			}
			if n <= 0 {
				t.Fatalf("entry %d took %d bytes", i, n)
			}
		}
		bounds = append(bounds, b.Len())
	}
	return b.Bytes(), bounds
}

// TestNoteCodecRoundTrip: every field of every entry comes back, and the
// runs of two files read back in either order, each from its start, as
// partition passes read them.
func TestNoteCodecRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	runs := [][]noteEntry{noteEntries(r, 9000), noteEntries(r, 300)}
	data, bounds := writeRuns(t, runs...)
	var d noteDecoder
	for _, i := range []int{1, 0} {
		d.reset(bytes.NewReader(data[bounds[i]:bounds[i+1]]))
		var got noteEntry // reused, as a pass reuses it
		for j := range runs[i] {
			if err := d.decode(&got); err != nil {
				t.Fatalf("run %d, entry %d: %v", i, j, err)
			}
			if diff := sameEntry(&got, &runs[i][j]); diff != "" {
				t.Fatalf("run %d, entry %d: %s", i, j, diff)
			}
		}
		if err := d.decode(&got); !errors.Is(err, io.EOF) {
			t.Errorf("run %d: after the last entry: %v, want io.EOF", i, err)
		}
	}
}

// TestNoteCodecSize: one caller's deletions in one file take about 30
// bytes an entry, the key written once.
func TestNoteCodecSize(t *testing.T) {
	key := []byte("\x0152:arn:aws:sts::111122223333:assumed-role/cleaner/job\x017:archive")
	run := make([]noteEntry, 1000)
	for i := range run {
		run[i] = noteEntry{ordinal: int64(i), line: int64(i + 1), offset: int64(i * 1300), at: int64(i) * 7e9,
			digest: uint64(i) * 0x9e3779b97f4a7c15, flags: recHasID, rules: []uint32{3}, notes: []entryNote{{corr: 2, key: key}}}
	}
	data, _ := writeRuns(t, run)
	if per := len(data) / len(run); per > 32 {
		t.Errorf("%d bytes an entry, want 32 at most", per)
	}
}

// TestNoteCodecCorrupt: a damaged spill is an error, never a panic: one
// cut inside an entry does not read as a clean end, and damaged bytes
// read as a clean end or errNotesCorrupt.
func TestNoteCodecCorrupt(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	run := noteEntries(r, 40)
	var b bytes.Buffer
	enc := newNoteEncoder(&b)
	ends := map[int]bool{0: true}
	for i := range run {
		if _, err := enc.encode(&run[i]); err != nil {
			t.Fatal(err)
		}
		ends[b.Len()] = true
	}
	full := b.Bytes()
	read := func(data []byte) error {
		var d noteDecoder
		d.reset(bytes.NewReader(data))
		var en noteEntry
		for {
			if err := d.decode(&en); err != nil {
				return err
			}
		}
	}
	for cut := range len(full) {
		err := read(full[:cut])
		if clean := errors.Is(err, io.EOF); clean != ends[cut] {
			t.Errorf("spill cut at byte %d of %d: %v (clean end %v, want %v)", cut, len(full), err, clean, ends[cut])
		}
		damaged := bytes.Clone(full)
		damaged[cut] ^= 0xff
		if err := read(damaged); !errors.Is(err, io.EOF) && !errors.Is(err, errNotesCorrupt) {
			t.Errorf("byte %d damaged: %v, want a clean end or errNotesCorrupt", cut, err)
		}
	}
}

// TestNoteCodecBitFlipped: any one bit flipped in a run, which may keep
// the entries' form, is read as errNotesCorrupt, never as other entries.
func TestNoteCodecBitFlipped(t *testing.T) {
	data, _ := writeRuns(t, noteEntries(rand.New(rand.NewPCG(7, 8)), 30))
	for bit := range len(data) * 8 {
		damaged := bytes.Clone(data)
		damaged[bit/8] ^= 1 << (bit % 8)
		var d noteDecoder
		d.reset(bytes.NewReader(damaged))
		var en noteEntry
		err := d.decode(&en)
		for err == nil {
			err = d.decode(&en)
		}
		if !errors.Is(err, errNotesCorrupt) {
			t.Fatalf("bit %d of byte %d flipped: %v, want errNotesCorrupt", bit%8, bit/8, err)
		}
	}
}

// TestNoteCodecRecordText: the entry of a stream's record carries the
// record's text, which comes back whole, and the decoder says where in
// the run it lies, so that a pass can read it back from there alone.
func TestNoteCodecRecordText(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	run := noteEntries(r, 500)
	for i := range run {
		en := &run[i]
		en.flags &^= recSpilled
		if i%3 != 0 {
			en.flags |= recSpilled
			en.raw = fmt.Appendf(nil, `{"eventID":"e%d","pad":"%s"}`, i, strings.Repeat("x", r.IntN(3000)))
		}
	}
	// Another file's run first: the places are within the run's own.
	data, bounds := writeRuns(t, noteEntries(r, 50), run)
	own := data[bounds[1]:bounds[2]]
	var d noteDecoder
	d.reset(bytes.NewReader(own))
	var got noteEntry
	for j := range run {
		if err := d.decode(&got); err != nil {
			t.Fatalf("entry %d: %v", j, err)
		}
		if diff := sameEntry(&got, &run[j]); diff != "" {
			t.Fatalf("entry %d: %s", j, diff)
		}
		want := run[j].raw
		if want == nil {
			continue
		}
		if at := int(d.rawAt); at <= 0 || at+len(want) > len(own) || !bytes.Equal(own[at:at+len(want)], want) {
			t.Fatalf("entry %d: its text is not at byte %d of the run", j, at)
		}
	}
}
