package attack

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

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
