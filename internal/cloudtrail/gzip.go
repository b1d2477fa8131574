package cloudtrail

import (
	"bufio"
	"errors"
	"fmt"
	"io"
)

// ErrTrailingData marks bytes after the end of a file's gzip data that are
// not another gzip member: the records before them were read.
var ErrTrailingData = errors.New("bytes after the end of the gzip data are not gzip")

// gzipReader is what the standard library's gzip.Reader and klauspost's
// both do.
type gzipReader interface {
	io.Reader
	Reset(io.Reader) error
	Multistream(bool)
}

// members reads a gzip file member by member (multistream off), so that
// what follows the last member is checked here: the end of the file,
// another member, or bytes that are not gzip, which get an error saying
// so. (With multistream on, such bytes read as a broken member header:
// "invalid header" or "unexpected EOF", as if the data were damaged.)
type members struct {
	br *bufio.Reader
	gz gzipReader
}

// start reads the first member of br with gz.
func (m *members) start(br *bufio.Reader, gz gzipReader) error {
	m.br, m.gz = br, gz
	if err := gz.Reset(br); err != nil {
		return err
	}
	gz.Multistream(false)
	return nil
}

func (m *members) Read(p []byte) (int, error) {
	for {
		n, err := m.gz.Read(p)
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
		if err := m.start(m.br, m.gz); err != nil {
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
