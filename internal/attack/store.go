package attack

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Store keeps imported ATT&CK releases in a folder, one file per domain and
// version: enterprise-attack-18.1.json.
type Store struct {
	Dir    string
	Domain string
}

// DefaultDir returns the per-user data folder, <user cache dir>/ttc/attack.
func DefaultDir() (string, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("find user cache dir: %w", err)
	}
	return filepath.Join(base, "ttc", "attack"), nil
}

// NewStore returns a store for Enterprise ATT&CK in dir, or in DefaultDir if
// dir is empty.
func NewStore(dir string) (*Store, error) {
	if dir == "" {
		d, err := DefaultDir()
		if err != nil {
			return nil, err
		}
		dir = d
	}
	return &Store{Dir: dir, Domain: DomainEnterprise}, nil
}

func (s *Store) path(version string) string {
	return filepath.Join(s.Dir, s.Domain+"-"+version+".json")
}

// versionForm is how ATT&CK numbers its releases: "18.1", "v15.1", "8.2.1".
var versionForm = regexp.MustCompile(`^v?[0-9]{1,4}(\.[0-9]{1,4}){0,2}$`)

// NormaliseVersion writes an ATT&CK release number as the releases name
// themselves, major.minor, so that "v18.1", "18.1.0" and "18.1" are stored
// as one release and "18" as 18.0. A string of another shape is returned
// as it is, for CheckVersion to refuse.
func NormaliseVersion(v string) string {
	v = strings.TrimPrefix(strings.TrimPrefix(v, "v"), "V")
	if !versionForm.MatchString(v) {
		return v
	}
	parts := strings.Split(v, ".")
	for i, p := range parts {
		n, _ := strconv.Atoi(p) // digits only: versionForm checked them
		parts[i] = strconv.Itoa(n)
	}
	switch {
	case len(parts) == 1:
		parts = append(parts, "0")
	case len(parts) == 3 && parts[2] == "0":
		parts = parts[:2]
	}
	return strings.Join(parts, ".")
}

// ErrBadVersion marks a version that is no ATT&CK release number.
var ErrBadVersion = errors.New("not an ATT&CK release")

// CheckVersion refuses a version that is not shaped like an ATT&CK
// release number; the version names the file the data is saved in.
func CheckVersion(v string) error {
	if !versionForm.MatchString(v) {
		return fmt.Errorf("version \"%s\" is %w (as 18.1)", v, ErrBadVersion)
	}
	return nil
}

// CheckRelease is CheckVersion for the release an import is filed as,
// given in any spelling NormaliseVersion reads ("V18.1", "18.1.0"): a
// major alone is refused, since lookups read "18" as the newest 18.x
// imported, and so is a major of 0, which ATT&CK never released.
func CheckRelease(v string) error {
	n := NormaliseVersion(v)
	if err := CheckVersion(n); err != nil {
		return fmt.Errorf("version \"%s\" is %w (as 18.1)", v, ErrBadVersion)
	}
	switch {
	case !strings.Contains(strings.TrimLeft(v, "vV"), "."):
		return fmt.Errorf("version \"%s\" is %w: it names a major version, not a release (as %s)", v, ErrBadVersion, n)
	case Major(n) == "0":
		return fmt.Errorf("version \"%s\" is %w: ATT&CK's releases start at 1", v, ErrBadVersion)
	}
	return nil
}

// Save writes ds as the file for its version, replacing an earlier import of
// the same version, and returns the path.
func (s *Store) Save(ds *Dataset) (string, error) {
	if ds.Version == "" {
		return "", fmt.Errorf("save attack data: %w", ErrNoVersion)
	}
	if err := CheckVersion(ds.Version); err != nil {
		return "", fmt.Errorf("save attack data: %w", err)
	}
	data, err := encodeDataset(ds)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(s.Dir, 0o755); err != nil {
		return "", fmt.Errorf("create attack data dir: %w", err)
	}

	// Write beside the target and rename, so a reader never sees half a file.
	tmp, err := os.CreateTemp(s.Dir, ".import-*.json")
	if err != nil {
		return "", fmt.Errorf("save attack data: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return "", fmt.Errorf("save attack data: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return "", fmt.Errorf("save attack data: %w", err)
	}
	path := s.path(ds.Version)
	if err := os.Rename(tmp.Name(), path); err != nil {
		return "", fmt.Errorf("save attack data: %w", err)
	}
	return path, nil
}

func encodeDataset(ds *Dataset) ([]byte, error) {
	ds.Format = FormatVersion
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(ds); err != nil {
		return nil, fmt.Errorf("encode attack data: %w", err)
	}
	return buf.Bytes(), nil
}

// Versions lists the stored versions, oldest first.
func (s *Store) Versions() ([]string, error) {
	entries, err := os.ReadDir(s.Dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list attack data: %w", err)
	}
	var out []string
	prefix := s.Domain + "-"
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasPrefix(name, prefix) || !strings.HasSuffix(name, ".json") {
			continue
		}
		out = append(out, strings.TrimSuffix(strings.TrimPrefix(name, prefix), ".json"))
	}
	slices.SortFunc(out, compareVersions)
	return out, nil
}

// Load reads a stored version. An empty version or "latest" picks the newest;
// a major version alone ("18") picks the newest of that major.
func (s *Store) Load(version string) (*Dataset, error) {
	v, err := s.Resolve(version)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(s.path(v))
	if err != nil {
		return nil, fmt.Errorf("load attack data: %w", err)
	}
	var ds Dataset
	if err := json.Unmarshal(data, &ds); err != nil {
		return nil, fmt.Errorf("decode attack data %s: %w", s.path(v), err)
	}
	if ds.Format > FormatVersion {
		return nil, fmt.Errorf("load attack data %s: format %d is newer than this ttc reads (%d)",
			s.path(v), ds.Format, FormatVersion)
	}
	return &ds, nil
}

// Resolve turns "", "latest", a major ("18") or an exact version into a stored
// version, or an error wrapping ErrNotImported.
func (s *Store) Resolve(version string) (string, error) {
	versions, err := s.Versions()
	if err != nil {
		return "", err
	}
	if version = strings.TrimPrefix(version, "v"); strings.Contains(version, ".") {
		version = NormaliseVersion(version) // a major alone ("18") picks its latest release
	}
	for i := len(versions) - 1; i >= 0; i-- {
		v := versions[i]
		if version == "" || version == "latest" || v == version || Major(v) == version {
			return v, nil
		}
	}
	if version == "" || version == "latest" {
		return "", fmt.Errorf("load attack data from %s: %w (run the import first)", s.Dir, ErrNotImported)
	}
	return "", fmt.Errorf("load attack data %s from %s: %w (have %s)",
		version, s.Dir, ErrNotImported, strings.Join(versions, ", "))
}
