package cloudtrail

import (
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"slices"

	kgzip "github.com/klauspost/compress/gzip"
)

// Picked is a record Pick found: its text, or why the reader rejected it.
type Picked struct {
	Pos Position
	// Raw is the record's JSON text; for a rejected record, its text when
	// the reader held it whole (a record that repeats a key), else nil.
	Raw    []byte
	Reason string // why it was rejected; "" for a record read
	// NamesEvent reports, for a record read, whether it names its event
	// as a CloudTrail record does (Record.NamesEvent), or is an Insights
	// record, which names it in its insightDetails.
	NamesEvent bool
	// Kind is a record read's family, as the reader found it.
	Kind Kind
}

// Pick reads src, named name, as far as the last of the records numbered
// want (1-based, counting rejected records, as Position.Ordinal and the
// scan's findings number them) and returns those it found, by number. It
// stops with an error when the input ends before one of them, or cannot
// be read as far; the records found before that are returned with it.
// It then reads on to the end of the input, and returns an error wrapping
// ErrDamagedAfter when that fails: a gzip checksum covers the whole
// member, records already read included, and evidence from a damaged file
// must not pass for sound.
func Pick(src io.Reader, name string, want []int64, opts Options) (map[int64]Picked, error) {
	return pick(src, name, want, opts, true)
}

// PickPrefix is Pick without the reading on: it reads src only as far as
// the last record wanted, and no damage past it is noticed. It is for a
// caller that checks each record it gets against what it read of the
// record before (the scan, which reads again the records its correlation
// findings name, compares their digests), for whom the rest of the input
// proves nothing more and costs as much again on average.
func PickPrefix(src io.Reader, name string, want []int64, opts Options) (map[int64]Picked, error) {
	return pick(src, name, want, opts, false)
}

func pick(src io.Reader, name string, want []int64, opts Options, toEnd bool) (map[int64]Picked, error) {
	out := map[int64]Picked{}
	if len(want) == 0 {
		return out, nil
	}
	for _, n := range want {
		if n < 1 {
			return out, fmt.Errorf("%s: no record %d: records are numbered from 1", name, n)
		}
	}
	last := slices.Max(want)
	wanted := make(map[int64]bool, len(want))
	for _, n := range want {
		wanted[n] = true
	}
	r := NewReader(opts)
	r.Reset(src, name)
	for {
		rec, err := r.Next()
		var re *RecordError
		switch {
		case errors.As(err, &re):
			if wanted[re.Pos.Ordinal] {
				out[re.Pos.Ordinal] = Picked{Pos: re.Pos, Reason: re.Reason, Raw: slices.Clone(re.Raw)}
			}
			if re.Pos.Ordinal >= last {
				return out, readOn(r, toEnd)
			}
			continue
		case errors.Is(err, io.EOF):
			missing := last
			for _, n := range want {
				if _, ok := out[n]; !ok {
					missing = min(missing, n)
				}
			}
			return out, fmt.Errorf("%s holds %d records: no record %d", name, r.Stats().Read, missing)
		case err != nil:
			return out, err
		}
		if wanted[rec.Pos.Ordinal] {
			out[rec.Pos.Ordinal] = Picked{Pos: rec.Pos, Raw: slices.Clone(rec.Raw), NamesEvent: rec.NamesEvent || rec.Kind == KindInsight, Kind: rec.Kind}
		}
		if rec.Pos.Ordinal >= last {
			return out, readOn(r, toEnd)
		}
	}
}

// ErrDamagedAfter marks a file that fails after the records Pick returns.
var ErrDamagedAfter = errors.New("the file is damaged after the records asked for (they were read before the damage)")

// readOn reads r to the end, past rejected records, and returns an error
// wrapping ErrDamagedAfter when the file fails on the way; nothing when
// toEnd is false.
func readOn(r *Reader, toEnd bool) error {
	for toEnd {
		_, err := r.Next()
		var re *RecordError
		switch {
		case errors.As(err, &re) || err == nil:
		case errors.Is(err, io.EOF):
			return nil
		case errors.Is(err, gzip.ErrChecksum) || errors.Is(err, kgzip.ErrChecksum):
			return fmt.Errorf("%w: %v; the checksum covers the records asked for too, which may not be what was written", ErrDamagedAfter, err)
		default:
			return fmt.Errorf("%w: %v", ErrDamagedAfter, err)
		}
	}
	return nil
}
