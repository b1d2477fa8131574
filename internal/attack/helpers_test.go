package attack

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// sharedAttack returns the shared ATT&CK test data folder, or skips the test.
func sharedAttack(t *testing.T) string {
	t.Helper()
	dir := filepath.Join("..", "..", "..", "shared", "testdata", "attack")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("shared ATT&CK test data not found: %v", err)
	}
	return dir
}

// importShared imports one of the shared bundles with a version override.
func importShared(t *testing.T, name string) *Dataset {
	t.Helper()
	ds, err := ImportFile(filepath.Join(sharedAttack(t), name), ImportOptions{Version: "18.1"})
	if err != nil {
		t.Fatalf("ImportFile(%s): %v", name, err)
	}
	return ds
}

// golden compares got with testdata/name, rewriting it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run with -update): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from golden file; run go test -update and review the diff\ngot:\n%s", path, got)
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
