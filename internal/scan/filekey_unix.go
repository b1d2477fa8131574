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
