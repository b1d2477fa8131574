package catalog

import (
	"reflect"
	"strings"
	"testing"
)

func para(s string) ProseBlock       { return ProseBlock{Kind: ParagraphBlock, Text: s} }
func code(lang, s string) ProseBlock { return ProseBlock{Kind: CodeBlock, Lang: lang, Text: s} }
func item(marker string, blocks ...ProseBlock) ProseItem {
	return ProseItem{Marker: marker, Blocks: blocks}
}
func bullets(items ...ProseItem) ProseBlock { return ProseBlock{Kind: ListBlock, Items: items} }
func numbered(start int, items ...ProseItem) ProseBlock {
	return ProseBlock{Kind: ListBlock, Ordered: true, Start: start, Items: items}
}
func loose(b ProseBlock) ProseBlock { b.Loose = true; return b }

func TestProseBlocks(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want []ProseBlock
	}{
		{"paragraphs", "a\nb\n\n\nc", []ProseBlock{para("a\nb"), para("c")}},
		{"empty", "", nil},
		{"blank", " \n\t\n", nil},
		{"code between prose", "a\n```bash\nx  y\n\n  z\n```\nb", []ProseBlock{para("a"), code("bash", "x  y\n\n  z"), para("b")}},
		{"tildes, longer close", "~~~\n```\n~~~~  \nb", []ProseBlock{code("", "```"), para("b")}},
		{"shorter close is code", "````\n```\n````", []ProseBlock{code("", "```")}},
		{"other char is code", "```\n~~~\n```", []ProseBlock{code("", "~~~")}},
		{"close with text is code", "```\n``` x\n```", []ProseBlock{code("", "``` x")}},
		{"unclosed runs to the end", "a\n```\nb\n\nc", []ProseBlock{para("a"), code("", "b\n\nc")}},
		{"indent of the fence dropped", "  ```\n  a\n    b\n c\n   ```", []ProseBlock{code("", "a\n  b\nc")}},
		{"four spaces: no fence", "    ```\n    a\n    ```", []ProseBlock{para("    ```\n    a\n    ```")}},
		{"tab: no fence", "\t```\na", []ProseBlock{para("\t```\na")}},
		{"backtick in info: no fence", "``` a`b\nc", []ProseBlock{para("``` a`b\nc")}},
		{"two backticks: no fence", "``\nc\n``", []ProseBlock{para("``\nc\n``")}},
		{"language cut to a word", "```python3 title=x\np\n```", []ProseBlock{code("python3", "p")}},
		{"language with markup dropped", "```a\"><b>\np\n```", []ProseBlock{code("", "p")}},
		{"empty code", "```\n```", []ProseBlock{code("", "")}},
		{"crlf", "a\r\n```\r\nb\r\n```", []ProseBlock{para("a"), code("", "b")}},

		{"bullets after a paragraph", "Watch for:\n- a\n  more\n* b\n+ c",
			[]ProseBlock{para("Watch for:"), bullets(item("-", para("a\nmore"))), bullets(item("*", para("b"))), bullets(item("+", para("c")))}},
		{"lazy continuation", "- a\nmore\n- b", []ProseBlock{bullets(item("-", para("a\nmore")), item("-", para("b")))}},
		{"numbered, as written", "3. a\n4) b\n1. c", []ProseBlock{numbered(3, item("3.", para("a"))), numbered(4, item("4)", para("b"))), numbered(1, item("1.", para("c")))}},
		{"hanging text of a wide marker", "10. a\n    b\n   c", []ProseBlock{numbered(10, item("10.", para("a\nb\n   c")))}},
		{"blank lines make a list loose", "- a\n\n- b\n\nafter", []ProseBlock{loose(bullets(item("-", para("a")), item("-", para("b")))), para("after")}},
		{"second paragraph in an item", "- a\n\n  b\n- c", []ProseBlock{loose(bullets(item("-", para("a"), para("b")), item("-", para("c"))))}},
		{"nested", "- a\n  - b\n    c\n- d", []ProseBlock{bullets(item("-", para("a"), bullets(item("-", para("b\nc")))), item("-", para("d")))}},
		{"nested first", "- 1. a", []ProseBlock{bullets(item("-", numbered(1, item("1.", para("a")))))}},
		{"unindented line after a blank ends the list", "- a\n\nb", []ProseBlock{bullets(item("-", para("a"))), para("b")}},
		{"2. does not interrupt a paragraph", "In\n2019. it rose", []ProseBlock{para("In\n2019. it rose")}},
		{"empty item does not interrupt a paragraph", "a\n-\nb", []ProseBlock{para("a\n-\nb")}},
		{"empty item, text on the next line", "-\n  a", []ProseBlock{bullets(item("-", para("a")))}},
		{"empty item, then a blank line", "-\n\n  a", []ProseBlock{bullets(item("-")), para("  a")}},
		{"rule, not an item", "* * *\n- - -", []ProseBlock{para("* * *\n- - -")}},
		{"no space after the marker", "-a\n1.b\n**b**", []ProseBlock{para("-a\n1.b\n**b**")}},
		{"ten digits", "1234567890. a", []ProseBlock{para("1234567890. a")}},
		{"four spaces in: text", "a\n    - b", []ProseBlock{para("a\n    - b")}},
		{"five spaces after the marker", "-      a", []ProseBlock{bullets(item("-", para("     a")))}},
		{"tab after the marker", "-\ta\n    b", []ProseBlock{bullets(item("-", para("a\nb")))}},

		{"code in an item", "- run:\n  ```sh\n  aws s3 ls\n    --x\n\n  y\n  ```\n  then\n- next",
			[]ProseBlock{bullets(item("-", para("run:"), code("sh", "aws s3 ls\n  --x\n\ny"), para("then")), item("-", para("next")))}},
		{"code after a blank line in an item", "1. a\n\n   ```\n   x\n   ```\n2. b",
			[]ProseBlock{loose(numbered(1, item("1.", para("a"), code("", "x")), item("2.", para("b"))))}},
		{"code opens an item", "- ```\n  x\n  ```", []ProseBlock{bullets(item("-", code("", "x")))}},
		{"code in an item ends with it", "- ```\n  x\ny", []ProseBlock{bullets(item("-", code("", "x"))), para("y")}},
		{"fence less indented than the item ends it", "- a\n```\n- x\n```", []ProseBlock{bullets(item("-", para("a"))), code("", "- x")}},
		{"fence indented within the item", "- a\n     ```\n     x\n     ```", []ProseBlock{bullets(item("-", para("a"), code("", "x")))}},
		{"fence in a nested item", "- a\n  - b\n    ```\n    <x>\n    ```\n- c",
			[]ProseBlock{bullets(item("-", para("a"), bullets(item("-", para("b"), code("", "<x>")))), item("-", para("c")))}},
		{"blank lines in code keep a list tight", "- a\n  ```\n  x\n\n  y\n  ```\n- b",
			[]ProseBlock{bullets(item("-", para("a"), code("", "x\n\ny")), item("-", para("b")))}},
		{"a list in code is code", "```\n- a\n```", []ProseBlock{code("", "- a")}},
		{"deeper than the limit is text", strings.Repeat("- ", maxListDepth+1) + "x", []ProseBlock{nest(maxListDepth, para("- x"))}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := ProseBlocks(c.in); !reflect.DeepEqual(got, c.want) {
				t.Errorf("ProseBlocks(%q)\n got %+v\nwant %+v", c.in, got, c.want)
			}
		})
	}
}

// nest is depth lists, one in the other, the innermost holding b.
func nest(depth int, b ProseBlock) ProseBlock {
	for range depth {
		b = bullets(item("-", b))
	}
	return b
}

// TestProseLeavesOutCode checks what the validator reads for links: prose
// in list items without their markers, and no code, in items either.
func TestProseLeavesOutCode(t *testing.T) {
	in := "a [x](https://a.example)\n- [d]: javascript:alert(1)\n  ```\n  [c](javascript:x)\n  ```\n\n```\n[e](javascript:y)\n```\nb"
	want := "a [x](https://a.example)\n\n[d]: javascript:alert(1)\n\nb"
	if got := Prose(in); got != want {
		t.Errorf("Prose(%q)\n got %q\nwant %q", in, got, want)
	}
}

// FuzzProseBlocks checks that any text is read without a list that has no
// items, and with lists nested no deeper than maxListDepth.
func FuzzProseBlocks(f *testing.F) {
	for _, s := range []string{"- a\n  ```\n  x\n  ```\n- b", "1. a\n\n   b\n2) c", "-\n\n-\t\tx", "- - - a\n  ~~~\n", "> - [x]: y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var walk func(bs []ProseBlock, depth int)
		walk = func(bs []ProseBlock, depth int) {
			if depth > maxListDepth {
				t.Fatalf("lists nest %d deep in %q", depth, s)
			}
			for _, b := range bs {
				if b.Kind == ListBlock && len(b.Items) == 0 {
					t.Fatalf("list without items in %q", s)
				}
				for _, it := range b.Items {
					walk(it.Blocks, depth+1)
				}
			}
		}
		walk(ProseBlocks(s), 0)
	})
}
