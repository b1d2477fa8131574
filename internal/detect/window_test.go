package detect

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"
)

func TestBursts(t *testing.T) {
	min := int64(time.Minute)
	count := func(op string, n int64) *Correlation {
		return &Correlation{Type: CountEvents, Timespan: 10 * time.Minute, Bounds: []Bound{{op, n}}}
	}
	values := &Correlation{Type: CountValues, Timespan: 10 * time.Minute, Bounds: []Bound{{"gte", 3}}}
	at := func(mins ...int64) []Event {
		var out []Event
		for i, m := range mins {
			out = append(out, Event{Time: m * min, Ref: int32(i)})
		}
		return out
	}
	valued := func(vals ...uint64) []Event {
		var out []Event
		for i, v := range vals {
			out = append(out, Event{Time: int64(i) * min, Ref: int32(i), Value: v, HasValue: v != 0})
		}
		return out
	}
	cases := []struct {
		name   string
		c      *Correlation
		events []Event
		want   []Burst
	}{
		{"below the threshold", count("gte", 4), at(0, 1, 2), nil},
		{"exactly at the threshold", count("gte", 3), at(0, 1, 2), []Burst{{0, 2, 3}}},
		{"gt is strict", count("gt", 3), at(0, 1, 2), nil},
		{"both ends of the span included", count("gte", 2), at(0, 10), []Burst{{0, 1, 2}}},
		{"a second past the span", count("gte", 2), []Event{{Time: 0}, {Time: 10*min + int64(time.Second), Ref: 1}}, nil},
		{"unordered input", count("gte", 3), at(30, 2, 0, 31, 1, 32), []Burst{{0, 2, 3}, {3, 5, 3}}},
		{"a long run reported once per window", count("gte", 3), at(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12), []Burst{{0, 10, 11}}},
		{"the search goes on after a burst", count("gte", 3), at(0, 1, 2, 11, 12, 13), []Burst{{0, 2, 3}, {3, 5, 3}}},
		{"the window slides", count("gte", 3), at(0, 8, 12, 15), []Burst{{1, 3, 3}}},
		{"distinct values", values, valued(7, 7, 8, 7, 9), []Burst{{0, 4, 3}}},
		{"the same value again", values, valued(7, 7, 7, 7, 7), nil},
		{"nulls are no value", values, valued(7, 0, 8, 0), nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, got := tc.c.Bursts(tc.events, nil)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("bursts %v, want %v", got, tc.want)
			}
		})
	}
}

// TestBurstsCopies checks that copies of one event count once, wherever
// they come in the input.
func TestBurstsCopies(t *testing.T) {
	c := &Correlation{Type: CountEvents, Timespan: time.Minute, Bounds: []Bound{{"gte", 4}}}
	events := []Event{
		{Time: 1, Key: 1, HasKey: true, Ref: 0}, {Time: 2, Key: 2, HasKey: true, Ref: 1},
		{Time: 1, Key: 1, HasKey: true, Ref: 2}, {Time: 2, Key: 2, HasKey: true, Ref: 3},
		{Time: 1, Key: 9, HasKey: true, Ref: 4},
	}
	kept, bursts := c.Bursts(events, nil)
	if len(kept) != 3 || bursts != nil {
		t.Fatalf("kept %v, bursts %v; want three events and no burst", kept, bursts)
	}
	// Records without a key (no eventID) are never copies.
	_, bursts = c.Bursts([]Event{{Time: 1}, {Time: 1, Ref: 1}, {Time: 1, Ref: 2}, {Time: 1, Ref: 3}}, nil)
	if len(bursts) != 1 {
		t.Errorf("bursts %v, want one", bursts)
	}
}

// TestBurstsOrderFree checks that the bursts do not depend on the order
// the events come in.
func TestBurstsOrderFree(t *testing.T) {
	c := &Correlation{Type: CountValues, Timespan: 5 * time.Second, Bounds: []Bound{{"gte", 4}}}
	r := rand.New(rand.NewPCG(1, 2))
	var events []Event
	for i := range 500 {
		events = append(events, Event{Time: int64(r.IntN(200)) * int64(time.Second), Value: uint64(r.IntN(6)), HasValue: true, Ref: int32(i)})
	}
	kept, want := c.Bursts(append([]Event(nil), events...), nil)
	if len(want) == 0 {
		t.Fatal("no burst in the input: the test proves nothing")
	}
	for range 5 {
		r.Shuffle(len(events), func(i, j int) { events[i], events[j] = events[j], events[i] })
		k2, got := c.Bursts(append([]Event(nil), events...), nil)
		if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(k2, kept) {
			t.Fatalf("shuffled: %v, want %v", got, want)
		}
	}
}

// TestBurstsLists: an event that adds several values (its counted field
// holds a list) adds each to its window and takes each away when the
// window moves past it, however the values are shared with other events.
func TestBurstsLists(t *testing.T) {
	c := &Correlation{Type: CountValues, Timespan: 10 * time.Minute, Bounds: []Bound{{"gte", 4}}}
	type rec struct {
		min  int64
		vals []uint64 // none: the field is missing, null or an empty list
	}
	cases := []struct {
		name string
		recs []rec
		want []Burst
	}{
		{"a list adds its elements", []rec{{0, []uint64{1, 2, 3, 4}}}, []Burst{{0, 0, 4}}},
		{"lists and single values together", []rec{{0, []uint64{1, 2}}, {1, []uint64{3}}, {2, []uint64{4, 5}}}, []Burst{{0, 2, 5}}},
		{"a value in two lists counts once", []rec{{0, []uint64{1, 2}}, {1, []uint64{2, 3}}, {2, []uint64{3, 1}}}, nil},
		{"records without values add none", []rec{{0, nil}, {1, []uint64{1, 2, 3}}, {2, nil}}, nil},
		// The window from 0 holds 1, 2, 3; from 5 on, 1 (again), 2, 3 and
		// 4: the list at 0 leaves the window without taking 1 with it.
		{"the window moves past a list", []rec{{0, []uint64{1, 2, 3}}, {5, []uint64{1}}, {11, []uint64{2, 3, 4}}}, []Burst{{1, 2, 4}}},
		{"a list leaves the window whole", []rec{{0, []uint64{1, 2, 3}}, {11, []uint64{4}}, {12, []uint64{5, 6}}}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var events []Event
			var lists []uint64
			for i, r := range tc.recs {
				e := Event{Time: r.min * int64(time.Minute), Ref: int32(i)}
				lists = e.SetValues(lists, r.vals)
				events = append(events, e)
			}
			// In reverse, so that Bursts must sort them, their lists with them.
			slices.Reverse(events)
			if _, got := c.Bursts(events, lists); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("bursts %v, want %v", got, tc.want)
			}
		})
	}
}

// TestBurstEvidence checks which events a burst's finding lists: the window's
// first for a count of events; for a count of distinct values, the first
// event to bring each value, topped up with the window's first others.
func TestBurstEvidence(t *testing.T) {
	events := func(vals ...[]uint64) ([]Event, []uint64) {
		var out []Event
		var lists []uint64
		for i, v := range vals {
			e := Event{Time: int64(i), Ref: int32(i)}
			lists = e.SetValues(lists, v)
			out = append(out, e)
		}
		return out, lists
	}
	refs := func(es []Event) []int32 {
		var out []int32
		for _, e := range es {
			out = append(out, e.Ref)
		}
		return out
	}
	one := func(v uint64) []uint64 { return []uint64{v} }
	values := &Correlation{Type: CountValues}
	cases := []struct {
		name string
		c    *Correlation
		vals [][]uint64
		most int
		want []int32
	}{
		{"events: the first", &Correlation{Type: CountEvents}, [][]uint64{nil, nil, nil, nil}, 2, []int32{0, 1}},
		{"values: each value's first", values, [][]uint64{one(1), one(1), one(1), one(2), one(2), one(3)}, 3, []int32{0, 3, 5}},
		{"values: topped up in time order", values, [][]uint64{one(1), one(1), one(2), one(1)}, 3, []int32{0, 1, 2}},
		{"values: a list brings several", values, [][]uint64{one(1), {1, 2}, one(2), {3, 4}, one(5)}, 3, []int32{0, 1, 3}},
		{"values: events without a value come last", values, [][]uint64{nil, one(1), nil, one(2)}, 3, []int32{0, 1, 3}},
		{"fewer than most: all", values, [][]uint64{one(1), one(1)}, 5, []int32{0, 1}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			es, lists := events(tc.vals...)
			if got := refs(tc.c.Evidence(es, lists, tc.most)); !slices.Equal(got, tc.want) {
				t.Errorf("evidence %v, want %v", got, tc.want)
			}
		})
	}
}
