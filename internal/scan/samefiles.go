package scan

import (
	"os"
	"path/filepath"
)

// sameFiles tells a file reached again by another name (a link, a hard
// link, a second path naming it) from one met for the first time. It
// keeps a few bytes for each file that could be met again: every file
// when several paths are scanned, or one named as a file; within the
// walk of one folder, only files with several names (hard links), since
// the walk reaches each other file once (cloudtrail.Inputs sets aside a
// symbolic link to a file it reaches under its own name). So a scan of one
// folder of millions of files holds nothing for each.
type sameFiles struct {
	all   bool                  // every file is noted (several paths scanned)
	byID  map[fileID]int32      // a file's first name, as an index into names
	names []string              // first names, of files met by another name only
	other map[int64][]namedInfo // where the system gives no fileID
}

// fileID is a file's device and inode numbers.
type fileID struct{ dev, ino uint64 }

type namedInfo struct {
	name string
	fi   os.FileInfo
}

// seen notes the file at path and reports whether it was met before, and
// by what name. A file that cannot be examined is taken as new: opening
// it reports why. walked says that the file was found by walking a folder
// under its own name (not through a link, of which there may be several).
func (s *sameFiles) seen(path string, walked bool) (first string, dup bool) {
	fi, err := os.Stat(path)
	if err != nil || !fi.Mode().IsRegular() {
		return "", false
	}
	key, links, ok := fileKey(fi)
	if !ok {
		return s.seenOther(path, fi)
	}
	if !s.all && walked && links <= 1 {
		return "", false
	}
	if i, dup := s.byID[key]; dup {
		if i < 0 {
			return "a file read before", true
		}
		return s.names[i], true
	}
	if s.byID == nil {
		s.byID = map[fileID]int32{}
	}
	// The name is kept for files with several names, whose second name
	// the message quotes, and while few are kept; past that, a second
	// name found is reported without the first.
	i := int32(-1)
	if links > 1 || len(s.names) < maxKeptNames {
		i = int32(len(s.names))
		s.names = append(s.names, path)
	}
	s.byID[key] = i
	return "", false
}

// distinct returns paths without standard input named again, and without
// a folder named before ("logs", "logs/", "./logs" and the folder's
// absolute path are one; compared by device and inode, not by name, as
// "link/../logs" may be another). A file named twice is left to sameFiles,
// which says so.
func distinct(paths []string) []string {
	var stdin bool
	dirs := map[fileID]bool{}
	dirNames := map[string]bool{} // where the system gives no fileID
	out := make([]string, 0, len(paths))
	for _, p := range paths {
		if p == "-" {
			if stdin {
				continue
			}
			stdin = true
		} else if fi, err := os.Stat(p); err == nil && fi.IsDir() {
			if key, _, ok := fileKey(fi); ok {
				if dirs[key] {
					continue
				}
				dirs[key] = true
			} else if abs, err := filepath.Abs(p); err == nil {
				if dirNames[abs] {
					continue
				}
				dirNames[abs] = true
			}
		}
		out = append(out, p)
	}
	return out
}

// maxKeptNames bounds the names sameFiles keeps for its messages.
const maxKeptNames = 10_000

// seenOther is seen where files have no fileID: it compares files of the
// same size with os.SameFile.
func (s *sameFiles) seenOther(path string, fi os.FileInfo) (string, bool) {
	if s.other == nil {
		s.other = map[int64][]namedInfo{}
	}
	for _, o := range s.other[fi.Size()] {
		if os.SameFile(o.fi, fi) {
			return o.name, true
		}
	}
	s.other[fi.Size()] = append(s.other[fi.Size()], namedInfo{path, fi})
	return "", false
}

// skipList remembers the files a scan of several paths set aside, so that
// a file reached again through another path named (a folder and one
// inside it) is listed once. It remembers up to maxKeptNames of them;
// past that, a file may be listed twice.
type skipList struct {
	on   bool
	seen map[string]bool
}

// again reports whether path was set aside before, and remembers it.
func (l *skipList) again(path string) bool {
	if !l.on {
		return false
	}
	key := filepath.Clean(path)
	if abs, err := filepath.Abs(key); err == nil {
		key = abs
	}
	if l.seen[key] {
		return true
	}
	if l.seen == nil {
		l.seen = map[string]bool{}
	}
	if len(l.seen) < maxKeptNames {
		l.seen[key] = true
	}
	return false
}
