package main

import (
	"errors"
	"io/fs"
	"os"
	"syscall"
)

// pathFault says why path, named on the command line, leads nowhere: a
// part of it missing, a link to nothing, links that loop, or a file where
// a folder must be. It returns "" when path exists, and, when missingOK,
// when all that is wrong is that path (or its last folders) does not
// exist yet, as for a folder a command creates.
func pathFault(path string, missingOK bool) string {
	_, err := os.Stat(path)
	switch {
	case err == nil:
		return ""
	case errors.Is(err, syscall.ELOOP):
		return "its links lead round in a loop"
	case !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR):
		return "" // unreadable: the command's own read reports it
	}
	// Find the first part of the path that is wrong, from the top, as the
	// system walks it: as written, so that "f.json/" and "f.json/../x"
	// meet the file f.json where a folder must be.
	var parts []string
	for i := 1; i < len(path); i++ {
		if os.IsPathSeparator(path[i]) && !os.IsPathSeparator(path[i-1]) {
			parts = append(parts, path[:i])
		}
	}
	parts = append(parts, path)
	for i, p := range parts {
		last := i == len(parts)-1
		li, err := os.Lstat(p)
		if errors.Is(err, fs.ErrNotExist) {
			if missingOK {
				return ""
			}
			return "no such file or folder"
		}
		if err != nil {
			return ""
		}
		if li.Mode()&fs.ModeSymlink != 0 {
			if _, err := os.Stat(p); errors.Is(err, fs.ErrNotExist) {
				return linkFault(p, last)
			}
		}
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() && !last {
			return "\"" + p + "\" is a file, not a folder"
		}
	}
	return "no such file or folder"
}

// linkFault names a link to nothing, the path itself or a folder on it.
func linkFault(p string, last bool) string {
	if last {
		return "the link leads to no file or folder"
	}
	return "\"" + p + "\" is a link to no file or folder"
}
