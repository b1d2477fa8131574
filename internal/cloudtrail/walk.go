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
	"runtime"
	"strconv"
	"strings"
	"syscall"
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

// Errors of the walk, and of opening what it found.
var (
	// ErrEmptyLog marks a file named as a CloudTrail log file, found by
	// walking a folder, that is empty or blank: CloudTrail writes no such
	// file, so it is a failed download or copy, reported instead of read as
	// a log without records.
	ErrEmptyLog = errors.New("empty log file")
	// ErrBrokenLink marks a symbolic link found by walking a folder that
	// leads nowhere (dangling) or to itself (a loop).
	ErrBrokenLink = errors.New("broken symbolic link")
	// ErrLeftFolder marks a file found by walking a folder that, once
	// opened, is not inside that folder: a link, or a folder on its path,
	// was changed to lead out of it after the walk checked it.
	ErrLeftFolder = errors.New("file opened is outside the folder walked")
)

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
	// Root, for a file found by walking a directory, is that directory,
	// absolute and with its links resolved: Open checks that the file it
	// opens is still inside it.
	Root string
	// Link says that the walk found the file through a symbolic link:
	// another link may lead to it too.
	Link bool
}

// Inputs yields the files to read for the given paths in order: "-" for
// standard input, files as named (always read), and the files below each
// directory in lexical order, a directory named through a symbolic link
// included. Walking sets hidden entries aside (Skip), skips entries
// that are no regular file (behind a symbolic link too), symbolic links
// that lead out of the folder or to a file the walk reads under its own
// name, and files whose first bytes are neither
// gzip nor JSON, except files named as CloudTrail log files, which are
// read whatever they hold unless empty or blank (ErrEmptyLog), and yields
// broken symbolic links (ErrBrokenLink) and walk errors (unreadable
// folders) without stopping. Files found by walking are to be opened with
// Input.Open, which checks that they are still inside the folder.
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
				// The rejection names the path; the reason need not again.
				var pe *fs.PathError
				if errors.As(err, &pe) {
					err = fmt.Errorf("cannot read: %w", pe.Err)
				}
				if !yield(Input{Path: p}, err) {
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
	base, err := resolve(root)
	if err != nil {
		return yield(Input{Path: root}, fmt.Errorf("walk input: %w", err))
	}
	// WalkDir does not follow a link at its root, which would leave a
	// folder named through a link unread; with a trailing separator the
	// link is followed, and the paths found still start with the name given.
	start := root
	if fi, err := os.Lstat(root); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		start = root + string(filepath.Separator)
	}
	goOn := true
	err = filepath.WalkDir(start, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if goOn = yield(Input{Path: p}, fmt.Errorf("walk input: %w", err)); !goOn {
				return fs.SkipAll
			}
			return nil
		}
		// Hidden entries (.git, .DS_Store) are set aside, and said: logs
		// copied below a hidden folder would otherwise go unread unseen.
		hidden := p != start && strings.HasPrefix(d.Name(), ".")
		if d.IsDir() {
			if hidden {
				if goOn = yield(Input{Path: p, Skip: "hidden folder (its name starts with '.'): not walked; name it to read it"}, nil); !goOn {
					return fs.SkipAll
				}
				return fs.SkipDir
			}
			return nil
		}
		if hidden {
			if goOn = yield(Input{Path: p, Skip: "hidden file (its name starts with '.'): not read; name it to read it"}, nil); !goOn {
				return fs.SkipAll
			}
			return nil
		}
		if goOn = yield(entry(base, p, d)); !goOn {
			return fs.SkipAll
		}
		return nil
	})
	if err != nil && goOn {
		goOn = yield(Input{Path: root}, fmt.Errorf("walk input: %w", err))
	}
	return goOn
}

// entry sorts the file p, found by the walk of the folder base, into read,
// set aside (Skip) or failed (the error).
func entry(base, p string, d fs.DirEntry) (Input, error) {
	in := layout(p)
	in.Root = base
	// A file in CloudTrail-Digest/ is read like any other: the reader sets
	// a digest aside by what it holds (ErrDigest), and records hidden
	// under a digest's name are not passed over.
	mode, link := d.Type(), d.Type()&fs.ModeSymlink != 0
	in.Link = link
	if link {
		fi, err := follow(p)
		if err != nil {
			return in, fmt.Errorf("check input: %w", err)
		}
		mode = fi.Mode().Type()
	}
	switch {
	case !mode.IsRegular():
		// A device or a FIFO would hang or never end a read.
		in.Skip = "not a regular file"
		return in, nil
	case link:
		t, err := resolve(p)
		if err != nil {
			return in, fmt.Errorf("check input: follow symbolic link: %w", err)
		}
		if !within(base, t) {
			in.Skip = "symbolic link leading out of the folder walked: not followed (name the file to read it)"
			return in, nil
		}
		// The walk reaches the file under its own name, unless a hidden
		// folder or name keeps it from the walk.
		if rel, _ := filepath.Rel(base, t); !hiddenPath(rel) {
			in.Skip = "symbolic link to " + filepath.ToSlash(rel) + " in the folder walked, which is read under its own name"
			return in, nil
		}
	}
	// A file that cannot be opened or read fails, whatever its name: what
	// it holds is unknown, and may be the logs of the case (a renamed
	// copy, an export).
	why, err := sniffFile(p)
	if err != nil {
		return in, fmt.Errorf("check input: %w", err)
	}
	if !logName.MatchString(d.Name()) {
		// A file whose name says JSON or gzip is read whatever it starts
		// with, so that a damaged one fails with the reader's reason
		// instead of being set aside unread; one that holds nothing is
		// set aside, as other files are.
		if why == "" || why == emptyFile || why == blankFile || !dataName.MatchString(d.Name()) {
			in.Skip = why
		}
		return in, nil
	}
	// Named as a log: read whatever it holds, so that a damaged one (a cut
	// download, an error page saved in its place) fails instead of being
	// set aside like a README.
	if why == emptyFile || why == blankFile {
		return in, fmt.Errorf("check input: %w (%s)", ErrEmptyLog, why)
	}
	return in, nil
}

// hiddenPath reports whether a relative path has a part the walk skips as
// hidden (its name starts with '.').
func hiddenPath(rel string) bool {
	for part := range strings.SplitSeq(filepath.ToSlash(rel), "/") {
		if strings.HasPrefix(part, ".") {
			return true
		}
	}
	return false
}

// follow returns what the symbolic link at p leads to. A link that leads
// nowhere is ErrBrokenLink, so that it is reported as what it is rather
// than as a link leading out of the folder.
func follow(p string) (fs.FileInfo, error) {
	fi, err := os.Stat(p)
	switch {
	case err == nil:
		return fi, nil
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("%w (dangling): %w", ErrBrokenLink, err)
	case errors.Is(err, syscall.ELOOP):
		return nil, fmt.Errorf("%w (a loop): %w", ErrBrokenLink, err)
	}
	return nil, fmt.Errorf("follow symbolic link: %w", err)
}

// resolve returns p absolute, with every symbolic link on it followed.
func resolve(p string) (string, error) {
	r, err := filepath.EvalSymlinks(p)
	if err != nil {
		return "", err
	}
	return filepath.Abs(r)
}

// within reports whether the resolved path t is inside the resolved folder
// base. A folder of logs may come from the account under investigation,
// and a link in it must not make the scan read, and quote in its reports,
// files of the machine it runs on.
func within(base, t string) bool {
	rel, err := filepath.Rel(base, t)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
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

// dataName matches the names of files meant to hold JSON or gzip: logs
// exported or copied under a name of the user's choosing.
var dataName = regexp.MustCompile(`(?i)\.(json|jsonl|ndjson|gz)$`)

// The reasons sniffFile gives for files that hold nothing; they say it in
// the words the scan uses for a named input that holds nothing.
const (
	emptyFile = "empty file: nothing to read"
	blankFile = "blank file: nothing but white space"
)

// sniffFile returns why the file at p is not worth reading, or "" when its
// first bytes are gzip or JSON; an error when it cannot be opened or read.
func sniffFile(p string) (string, error) {
	f, err := openRegular(p)
	if errors.Is(err, errNotRegular) {
		return "not a regular file", nil
	}
	if err != nil {
		return "", err
	}
	defer f.Close()
	var head [512]byte
	n, err := io.ReadFull(f, head[:])
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return "", err
	}
	b := bytes.TrimPrefix(head[:n], []byte{0xef, 0xbb, 0xbf})
	if len(b) >= 2 && b[0] == 0x1f && b[1] == 0x8b {
		return "", nil
	}
	i := skipWS(b, 0)
	switch {
	case n == 0:
		return emptyFile, nil
	case i == len(b) && n < len(head):
		return blankFile, nil
	case i < len(b) && (b[i] == '{' || b[i] == '['):
		return "", nil
	case i < len(b) && b[i] >= '0' && b[i] <= '9' && bytes.Contains(b[i:], []byte(" {")):
		// CloudWatch Logs exports: "<timestamp> {record}" per line.
		return "", nil
	}
	if len(b) >= 2 && (b[0] == 0xff && b[1] == 0xfe || b[0] == 0xfe && b[1] == 0xff) {
		return "UTF-16 text: CloudTrail writes UTF-8", nil
	}
	return notLog, nil
}

// notLog is why a file found in a folder is set aside when its first
// bytes are neither gzip nor a JSON object or array.
const notLog = "neither gzip nor a JSON object or array"

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

// Open opens the input like the function Open. A file found by walking a
// folder was checked by the walk, but is opened again by its path: a link
// re-pointed, or a folder on the path replaced by a link, in between would
// make the scan read a file of the machine it runs on. So the file opened
// must still be inside the folder walked, or the input fails with
// ErrLeftFolder.
func (in Input) Open(stdin io.Reader) (io.ReadCloser, error) {
	if in.Root == "" || in.Path == "-" {
		return Open(in.Path, stdin)
	}
	f, err := openRegular(in.Path)
	if err != nil {
		return nil, fmt.Errorf("open input: %w", err)
	}
	if err := inside(f, in.Root); err != nil {
		f.Close()
		return nil, fmt.Errorf("open input: %w", err)
	}
	return f, nil
}

// errNotRegular is a file found by a walk that is not a regular file when
// it is opened: a device or a FIFO would hang or never end a read.
var errNotRegular = errors.New("not a regular file (changed since the folder was walked)")

// regularOnly returns f if it is a regular file, and closes it if not.
func regularOnly(f *os.File) (*os.File, error) {
	fi, err := f.Stat()
	if err == nil && !fi.Mode().IsRegular() {
		err = errNotRegular
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// fdDir names the descriptors of the process on Linux; a variable so that
// tests can try the check used elsewhere.
var fdDir = "/proc/self/fd/"

// inside checks that the open file f lies inside the resolved folder base.
func inside(f *os.File, base string) error {
	// On Linux the kernel names the file the descriptor holds: what is
	// checked is what will be read, with no window in between.
	if runtime.GOOS == "linux" {
		if t, err := os.Readlink(fdDir + strconv.Itoa(int(f.Fd()))); err == nil {
			if !within(base, t) {
				return ErrLeftFolder
			}
			return nil
		}
	}
	// Elsewhere, or without /proc, the path is resolved again, checked,
	// and the file at its end must be the one opened. Lstat keeps a link
	// put in place of that file from passing, but not one put in place of
	// a folder on the resolved path between the resolution and the Lstat:
	// a swap out, back in, and out again, each timed to a few system calls,
	// can still get a file from outside read there.
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("stat input: %w", err)
	}
	t, err := resolve(f.Name())
	if err != nil {
		return fmt.Errorf("resolve input: %w", err)
	}
	if !within(base, t) {
		return ErrLeftFolder
	}
	ti, err := os.Lstat(t)
	if err != nil {
		return fmt.Errorf("stat input: %w", err)
	}
	if !os.SameFile(fi, ti) {
		return fmt.Errorf("%w: it changed while it was opened", ErrLeftFolder)
	}
	return nil
}
