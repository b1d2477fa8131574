//go:build unix

package cloudtrail

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestInputsUnreadable checks that a walk fails a file it cannot open,
// whatever its name, instead of setting it aside as a file that is no log:
// what it holds is unknown, and may be the logs of the case. Root opens
// any file, so as root the test runs itself again as nobody.
func TestInputsUnreadable(t *testing.T) {
	root := os.Getenv("TTC_TEST_UNREADABLE")
	if root == "" {
		// Not t.TempDir, whose parent only its owner may enter.
		dir, err := os.MkdirTemp("", "ttc-unreadable-")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.RemoveAll(dir) })
		root = dir
		for name, mode := range map[string]fs.FileMode{"ok.json": 0o644, "export.json": 0o000,
			"111111111111_CloudTrail_eu-west-1_20260301T1000Z_a.json.gz": 0o000} {
			if err := os.WriteFile(filepath.Join(root, name), []byte(recA), mode); err != nil {
				t.Fatal(err)
			}
		}
		if os.Geteuid() == 0 {
			if err := os.Chmod(root, 0o755); err != nil {
				t.Fatal(err)
			}
			// The test binary too is where only root may reach it.
			bin := filepath.Join(root, "..", filepath.Base(root)+".test")
			if err := copyFile(os.Args[0], bin); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { os.Remove(bin) })
			cmd := exec.Command(bin, "-test.run=^TestInputsUnreadable$", "-test.v")
			cmd.Env = append(os.Environ(), "TTC_TEST_UNREADABLE="+root)
			cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
			out, err := cmd.CombinedOutput()
			var exit *exec.ExitError
			if err != nil && !errors.As(err, &exit) {
				t.Skipf("cannot run the test as nobody here: %v", err) // no CAP_SETUID, say
			}
			if err != nil {
				t.Fatalf("as nobody: %v\n%s", err, out)
			}
			if !strings.Contains(string(out), "--- PASS: TestInputsUnreadable") {
				t.Fatalf("as nobody, the test did not run:\n%s", out)
			}
			return
		}
	}
	if _, err := os.ReadFile(filepath.Join(root, "export.json")); err == nil {
		t.Skip("this user reads files of mode 000")
	}
	got := map[string]string{}
	for in, err := range Inputs([]string{root}) {
		switch {
		case err != nil && errors.Is(err, fs.ErrPermission):
			got[filepath.Base(in.Path)] = "failed"
		case err != nil:
			t.Errorf("%s: %v, want a permission error", in.Path, err)
		case in.Skip != "":
			got[filepath.Base(in.Path)] = "skipped: " + in.Skip
		default:
			got[filepath.Base(in.Path)] = "read"
		}
	}
	want := map[string]string{"ok.json": "read", "export.json": "failed",
		"111111111111_CloudTrail_eu-west-1_20260301T1000Z_a.json.gz": "failed"}
	for name, w := range want {
		if got[name] != w {
			t.Errorf("%s: %s, want %s", name, got[name], w)
		}
	}
}

func copyFile(from, to string) error {
	b, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	return os.WriteFile(to, b, 0o755)
}
