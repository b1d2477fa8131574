//go:build !unix

package cloudtrail

import "os"

// openRegular opens the file at p for reading, refusing anything but a
// regular file (errNotRegular). These systems have no FIFO to block on in
// a folder of logs.
func openRegular(p string) (*os.File, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	return regularOnly(f)
}
