package view

import (
	"bytes"
	"encoding/json"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/ttcproject/ttc/internal/catalog"
	"github.com/ttcproject/ttc/internal/jsonscan"
)

func TestLine(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"plain", "arn:aws:iam::111122223333:user/alice", "arn:aws:iam::111122223333:user/alice"},
		{"line feed", "user/x\n\n2026-03-14T02:00:02Z  T1562.008", `user/x\n\n2026-03-14T02:00:02Z  T1562.008`},
		{"carriage return and tab", "a\r\tb", `a\r\tb`},
		{"terminal escape", "red\x1b[31m!\x07", `red\x1b[31m!\x07`},
		{"C1 control", "c1\u009bcontrol", `c1\u009bcontrol`},
		{"line and paragraph separators", "a\u2028b\u2029c\u0085d", `a\u2028b\u2029c\u0085d`},
		{"C1 control and the byte that spells it differ", "\u0085\x85", `\u0085\x85`},
		{"zero width and format", "ad\u200bmin\u200d\ufeff", `ad\u200bmin\u200d\ufeff`},
		{"bidirectional override", "evil\u202egnp.exe", `evil\u202egnp.exe`},
		{"tag characters", "ok\U000E0041", `ok\U000e0041`},
		{"not UTF-8", "a\xffb", `a\xffb`},
		{"letters and marks kept", "café naïve 日本 e\u0301", "café naïve 日本 e\u0301"},
		{"stacked marks", "z" + strings.Repeat("\u0301", 6), "z" + strings.Repeat("\u0301", maxMarks) + `\u0301\u0301`},
		{"inner spaces kept, edge spaces escaped", "  two  spaces ", `\x20 two  spaces\x20`},
		{"lookalike padding", "user/admin ", `user/admin\x20`},
		{"other spaces", "a\u00a0b\u2009c\u3000d", `a\u00a0b\u2009c\u3000d`},
		{"variation selectors", "\\\ufe0fx1b \u180b\U000e0100", `\\\ufe0fx1b \u180b\U000e0100`},
		{"blank fillers", "admin\u3164 a\u034fb \u2800 \uffa0", `admin\u3164 a\u034fb \u2800 \uffa0`},
		{"windows path", `C:\Users\bob\AppData`, `C:\\Users\\bob\\AppData`},
		{"typed-out escape", `red\x1b[31m`, `red\\x1b[31m`},
		{"typed-out escape and real one differ", "\x1b" + `\x1b`, `\x1b\\x1b`},
		{"typed-out unicode escapes", `\u202e \U000e0041 \n \r \t`, `\\u202e \\U000e0041 \\n \\r \\t`},
		{"short hex", `\x1 \u12 \U1234567`, `\\x1 \\u12 \\U1234567`},
		{"two backslashes", `a\\b`, `a\\\\b`},
		{"backslash before an escaped character", "a\\\nb", `a\\\nb`},
		{"backslash before a bad byte", "a\\\xffb", `a\\\xffb`},
		{"backslash at the end", `dir\`, `dir\\`},
		{"temp path reads as tab", `C:\temp`, `C:\\temp`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := Line(tc.in); got != tc.want {
				t.Errorf("Line(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// unline decodes Line's output with Go's own unquoting (strconv) of the
// escapes Line writes: \\, \n, \r, \t, \x, \u and \U. Every backslash
// must start one.
func unline(t *testing.T, s string) string {
	t.Helper()
	var b strings.Builder
	for s != "" {
		if s[0] != '\\' {
			b.WriteByte(s[0])
			s = s[1:]
			continue
		}
		r, multibyte, rest, err := strconv.UnquoteChar(s, 0)
		if err != nil || len(s) < 2 || strings.IndexByte(`\nrtxuU`, s[1]) < 0 {
			t.Fatalf("a backslash that starts no escape of Line's: %q", s)
		}
		if multibyte || s[1] != 'x' {
			b.WriteRune(r)
		} else {
			b.WriteByte(byte(r)) // \xNN is one byte
		}
		s = rest
	}
	return b.String()
}

// FuzzLine checks that Line's output is one line of shown characters, with
// no space at either end, and always decodes back to its input: no text
// typed into a record can print the same as different text.
func FuzzLine(f *testing.F) {
	for _, s := range []string{"plain", "a\x1b[31m", `a\x1b[31m`, `C:\temp\new`, "\\\n", "\u0085\x85",
		`\\u202e`, "\\\xff", "z\u0301\u0301\u0301\u0301\u0301\u0301", `\U000E0041`, " pad ", "\\\ufe0fx1b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Line(s)
		for _, r := range out {
			if r != ' ' && !unicode.IsGraphic(r) || jsonscan.Blank(r) {
				t.Fatalf("Line(%q) = %q holds %U", s, out, r)
			}
		}
		if edgeSpace(out) {
			t.Fatalf("Line(%q) = %q starts or ends with a space", s, out)
		}
		if back := unline(t, out); back != s {
			t.Fatalf("Line(%q) = %q, which decodes to %q", s, out, back)
		}
	})
}

func TestClean(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"plain", "plain text", "plain text"},
		{"escape", "red\x1b[31m!", `red\x1b[31m!`},
		{"title", "title\x1b]0;pwned\x07", `title\x1b]0;pwned\x07`},
		{"bidi", "evil\u202egnp.exe", `evil\u202egnp.exe`},
		{"tab and line break", "tab\there\nnext", "tab here\nnext"},
		{"carriage return", "a\r\nb", "a\\r\nb"},
		{"separator", "a\u2028b", `a\u2028b`},
		{"prose keeps backslashes and spaces", ` C:\temp or ^\d+\n$ `, ` C:\temp or ^\d+\n$ `},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := Clean(tc.in); got != tc.want {
				t.Errorf("Clean(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// TestWriteTableHostile checks that no cell can add a line, reach the
// terminal as a control or invisible character, or push later columns
// out of line.
func TestWriteTableHostile(t *testing.T) {
	values := []struct{ name, value string }{
		{"line feed", "x\n\n2026-03-14T02:00:02Z  T1562.008  forged"},
		{"carriage return", "x\rforged"},
		{"line separator", "x\u2028forged"},
		{"paragraph separator", "x\u2029forged"},
		{"next line", "x\u0085forged"},
		{"zero width space", "ad\u200b\u200b\u200bmin"},
		{"soft hyphen", "ad\u00ad\u00admin"},
		{"bidi", "x\u202eforged"},
		{"escape", "x\x1b[2Jforged"},
		{"wide", "日本語の名前"},
		{"combining", "e\u0301e\u0301e\u0301"},
		{"spaces posing as columns", "ListUsers  success  cloudtrail:StopLogging"},
	}
	for _, tc := range values {
		t.Run(tc.name, func(t *testing.T) {
			g := Grid{Headers: []string{"A", "VALUE", "B"}, Flex: -1, Rows: [][]string{
				{"1", tc.value, "end"},
				{"2", "plain", "end"},
			}}
			for _, width := range []int{0, 30} {
				var b bytes.Buffer
				if err := WriteTable(&b, g, Options{Width: width}); err != nil {
					t.Fatal(err)
				}
				out := b.String()
				lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
				if len(lines) != 3 {
					t.Fatalf("width %d: %d lines, want 3:\n%s", width, len(lines), out)
				}
				for _, r := range out {
					if r != '\n' && r != ' ' && !unicode.IsGraphic(r) {
						t.Errorf("width %d: %U reached the table: %q", width, r, out)
					}
				}
				var col []int
				for _, l := range lines {
					col = append(col, cells(l[:strings.LastIndex(l, " ")+1]))
				}
				if col[0] != col[1] || col[1] != col[2] {
					t.Errorf("width %d: last column starts at display columns %v:\n%s", width, col, out)
				}
				// Columns are two spaces or more apart; no value may hold two.
				if f := regexp.MustCompile(` {2,}`).Split(lines[1], -1); len(f) != 3 {
					t.Errorf("width %d: %q reads as %d columns, want 3", width, lines[1], len(f))
				}
			}
		})
	}
}

// TestWriteTableCapsCells checks that one huge value does not pad every
// other row to its width.
func TestWriteTableCapsCells(t *testing.T) {
	cases := []struct {
		name  string
		width int
	}{{"piped", 0}, {"wide terminal", 1000}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := Grid{Headers: []string{"TIME", "SOURCE IP", "ACTOR"}, Flex: -1}
			g.Rows = append(g.Rows, []string{"2026-03-14T02:00:02Z", strings.Repeat("9", 100_000), "user/alice"})
			longest := "arn:aws-us-gov:sts::111122223333:assumed-role/" + strings.Repeat("r", 64) + "/" + strings.Repeat("s", 64)
			g.Rows = append(g.Rows, []string{"2026-03-14T02:00:02Z", "192.0.2.1", longest})
			for i := 0; i < 200; i++ {
				g.Rows = append(g.Rows, []string{"2026-03-14T02:00:02Z", "192.0.2.1", "user/bob"})
			}
			var b bytes.Buffer
			if err := WriteTable(&b, g, Options{Width: tc.width}); err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
			for _, l := range lines {
				if n := cells(l); n > 20+2+MaxCell+2+len(longest) {
					t.Fatalf("line of %d columns, want at most %d", n, 20+2+MaxCell+2+len(longest))
				}
			}
			if !strings.Contains(lines[1], strings.Repeat("9", MaxCell-1)+"…  user/alice") {
				t.Errorf("long cell not cut to %d columns with a mark: %.300q", MaxCell, lines[1])
			}
			if !strings.HasSuffix(lines[2], "  "+longest) {
				t.Errorf("the longest assumed-role ARN (%d characters) was cut: %q", len(longest), lines[2])
			}
		})
	}
}

// TestShrinkOrder checks which columns give way first when a table must fit.
func TestShrinkOrder(t *testing.T) {
	cases := []struct {
		name   string
		widths []int
		g      Grid
		room   int
		want   []int
	}{
		{"flex first", []int{20, 10, 40}, Grid{Flex: -1}, 50, []int{20, 10, 20}},
		{"then widest", []int{20, 10, 40}, Grid{Flex: -1}, 40, []int{15, 10, 15}},
		{"kept columns last", []int{20, 10, 24, 10, 12, 98}, Grid{Flex: 5, Keep: []int{0, 2}}, 84,
			[]int{20, 10, 24, 10, 10, 10}},
		{"kept columns when nothing else gives", []int{20, 24, 8}, Grid{Flex: 2, Keep: []int{0, 1}}, 40,
			[]int{17, 17, 6}},
		{"give way together", []int{10, 32, 8, 64}, Grid{Flex: 3, Give: []int{1}, Keep: []int{0}}, 76,
			[]int{10, 29, 8, 29}},
		{"spare takes what is left", []int{20, 10, 40}, Grid{Flex: 1, Spare: []int{2}}, 60, []int{20, 10, 30}},
		{"spare cut to flexMin", []int{20, 10, 40}, Grid{Flex: 1, Spare: []int{2}}, 46, []int{20, 10, 16}},
		{"spare left out before the others are cut", []int{20, 10, 40}, Grid{Flex: 1, Spare: []int{2}}, 45, []int{20, 10, -1}},
		{"spare cut to its floor", []int{20, 10, 40}, Grid{Flex: 1, Spare: []int{2}, Floor: []int{2: 21}}, 50, []int{20, 10, -1}},
		{"spare whole when it fits", []int{20, 10, 40}, Grid{Flex: 0, Spare: []int{2}}, 70, []int{20, 10, 40}},
		{"spare and give columns share the room", []int{20, 30, 40}, Grid{Flex: 1, Spare: []int{2}}, 60, []int{20, 20, 20}},
		{"the widest gives way first", []int{20, 60, 20}, Grid{Flex: 1, Spare: []int{2}}, 70, []int{20, 30, 20}},
		{"spare gone, the others whole again", []int{20, 30, 40}, Grid{Flex: 1, Spare: []int{2}}, 50, []int{20, 30, -1}},
		{"dropped, the others whole again", []int{20, 10, 40, 9}, Grid{Flex: 2, Keep: []int{0, 1}, Drop: []int{3}, Floor: []int{2: 16, 3: 9}}, 50,
			[]int{20, 10, 22, -1}},
		{"a kept column cut in its middle before an announced one goes", []int{20, 39, 16},
			Grid{Flex: 2, Keep: []int{0, 1}, Middle: []int{1}, Floor: []int{1: 15, 2: 16}, Drop: []int{2}, Announce: []int{2}}, 60,
			[]int{20, 24, 16}},
		{"but after a column not announced goes", []int{20, 9, 39, 16},
			Grid{Flex: 3, Keep: []int{0, 2}, Middle: []int{2}, Floor: []int{1: 9, 2: 15, 3: 16}, Drop: []int{1, 3}, Announce: []int{3}}, 71,
			[]int{20, -1, 37, 16}},
		{"and the announced one goes when that is not enough", []int{20, 39, 16},
			Grid{Flex: 2, Keep: []int{0, 1}, Middle: []int{1}, Floor: []int{1: 15, 2: 16}, Drop: []int{2}, Announce: []int{2}}, 45,
			[]int{20, 27, -1}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := append([]int(nil), tc.widths...)
			shrink(got, tc.g, tc.room)
			if !slices.Equal(got, tc.want) {
				t.Errorf("shrink(%v, room %d) = %v, want %v", tc.widths, tc.room, got, tc.want)
			}
		})
	}
}

func TestQuoted(t *testing.T) {
	for in, want := range map[string]string{
		"  techniques":               "  techniques",
		`unknown command "sc\x1ban"`: `unknown command "sc\x1ban"`,
		"raw \x1b\u202e left":        `raw \x1b\u202e left`,
	} {
		if got := Quoted(in); got != want {
			t.Errorf("Quoted(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMarkdownValueKeepsSpaceRuns(t *testing.T) {
	for in, want := range map[string]string{
		"a b":    "a b",
		"a  b":   `a \\x20b`,
		"a   b ": `a \\x20\\x20b\\x20`,
	} {
		if got := MarkdownValue(in); got != want {
			t.Errorf("MarkdownValue(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestASCII checks that ASCII leaves Line's output readable back, with
// every character past ASCII written as an escape.
func TestASCII(t *testing.T) {
	for _, s := range []string{"plain", "a·b…c", "user/a\uff0cb", "\U0001f600 x", `back\slash ü`, "\xff\u202e"} {
		out := ASCII(Line(s))
		for i := 0; i < len(out); i++ {
			if out[i] >= 0x80 {
				t.Fatalf("ASCII(Line(%q)) = %q is not ASCII", s, out)
			}
		}
		if back := unline(t, out); back != s {
			t.Errorf("ASCII(Line(%q)) = %q, which decodes to %q", s, out, back)
		}
	}
	if got := ASCII(Line("a\uff0cb\U0001f600")); got != `a\uff0cb\U0001f600` {
		t.Errorf("got %s", got)
	}
}

func TestBreakLine(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want []string
	}{
		{"short", 20, []string{"short"}},
		{"a b c d e f", 0, []string{"a b c d e f"}},
		// Too narrow to break: left whole.
		{"aws-cli/2.15 md/Botocore", 7, []string{"aws-cli/2.15 md/Botocore"}},
		{"aws-cli/2.15 md/Botocore", 8, []string{`aws-cli\`, `/2.15`, `md/Boto\`, "core"}},
		// At a space the break stands for it.
		{"aws-cli/2.15 md/Botocore ua/2.0", 14, []string{"aws-cli/2.15", "md/Botocore", "ua/2.0"}},
		// A word longer than a line is cut, and the line says so.
		{"abcdefghijklmnopqrstuvwxyz", 12, []string{`abcdefghijk\`, `lmnopqrstuv\`, "wxyz"}},
		// A run of spaces keeps the spaces after the first, shown.
		{"abcdefgh   ijk", 12, []string{"abcdefgh", `\x20 ijk`}},
		// An escape is not split.
		{`abcdefghi\x1bjklmnop`, 12, []string{`abcdefghi\`, `\x1bjklmnop`}},
		// A wide character takes two columns; a combining mark stays on.
		{"日本語テキストです日本語", 12, []string{`日本語テキ\`, `ストです日\`, "本語"}},
		{strings.Repeat("e\u0301", 14), 12, []string{strings.Repeat("e\u0301", 11) + `\`, strings.Repeat("e\u0301", 3)}},
	}
	// An escape wider than the room left goes whole, and the value's last
	// piece carries no mark, though the line is then wider than asked.
	if got, want := BreakLine(`abcdefgh  \u00a0`, 8), []string{"abcdefgh", `\x20\u00a0`}; !slices.Equal(got, want) {
		t.Errorf("BreakLine with a last escape = %q, want %q", got, want)
	}
	for _, tt := range tests {
		got := BreakLine(tt.in, tt.n)
		if !slices.Equal(got, tt.want) {
			t.Errorf("BreakLine(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
		for _, l := range got {
			if tt.n >= 8 && Cells(l) > tt.n {
				t.Errorf("BreakLine(%q, %d): line %q is wider than %d", tt.in, tt.n, l, tt.n)
			}
		}
	}
}

// TestTechniqueMarkdownHeadingsEscaped checks that section headings built
// from imported ATT&CK data (a technique's name) hold no raw control or
// bidirectional characters in Markdown, as the text form does not.
func TestTechniqueMarkdownHeadingsEscaped(t *testing.T) {
	d := catalog.TechniqueDetail{Technique: &catalog.Technique{ID: "T1530.A001", Name: "S3 Object Collection"},
		AttackID: "T1530", AttackData: &catalog.AttackData{ID: "T1530", Name: "Data\x1b[31m from \u202eCloud", Description: "Adversaries may read data.", AttackVersion: "18.1"}}
	for _, f := range []Format{Markdown, Table} {
		var b bytes.Buffer
		if err := WriteTechnique(&b, f, d, Options{}); err != nil {
			t.Fatal(err)
		}
		if out := b.String(); strings.ContainsAny(out, "\x1b\u202e") {
			t.Errorf("%s: raw control or bidirectional character in:\n%s", f, out)
		} else if !strings.Contains(out, `x1b`) || !strings.Contains(out, `u202e`) {
			t.Errorf("%s: the name is not shown escaped:\n%s", f, out)
		}
	}
}

// TestTechniqueMarkdownAttackText renders the Markdown of a technique with
// imported ATT&CK text holding a javascript: link, an image, raw HTML and
// a heading through cmark-gfm as a renderer that lets HTML through: the
// text comes out as text, since an imported bundle is not checked as the
// catalog's prose is.
func TestTechniqueMarkdownAttackText(t *testing.T) {
	render := cmarkGFM(t, "--unsafe")
	d := catalog.TechniqueDetail{Technique: &catalog.Technique{ID: "T1485.A003", Name: "S3 Deletion"}, AttackID: "T1485",
		AttackData: &catalog.AttackData{ID: "T1485", Name: "Data Destruction", AttackVersion: "18.1",
			Description: "See [link](javascript:alert(3)) and ![img](https://evil.example/t.png) <b>bold</b>\n\n# Heading\n\n1. item"}}
	var b bytes.Buffer
	if err := WriteTechnique(&b, Markdown, d, Options{}); err != nil {
		t.Fatal(err)
	}
	out := render(t, b.String())
	for _, bad := range []string{`href="javascript`, "<img", "<b>", "<h1>Heading", "<ol>"} {
		if strings.Contains(out, bad) {
			t.Errorf("ATT&CK text rendered %q:\n%s", bad, out)
		}
	}
	if !strings.Contains(out, "[link](javascript:alert(3))") {
		t.Errorf("ATT&CK text not shown as written:\n%s", out)
	}
}

// TestWriteJSONShowsHidden checks that catalog JSON (listings, show, the
// API) writes the characters a terminal would act on or hide as escapes,
// and still decodes to the same value.
func TestWriteJSONShowsHidden(t *testing.T) {
	name := "Data from \u202eduolC\u200b\x7f"
	var b bytes.Buffer
	if err := WriteJSON(&b, map[string]string{"name": name}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if strings.ContainsAny(out, "\u202e\u200b\x7f") || !strings.Contains(out, `\u202e`) {
		t.Errorf("hidden characters written raw: %q", out)
	}
	var back map[string]string
	if err := json.Unmarshal(b.Bytes(), &back); err != nil || back["name"] != name {
		t.Errorf("decodes to %q (%v), want %q", back["name"], err, name)
	}
}

// TestRevokedWithoutReplacement checks what `ttc show` says of a technique
// ATT&CK revoked: the technique that replaces it, or, when the data's
// revoked-by links lead to none (a loop), that it names none, rather than
// "replaced by ." with nothing in between.
func TestRevokedWithoutReplacement(t *testing.T) {
	for _, tc := range []struct{ replacedBy, want string }{
		{"T1552", "ATT&CK revoked this technique; it is replaced by T1552."},
		{"", "ATT&CK revoked this technique; the data names no current technique that replaces it."},
	} {
		d := catalog.TechniqueDetail{Technique: &catalog.Technique{ID: "T1552.001", Name: "Credentials In Files"},
			AttackID: "T1552.001", AttackData: &catalog.AttackData{ID: "T1552.001", Name: "Credentials In Files",
				Description: "Old text.", AttackVersion: "18.1", Revoked: true, ReplacedBy: tc.replacedBy}}
		var b bytes.Buffer
		if err := WriteTechnique(&b, Table, d, Options{}); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), tc.want) {
			t.Errorf("replaced by %q: output lacks %q:\n%s", tc.replacedBy, tc.want, b.String())
		}
	}
}

func TestFitMiddle(t *testing.T) {
	cases := []struct {
		s    string
		n    int
		want string
	}{
		{"arn:aws:cloudtrail:us-east-1:111122223333:trail/main", 24, "arn:aws:clou…:trail/main"},
		{"acme-finance-records/ledger/2025/q4.xlsx", 20, "acme-finan…5/q4.xlsx"},
		{"short", 20, "short"},
		{"abcdefghij", 6, "abcde…"}, // too narrow to keep both ends
		// The cut never falls inside an escape or a wide character.
		{`aaaaaaaaaa\u202ebbbbbbb`, 16, `aaaaaaaa…bbbbbbb`},
		{`aaaaaaaaaa\u202ebbbbbb`, 16, `aaaaaaaaa…bbbbbb`},
		{`aaaaaaaaaaaaaa\u202eb`, 16, `aaaaaaaa…\u202eb`},
		{"aaaaaaaaaa日本語", 11, "aaaaaa…本語"},
		{strings.Repeat("a\u0301", 30), 16, strings.Repeat("a\u0301", 8) + "…" + strings.Repeat("a\u0301", 7)},
		// A spacing mark takes a column, and is not left at the kept end's start.
		{strings.Repeat("\u0915\u093f", 30), 16, strings.Repeat("\u0915\u093f", 4) + "\u0915…" + strings.Repeat("\u0915\u093f", 3)},
	}
	for _, c := range cases {
		got := fitMiddle(c.s, c.n)
		if got != c.want || cells(got) > c.n {
			t.Errorf("fitMiddle(%q, %d) = %q (%d cells), want %q", c.s, c.n, got, cells(got), c.want)
		}
	}
}

func TestSeparable(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"snap-0f00", "snap-0f00"},
		{"a · b", `a \u00b7 b`},
		{"a • b ∙ c ⋅ d ・ e", `a \u2022 b \u2219 c \u22c5 d \u30fb e`},
		{"ログ/キー", "ログ/キー"},
		{"\U00010101", `\U00010101`},
		// Punctuation and symbols past ASCII, and letters drawn as a dot.
		{"a \u2e33 b \u02d1 c \u25e6 d \u0971 e \u18df f", `a \u2e33 b \u02d1 c \u25e6 d \u0971 e \u18df f`},
		{"ログ・キー", `ログ\u30fbキー`},
		{"データ", "データ"}, // the prolonged sound mark is a letter, kept
		// A combining mark that starts a value would join the separator.
		{"\u0338x\u0338", `\u0338x` + "\u0338"},
	} {
		if got := Separable(c.in); got != c.want {
			t.Errorf("Separable(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
