package catalog

import (
	"errors"
	"fmt"
	"os"
	"slices"

	embedded "github.com/ttcproject/ttc/catalog"
)

// Embedded is the source for the catalog built into the binary.
func Embedded() Source {
	return Source{FS: embedded.Files, Dir: ".", Label: "catalog"}
}

// Overlay is the source for an overlay folder on disk.
func Overlay(dir string) Source {
	return Source{FS: os.DirFS(dir), Dir: ".", Label: dir, Overlay: true}
}

// Open loads the embedded catalog with the given overlay folders on top.
// A folder given more than once is read once, where it was last given
// (Repeated lists it): read twice, each of its entries would replace
// itself.
func Open(overlays ...string) (*Catalog, error) {
	infos := make([]os.FileInfo, len(overlays))
	for i, d := range overlays {
		fi, err := os.Stat(d)
		if err != nil {
			return nil, fmt.Errorf("open overlay catalog: %w", err)
		}
		if !fi.IsDir() {
			return nil, fmt.Errorf("open overlay catalog %s: not a folder", d)
		}
		infos[i] = fi
	}
	srcs := []Source{Embedded()}
	var repeated []string
	for i, d := range overlays {
		same := func(fi os.FileInfo) bool { return os.SameFile(fi, infos[i]) }
		if slices.ContainsFunc(infos[i+1:], same) {
			if !slices.ContainsFunc(infos[:i], same) {
				repeated = append(repeated, d)
			}
			continue
		}
		srcs = append(srcs, Overlay(d))
	}
	c, err := Load(srcs...)
	var le *LoadError
	if errors.As(err, &le) && le.Partial != nil {
		le.Partial.repeated = repeated
	}
	if c != nil {
		c.repeated = repeated
	}
	return c, err
}
