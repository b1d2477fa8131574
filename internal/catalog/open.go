package catalog

import (
	"fmt"
	"os"

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
func Open(overlays ...string) (*Catalog, error) {
	srcs := []Source{Embedded()}
	for _, d := range overlays {
		fi, err := os.Stat(d)
		if err != nil {
			return nil, fmt.Errorf("open overlay catalog: %w", err)
		}
		if !fi.IsDir() {
			return nil, fmt.Errorf("open overlay catalog %s: not a folder", d)
		}
		srcs = append(srcs, Overlay(d))
	}
	return Load(srcs...)
}
