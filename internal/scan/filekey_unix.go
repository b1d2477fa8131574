//go:build unix

package scan

import (
	"os"
	"syscall"
)

// fileKey names the file fi describes on its device, and says how many
// names (hard links) it has; ok is false when the system gives neither.
func fileKey(fi os.FileInfo) (key fileID, links uint64, ok bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fileID{}, 0, false
	}
	return fileID{dev: uint64(st.Dev), ino: uint64(st.Ino)}, uint64(st.Nlink), true //nolint:unconvert // types vary by system
}

// openNoWait opens a file without waiting for a writer: a FIFO put under
// the name of a file the scan reads again fails its check instead of
// hanging the scan (see openAgain).
const openNoWait = syscall.O_NONBLOCK
