package detect

import (
	"cmp"
	"slices"
	"time"
)

// Countable reports whether t can be counted in a correlation's window,
// in nanoseconds since 1970 (Event.Time): the years 1678 to 2261. A
// CloudTrail record outside them (CloudTrail began in 2013) is forged or
// broken.
func Countable(t time.Time) bool { return t.Year() >= 1678 && t.Year() <= 2261 }

// Event is one match of a rule a correlation names, as the correlation
// counts it: its time, the values of the counted field, and what tells
// copies of one event apart from other events.
type Event struct {
	Time int64 // Unix nanoseconds
	// Value is a hash of the counted field's value (value_count), when
	// HasValue. When List, the field holds several values (a list), each
	// of which counts: Value is where they are in the lists Bursts is
	// given, which hold each list as its length followed by the hashes of
	// its distinct values (see FieldValue.AppendHashes). A record without
	// the field, or whose field is null or an empty list, adds no value,
	// as a count of distinct values leaves nulls out.
	Value uint64
	// Key is the same for copies of one event (delivered by two trails,
	// say), when HasKey: a copy counts once.
	Key      uint64
	Ref      int32 // the caller's reference to the record
	HasValue bool
	List     bool
	HasKey   bool
}

// SetValues gives e the values whose hashes are hashes (see
// FieldValue.AppendHashes): none, one, or a list, which it appends to
// lists as Bursts reads them, and returns lists.
func (e *Event) SetValues(lists, hashes []uint64) []uint64 {
	switch len(hashes) {
	case 0:
	case 1:
		e.Value, e.HasValue = hashes[0], true
	default:
		e.Value, e.List = uint64(len(lists)), true
		lists = append(lists, uint64(len(hashes)))
		lists = append(lists, hashes...)
	}
	return lists
}

// Burst is a window of events that meets a correlation's condition:
// Events[First] through Events[Last] of the sorted events Bursts returns.
type Burst struct {
	First, Last int
	Count       int64 // events, or distinct values, in the window
}

// Bursts finds the windows of events, all of one group, that meet the
// correlation's condition; lists holds the values of the events whose
// counted field holds a list (see Event and SetValues). It sorts events
// by time (then Ref, so that the answer does not depend on the order
// events came in), drops the later copies of an event, and returns them
// with the bursts.
//
// A window starts at an event and holds every event up to Timespan later,
// both ends included: two events exactly a timespan apart fall in one
// window. The condition is tested on each window in time order; the first
// that meets it is a burst, and the search goes on from the first event
// after that window's last, so that a long run of events is reported once
// per window it fills rather than once per event.
func (c *Correlation) Bursts(events []Event, lists []uint64) ([]Event, []Burst) {
	slices.SortFunc(events, func(a, b Event) int {
		if x := cmp.Compare(a.Time, b.Time); x != 0 {
			return x
		}
		return cmp.Compare(a.Ref, b.Ref)
	})
	events = dropCopies(events)
	span := int64(c.Timespan)
	var bursts []Burst
	w := window{lists: lists}
	j := 0 // the window [i, j) holds the events within span of events[i]
	for i := 0; i < len(events); {
		for j < len(events) && events[j].Time-events[i].Time <= span {
			w.add(&events[j], 1)
			j++
		}
		if n := w.count(c.Type); c.Holds(n) {
			bursts = append(bursts, Burst{First: i, Last: j - 1, Count: n})
			w.reset()
			i = j
			continue
		}
		w.add(&events[i], -1)
		i++
	}
	return events, bursts
}

// Evidence picks up to most events of a burst's window, in time order,
// to show for it. For a count of events they are the window's first; for
// a count of distinct values, each is the first event that brings one of
// them, so that what is shown bears the count out (twelve buckets, not
// ten reads of the first), and the window's first others fill what room
// is left.
func (c *Correlation) Evidence(window []Event, lists []uint64, most int) []Event {
	if len(window) <= most {
		return window
	}
	if c.Type != CountValues {
		return window[:most]
	}
	seen := map[uint64]bool{}
	picked := make([]bool, len(window))
	n := 0
	for i := range window {
		if n == most {
			break
		}
		e := &window[i]
		vals := []uint64{e.Value}
		switch {
		case e.List:
			vals = lists[e.Value+1:][:lists[e.Value]]
		case !e.HasValue:
			continue
		}
		for _, v := range vals {
			if !seen[v] {
				seen[v] = true
				if !picked[i] {
					picked[i] = true
					n++
				}
			}
		}
	}
	for i := range window {
		if n == most {
			break
		}
		if !picked[i] {
			picked[i] = true
			n++
		}
	}
	out := make([]Event, 0, most)
	for i, p := range picked {
		if p {
			out = append(out, window[i])
		}
	}
	return out
}

// dropCopies removes the later copies of an event from sorted events:
// copies share a time, so they meet in sorted order, but not always side
// by side.
func dropCopies(events []Event) []Event {
	var seen map[uint64]bool
	var at int64
	out := events[:0]
	for _, e := range events {
		if e.HasKey {
			if e.Time != at {
				clear(seen)
				at = e.Time
			}
			if seen[e.Key] {
				continue
			}
			if seen == nil {
				seen = map[uint64]bool{}
			}
			seen[e.Key] = true
		}
		out = append(out, e)
	}
	return out
}

// window counts the events of a window and their distinct values.
type window struct {
	events int64
	values map[uint64]int // how many of the window's events add each value
	lists  []uint64
}

// add adds event e to the window (by 1) or removes it (by -1).
func (w *window) add(e *Event, by int) {
	w.events += int64(by)
	switch {
	case e.List:
		n := w.lists[e.Value]
		for _, v := range w.lists[e.Value+1:][:n] {
			w.addValue(v, by)
		}
	case e.HasValue:
		w.addValue(e.Value, by)
	}
}

func (w *window) addValue(v uint64, by int) {
	if w.values == nil {
		w.values = map[uint64]int{}
	}
	if w.values[v] += by; w.values[v] == 0 {
		delete(w.values, v)
	}
}

func (w *window) reset() {
	w.events = 0
	clear(w.values)
}

func (w *window) count(typ string) int64 {
	if typ == CountValues {
		return int64(len(w.values))
	}
	return w.events
}
