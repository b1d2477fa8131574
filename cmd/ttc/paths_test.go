package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestPathFault checks the reasons a path named on the command line leads
// nowhere, with a folder of links and files made for it.
func TestPathFault(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file.json")
	if err := os.WriteFile(file, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := func(name, target string) string {
		p := filepath.Join(dir, name)
		if err := os.Symlink(target, p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	dangling := link("dangling", filepath.Join(dir, "gone"))
	loopA := link("loopA", filepath.Join(dir, "loopB"))
	link("loopB", loopA)
	toDir := link("to-dir", dir)
	cases := []struct {
		path      string
		missingOK bool
		want      string
	}{
		{dir, false, ""},
		{file, false, ""},
		{toDir, false, ""},
		{filepath.Join(dir, "nothing"), false, "no such file or folder"},
		{filepath.Join(dir, "nothing", "deeper"), true, ""},
		{filepath.Join(dir, "nothing"), true, ""},
		{dangling, false, "the link leads to no file or folder"},
		{dangling, true, "the link leads to no file or folder"},
		{filepath.Join(dangling, "sub"), true, `"` + dangling + `" is a link to no file or folder`},
		{loopA, false, "its links lead round in a loop"},
		{filepath.Join(file, "x"), false, `"` + file + `" is a file, not a folder`},
		{filepath.Join(file, "x"), true, `"` + file + `" is a file, not a folder`},
		{file + "/", false, `"` + file + `" is a file, not a folder`},
		{file + "/../file.json", false, `"` + file + `" is a file, not a folder`},
		{dir + "//file.json", false, ""},
	}
	for _, tc := range cases {
		if got := pathFault(tc.path, tc.missingOK); got != tc.want {
			t.Errorf("pathFault(%q, %v) = %q, want %q", tc.path, tc.missingOK, got, tc.want)
		}
	}
}
