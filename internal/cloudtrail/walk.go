package cloudtrail

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// Folder is the kind of S3 delivery folder a file sits in.
type Folder uint8

// Delivery folders under AWSLogs/<account>/.
const (
	// FolderNone means the path shows no S3 delivery layout.
	FolderNone Folder = iota
	// FolderLogs is CloudTrail/, the trail's log files.
	FolderLogs
	// FolderInsight is CloudTrail-Insight/, Insights events.
	FolderInsight
	// FolderDigest is CloudTrail-Digest/, log-file validation digests.
	FolderDigest
)

// ErrEmptyLog marks a file named as a CloudTrail log file, found by
// walking a folder, that is empty or blank: CloudTrail writes no such file,
// so it is a failed download or copy, reported instead of read as a log
// without records.
var ErrEmptyLog = errors.New("empty log file")

// Input is one file to read, as found by Inputs.
type Input struct {
	// Path is the file's path; "-" is standard input.
	Path string
	// Folder, Org, Account and Region come from the S3 delivery layout in
	// the path, when there is one.
	Folder               Folder
	Org, Account, Region string
	// Skip, when not empty, says why a file found by walking a directory is
	// set aside instead of read.
	Skip string
}

// Inputs yields the files to read for the given paths in order: "-" for
// standard input, files as named (always read), and the files below each
// directory in lexical order. Walking skips hidden entries, sets aside
// digest files, entries that are no regular file (behind a symbolic link
// too), symbolic links that lead out of the folder, and files whose first bytes are neither gzip nor JSON, except files
// named as CloudTrail log files, which are read whatever they hold unless
// empty or blank (ErrEmptyLog), and yields walk errors (unreadable
// folders) without stopping.
func Inputs(paths []string) iter.Seq2[Input, error] {
	return func(yield func(Input, error) bool) {
		for _, p := range paths {
			if p == "-" {
				if !yield(Input{Path: p}, nil) {
					return
				}
				continue
			}
			fi, err := os.Stat(p)
			if err != nil {
				if !yield(Input{Path: p}, fmt.Errorf("stat input: %w", err)) {
					return
				}
				continue
			}
			if !fi.IsDir() {
				if !yield(layout(p), nil) {
					return
				}
				continue
			}
			if !walk(p, yield) {
				return
			}
		}
	}
}

// walk yields the files below root and reports whether to go on.
func walk(root string, yield func(Input, error) bool) bool {
	goOn := true
	inside := within(root)
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if goOn = yield(Input{Path: p}, fmt.Errorf("walk input: %w", err)); !goOn {
				return fs.SkipAll
			}
			return nil
		}
		hidden := p != root && strings.HasPrefix(d.Name(), ".")
		if d.IsDir() {
			if hidden {
				return fs.SkipDir
			}
			return nil
		}
		if hidden {
			return nil
		}
		in := layout(p)
		var bad error
		switch {
		case in.Folder == FolderDigest:
			in.Skip = "digest file (log-file validation)"
		case !regular(p, d):
			in.Skip = "not a regular file"
		case d.Type()&fs.ModeSymlink != 0 && !inside(p):
			in.Skip = "symbolic link leading out of the folder walked: not followed (name the file to read it)"
		case logName.MatchString(d.Name()):
			// Named as a log: read whatever it holds, so that a damaged
			// one (a cut download, an error page saved in its place)
			// fails instead of being set aside like a README.
			if why := sniffFile(p); why == emptyFile || why == blankFile {
				bad = fmt.Errorf("check input: %w (%s)", ErrEmptyLog, why)
			}
		default:
			in.Skip = sniffFile(p)
		}
		if goOn = yield(in, bad); !goOn {
			return fs.SkipAll
		}
		return nil
	})
	if err != nil && goOn {
		goOn = yield(Input{Path: root}, fmt.Errorf("walk input: %w", err))
	}
	return goOn
}

// regular reports whether the entry d at p is a regular file, following a
// symbolic link: a device or a FIFO would hang or never end a read. A link
// that cannot be followed counts as regular, so that opening it fails
// later with the reason.
func regular(p string, d fs.DirEntry) bool {
	if d.Type()&fs.ModeSymlink == 0 {
		return d.Type().IsRegular()
	}
	fi, err := os.Stat(p)
	return err != nil || fi.Mode().IsRegular()
}

// within returns a test of whether a symbolic link below root leads to a
// file inside root. A folder of logs may come from the account under
// investigation, and a link in it must not make the scan read, and quote
// in its reports, files of the machine it runs on.
func within(root string) func(link string) bool {
	abs := func(p string) (string, bool) {
		r, err := filepath.EvalSymlinks(p)
		if err == nil {
			r, err = filepath.Abs(r)
		}
		return r, err == nil
	}
	base, ok := abs(root)
	return func(link string) bool {
		t, tok := abs(link)
		if !ok || !tok {
			return false
		}
		rel, err := filepath.Rel(base, t)
		return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
	}
}

// layout reads the S3 delivery layout from a path:
// AWSLogs/[<o-id>/]<account>/<CloudTrail|CloudTrail-Insight|CloudTrail-Digest>/<region>/...
func layout(p string) Input {
	in := Input{Path: p}
	parts := strings.Split(filepath.ToSlash(p), "/")
	for i, s := range parts {
		if s != "AWSLogs" {
			continue
		}
		rest := parts[i+1:]
		if len(rest) > 0 && strings.HasPrefix(rest[0], "o-") {
			in.Org, rest = rest[0], rest[1:]
		}
		if len(rest) < 3 {
			return Input{Path: p}
		}
		switch rest[1] {
		case "CloudTrail":
			in.Folder = FolderLogs
		case "CloudTrail-Insight":
			in.Folder = FolderInsight
		case "CloudTrail-Digest":
			in.Folder = FolderDigest
		default:
			return Input{Path: p}
		}
		in.Account, in.Region = rest[0], rest[2]
		return in
	}
	return in
}

// logName matches the name CloudTrail gives a log file it delivers to S3:
// <account>_CloudTrail[-Insight]_<region>_<YYYYMMDDTHHmmZ>_<unique>.json.gz
// (or .json, once decompressed). It is specific enough to be trusted
// outside the delivery layout too, in a folder the logs were copied to.
var logName = regexp.MustCompile(`^[0-9]{12}_CloudTrail(-Insight)?_[a-z0-9-]+_` +
	`[0-9]{8}T[0-9]{4}Z_[A-Za-z0-9]+\.json(\.gz)?$`)

// The reasons sniffFile gives for files that hold nothing; they say it in
// the words the scan uses for a named input that holds nothing.
const (
	emptyFile = "empty file: nothing to read"
	blankFile = "blank file: nothing but white space"
)

// sniffFile returns why the file at p is not worth reading, or "" when its
// first bytes are gzip or JSON.
func sniffFile(p string) string {
	f, err := os.Open(p)
	if err != nil {
		return "cannot open: " + err.Error()
	}
	defer f.Close()
	var head [512]byte
	n, err := io.ReadFull(f, head[:])
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return "cannot read: " + err.Error()
	}
	b := bytes.TrimPrefix(head[:n], []byte{0xef, 0xbb, 0xbf})
	if len(b) >= 2 && b[0] == 0x1f && b[1] == 0x8b {
		return ""
	}
	i := skipWS(b, 0)
	switch {
	case n == 0:
		return emptyFile
	case i == len(b) && n < len(head):
		return blankFile
	case i < len(b) && (b[i] == '{' || b[i] == '['):
		return ""
	case i < len(b) && b[i] >= '0' && b[i] <= '9' && bytes.Contains(b[i:], []byte(" {")):
		// CloudWatch Logs exports: "<timestamp> {record}" per line.
		return ""
	}
	return "not JSON or gzip"
}

// Open opens the input at path; "-" is stdin, which Open does not close.
func Open(path string, stdin io.Reader) (io.ReadCloser, error) {
	if path == "-" {
		return io.NopCloser(stdin), nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open input: %w", err)
	}
	return f, nil
}
