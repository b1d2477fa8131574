package scan

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"testing"
	"time"
)

// fillFinding sets every field of a finding, exported or not, to a value
// that tells it apart (strings made from seed and the field's path), so
// that a field the run codec forgets shows.
func fillFinding(t *testing.T, seed int) Finding {
	t.Helper()
	var f Finding
	var fill func(v reflect.Value, path string)
	fill = func(v reflect.Value, path string) {
		switch v.Kind() {
		case reflect.String:
			v.SetString(fmt.Sprintf("%s-%d", path, seed%3)) // repeats across findings
		case reflect.Bool:
			v.SetBool(seed%2 == 1)
		case reflect.Int64, reflect.Int:
			v.SetInt(int64(seed*1000 + len(path)))
		case reflect.Struct:
			if v.Type() == reflect.TypeFor[time.Time]() {
				v.Set(reflect.ValueOf(time.Date(2026, 1, 2, 3, 4, 5, seed, time.FixedZone("", 3600*(seed%3)))))
				return
			}
			for i := range v.NumField() {
				fv := v.Field(i)
				if !fv.CanSet() {
					fv = reflect.NewAt(fv.Type(), fv.Addr().UnsafePointer()).Elem()
				}
				fill(fv, path+"."+v.Type().Field(i).Name)
			}
		case reflect.Slice:
			s := reflect.MakeSlice(v.Type(), 2, 2)
			for i := range 2 {
				fill(s.Index(i), fmt.Sprintf("%s[%d]", path, i))
			}
			v.Set(s)
		case reflect.Pointer:
			if v.Type().Elem().Kind() == reflect.Bool {
				b := seed%2 == 0
				v.Set(reflect.ValueOf(&b))
				return
			}
			if v.Type() == reflect.TypeFor[*frag]() {
				return // a streamed scan's encoding cache, never spilled
			}
			if v.Type().Elem().Kind() == reflect.Struct {
				v.Set(reflect.New(v.Type().Elem()))
				fill(v.Elem(), path)
				return
			}
			t.Fatalf("fillFinding: no value for %s (%s): teach the run codec and this test about it", path, v.Type())
		default:
			t.Fatalf("fillFinding: no value for %s (%s): teach the run codec and this test about it", path, v.Type())
		}
	}
	fill(reflect.ValueOf(&f).Elem(), "f")
	return f
}

// TestRunCodecRoundTrip checks that a run gives back every field of every
// finding written to it, nil and empty lists apart, with strings numbered
// and not.
func TestRunCodecRoundTrip(t *testing.T) {
	var want []spilled
	for i := range 40 {
		f := fillFinding(t, i)
		switch i {
		case 5:
			f.ReadOnly, f.Tactics, f.Matched, f.Rule.ATTACK = nil, nil, nil, nil
		case 6:
			f.Tactics, f.Matched, f.Rule.ATTACK = []string{}, []MatchedField{}, []string{}
		case 7:
			f.Actor.UserAgent = string(bytes.Repeat([]byte("long agent "), 100)) // not numbered
		}
		want = append(want, spilled{F: f, Rank: int64(i % 4), Seq: int64(i)})
	}
	var b bytes.Buffer
	bw := bufio.NewWriter(&b)
	enc := newRunEncoder(bw)
	for i := range want {
		if err := enc.encode(&want[i]); err != nil {
			t.Fatal(err)
		}
	}
	bw.Flush()
	dec := &runDecoder{r: bufio.NewReader(&b)}
	for i := range want {
		var got spilled
		if err := dec.decode(&got); err != nil {
			t.Fatalf("finding %d: %v", i, err)
		}
		if !got.F.time.Equal(want[i].F.time) {
			t.Errorf("finding %d: time %v, want %v", i, got.F.time, want[i].F.time)
		}
		got.F.time = want[i].F.time
		if !reflect.DeepEqual(got, want[i]) {
			t.Errorf("finding %d:\n got %+v\nwant %+v", i, got, want[i])
		}
	}
	var end spilled
	if err := dec.decode(&end); !errors.Is(err, io.EOF) {
		t.Errorf("after the last finding: %v, want io.EOF", err)
	}
}

// TestRunCodecCorrupt checks that a damaged run is an error, never a
// panic: a run cut inside a finding does not read as a clean end, and
// damaged bytes do not make the reader fail in another way.
func TestRunCodecCorrupt(t *testing.T) {
	var b bytes.Buffer
	bw := bufio.NewWriter(&b)
	enc := newRunEncoder(bw)
	ends := map[int]bool{0: true}
	for i := range 3 {
		sp := spilled{F: fillFinding(t, i)}
		if err := enc.encode(&sp); err != nil {
			t.Fatal(err)
		}
		bw.Flush()
		ends[b.Len()] = true
	}
	full := b.Bytes()
	read := func(data []byte) (n int, err error) {
		dec := &runDecoder{r: bufio.NewReader(bytes.NewReader(data))}
		for {
			var sp spilled
			if err := dec.decode(&sp); err != nil {
				return n, err
			}
			n++
		}
	}
	for cut := 0; cut < len(full); cut++ {
		_, err := read(full[:cut])
		if clean := errors.Is(err, io.EOF); clean != ends[cut] {
			t.Errorf("run cut at byte %d of %d: %v (clean end %v, want %v)", cut, len(full), err, clean, ends[cut])
		}
		damaged := append([]byte(nil), full...)
		damaged[cut] ^= 0xff
		if _, err := read(damaged); !errors.Is(err, io.EOF) && !errors.Is(err, errCorrupt) {
			t.Errorf("byte %d damaged: %v, want a clean end or errCorrupt", cut, err)
		}
	}
}
