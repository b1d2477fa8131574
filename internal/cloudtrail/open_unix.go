//go:build unix

package cloudtrail

import (
	"os"
	"syscall"
)

// openRegular opens the file at p for reading, refusing anything but a
// regular file (errNotRegular). It opens without waiting: a FIFO put in
// the place of a file a walk looked at would otherwise block the open
// until something writes to it, and a scan would hang there.
func openRegular(p string) (*os.File, error) {
	f, err := os.OpenFile(p, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	return regularOnly(f)
}
