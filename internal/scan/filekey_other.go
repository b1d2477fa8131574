//go:build !unix

package scan

import "os"

// fileKey gives nothing where the system has no device and inode numbers:
// sameFiles then compares files with os.SameFile.
func fileKey(os.FileInfo) (key fileID, links uint64, ok bool) { return fileID{}, 0, false }

// openNoWait is nothing where a FIFO cannot be opened by name.
const openNoWait = 0
