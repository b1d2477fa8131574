package attack

import (
	"bytes"
	"errors"
	"log/slog"
	"runtime"
	"slices"
	"strings"
	"testing"
)

func TestStore(t *testing.T) {
	ds := importShared(t, "enterprise-attack-cloud-stix21.json")
	store, err := NewStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.Load(""); !errors.Is(err, ErrNotImported) {
		t.Fatalf("empty store: %v", err)
	}
	for _, v := range []string{"18.1", "9.0", "17.1", "18.0"} {
		ds.Version = v
		if _, err := store.Save(ds); err != nil {
			t.Fatal(err)
		}
	}
	versions, err := store.Versions()
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"9.0", "17.1", "18.0", "18.1"}; !slices.Equal(versions, want) {
		t.Errorf("Versions() = %v, want %v", versions, want)
	}

	cases := []struct{ ask, want string }{
		{"", "18.1"}, {"latest", "18.1"}, {"17.1", "17.1"}, {"18", "18.1"}, {"v9", "9.0"}, {"16.0", ""},
	}
	for _, tc := range cases {
		t.Run("load "+tc.ask, func(t *testing.T) {
			got, err := store.Load(tc.ask)
			if tc.want == "" {
				if !errors.Is(err, ErrNotImported) {
					t.Errorf("Load(%q) error = %v, want ErrNotImported", tc.ask, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Version != tc.want {
				t.Errorf("Load(%q) version = %q, want %q", tc.ask, got.Version, tc.want)
			}
			// The stored form keeps everything the lookups need.
			checkSharedDataset(t, withVersion(got, "18.1"), "2.1")
		})
	}

	ds.Version = ""
	if _, err := store.Save(ds); !errors.Is(err, ErrNoVersion) {
		t.Errorf("Save without version: %v", err)
	}
	ds.Version = "../x"
	if _, err := store.Save(ds); err == nil {
		t.Error("Save accepted a path in the version")
	}
}

func withVersion(ds *Dataset, v string) *Dataset {
	ds.Version = v
	return ds
}

func TestDefaultDir(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("XDG_CACHE_HOME applies on Linux only")
	}
	t.Setenv("XDG_CACHE_HOME", "/tmp/cachehome")
	t.Setenv("HOME", "/tmp/home")
	dir, err := DefaultDir()
	if err != nil {
		t.Fatal(err)
	}
	if dir != "/tmp/cachehome/ttc/attack" {
		t.Errorf("DefaultDir() = %q", dir)
	}
}

func TestCompareVersions(t *testing.T) {
	cases := []struct {
		a, b string
		want int
	}{
		{"9.0", "18.1", -1}, {"18.1", "18.1", 0}, {"18", "18.0", 0}, {"18.10", "18.9", 1}, {"3.3.0", "", 1},
	}
	for _, tc := range cases {
		if got := compareVersions(tc.a, tc.b); got != tc.want {
			t.Errorf("compareVersions(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestNormaliseVersion(t *testing.T) {
	for in, want := range map[string]string{
		"18.1": "18.1", "v18.1": "18.1", "V18.1": "18.1", "18.1.0": "18.1", "18": "18.0", "018.01": "18.1",
		"18.1.2": "18.1.2", "x18": "x18", "../18": "../18", "": "",
	} {
		if got := NormaliseVersion(in); got != want {
			t.Errorf("NormaliseVersion(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestImportVersionSpellings checks that one release given in several
// spellings is stored once, and that a version given over the data's own
// is warned about.
func TestImportVersionSpellings(t *testing.T) {
	for _, v := range []string{"v18.1", "18.1.0", "18.1"} {
		var logs bytes.Buffer
		objs := append(miniDomain(), collection("17.0"))
		ds, err := Import(strings.NewReader(bundleOf(t, objs...)), ImportOptions{Version: v, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
		if err != nil {
			t.Fatal(err)
		}
		if ds.Version != "18.1" {
			t.Errorf("--version %s: stored as %q, want 18.1", v, ds.Version)
		}
		if !strings.Contains(logs.String(), "replaces the one the data names") {
			t.Errorf("--version %s over data of 17.0: no warning:\n%s", v, logs.String())
		}
	}
}

func TestCheckRelease(t *testing.T) {
	for v, want := range map[string]string{
		"18.1": "", "v18.1": "", "V18.1": "", "18.1.0": "", "18.0": "",
		"18": "names a major version, not a release (as 18.0)", "0.1": "releases start at 1", "abc": "not an ATT&CK release", "../18.1": "not an ATT&CK release",
	} {
		err := CheckRelease(v)
		switch {
		case want == "" && err != nil:
			t.Errorf("CheckRelease(%q) = %v, want nil", v, err)
		case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
			t.Errorf("CheckRelease(%q) = %v, want an error saying %q", v, err, want)
		}
	}
}
