package cloudtrail

import (
	"bufio"
	"compress/gzip"
	"errors"
	"fmt"
	"io"

	kgzip "github.com/klauspost/compress/gzip"
)

// ErrTrailingData marks bytes after the end of a file's gzip data that are
// not another gzip member: the records before them were read.
var ErrTrailingData = errors.New("bytes after the end of the gzip data are not gzip")

// members reads a gzip file member by member (gzip.Reader with
// multistream off), so that what follows the last member is checked here:
// the end of the file, another member, or bytes that are not gzip, which
// get an error saying so. (With multistream on, such bytes read as a
// broken member header: "invalid header" or "unexpected EOF", as if the
// data were damaged.)
type members struct {
	br  *bufio.Reader
	kgz *kgzip.Reader
	sgz *gzip.Reader
}

func (m *members) Read(p []byte) (int, error) {
	for {
		var n int
		var err error
		if m.kgz != nil {
			n, err = m.kgz.Read(p)
		} else {
			n, err = m.sgz.Read(p)
		}
		if err != io.EOF {
			return n, err
		}
		if err = m.next(); err != nil || n > 0 || len(p) == 0 {
			return n, err
		}
	}
}

// next starts the member after the one that ended, returning io.EOF at
// the end of the file.
func (m *members) next() error {
	head, err := m.br.Peek(2)
	switch {
	case len(head) == 0 && err == io.EOF:
		return io.EOF
	case len(head) == 2 && head[0] == 0x1f && head[1] == 0x8b:
		if m.kgz != nil {
			err = m.kgz.Reset(m.br)
			m.kgz.Multistream(false)
		} else {
			err = m.sgz.Reset(m.br)
			m.sgz.Multistream(false)
		}
		if err != nil {
			return fmt.Errorf("next gzip member: %w", err)
		}
		return nil
	case err != nil && err != io.EOF:
		return err
	}
	n, err := m.br.Discard(1 << 30) // counted for the message; bounded, as a file may be endless
	if err != nil && err != io.EOF {
		return err
	}
	switch {
	case n == 1<<30:
		return fmt.Errorf("%w: %d bytes or more to the end of the file, not read", ErrTrailingData, n)
	case n == 1:
		return fmt.Errorf("%w: 1 byte to the end of the file, not read", ErrTrailingData)
	}
	return fmt.Errorf("%w: %d bytes to the end of the file, not read", ErrTrailingData, n)
}
