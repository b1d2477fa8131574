package view

import (
	"bytes"
	"strings"
	"testing"

	"github.com/ttcproject/ttc/internal/catalog"
)

// TestMitigationEffects checks how ttc show writes a mitigation's effect,
// prose after the mitigation's name: on the terminal as prose, its lists
// and code kept; in Markdown as plain text, its lists and code kept too,
// and nothing in its text markup, a link, or, at the start of a line, a
// heading or a list item.
func TestMitigationEffects(t *testing.T) {
	cases := []struct{ name, effect, table, markdown string }{
		{"one sentence", "Stops it.", "  - Block it (m1): Stops it.", "- Block it (m1): Stops it."},
		{"list and code", "Stops:\n- `PutObject` <b>\n  ```\n  <script>x</script>\n  ```\n- [l](https://a.example) **b**",
			"  - Block it (m1): Stops:\n    - `PutObject` <b>\n\n        <script>x</script>\n\n    - [l](https://a.example) **b**",
			"- Block it (m1): Stops:\n  - \\`PutObject\\` &lt;b&gt;\n    ```\n    <script>x</script>\n    ```\n" +
				"  - \\[l\\](https\\://a.example) \\*\\*b\\*\\*"},
		{"starts with a list", "1. a\n2. b\n\n   # c", "  - Block it (m1):\n    1. a\n\n    2. b\n\n       # c",
			"- Block it (m1):\n  1. a\n\n  2. b\n\n     \\# c"},
		{"controls escaped", "Stops\x1b[2J it.\n- \u202e", `  - Block it (m1): Stops\x1b[2J it.` + "\n" + `    - \u202e`,
			`- Block it (m1): Stops\\x1b\[2J it.` + "\n" + `  - \\u202e`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := catalog.TechniqueDetail{
				Technique:   &catalog.Technique{ID: "T9999", Name: "X", Mitigations: []catalog.MitigationRef{{ID: "m1", Effect: c.effect}}},
				MitigatedBy: []*catalog.Mitigation{{ID: "m1", Name: "Block it"}},
			}
			for f, want := range map[Format]string{Table: c.table, Markdown: c.markdown} {
				var b bytes.Buffer
				if err := WriteTechnique(&b, f, d, Options{Width: 100}); err != nil {
					t.Fatal(err)
				}
				_, got, _ := strings.Cut(b.String(), "Mitigations\n")
				if got = strings.TrimLeft(strings.TrimSuffix(got, "\n"), "\n"); got != want {
					t.Errorf("%s:\n got %q\nwant %q", f, got, want)
				}
			}
		})
	}
}

func TestPlainParagraph(t *testing.T) {
	for in, want := range map[string]string{
		"# heading": `\# heading`, "- item": `\- item`, "+ item": `\+ item`, "---": `\---`,
		"12. item": `12\. item`, "3) item": `3\) item`, "2024 was": "2024 was", "1": "1",
		"*b* <i>": `\*b\* &lt;i&gt;`, "a\n  b": "a b",
	} {
		if got := plainParagraph(in); got != want {
			t.Errorf("plainParagraph(%q) = %q, want %q", in, got, want)
		}
	}
}
