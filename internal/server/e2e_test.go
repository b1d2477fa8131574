package server

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	cdplog "github.com/chromedp/cdproto/log"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/ttcproject/ttc/internal/browsertest"
)

// liveServer serves s on a loopback port with the real http.Server settings.
func liveServer(t *testing.T, s *Server) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return "http://" + ln.Addr().String()
}

// pageWatch collects what a page must never do: open a dialog (a payload
// ran), log a Content-Security-Policy violation, or throw.
type pageWatch struct {
	mu       sync.Mutex
	problems []string
}

func watchPage(t *testing.T, ctx context.Context) *pageWatch {
	t.Helper()
	w := &pageWatch{}
	err := chromedp.Listen(ctx, func(ev any) {
		w.mu.Lock()
		defer w.mu.Unlock()
		switch ev := ev.(type) {
		case *cdppage.EventJavascriptDialogOpening:
			w.problems = append(w.problems, "dialog opened: "+ev.Message)
		case *cdplog.EventEntryAdded:
			if ev.Entry.Level == cdplog.EntryLevelError {
				w.problems = append(w.problems, "console: "+ev.Entry.Text)
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, cdplog.Enable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *pageWatch) check(t *testing.T) {
	t.Helper()
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, p := range w.problems {
		t.Error(p)
	}
	w.problems = nil
}

// TestBrowser drives the UI in Chromium: the service filter, the search, the
// upload, keyboard access, and screenshots in light and dark.
func TestBrowser(t *testing.T) {
	ctx := browsertest.Start(t)
	base := liveServer(t, newServer(t, fixture(t), nil))
	watch := watchPage(t, ctx)
	shots := screenshotDir(t)

	t.Run("service filter", func(t *testing.T) {
		must(t, chromedp.Do(ctx,
			chromedp.Navigate(base+"/matrix"),
			chromedp.Click(chromedp.CSS("details.services > summary")),
			chromedp.Click(chromedp.CSS(`input[name="service"][value="s3"]`)),
			chromedp.Click(chromedp.CSS(`input[name="service"][value="sts"]`)),
		))
		submit(t, ctx, `form.filters button[type="submit"]`)
		loc := run(t, ctx, chromedp.Location())
		u, err := url.Parse(loc)
		if err != nil {
			t.Fatal(err)
		}
		if got := u.Query()["service"]; !slices.Equal(got, []string{"s3", "sts"}) {
			t.Errorf("URL %s has services %q, want s3 and sts", loc, got)
		}
		got := run(t, ctx, chromedp.Evaluate[[]string](
			`[...document.querySelectorAll('.matrix a[href^="/techniques/"]')].map(a => a.getAttribute('href').slice(12))`))
		slices.Sort(got)
		got = slices.Compact(got)
		want := []string{"T1078", "T1078.A001", "T1485", "T1485.A001", "T1562", "T1562.008"}
		if !slices.Equal(got, want) {
			t.Errorf("matrix shows %q, want %q", got, want)
		}
		checked := run(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll('input[name="service"]:checked').length`))
		if checked != 2 {
			t.Errorf("%d services ticked after reload, want 2", checked)
		}
		shoot(t, ctx, shots, "matrix-filtered")
	})

	t.Run("search", func(t *testing.T) {
		must(t, chromedp.Do(ctx,
			chromedp.Navigate(base+"/matrix"),
			chromedp.SendKeys(chromedp.ID("f-q"), "cloud logs"),
		))
		submit(t, ctx, `form.filters button[type="submit"]`)
		loc := run(t, ctx, chromedp.Location())
		if u, _ := url.Parse(loc); u == nil || u.Query().Get("q") != "cloud logs" {
			t.Errorf("URL after search = %s", loc)
		}
		marks := run(t, ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('.matrix mark')].map(m => m.textContent)`))
		if !slices.Equal(marks, []string{"Cloud", "Logs"}) {
			t.Errorf("highlights = %q, want Cloud and Logs", marks)
		}
		shoot(t, ctx, shots, "matrix-search")
	})

	t.Run("upload", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "trail.json")
		if err := os.WriteFile(file, sampleLog(t), 0o644); err != nil {
			t.Fatal(err)
		}
		must(t, chromedp.Do(ctx,
			chromedp.Navigate(base+"/scan"),
			chromedp.SetUploadFiles(chromedp.ID("scan-file"), []string{file}),
		))
		submit(t, ctx, `form.upload button[type="submit"]`)
		rows := run(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll('table.findings tbody tr').length`))
		if rows != 7 {
			t.Errorf("findings table has %d rows, want 7", rows)
		}
		lit := run(t, ctx, chromedp.Evaluate[[]string](
			`[...document.querySelectorAll('.matrix .observed > a')].map(a => a.getAttribute('href').slice(12))`))
		slices.Sort(lit)
		lit = slices.Compact(lit)
		if want := []string{"T1078.A001", "T1485.A001", "T1562.008"}; !slices.Equal(lit, want) {
			t.Errorf("matrix lights up %q, want %q", lit, want)
		}
		shoot(t, ctx, shots, "scan-results")
	})

	t.Run("upload several by actor", func(t *testing.T) {
		dir := t.TempDir()
		a, b := filepath.Join(dir, "a.json"), filepath.Join(dir, "b.jsonl")
		must(t, os.WriteFile(a, sampleLog(t), 0o644))
		must(t, os.WriteFile(b, []byte(quietRecord("q2")+"\n{\"hello\":1}\n"), 0o644))
		must(t, chromedp.Do(ctx,
			chromedp.Navigate(base+"/scan"),
			chromedp.SetUploadFiles(chromedp.ID("scan-file"), []string{a, b}),
			chromedp.Click(chromedp.CSS(`input[name="group_by"][value="actor"]`)),
		))
		submit(t, ctx, `form.upload button[type="submit"]`)
		got := run(t, ctx, chromedp.Evaluate[[]int](`[document.querySelectorAll('section.actor').length,
			document.querySelectorAll('section.actor table.findings tbody tr').length,
			document.querySelectorAll('.files li').length]`))
		if !slices.Equal(got, []int{1, 7, 2}) {
			t.Errorf("page shows [actors, findings, files] %v, want [1 7 2]", got)
		}
		shoot(t, ctx, shots, "scan-by-actor")
	})

	t.Run("keyboard", func(t *testing.T) {
		must(t, chromedp.Do(ctx, chromedp.Navigate(base+"/techniques/T1562.008")))
		must(t, chromedp.Do(ctx, chromedp.KeyEvent("\t")))
		focused := run(t, ctx, chromedp.Evaluate[string](`document.activeElement.className`))
		if focused != "skip" {
			t.Errorf("first Tab focuses %q, want the skip link", focused)
		}
		js := run(t, ctx, chromedp.Evaluate[bool](`document.querySelector('.svc-filter') === null && !!document.querySelector('.toc')`))
		if !js {
			t.Error("technique page is not as expected")
		}
		shoot(t, ctx, shots, "technique")
	})

	t.Run("script runs under the policy", func(t *testing.T) {
		must(t, chromedp.Do(ctx, chromedp.Navigate(base+"/matrix")))
		n := run(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll('.svc-filter').length`))
		if n != 1 {
			t.Errorf("app.js did not run: %d service filter boxes", n)
		}
		// Typing in the box hides the services that do not match, as the
		// reader sees them: not only marked hidden, but not displayed.
		shown := run(t, ctx, chromedp.Evaluate[[]string](`(() => {
			const f = document.querySelector('.svc-filter');
			f.value = 'cloudtrail';
			f.dispatchEvent(new Event('input', {bubbles: true}));
			return [...document.querySelectorAll('.service-grid .svc')]
				.filter(l => getComputedStyle(l).display !== 'none').map(l => l.textContent.trim());
		})()`))
		if len(shown) == 0 || slices.ContainsFunc(shown, func(l string) bool { return !strings.Contains(strings.ToLower(l), "cloudtrail") }) {
			t.Errorf("after typing cloudtrail, the services shown are %q", shown)
		}
		// A digit finds no service by its count of techniques.
		counted := run(t, ctx, chromedp.Evaluate[int](`(() => {
			const f = document.querySelector('.svc-filter');
			f.value = '2';
			f.dispatchEvent(new Event('input', {bubbles: true}));
			return [...document.querySelectorAll('.service-grid .svc')].filter(l => getComputedStyle(l).display !== 'none').length;
		})()`))
		if counted != 0 {
			t.Errorf("typing 2 shows %d services, matched by their counts", counted)
		}
	})

	t.Run("dark", func(t *testing.T) {
		_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}},
		})
		must(t, err)
		must(t, chromedp.Do(ctx, chromedp.Navigate(base+"/matrix")))
		img := shoot(t, ctx, shots, "matrix-dark")
		if r, g, b, _ := img.At(5, img.Bounds().Dy()/2).RGBA(); (r+g+b)/3 > 0x4000 {
			t.Errorf("dark page background is light: %x %x %x", r>>8, g>>8, b>>8)
		}
	})
	watch.check(t)
}

// TestBrowserHostile loads the hostile overlay's pages and a hostile upload
// in Chromium and checks that no payload runs.
func TestBrowserHostile(t *testing.T) {
	ctx := browsertest.Start(t)
	base := liveServer(t, newServer(t, fixture(t, "testdata/hostile"), nil))
	watch := watchPage(t, ctx)
	for _, p := range []string{"/techniques/AT9001", "/matrix?q=alert", "/mitigations/hostile-mitigation", "/services/evil"} {
		must(t, chromedp.Do(ctx, chromedp.Navigate(base+p)))
		// Open every <details> so that hidden content renders too.
		run(t, ctx, chromedp.Evaluate[bool](`document.querySelectorAll('details').forEach(d => d.open = true), true`))
		hrefs := run(t, ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('a[href]')].map(a => a.href)`))
		for _, h := range hrefs {
			if !strings.HasPrefix(h, "http://") && !strings.HasPrefix(h, "https://") {
				t.Errorf("%s: link to %q", p, h)
			}
		}
	}
	// The description's code blocks in list items render in their items,
	// as text, and the list is one list.
	must(t, chromedp.Do(ctx, chromedp.Navigate(base+"/techniques/AT9001")))
	codes := run(t, ctx, chromedp.Evaluate[string](`document.querySelectorAll('#description > ul').length + ' ' + `+
		`[...document.querySelectorAll('#description > ul > li pre')].map(p => p.textContent).join('|')`))
	if want := "1 </code></pre></li></ul><script>alert('itemcode')</script>\n" +
		"[x](javascript:alert('codelink')) <img src=x onerror=alert('codeimg')>|</li></ol><svg onload=alert('nestedcode')>"; codes != want {
		t.Errorf("code in the description's list items:\n got %q\nwant %q", codes, want)
	}
	file := filepath.Join(t.TempDir(), "evil.json")
	rec := `{"Records":[{"eventTime":"2026-05-11T03:12:09Z","eventSource":"cloudtrail.amazonaws.com",` +
		`"eventName":"StopLogging","userIdentity":{"type":"IAMUser","arn":"<img src=x onerror=alert('arn')>"},` +
		`"userAgent":"<script>alert('ua')</script>","eventID":"a"}]}`
	if err := os.WriteFile(file, []byte(rec), 0o644); err != nil {
		t.Fatal(err)
	}
	must(t, chromedp.Do(ctx, chromedp.Navigate(base+"/scan"), chromedp.SetUploadFiles(chromedp.ID("scan-file"), []string{file})))
	submit(t, ctx, `form.upload button[type="submit"]`)
	ua := run(t, ctx, chromedp.Text(chromedp.CSS("table.findings .ua")))
	if ua != "<script>alert('ua')</script>" {
		t.Errorf("user agent cell shows %q", ua)
	}
	watch.check(t)
}

// TestBrowserLongWords loads pages of an overlay whose names and prose hold
// a word far wider than the window, and checks that the page does not
// grow wider than the window: the word wraps in its block or cell.
func TestBrowserLongWords(t *testing.T) {
	ctx := browsertest.Start(t)
	dir := t.TempDir()
	must(t, os.CopyFS(dir, os.DirFS("testdata/hostile")))
	word := strings.Repeat("W", 400)
	for _, f := range []string{"techniques/AT9001/technique.yaml", "mitigations/hostile-mitigation.yaml"} {
		path := filepath.Join(dir, f)
		data, err := os.ReadFile(path)
		must(t, err)
		// Each quoted name, summary and prose field starts with the word,
		// reference and control titles included.
		data = regexp.MustCompile(`(?m)^(\s*(?:-\s+)?(?:name|summary|prerequisites|description|title|detail|stops)): "`).
			ReplaceAll(data, []byte(`$1: "`+word+` `))
		must(t, os.WriteFile(path, data, 0o644))
	}
	base := liveServer(t, newServer(t, fixture(t, dir), nil))
	for _, p := range []string{"/techniques/AT9001", "/techniques", "/tactics/TA0040", "/mitigations",
		"/mitigations/hostile-mitigation", "/services/evil", "/matrix", "/events/s3:GetObject"} {
		must(t, chromedp.Do(ctx, chromedp.Navigate(base+p)))
		run(t, ctx, chromedp.Evaluate[bool](`document.querySelectorAll('details').forEach(d => d.open = true), true`))
		got := run(t, ctx, chromedp.Evaluate[[]int](`[document.documentElement.scrollWidth, document.documentElement.clientWidth]`))
		if got[0] > got[1] {
			t.Errorf("%s: the page is %d pixels wide in a window of %d", p, got[0], got[1])
		}
	}
}

// submit clicks a submit button and waits for the page it loads.
func submit(t *testing.T, ctx context.Context, sel string) {
	t.Helper()
	_, err := chromedp.Run(ctx, chromedp.WaitEvent(cdppage.LoadEventFired, nil, chromedp.Click(chromedp.CSS(sel))))
	must(t, err)
}

func run[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	must(t, err)
	return v
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// screenshotDir is where screenshots go: TTC_SCREENSHOTS when set, else a temp folder.
func screenshotDir(t *testing.T) string {
	if d := os.Getenv("TTC_SCREENSHOTS"); d != "" {
		must(t, os.MkdirAll(d, 0o755))
		return d
	}
	return t.TempDir()
}

// shoot takes a full-page screenshot and checks that something rendered: the
// PNG decodes, is not tiny, and is not one flat colour.
func shoot(t *testing.T, ctx context.Context, dir, name string) image.Image {
	t.Helper()
	buf := run(t, ctx, chromedp.FullScreenshot(100))
	must(t, os.WriteFile(filepath.Join(dir, name+".png"), buf, 0o644))
	img, err := png.Decode(bytes.NewReader(buf))
	if err != nil {
		t.Fatalf("%s: screenshot is not a PNG: %v", name, err)
	}
	if len(buf) < 20<<10 {
		t.Errorf("%s: screenshot is only %d bytes", name, len(buf))
	}
	if n := colours(img); n < 16 {
		t.Errorf("%s: screenshot has only %d colours", name, n)
	}
	return img
}

// colours counts distinct colours on a grid of sample points.
func colours(img image.Image) int {
	seen := map[string]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 7 {
		for x := b.Min.X; x < b.Max.X; x += 7 {
			r, g, bl, _ := img.At(x, y).RGBA()
			seen[fmt.Sprint(r>>8, g>>8, bl>>8)] = true
		}
	}
	return len(seen)
}

// TestBrowserUploadLimit checks the upload page's own check of the files'
// size: it names the server's limit as the page's help does, 97.7 KiB
// here, not rounded to whole MiB ("0 MiB").
func TestBrowserUploadLimit(t *testing.T) {
	ctx := browsertest.Start(t)
	s, err := New(Config{Catalog: fixture(t), MaxUpload: 100000, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	base := liveServer(t, s)
	file := filepath.Join(t.TempDir(), "big.json")
	must(t, os.WriteFile(file, bytes.Repeat([]byte(" "), 100001), 0o644))
	must(t, chromedp.Do(ctx, chromedp.Navigate(base+"/scan"), chromedp.SetUploadFiles(chromedp.ID("scan-file"), []string{file})))
	msg := run(t, ctx, chromedp.Evaluate[string](`document.getElementById('scan-file').validationMessage`))
	if !strings.Contains(msg, "larger than 97.7 KiB.") {
		t.Errorf("the page says %q, want the limit as 97.7 KiB", msg)
	}
}
