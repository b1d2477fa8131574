package catalog

import (
	"reflect"
	"testing"
)

func TestProseBlocks(t *testing.T) {
	prose := func(s string) ProseBlock { return ProseBlock{Text: s} }
	code := func(lang, s string) ProseBlock { return ProseBlock{Code: true, Lang: lang, Text: s} }
	cases := []struct {
		name string
		in   string
		want []ProseBlock
	}{
		{"prose only", "a\n\nb", []ProseBlock{prose("a\n\nb")}},
		{"empty", "", nil},
		{"code between prose", "a\n```bash\nx  y\n\n  z\n```\nb", []ProseBlock{prose("a"), code("bash", "x  y\n\n  z"), prose("b")}},
		{"tildes, longer close", "~~~\n```\n~~~~  \nb", []ProseBlock{code("", "```"), prose("b")}},
		{"shorter close is code", "````\n```\n````", []ProseBlock{code("", "```")}},
		{"other char is code", "```\n~~~\n```", []ProseBlock{code("", "~~~")}},
		{"close with text is code", "```\n``` x\n```", []ProseBlock{code("", "``` x")}},
		{"unclosed runs to the end", "a\n```\nb\n\nc", []ProseBlock{prose("a"), code("", "b\n\nc")}},
		{"indent of the fence dropped", "  ```\n  a\n    b\n c\n   ```", []ProseBlock{code("", "a\n  b\nc")}},
		{"four spaces: no fence", "    ```\n    a\n    ```", []ProseBlock{prose("    ```\n    a\n    ```")}},
		{"backtick in info: no fence", "``` a`b\nc", []ProseBlock{prose("``` a`b\nc")}},
		{"two backticks: no fence", "``\nc\n``", []ProseBlock{prose("``\nc\n``")}},
		{"language cut to a word", "```python3 title=x\np\n```", []ProseBlock{code("python3", "p")}},
		{"language with markup dropped", "```a\"><b>\np\n```", []ProseBlock{code("", "p")}},
		{"empty code", "```\n```", []ProseBlock{code("", "")}},
		{"crlf", "a\r\n```\r\nb\r\n```", []ProseBlock{prose("a"), code("", "b")}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := ProseBlocks(c.in); !reflect.DeepEqual(got, c.want) {
				t.Errorf("ProseBlocks(%q)\n got %+v\nwant %+v", c.in, got, c.want)
			}
		})
	}
}
