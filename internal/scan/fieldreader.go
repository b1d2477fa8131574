package scan

import "encoding/binary"

// fieldReader reads the fields of one entry of a spill of notes or one
// finding of a run file, held whole in buf, as this package's encoders
// write them. A field that is not whole, or a varint that overflows, sets
// err to corrupt, and reads as zero: a decoder checks err once, at the
// end.
type fieldReader struct {
	buf     []byte
	at      int
	err     error
	corrupt error // what err is then: the decoder's own sentinel
}

func (d *fieldReader) uint() uint64 {
	v, n := binary.Uvarint(d.buf[d.at:])
	if n <= 0 {
		d.err = d.corrupt
		return 0
	}
	d.at += n
	return v
}

// int reads what binary.AppendVarint wrote: its zig-zag form.
func (d *fieldReader) int() int64 {
	u := d.uint()
	return int64(u>>1) ^ -int64(u&1)
}

// bytes returns the next n bytes, which stay buf's.
func (d *fieldReader) bytes(n uint64) []byte {
	if d.err != nil || n > uint64(len(d.buf)-d.at) {
		d.err = d.corrupt
		return nil
	}
	b := d.buf[d.at : d.at+int(n)]
	d.at += int(n)
	return b
}
