package attack

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/ttcproject/ttc/internal/attack/stix"
)

// DomainEnterprise is the ATT&CK domain ttc works with.
const DomainEnterprise = "enterprise-attack"

// ImportOptions tunes an import. The zero value imports Enterprise ATT&CK and
// takes the version from the data.
type ImportOptions struct {
	// Version overrides the ATT&CK version found in the data ("18.1").
	Version string
	// Domain selects the matrix and objects to keep; default enterprise-attack.
	Domain string
	// IDSource is the external_references source_name that carries object IDs;
	// default mitre-attack. Reading ttc's own export back uses "ttc".
	IDSource string
	// Logger receives diagnostics; nil discards them.
	Logger *slog.Logger

	// fallbackVersion is used when neither Version nor the data name one.
	fallbackVersion string
}

func (o ImportOptions) withDefaults() ImportOptions {
	if o.Domain == "" {
		o.Domain = DomainEnterprise
	}
	if o.IDSource == "" {
		o.IDSource = stix.SourceATTACK
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Version != "" {
		o.Version = NormaliseVersion(o.Version)
	}
	return o
}

// Import reads one STIX bundle (2.0 or 2.1) from r.
func Import(r io.Reader, opts ImportOptions) (*Dataset, error) {
	opts = opts.withDefaults()
	b, err := stix.Decode(r)
	if err != nil {
		return nil, err
	}
	return build(b.Objects, b.Version(), opts)
}

// fileVersion matches the release in attack-stix-data file names,
// enterprise-attack-18.1.json.
var fileVersion = regexp.MustCompile(`-([0-9]+\.[0-9]+)\.json$`)

// ImportFile reads one STIX bundle file. Without a version in the data or the
// options, a release number in the file name (enterprise-attack-18.1.json) is used.
func ImportFile(path string, opts ImportOptions) (*Dataset, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open attack data: %w", err)
	}
	defer f.Close()

	if m := fileVersion.FindStringSubmatch(filepath.Base(path)); m != nil && opts.Version == "" {
		opts.fallbackVersion = m[1]
	}
	ds, err := Import(f, opts)
	if err != nil {
		return nil, fmt.Errorf("import %s: %w", path, err)
	}
	ds.Source = path
	return ds, nil
}

// ImportDir reads every .json file under dir (the mitre/cti layout: one folder
// per object type, one bundle per object). An object found more than once
// keeps its newest modified version. JSON files that are not STIX (an
// index, a manifest) are passed over; a file that cannot be read or
// decoded fails the import, naming every such file, since the data would
// otherwise lack its objects without a word.
func ImportDir(dir string, opts ImportOptions) (*Dataset, error) {
	opts = opts.withDefaults()
	var all []stix.Object
	var broken []string
	version := ""
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(d.Name(), ".json") {
			return err
		}
		// A named pipe would hold the walk until someone writes to it; a
		// link is judged by what it leads to.
		if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() && !fi.IsDir() {
			broken = append(broken, fmt.Sprintf("%s: not a regular file (%s)", path, fi.Mode().Type()))
			return nil
		}
		b, err := decodeFile(path)
		if errors.Is(err, stix.ErrNotSTIX) {
			opts.Logger.Info("not STIX, passed over", "path", path)
			return nil
		}
		if err != nil {
			broken = append(broken, fmt.Sprintf("%s: %v", path, err))
			return nil
		}
		if version == "" {
			version = b.Version()
		}
		// Copies of an object in several files are screened as in one
		// bundle: the newest kept, odd times and conflicts warned about.
		all = append(all, b.Objects...)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("walk attack data %s: %w", dir, err)
	}
	if len(broken) > 0 {
		return nil, fmt.Errorf("import %s: %d file(s) could not be read, and nothing was imported: %s",
			dir, len(broken), strings.Join(broken, "; "))
	}
	ds, err := build(all, version, opts)
	if err != nil {
		return nil, fmt.Errorf("import %s: %w", dir, err)
	}
	ds.Source = dir
	return ds, nil
}

// ImportPath imports a file or a folder, whichever path is.
func ImportPath(path string, opts ImportOptions) (*Dataset, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("open attack data: %w", err)
	}
	if fi.IsDir() {
		return ImportDir(path, opts)
	}
	return ImportFile(path, opts)
}

func decodeFile(path string) (*stix.Bundle, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return stix.Decode(f)
}
