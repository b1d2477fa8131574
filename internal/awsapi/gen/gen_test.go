package main

import (
	"archive/zip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// writeZip builds a module zip with the given file names under root.
func writeZip(t *testing.T, root string, names []string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "m.zip")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for _, n := range names {
		w, err := zw.Create(root + "/" + n)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte("package x\n")); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestZipOperations(t *testing.T) {
	root := modulePrefix + "sts@v1.0.0"
	path := writeZip(t, root, []string{
		"api_op_GetCallerIdentity.go",
		"api_op_AssumeRole.go",
		"api_op_AssumeRole_test.go",  // a test file, not an operation
		"api_client.go",              // not an operation file
		"internal/api_op_Hidden.go",  // below the module top: not the service's API
		"api_op_.go",                 // no name
		"types/api_op_AlsoHidden.go", // below the module top
		"api_op_DecodeAuthorizationMessage.go",
	})
	got, err := zipOperations(path, root)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"AssumeRole", "DecodeAuthorizationMessage", "GetCallerIdentity"}
	if !slices.Equal(got, want) {
		t.Errorf("zipOperations = %v, want %v", got, want)
	}
}

func TestRender(t *testing.T) {
	text := string(render([]moduleOps{
		{Module: "ec2", Version: "v1.2.3", Ops: []string{"RunInstances", "StopInstances"}},
		{Module: "support", Missing: true},
		{Module: "sts", Version: "v1.0.0", Ops: []string{"AssumeRole"}},
	}))
	for _, line := range []string{
		"# module ec2 v1.2.3\n", "# missing support\n", "# module sts v1.0.0\n",
		"\nec2 RunInstances\nec2 StopInstances\nsts AssumeRole\n",
	} {
		if !strings.Contains(text, line) {
			t.Errorf("rendered file lacks %q:\n%s", line, text)
		}
	}
	if !strings.HasPrefix(text, "# Code generated") {
		t.Errorf("rendered file does not start with the generated-code marker")
	}
}

func TestDiffLines(t *testing.T) {
	got := diffLines([]byte("a\nb\nc\n"), []byte("a\nc\nd\n"))
	want := []string{"-b", "+d"}
	if !slices.Equal(got, want) {
		t.Errorf("diffLines = %v, want %v", got, want)
	}
}

func TestMergeModules(t *testing.T) {
	got, err := mergeModules([]string{"s3", "ec2", "s3"}, []string{"iam"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"ec2", "iam", "s3"}; !slices.Equal(got, want) {
		t.Errorf("mergeModules = %v, want %v", got, want)
	}
	if _, err := mergeModules([]string{"ec2@latest"}, nil); err == nil {
		t.Error("mergeModules accepted a name with a version query")
	}
}
