package ruleset_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ttcproject/ttc/internal/catalog"
	"github.com/ttcproject/ttc/internal/detect"
	"github.com/ttcproject/ttc/internal/ruleset"
)

func externalRule(id, title string) string {
	return "title: " + title + "\nid: " + id + `
logsource: {product: aws, service: cloudtrail}
detection:
  sel: {eventName: StopLogging}
  condition: sel
level: high
`
}

// externalTitles loads the rules below dirs and returns the titles of the
// external ones, and the error.
func externalTitles(t *testing.T, dirs ...string) ([]string, *ruleset.Set, error) {
	t.Helper()
	c, err := catalog.Open()
	if err != nil {
		t.Fatal(err)
	}
	set, err := ruleset.Load(c, dirs)
	var titles []string
	for _, r := range set.Rules() {
		if r.Origin == ruleset.FromExternal {
			titles = append(titles, r.Title)
		}
	}
	return titles, set, err
}

func write(t *testing.T, path, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}
}

// TestRulesFolderLinks checks that links in a --rules folder are followed,
// to folders as to files, that a folder reached twice (or through a loop)
// is read once, and that a link to nothing is an error naming it.
func TestRulesFolderLinks(t *testing.T) {
	root := t.TempDir()
	write(t, filepath.Join(root, "collection", "real", "one.yml"), externalRule("0a5c9d3e-0000-4000-8000-000000000001", "one"))
	write(t, filepath.Join(root, "elsewhere", "two.yml"), externalRule("0a5c9d3e-0000-4000-8000-000000000002", "two"))
	write(t, filepath.Join(root, "elsewhere", "three.yaml"), externalRule("0a5c9d3e-0000-4000-8000-000000000003", "three"))
	coll := filepath.Join(root, "collection")
	symlink(t, filepath.Join(root, "elsewhere"), filepath.Join(coll, "linked"))           // a folder kept elsewhere
	symlink(t, "real", filepath.Join(coll, "again"))                                      // the same folder by a second way
	symlink(t, "..", filepath.Join(coll, "real", "loop"))                                 // a loop back to the top
	symlink(t, filepath.Join(root, "elsewhere", "two.yml"), filepath.Join(coll, "x.yml")) // a rule file by link
	symlink(t, coll, filepath.Join(root, "top"))                                          // the folder named by a link

	// Hidden entries are passed over: a checkout's .github workflows are
	// YAML, and an editor's lock file is a link to nothing named like a rule.
	write(t, filepath.Join(coll, ".github", "workflows", "ci.yml"), "on: push\njobs: {}\n")
	symlink(t, "user@host.1234:1700000000", filepath.Join(coll, "real", ".#one.yml"))
	symlink(t, filepath.Join(root, "nowhere"), filepath.Join(coll, "README")) // not a rule: no error

	// "two" is reached by its folder's link and by the file's own link, and
	// the collection is named twice: each rule is loaded once.
	titles, _, err := externalTitles(t, filepath.Join(root, "top"), coll, filepath.Join(coll, "x.yml"))
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if got, want := strings.Join(titles, ","), "one,three,two"; got != want {
		t.Errorf("rules loaded: %s, want %s", got, want)
	}

	symlink(t, filepath.Join(root, "nowhere"), filepath.Join(coll, "gone.yml"))
	_, _, err = externalTitles(t, coll)
	if err == nil || !strings.Contains(err.Error(), "gone.yml: a link that leads to nothing readable") {
		t.Errorf("a link to nothing: error %v, want one naming gone.yml", err)
	}
	if err != nil && strings.Contains(err.Error(), "README") {
		t.Errorf("a link to nothing not named like a rule is reported: %v", err)
	}
}

// TestSharedIDs checks that rules sharing an id are both kept and named.
func TestSharedIDs(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "a.yml"), externalRule("0a5c9d3e-0000-4000-8000-00000000000a", "first"))
	write(t, filepath.Join(dir, "b.yml"), externalRule("0a5c9d3e-0000-4000-8000-00000000000a", "second"))
	write(t, filepath.Join(dir, "c.yml"), strings.Replace(externalRule("", "no id"), "id: \n", "", 1))
	write(t, filepath.Join(dir, "d.yml"), strings.Replace(externalRule("", "no id either"), "id: \n", "", 1))
	titles, set, err := externalTitles(t, dir)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if len(titles) != 4 {
		t.Errorf("rules loaded: %v, want all four", titles)
	}
	shared := set.Shared()
	if len(shared) != 1 || !strings.Contains(shared[0], "b.yml is also the id of "+filepath.Join(dir, "a.yml")) {
		t.Errorf("Shared() = %q, want one naming b.yml and a.yml", shared)
	}
}

// TestSharedNames checks that a --rules rule named like a catalog rule is
// named among the rules that share a reference.
func TestSharedNames(t *testing.T) {
	dir := t.TempDir()
	shadow := strings.Replace(externalRule("0a5c9d3e-0000-4000-8000-0000000000b1", "shadow"), "title:", "name: secretsmanager_secret_value_read\ntitle:", 1)
	write(t, filepath.Join(dir, "shadow.yml"), shadow)
	_, set, err := externalTitles(t, dir)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	shared := set.Shared()
	if len(shared) != 1 || !strings.Contains(shared[0], "rule name secretsmanager_secret_value_read of "+filepath.Join(dir, "shadow.yml")+" is also the name of ") {
		t.Errorf("Shared() = %q, want one naming shadow.yml and the catalog's rule", shared)
	}
	// A name that is another rule's id is as ambiguous a reference.
	id := "0a5c9d3e-0000-4000-8000-0000000000b1"
	named := strings.Replace(externalRule("0a5c9d3e-0000-4000-8000-0000000000b2", "named"), "title:", "name: "+id+"\ntitle:", 1)
	write(t, filepath.Join(dir, "zz.yml"), named)
	if _, set, err = externalTitles(t, dir); err != nil {
		t.Fatalf("load: %v", err)
	}
	if shared = set.Shared(); len(shared) != 2 || !strings.Contains(shared[1], "rule name "+id+" of "+filepath.Join(dir, "zz.yml")+" is also the id of "+filepath.Join(dir, "shadow.yml")) {
		t.Errorf("Shared() = %q, want the second naming zz.yml's name as shadow.yml's id", shared)
	}
}

// TestRulesFolderLargeFile checks that a rule file past the size a rule may
// have is refused by name, and the other rules load.
func TestRulesFolderLargeFile(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "ok.yml"), externalRule("0a5c9d3e-0000-4000-8000-0000000000f2", "ok"))
	big := externalRule("0a5c9d3e-0000-4000-8000-0000000000f3", "big") + "#" + strings.Repeat("x", detect.MaxRuleSize) + "\n"
	write(t, filepath.Join(dir, "big.yml"), big)
	titles, _, err := externalTitles(t, dir)
	if err == nil || !strings.Contains(err.Error(), "big.yml: rule file larger than the 1048576 bytes") {
		t.Errorf("error %v, want one naming big.yml and the size", err)
	}
	if len(titles) != 1 || titles[0] != "ok" {
		t.Errorf("rules loaded: %v, want the other one", titles)
	}
}
