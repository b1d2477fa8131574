package cloudtrail

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestInputs(t *testing.T) {
	root := t.TempDir()
	records, err := os.ReadFile(filepath.Join("testdata", "records.json"))
	if err != nil {
		t.Fatal(err)
	}
	insight, err := os.ReadFile(filepath.Join("testdata", "insight.json"))
	if err != nil {
		t.Fatal(err)
	}
	digest, err := os.ReadFile(filepath.Join("testdata", "digest.json"))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{
		"AWSLogs/111111111111/CloudTrail/eu-west-1/2026/03/01/111111111111_CloudTrail_eu-west-1_20260301T1000Z_a.json.gz":                           gz(t, records),
		"AWSLogs/111111111111/CloudTrail/eu-west-1/2026/03/01/111111111111_CloudTrail_eu-west-1_20260301T0900Z_b.json.gz":                           gz(t, records),
		"AWSLogs/111111111111/CloudTrail/us-east-1/2026/03/01/111111111111_CloudTrail_us-east-1_20260301T1000Z_c.json.gz":                           gz(t, records),
		"AWSLogs/111111111111/CloudTrail-Insight/eu-west-1/2026/03/01/111111111111_CloudTrail-Insight_eu-west-1_x.json.gz":                          gz(t, insight),
		"AWSLogs/111111111111/CloudTrail-Digest/eu-west-1/2026/03/01/111111111111_CloudTrail-Digest_eu-west-1_t_eu-west-1_20260301T100000Z.json.gz": gz(t, digest),
		"AWSLogs/o-abc123def4/222222222222/CloudTrail/ap-south-1/2026/03/02/222222222222_CloudTrail_ap-south-1_20260302T0000Z_d.json.gz":            gz(t, records),
		"AWSLogs/o-abc123def4/222222222222/CloudTrail-Digest/ap-south-1/2026/03/02/digest.json.gz":                                                  gz(t, digest),
		"AWSLogs/111111111111/CloudTrail/eu-west-1/2026/03/01/notes.txt":                                                                            []byte("not a log\n"),
		"AWSLogs/111111111111/CloudTrail/eu-west-1/2026/03/01/empty.json":                                                                           nil,
		"AWSLogs/111111111111/.hidden/x.json": records,
		".DS_Store":                           []byte("\x00\x00\x00\x01Bud1"),
		"exports/lines.jsonl":                 records,
		"exports/cloudwatch.log":              []byte("2026-03-01T10:00:00.000Z {\"eventVersion\":\"1.10\"}\n"),
		"exports/2026-report.txt":             []byte("2026 was a good year\n"),
	}
	for name, data := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	explicit := filepath.Join(root, "AWSLogs/111111111111/CloudTrail/eu-west-1/2026/03/01/notes.txt")

	var got []string
	for in, err := range Inputs([]string{root, "-", explicit}) {
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(root, in.Path)
		if in.Path == "-" {
			rel = "-"
		}
		line := filepath.ToSlash(rel)
		if in.Folder != FolderNone {
			line += " " + []string{"", "logs", "insight", "digest"}[in.Folder] + " " + in.Org + "/" + in.Account + "/" + in.Region
		}
		if in.Skip != "" {
			line += " skip: " + in.Skip
		}
		got = append(got, line)
	}
	want := []string{
		".DS_Store skip: hidden file (its name starts with '.'): not read; name it to read it",
		"AWSLogs/111111111111/.hidden skip: hidden folder (its name starts with '.'): not walked; name it to read it",
		"AWSLogs/111111111111/CloudTrail/eu-west-1/2026/03/01/111111111111_CloudTrail_eu-west-1_20260301T0900Z_b.json.gz logs /111111111111/eu-west-1",
		"AWSLogs/111111111111/CloudTrail/eu-west-1/2026/03/01/111111111111_CloudTrail_eu-west-1_20260301T1000Z_a.json.gz logs /111111111111/eu-west-1",
		"AWSLogs/111111111111/CloudTrail/eu-west-1/2026/03/01/empty.json logs /111111111111/eu-west-1 skip: empty file: nothing to read",
		"AWSLogs/111111111111/CloudTrail/eu-west-1/2026/03/01/notes.txt logs /111111111111/eu-west-1 skip: neither gzip nor a JSON object or array",
		"AWSLogs/111111111111/CloudTrail/us-east-1/2026/03/01/111111111111_CloudTrail_us-east-1_20260301T1000Z_c.json.gz logs /111111111111/us-east-1",
		"AWSLogs/111111111111/CloudTrail-Digest/eu-west-1/2026/03/01/111111111111_CloudTrail-Digest_eu-west-1_t_eu-west-1_20260301T100000Z.json.gz digest /111111111111/eu-west-1",
		"AWSLogs/111111111111/CloudTrail-Insight/eu-west-1/2026/03/01/111111111111_CloudTrail-Insight_eu-west-1_x.json.gz insight /111111111111/eu-west-1",
		"AWSLogs/o-abc123def4/222222222222/CloudTrail/ap-south-1/2026/03/02/222222222222_CloudTrail_ap-south-1_20260302T0000Z_d.json.gz logs o-abc123def4/222222222222/ap-south-1",
		"AWSLogs/o-abc123def4/222222222222/CloudTrail-Digest/ap-south-1/2026/03/02/digest.json.gz digest o-abc123def4/222222222222/ap-south-1",
		"exports/2026-report.txt skip: neither gzip nor a JSON object or array",
		"exports/cloudwatch.log",
		"exports/lines.jsonl",
		"-",
		"AWSLogs/111111111111/CloudTrail/eu-west-1/2026/03/01/notes.txt logs /111111111111/eu-west-1",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("inputs:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// Reading what the walk keeps: insights come out as their own kind.
	var events, insights int
	for in, err := range Inputs([]string{root}) {
		if err != nil || in.Skip != "" {
			continue
		}
		res := readFile(t, in.Path, Options{})
		if in.Folder == FolderDigest {
			// Read, and set aside by what they hold.
			if !errors.Is(res.err, ErrDigest) || len(res.kinds) > 0 {
				t.Errorf("%s: %d records, %v; want none and ErrDigest", in.Path, len(res.kinds), res.err)
			}
			continue
		}
		if res.err != nil {
			t.Errorf("%s: %v", in.Path, res.err)
		}
		for _, k := range res.kinds {
			if k == KindInsight {
				insights++
			} else {
				events++
			}
		}
	}
	// Five log files of three records, plus the CloudWatch export line.
	if events != 16 || insights != 1 {
		t.Errorf("read %d events and %d insights, want 16 and 1", events, insights)
	}
}

func TestInputsMissing(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope")
	n := 0
	for in, err := range Inputs([]string{missing, missing}) {
		n++
		if err == nil || in.Path != missing {
			t.Errorf("got %+v, %v; want an error for %s", in, err, missing)
		}
	}
	if n != 2 {
		t.Errorf("%d results, want 2", n)
	}
}

// TestInputsLogNames checks that a walk hands on every file named as a
// CloudTrail log file, whatever it holds, so that a damaged one fails when
// read instead of being set aside like a README.
func TestInputsLogNames(t *testing.T) {
	const dir = "AWSLogs/111111111111/CloudTrail/eu-west-1/2026/03/01/"
	const insight = "AWSLogs/111111111111/CloudTrail-Insight/eu-west-1/2026/03/01/"
	html := []byte("<html><body><h1>502 Bad Gateway</h1></body></html>\n")
	s3err := []byte(`<?xml version="1.0" encoding="UTF-8"?>` + "\n<Error><Code>AccessDenied</Code></Error>\n")
	badMagic := append([]byte{0x1f, 0x8c, 0x08, 0x00}, make([]byte, 40)...)
	tests := []struct {
		name string
		path string
		data []byte
		skip string // "" when the walk hands the file on
		fail bool   // reading it ends with a FileError
		// records, when above zero, is how many records reading it gives.
		records int
	}{
		{name: "log with bad gzip magic", path: dir + "111111111111_CloudTrail_eu-west-1_20260301T1000Z_AbCdEfGh12345678.json.gz",
			data: badMagic, fail: true},
		{name: "log holding an html page", path: dir + "111111111111_CloudTrail_eu-west-1_20260301T1005Z_AbCdEfGh12345678.json.gz",
			data: html, fail: true},
		{name: "uncompressed log holding an s3 error", path: dir + "111111111111_CloudTrail_eu-west-1_20260301T1010Z_x1.json",
			data: s3err, fail: true},
		{name: "insight log holding an html page",
			path: insight + "111111111111_CloudTrail-Insight_eu-west-1_20260301T1000Z_AbCdEfGh12345678.json.gz", data: html, fail: true},
		{name: "log name outside the layout", path: "copy/111111111111_CloudTrail_eu-west-1_20260301T1000Z_AbCdEfGh12345678.json.gz",
			data: html, fail: true},
		{name: "good log", path: dir + "111111111111_CloudTrail_eu-west-1_20260301T1015Z_AbCdEfGh12345678.json.gz",
			data: gz(t, []byte(`{"Records":[`+recA+`]}`))},
		{name: "readme in the log folder", path: dir + "README", data: []byte("logs of March\n"), skip: "neither gzip nor a JSON object or array"},
		// A name that says JSON or gzip is read whatever the file holds: damage fails.
		{name: "utf-16 text named as json", path: dir + "export-utf16.json", data: []byte("\xff\xfe{\x00\"\x00"), fail: true},
		{name: "utf-16 text", path: dir + "export-utf16.txt", data: []byte("\xff\xfe{\x00\"\x00"), skip: "UTF-16 text: CloudTrail writes UTF-8"},
		{name: "json lines starting with a string", path: "exports/lines.jsonl", data: []byte("\"header\"\n" + recA + "\n"), records: 1}, // the record after it is read
		{name: "empty json file", path: "exports/empty.json", data: nil, skip: "empty file: nothing to read"},
		{name: "license", path: "LICENSE", data: []byte("MIT License\n"), skip: "neither gzip nor a JSON object or array"},
		{name: "html page not named as a log", path: dir + "index.html", data: html, skip: "neither gzip nor a JSON object or array"},
		{name: "log name with a short account", path: dir + "1111_CloudTrail_eu-west-1_20260301T1000Z_AbCd.json.gz",
			data: html, fail: true},
		{name: "log name with a bad time", path: dir + "111111111111_CloudTrail_eu-west-1_2026-03-01_AbCd.json.gz",
			data: html, fail: true},
		{name: "log name with another suffix", path: dir + "111111111111_CloudTrail_eu-west-1_20260301T1000Z_AbCd.json.gz.html",
			data: html, skip: "neither gzip nor a JSON object or array"},
		// The digest folder is no reason to pass a file over: what it holds decides.
		{name: "html page named as a digest", path: "AWSLogs/111111111111/CloudTrail-Digest/eu-west-1/2026/03/01/" +
			"111111111111_CloudTrail-Digest_eu-west-1_t_eu-west-1_20260301T100000Z.json.gz", data: html, fail: true},
		{name: "log named as a digest", path: "AWSLogs/111111111111/CloudTrail-Digest/eu-west-1/2026/03/01/" +
			"111111111111_CloudTrail-Digest_eu-west-1_t_eu-west-1_20260301T100000Z.json.gz",
			data: gz(t, []byte(`{"Records":[`+recA+`]}`)), records: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			p := filepath.Join(root, filepath.FromSlash(tt.path))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, tt.data, 0o644); err != nil {
				t.Fatal(err)
			}
			n := 0
			for in, err := range Inputs([]string{root}) {
				n++
				if err != nil || in.Path != p {
					t.Fatalf("got %+v, %v; want %s", in, err, p)
				}
				if in.Skip != tt.skip {
					t.Fatalf("skip %q, want %q", in.Skip, tt.skip)
				}
				if in.Skip != "" {
					continue
				}
				res := readFile(t, in.Path, Options{})
				var fe *FileError
				if tt.fail != errors.As(res.err, &fe) {
					t.Errorf("reading gives %v, want a file error: %v", res.err, tt.fail)
				}
				if tt.records > 0 && len(res.kinds) != tt.records {
					t.Errorf("reading gives %d records, want %d", len(res.kinds), tt.records)
				}
			}
			if n != 1 {
				t.Errorf("%d inputs, want 1", n)
			}
		})
	}
}

// TestInputsLogNamed checks that a file named as a CloudTrail log file is
// read without a look at its content, unless it is empty or blank (it
// fails) or is no regular file, even behind a symbolic link, or is a
// symbolic link out of the folder (set aside), and that a broken link
// fails as broken, not as a link leading out.
func TestInputsLogNamed(t *testing.T) {
	const name = "111111111111_CloudTrail_eu-west-1_20260301T1000Z_a.json"
	const outside = "symbolic link leading out of the folder walked: not followed (name the file to read it)"
	tests := []struct {
		name    string
		data    []byte // file content, when link is empty
		link    string // target of a symbolic link, when not empty
		skip    string
		err     error
		why     string // in the error, when err is not nil
		logName bool   // named as a log; else named other.json
	}{
		{name: "log", data: []byte(recA), logName: true},
		{name: "text log", data: []byte("<html>"), logName: true},
		{name: "empty log", data: []byte{}, err: ErrEmptyLog, logName: true},
		{name: "blank log", data: []byte(" \n\t\n"), err: ErrEmptyLog, logName: true},
		{name: "gzip log", data: gz(t, []byte(recA)), logName: true},
		{name: "empty other", data: []byte{}, skip: emptyFile},
		{name: "blank other", data: []byte("\r\n "), skip: blankFile},
		{name: "link to a device", link: os.DevNull, skip: "not a regular file", logName: true},
		{name: "link to a device, other name", link: os.DevNull, skip: "not a regular file"},
		{name: "link to a folder", link: ".", skip: "not a regular file", logName: true},
		{name: "link to a log outside", link: "target", logName: true, skip: outside},
		{name: "link to a log inside", link: "inside", logName: true},
		{name: "link to a file outside, other name", link: "target", skip: outside},
		{name: "dangling link", link: "missing", err: ErrBrokenLink, why: "(dangling)", logName: true},
		{name: "dangling link, other name", link: "missing", err: ErrBrokenLink, why: "(dangling)"},
		{name: "link loop", link: "loop", err: ErrBrokenLink, why: "(a loop)", logName: true},
		{name: "link loop, other name", link: "loop", err: ErrBrokenLink, why: "(a loop)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			p := filepath.Join(dir, "other.json")
			if tt.logName {
				p = filepath.Join(dir, name)
			}
			switch {
			case tt.link == "target":
				target := filepath.Join(t.TempDir(), "target")
				if err := os.WriteFile(target, []byte(recA), 0o644); err != nil {
					t.Fatal(err)
				}
				tt.link = target
			case tt.link == "inside":
				// In a hidden folder of the walked one: the walk passes
				// the folder over and reads the file through the link.
				target := filepath.Join(dir, ".store", "target")
				if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(target, []byte(recA), 0o644); err != nil {
					t.Fatal(err)
				}
				tt.link = filepath.Join(".store", "target")
			case tt.link == ".":
				tt.link = t.TempDir()
			case tt.link == "loop":
				tt.link = filepath.Base(p)
			}
			if tt.link != "" {
				if err := os.Symlink(tt.link, p); err != nil {
					t.Skipf("no symbolic links here: %v", err)
				}
			} else if err := os.WriteFile(p, tt.data, 0o644); err != nil {
				t.Fatal(err)
			}
			var ins []Input
			for in, err := range Inputs([]string{dir}) {
				if hiddenAside(in) {
					continue // where a link's target is kept
				}
				if !errors.Is(err, tt.err) || (err == nil) != (tt.err == nil) {
					t.Fatalf("error %v, want %v", err, tt.err)
				}
				if err != nil && !strings.Contains(err.Error(), tt.why) {
					t.Errorf("error %q, want it to say %q", err, tt.why)
				}
				ins = append(ins, in)
			}
			if len(ins) != 1 || ins[0].Path != p || ins[0].Skip != tt.skip {
				t.Fatalf("inputs %+v, want %s with skip %q", ins, p, tt.skip)
			}
		})
	}
}

// TestInputsLinkedRoot checks that a folder named through a symbolic link
// is walked like the folder, its files reported under the name given, and
// that a link in it to a file the walk reaches is set aside.
func TestInputsLinkedRoot(t *testing.T) {
	const name = "111111111111_CloudTrail_eu-west-1_20260301T1000Z_a.json"
	const dir = "AWSLogs/111111111111/CloudTrail/eu-west-1/2026/03/01/"
	folder := t.TempDir()
	p := filepath.Join(folder, filepath.FromSlash(dir), name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(recA), 0o644); err != nil {
		t.Fatal(err)
	}
	links := t.TempDir()
	if err := os.Symlink(p, filepath.Join(folder, "copy.json")); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}
	mustLink(t, folder, filepath.Join(links, "logs"))
	mustLink(t, "logs", filepath.Join(links, "logs2"))
	tests := []struct {
		name string
		root string
	}{
		{name: "folder", root: folder},
		{name: "link to the folder", root: filepath.Join(links, "logs")},
		{name: "link to the folder, trailing separator", root: filepath.Join(links, "logs") + string(filepath.Separator)},
		{name: "link to a link to the folder", root: filepath.Join(links, "logs2")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for in, err := range Inputs([]string{tt.root}) {
				if err != nil {
					t.Fatal(err)
				}
				// The link to the log is set aside: the walk reads the log
				// under its own name.
				wantSkip := ""
				if filepath.Base(in.Path) == "copy.json" {
					wantSkip = "symbolic link to " + dir + name + " in the folder walked, which is read under its own name"
				}
				if in.Skip != wantSkip || in.Root == "" {
					t.Errorf("%s: skip %q, root %q; want skip %q, checked against its root", in.Path, in.Skip, in.Root, wantSkip)
				}
				got = append(got, in.Path)
			}
			root := filepath.Clean(tt.root)
			want := []string{
				filepath.Join(root, "AWSLogs", "111111111111", "CloudTrail", "eu-west-1", "2026", "03", "01", name),
				filepath.Join(root, "copy.json"),
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("inputs:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

// TestInputOpenSwapped checks that a file found by a walk, then changed to
// lead out of the folder before it is opened, fails to open instead of
// being read, with both the Linux check and the one used elsewhere.
func TestInputOpenSwapped(t *testing.T) {
	tests := []struct {
		name string
		link bool   // the walk finds a link to in/target, else a file
		swap string // what replaces the file before it is opened
		err  error
	}{
		{name: "link unchanged", link: true},
		{name: "link re-pointed inside", link: true, swap: "link inside"},
		{name: "link re-pointed outside", link: true, swap: "link outside", err: ErrLeftFolder},
		{name: "file replaced by a link outside", swap: "link outside", err: ErrLeftFolder},
		{name: "folder replaced by a link outside", swap: "folder outside", err: ErrLeftFolder},
		{name: "file unchanged"},
	}
	for _, check := range []struct{ name, fdDir string }{
		{"descriptor", fdDir},
		{"resolution", filepath.Join(t.TempDir(), "none") + string(filepath.Separator)},
	} {
		for _, tt := range tests {
			t.Run(check.name+"/"+tt.name, func(t *testing.T) {
				old := fdDir
				fdDir = check.fdDir
				t.Cleanup(func() { fdDir = old })
				root, outside := t.TempDir(), t.TempDir()
				for _, p := range []string{
					filepath.Join(root, ".store", "target"), filepath.Join(root, ".store", "other"),
					filepath.Join(outside, "in", "log.json"), filepath.Join(outside, "target"),
				} {
					if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(p, []byte(recA), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				p := filepath.Join(root, "in", "log.json")
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if tt.link {
					mustLink(t, filepath.Join("..", ".store", "target"), p)
				} else if err := os.WriteFile(p, []byte(recA), 0o644); err != nil {
					t.Fatal(err)
				}

				var ins []Input
				for in, err := range Inputs([]string{root}) {
					if hiddenAside(in) {
						continue // .store, where the link leads
					}
					if err != nil || in.Skip != "" {
						t.Fatalf("walk gives %+v, %v; want %s read", in, err, p)
					}
					ins = append(ins, in)
				}
				if len(ins) != 1 || ins[0].Path != p {
					t.Fatalf("inputs %+v, want %s", ins, p)
				}

				switch tt.swap {
				case "link inside":
					relink(t, filepath.Join(root, ".store", "other"), p)
				case "link outside":
					relink(t, filepath.Join(outside, "target"), p)
				case "folder outside":
					if err := os.RemoveAll(filepath.Dir(p)); err != nil {
						t.Fatal(err)
					}
					mustLink(t, filepath.Join(outside, "in"), filepath.Dir(p))
				}
				rc, err := ins[0].Open(nil)
				if err == nil {
					rc.Close()
				}
				if !errors.Is(err, tt.err) || (err == nil) != (tt.err == nil) {
					t.Fatalf("open gives %v, want %v", err, tt.err)
				}
			})
		}
	}
}

func mustLink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}
}

// relink re-points the link at p to target.
func relink(t *testing.T, target, p string) {
	t.Helper()
	if err := os.Remove(p); err != nil {
		t.Fatal(err)
	}
	mustLink(t, target, p)
}

// hiddenAside reports whether the walk set in aside as a hidden entry.
func hiddenAside(in Input) bool { return strings.HasPrefix(in.Skip, "hidden ") }
