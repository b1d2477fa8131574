package view

import (
	"fmt"
	"html"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"github.com/ttcproject/ttc/internal/catalog"
)

// TestProseText checks that the terminal reflows catalog prose, keeps a
// list one item a line, wrapped under the item's first word, and shows
// fenced code as written, two columns further in than the text around it,
// in list items too, its control characters escaped.
func TestProseText(t *testing.T) {
	cases := []struct {
		name, in string
		width    int
		want     string
	}{
		{"prose reflowed", "one\ntwo", 100, "  one two"},
		{"code kept", "run:\n```bash\naws s3 ls \\\n    --recursive  x\n\n- not a list\n```\nthen", 100,
			"  run:\n\n    aws s3 ls \\\n        --recursive  x\n\n    - not a list\n\n  then"},
		{"tabs to stops of four", "```\n\tx\ty\n```", 100, "        x   y"},
		{"controls escaped", "```\na\x1b[2Jb\n```", 100, `    a\x1b[2Jb`},
		{"bullets, hanging indent", "Watch for:\n- one two three four\n  five six\n* seven\n\nAfter.", 20,
			"  Watch for:\n\n  - one two three\n    four five six\n\n  - seven\n\n  After."},
		{"numbered from the first", "3. a\n3. b b b b b b\n   c", 12, "  3. a\n  4. b b b b\n     b b c"},
		{"wide numbers", "9. a\n1. b", 100, "  9. a\n  10. b"},
		{"loose list spaced", "- a\n\n  more\n- b", 100, "  - a\n\n    more\n\n  - b"},
		{"nested", "- a\n  - b\n    1. c\n- d", 100, "  - a\n    - b\n      1. c\n  - d"},
		{"code in an item", "- run:\n  ```sh\n  aws s3 ls\n    --x\n  ```\n  then\n- next", 100,
			"  - run:\n\n      aws s3 ls\n        --x\n\n    then\n\n  - next"},
		{"code opens an item", "- ```\n  x\n  ```\n-\n- y", 100, "  -\n      x\n\n  -\n\n  - y"},
		{"item text escaped", "- a\x1b[2J\u202e\n  b\x07", 100, `  - a\x1b[2J\u202e b\x07`},
		{"code in an item escaped", "- a\n  ```\n  \x1b]0;x\x07\n  ```", 100, "  - a\n\n      \\x1b]0;x\\x07"},
		{"fence less indented than the item", "- a\n```\n- b\n```", 100, "  - a\n\n    - b"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := proseText(c.in, c.width); got != c.want {
				t.Errorf("proseText(%q, %d)\n got %q\nwant %q", c.in, c.width, got, c.want)
			}
		})
	}
}

// TestProseMarkdown checks the Markdown ttc show -o markdown writes of
// catalog prose: lists as written, each item's lines indented as far as
// its text, and code in an item fenced anew at that indentation; raw HTML
// and control characters neutralised in prose, in items too.
func TestProseMarkdown(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"list as written", "Watch for:\n- a\n  more\n* b", "Watch for:\n\n- a\n  more\n\n* b"},
		{"lazy line indented", "10. a\nb", "10. a\n    b"},
		{"loose", "1. a\n\n   more\n2) b", "1. a\n\n   more\n\n2) b"},
		{"nested", "- a\n  - b", "- a\n  - b"},
		{"code in an item", "- run:\n   ```sh\n   x `y` ```z\n\n   w\n   ```\n- next",
			"- run:\n  ````sh\n  x `y` ```z\n\n  w\n  ````\n- next"},
		{"code opens an item", "1. ~~~\n   x\n   ~~~", "1. ```\n   x\n   ```"},
		{"item escaped", "- <script>x</script>\x1b[2J\n- \u202e", "- &lt;script&gt;x&lt;/script&gt;\\x1b[2J\n- \\u202e"},
		{"text after a marker that would make a rule", "*\n  **\n-\n  --\n\n1. ***", "* \\**\n\n- \\--\n\n1. \\***"},
		{"bold is not a rule", "* **b** c", "* **b** c"},
		{"indentation that kept text from being a block", "    ```\n    a\n\n     1. b\n\n-      - c", "\\```\n    a\n\n1\\. b\n\n- \\- c"},
		{"tabs in indentation to stops of four", "a\n  \t* b", "a\n    * b"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := proseMarkdown(c.in); got != c.want {
				t.Errorf("proseMarkdown(%q)\n got %q\nwant %q", c.in, got, c.want)
			}
		})
	}
}

// TestProseMarkdownRendered renders catalog prose holding fenced code, at
// the top and in list items, as ttc show -o markdown writes it, with
// cmark-gfm: each block must come out as one pre element holding the code
// exactly, whatever fences, markup or HTML it holds, in the item that
// held it, and the prose around it as paragraphs and items. It skips when
// cmark-gfm is missing (fails instead with TTC_REQUIRE_CMARK=1, as in CI).
func TestProseMarkdownRendered(t *testing.T) {
	render := cmarkGFM(t)
	codes := []string{
		`if [ "$b" != "<b>" ] && true; then echo '**x** [l](https://evil.example) <!-- c -->'; fi`,
		"</code></pre><script>alert(1)</script>\n&amp; &lt; www.evil.example bob@evil.example",
		"```\n````\nstill code",
		"  indented\n\n- not a list\n# not a heading\n</li></ul><script>x</script>",
		"- [x]: javascript:alert(1)\n\n[y][x] <img src=x onerror=alert(1)>",
	}
	// Each layout puts the code, each line indented by indent, at its %s.
	layouts := []struct{ name, indent, src, want string }{
		{"top", "", "Before.\n~~~~sh\n%s\n~~~~\nAfter.",
			`<p>Before.</p>\n<pre><code class="language-sh">(.*)\n</code></pre>\n<p>After.</p>\n`},
		{"item", "  ", "- Before.\n  ~~~~sh\n%s\n  ~~~~\n  After.\n- Next.",
			`<ul>\n<li>Before.\n<pre><code class="language-sh">(.*)\n</code></pre>\nAfter.</li>\n<li>Next.</li>\n</ul>\n`},
		{"nested item", "     ", "1. Before.\n   - In.\n     ~~~~sh\n%s\n     ~~~~\n2. Next.",
			`<ol>\n<li>Before.\n<ul>\n<li>In.\n<pre><code class="language-sh">(.*)\n</code></pre>\n</li>\n</ul>\n</li>\n<li>Next.</li>\n</ol>\n`},
		{"opens a loose item", "  ", "- Before.\n\n- ~~~~sh\n%s\n  ~~~~\n\n  After.",
			`<ul>\n<li>\n<p>Before.</p>\n</li>\n<li>\n<pre><code class="language-sh">(.*)\n</code></pre>\n<p>After.</p>\n</li>\n</ul>\n`},
		// An item whose text starts on its second line: "* **" would be a
		// rule, "* \**" is an item.
		{"after text that would make a rule", "  ", "*\n  **\n  ~~~~sh\n%s\n  ~~~~",
			`<ul>\n<li>\*\*\n<pre><code class="language-sh">(.*)\n</code></pre>\n</li>\n</ul>\n`},
		// Four spaces keep "```" text; the first line of a paragraph loses them.
		{"after an indented fence line", "", "    ```\nText.\n\n~~~~sh\n%s\n~~~~",
			"<p>```\nText.</p>\n" + `<pre><code class="language-sh">(.*)\n</code></pre>\n`},
	}
	for _, l := range layouts {
		want := regexp.MustCompile(`(?s)^` + l.want + `$`)
		for _, code := range codes {
			t.Run(l.name, func(t *testing.T) {
				src := fmt.Sprintf(l.src, regexp.MustCompile(`(?m)^(.)`).ReplaceAllString(code, l.indent+"$1"))
				out := render(t, proseMarkdown(src)+"\n")
				m := want.FindStringSubmatch(out)
				if m == nil || strings.Contains(m[1], "<") || html.UnescapeString(m[1]) != code {
					t.Errorf("code %q rendered as:\n%s", code, out)
				}
			})
		}
	}
}

// TestProseMarkdownCodeStays writes generated prose, lines of list markers,
// indentation, fences and markup in every mix, as ttc show -o markdown
// does, and renders it with cmark-gfm: each code block ProseBlocks read
// must come out as code, holding the same text, as deep in lists as it
// was, and in the same order. (cmark-gfm may make more code blocks, of
// what ProseBlocks reads as text, such as lines after a "***" rule; text
// is neutralised, so that is only a difference of looks.) It skips when
// cmark-gfm is missing (fails instead with TTC_REQUIRE_CMARK=1, as in CI).
func TestProseMarkdownCodeStays(t *testing.T) {
	render := cmarkGFM(t)
	leads := []string{"- ", "* ", "+ ", "1. ", "2) ", "10. ", "", " ", "  ", "   ", "    ", "     ", "\t"}
	texts := []string{"a", "```", "~~~", "````sh", "</li></ul><b>", "- x", "1. y", "", "b `c`", "***", "**", "---", "--", "[x]: https://a.example"}
	seed := uint64(1)
	random := func(n int) int { // the same every run
		seed = seed*6364136223846793005 + 1442695040888963407
		return int((seed >> 33) % uint64(n))
	}
	pick := func(list []string) string { return list[random(len(list))] }
	const docs = 3000
	var srcs, mds []string
	for range docs {
		var lines []string
		for range 2 + random(7) {
			lines = append(lines, pick(leads)+pick(leads)+pick(texts))
		}
		srcs = append(srcs, strings.Join(lines, "\n"))
		mds = append(mds, proseMarkdown(srcs[len(srcs)-1]))
	}
	// An HTML comment at the start of a line ends every list and paragraph.
	out := render(t, strings.Join(mds, "\n\n<!-- ttc -->\n\n")+"\n")
	pages := strings.Split(out, "<!-- raw HTML omitted -->\n")
	if len(pages) != docs {
		t.Fatalf("cmark-gfm wrote %d documents of %d", len(pages), docs)
	}
	pre := regexp.MustCompile(`(?s)<pre><code[^>]*>(.*?)</code></pre>`)
	checked := 0
	for i, page := range pages {
		var rendered []string
		for _, m := range pre.FindAllStringSubmatchIndex(page, -1) {
			depth := strings.Count(page[:m[0]], "<li>") - strings.Count(page[:m[0]], "</li>")
			rendered = append(rendered, fmt.Sprint(depth, " ", strings.TrimSuffix(html.UnescapeString(page[m[2]:m[3]]), "\n")))
		}
		next := 0
		for _, c := range codeBlocks(catalog.ProseBlocks(srcs[i]), 0, nil) {
			for next < len(rendered) && rendered[next] != c {
				next++
			}
			if next == len(rendered) {
				t.Errorf("code %q of %q is not code at that depth where cmark-gfm renders\n%s\nas\n%s", c, srcs[i], mds[i], page)
				break
			}
			next++
			checked++
		}
	}
	if checked < docs/2 {
		t.Errorf("only %d code blocks in %d documents", checked, docs)
	}
}

// codeBlocks appends, to out, the text of each code block in blocks as
// proseMarkdown writes it, after how deep in lists it is.
func codeBlocks(blocks []catalog.ProseBlock, depth int, out []string) []string {
	for _, b := range blocks {
		switch b.Kind {
		case catalog.CodeBlock:
			out = append(out, fmt.Sprint(depth, " ", codeText(b.Text)))
		case catalog.ListBlock:
			for _, it := range b.Items {
				out = codeBlocks(it.Blocks, depth+1, out)
			}
		}
	}
	return out
}

// TestNeutraliseHTML checks that prose for Markdown writes every < and >
// as an entity, in code spans too, and one escaped with a backslash
// without the backslash.
func TestNeutraliseHTML(t *testing.T) {
	cases := []struct{ in, want string }{
		{"a <b>bold</b>", "a &lt;b&gt;bold&lt;/b&gt;"},
		{"portal (`https://<name>.awsapps.com`)", "portal (`https://&lt;name&gt;.awsapps.com`)"},
		{"\\<img\\>", "&lt;img&gt;"},
		{"\\\\<b>", "\\\\&lt;b&gt;"}, // an escaped backslash, then a <
		{"\\*not bold\\*", "\\*not bold\\*"},
		// A character reference shows as written, as in every other view.
		{"&#x202E;desrever &#27;[31m &nbsp; &lt;b&gt; a && b & c;", "&amp;#x202E;desrever &amp;#27;[31m &amp;nbsp; &amp;lt;b&amp;gt; a && b & c;"},
	}
	for _, c := range cases {
		if got := neutraliseHTML(c.in); got != c.want {
			t.Errorf("neutraliseHTML(%q)\n got %q\nwant %q", c.in, got, c.want)
		}
	}
}

// TestProseReferencesStayText renders prose holding character references
// through cmark-gfm: none comes out as the character it names (a bidi
// override, ESC, a zero-width space), which a raw one in the catalog is
// refused for; each shows as written.
func TestProseReferencesStayText(t *testing.T) {
	render := cmarkGFM(t)
	src := "Bidi &#x202E;desrever&#x202C;, esc &#27;[31m, zw&#8203;x, nbsp&nbsp;x, a &lt;b&gt; tag."
	out := render(t, proseMarkdown(src)+"\n")
	if strings.ContainsAny(out, "\u202e\u202c\x1b\u200b\u00a0") || strings.Contains(out, "&lt;b&gt; tag") && !strings.Contains(out, "&amp;lt;b&amp;gt; tag") {
		t.Errorf("a character reference rendered as its character:\n%q", out)
	}
	if !strings.Contains(out, "&amp;#x202E;desrever") {
		t.Errorf("the reference is not shown as written:\n%s", out)
	}
}

// TestProseCodeSpansRendered renders prose with code spans, links, tables,
// URLs and HTML through cmark-gfm with its table and autolink extensions,
// as ttc show -o markdown writes it, and as a renderer that lets raw HTML
// through would: no tag of the prose reaches the HTML as a tag, however
// backticks, pipes and URLs around it pair. (Each case let one through
// when < was kept raw in what looked like a code span.)
func TestProseCodeSpansRendered(t *testing.T) {
	cmark := cmarkGFM(t, "--unsafe")
	for _, src := range []string{
		"a `x\n<b>` y <script>alert(1)</script>",
		"- a `x\n- <b>` y",
		"\\`<img src=x onerror=alert(1)>`",
		"``a`<b>`` then <i>x</i>",
		"a ` b\nc `<b>` d",
		"See [docs](https://a.example/x \"t`\") <img src=x onerror=alert(1)> `y for more.",
		"Also [d2](https://a.example/a`b) <script>alert(2)</script> `c here.",
		"Intro.\n\n| a | b |\n| - | - |\n| `x|<img src=x onerror=alert(1)>|y` | z |",
		"Sign in at https://x.awsapps.com/`<img src=x onerror=alert(1)>` now.",
		"Or www.example.com/`<script>alert(2)</script>` here.",
		"See https://a.com/\\<img src=x onerror=alert(1)//\\> now.",
		"Or www.a.com\\<a href=javascript:alert(2)//\\>click here.",
	} {
		out := cmark(t, proseMarkdown(src)+"\n")
		// Tags cmark-gfm itself writes for the Markdown are fine; one of the
		// prose's own is not.
		if regexp.MustCompile(`<(b|i|script|img)[ >]|<a href=javascript`).MatchString(out) {
			t.Errorf("%q rendered a tag of its own:\n%s", src, out)
		}
	}
}

// TestProseTagsStayText renders generated prose of backtick runs, escapes,
// list markers, fences, indentation and a tag, as ttc show -o markdown
// writes it, through cmark-gfm as a renderer that lets raw HTML through:
// however the backticks pair, and whatever links take them, no tag of the
// prose comes out as a tag. It skips when cmark-gfm is missing (fails
// instead with TTC_REQUIRE_CMARK=1, as in CI).
func TestProseTagsStayText(t *testing.T) {
	render := cmarkGFM(t, "--unsafe")
	tokens := []string{"`", "``", "```", "<b>", "\\", "\\`", "\n", "\n\n", "- ", "1. ", "    ", " ", "x", "~~~", "***", ">", "* ",
		"[", "]", "](", "](https://a.example ", ")", "\"", "'", "]: ", "|", "| - |", "https://a.example/", "www.a.example", "\\<", "\\>"}
	rnd := rand.New(rand.NewPCG(1, 2))
	tag := regexp.MustCompile(`<b>`)
	for range 400 {
		var src strings.Builder
		for range 4 + rnd.IntN(16) {
			src.WriteString(tokens[rnd.IntN(len(tokens))])
		}
		if out := render(t, proseMarkdown(src.String())+"\n"); tag.MatchString(out) {
			t.Errorf("%q, written %q, rendered a tag:\n%s", src.String(), proseMarkdown(src.String()), out)
		}
	}
}

// TestProseDefinesNoLinks checks that prose written for Markdown defines
// no link, whatever its labels hold: a viewer of what a reference link
// points at would follow a definition that validation missed.
func TestProseDefinesNoLinks(t *testing.T) {
	cmark := cmarkGFM(t, "--unsafe")
	for _, src := range []string{
		"Read [the guide][a] first.\n\n[a]: javascript:alert(1)",
		"Read [the guide][a\\\nb] first.\n\n- [a\\\n  b]: javascript:alert(document.domain)",
		"[c\\]d][] and [c\\]d]\n\n[c\\]d]: data:text/html,hi",
		"x\n***\n[e]: javascript:alert(3)\n\n[e]",
	} {
		if out := cmark(t, proseMarkdown(src)+"\n"); strings.Contains(out, "href=") {
			t.Errorf("%q, written %q, defined a link:\n%s", src, proseMarkdown(src), out)
		}
	}
}

// TestProseLinksNoOtherScheme checks that a viewer's autolinks make no ftp
// link of prose written for Markdown.
func TestProseLinksNoOtherScheme(t *testing.T) {
	cmark := cmarkGFM(t, "--unsafe")
	src := "Mirror at ftp://files.evil.example/payload.exe or FTP://x.example/y."
	if out := cmark(t, proseMarkdown(src)+"\n"); strings.Contains(out, "href=") || !strings.Contains(out, "ftp://files.evil.example/payload.exe") {
		t.Errorf("%q, written %q, rendered:\n%s", src, proseMarkdown(src), out)
	}
}

// TestMarkdownLinkPlainWhenUnsafe checks that a reference whose URL holds a
// character that could end its link early or escape its ")" (a backslash,
// a backtick, a carriage return) is written as text, not as a link.
func TestMarkdownLinkPlainWhenUnsafe(t *testing.T) {
	for _, u := range []string{"https://docs_aws.example/ftp://files.evil.example/x@evil.example\\", "https://a.example/`x", "https://a.example/\rx"} {
		if got := markdownLink(catalog.Reference{Title: "Docs", URL: u}); strings.HasPrefix(got, "[") {
			t.Errorf("markdownLink(%q) = %q, a link", u, got)
		}
	}
	if got := markdownLink(catalog.Reference{Title: "Docs", URL: "https://docs.aws.amazon.com/x"}); got != "[Docs](https://docs.aws.amazon.com/x)" {
		t.Errorf("a plain URL is written %q", got)
	}
}
