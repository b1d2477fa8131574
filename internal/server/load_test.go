package server

import (
	"context"
	"flag"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ttcproject/ttc/internal/catalog"
)

var (
	loadtest     = flag.Bool("loadtest", false, "run TestLoad, the load test over the embedded catalog")
	loadClients  = flag.Int("loadtest.clients", 64, "concurrent clients")
	loadRequests = flag.Int("loadtest.requests", 60000, "requests in all")
	loadDuration = flag.Duration("loadtest.duration", 20*time.Second, "longest run")
	loadP99      = flag.Duration("loadtest.p99", 50*time.Millisecond, "p99 latency each route group must stay under")
)

// loadTarget is one URL of the load test, in a route group.
type loadTarget struct{ group, path string }

// loadTargets lists catalog pages, API reads and static files for every
// technique, tactic, service and mitigation of c.
func loadTargets(c *catalog.Catalog) []loadTarget {
	ts := []loadTarget{
		{"page-list", "/"}, {"page-matrix", "/matrix"}, {"page-matrix", "/matrix?service=s3&service=iam&aws_specific=1"},
		{"page-matrix", "/matrix?q=logging"}, {"page-list", "/techniques?q=delete+bucket"}, {"page-list", "/tactics"},
		{"page-list", "/services"}, {"page-list", "/mitigations"}, {"page-list", "/scan"},
		{"api-list", "/api/v1/techniques"}, {"api-list", "/api/v1/techniques?service=s3&tactic=impact"},
		{"api-list", "/api/v1/search?q=lifecycle"}, {"api-list", "/api/v1/tactics"}, {"api-list", "/api/v1/services"},
		{"api-list", "/api/v1/mitigations"}, {"api-matrix", "/api/v1/matrix"}, {"api-matrix", "/api/v1/matrix?service=iam"},
		{"static", "/static/style.css"}, {"static", "/static/app.js"}, {"static", "/api/v1/openapi.json"},
	}
	for _, t := range c.Techniques() {
		ts = append(ts, loadTarget{"page-technique", "/techniques/" + t.ID}, loadTarget{"api-item", "/api/v1/techniques/" + t.ID})
		for _, e := range t.Detection.CloudTrailEvents {
			ts = append(ts, loadTarget{"page-item", "/events/" + url.PathEscape(e)})
		}
	}
	for _, t := range c.Tactics() {
		ts = append(ts, loadTarget{"page-item", "/tactics/" + t.ID})
	}
	for _, s := range c.Services() {
		ts = append(ts, loadTarget{"page-item", "/services/" + s.Key}, loadTarget{"api-item", "/api/v1/services/" + s.Key})
	}
	for _, m := range c.Mitigations() {
		ts = append(ts, loadTarget{"page-item", "/mitigations/" + m.ID}, loadTarget{"api-item", "/api/v1/mitigations/" + m.ID})
	}
	return ts
}

type groupStats struct {
	lat    []time.Duration
	errors int
	bytes  int64
}

// TestLoad runs 64 clients against a loopback server over the embedded
// catalog for a bounded number of requests and time, and reports latency
// percentiles and errors per route group. Run it with make loadtest:
//
//	go test ./internal/server -run '^TestLoad$' -loadtest -v -count=1
func TestLoad(t *testing.T) {
	if !*loadtest {
		t.Skip("load test: run with -loadtest (make loadtest)")
	}
	c, err := catalog.Open()
	if err != nil {
		t.Fatalf("load the embedded catalog: %v", err)
	}
	base := liveServer(t, newServer(t, c, nil))
	targets := loadTargets(c)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: *loadClients}, Timeout: 10 * time.Second}

	ctx, cancel := context.WithTimeout(context.Background(), *loadDuration)
	defer cancel()
	var next atomic.Int64
	var mu sync.Mutex
	stats := map[string]*groupStats{}
	var wg sync.WaitGroup
	start := time.Now()
	for range *loadClients {
		wg.Go(func() {
			local := map[string]*groupStats{}
			for ctx.Err() == nil {
				n := next.Add(1)
				if n > int64(*loadRequests) {
					break
				}
				tg := targets[int(n)%len(targets)]
				g := local[tg.group]
				if g == nil {
					g = &groupStats{}
					local[tg.group] = g
				}
				d, size, err := fetch(ctx, client, base+tg.path)
				if err != nil {
					if ctx.Err() != nil {
						break
					}
					g.errors++
					t.Logf("%s: %v", tg.path, err)
					continue
				}
				g.lat = append(g.lat, d)
				g.bytes += size
			}
			mu.Lock()
			defer mu.Unlock()
			for k, v := range local {
				if stats[k] == nil {
					stats[k] = &groupStats{}
				}
				stats[k].lat = append(stats[k].lat, v.lat...)
				stats[k].errors += v.errors
				stats[k].bytes += v.bytes
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	printLoad(t, stats, elapsed, len(targets))
}

// fetch GETs one URL and reads the whole body; a status other than 200 is an error.
func fetch(ctx context.Context, client *http.Client, u string) (time.Duration, int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, 0, err
	}
	t0 := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return 0, 0, err
	}
	n, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	d := time.Since(t0)
	if err != nil {
		return 0, 0, err
	}
	if resp.StatusCode != http.StatusOK {
		return 0, 0, fmt.Errorf("status %d", resp.StatusCode)
	}
	return d, n, nil
}

func printLoad(t *testing.T, stats map[string]*groupStats, elapsed time.Duration, nTargets int) {
	var b strings.Builder
	total, errs := 0, 0
	fmt.Fprintf(&b, "%d clients, %d URLs, %s\n", *loadClients, nTargets, elapsed.Round(time.Millisecond))
	fmt.Fprintf(&b, "%-15s %8s %7s %9s %9s %9s %9s %10s\n", "GROUP", "REQUESTS", "ERRORS", "P50", "P90", "P99", "MAX", "KIB/REQ")
	for _, g := range slices.Sorted(maps.Keys(stats)) {
		s := stats[g]
		slices.Sort(s.lat)
		total += len(s.lat) + s.errors
		errs += s.errors
		p := func(q float64) time.Duration {
			if len(s.lat) == 0 {
				return 0
			}
			return s.lat[min(len(s.lat)-1, int(q*float64(len(s.lat))))]
		}
		kib := 0.0
		if len(s.lat) > 0 {
			kib = float64(s.bytes) / float64(len(s.lat)) / 1024
		}
		fmt.Fprintf(&b, "%-15s %8d %7d %9s %9s %9s %9s %10.1f\n", g, len(s.lat)+s.errors, s.errors,
			round(p(.5)), round(p(.9)), round(p(.99)), round(p(1)), kib)
		if p99 := p(.99); p99 > *loadP99 {
			t.Errorf("%s: p99 %s is over the target %s", g, round(p99), *loadP99)
		}
	}
	fmt.Fprintf(&b, "total %d requests, %d errors, %.0f requests/s", total, errs, float64(total)/elapsed.Seconds())
	t.Log("\n" + b.String())
	if errs > 0 {
		t.Errorf("%d requests failed", errs)
	}
}

func round(d time.Duration) string { return d.Round(10 * time.Microsecond).String() }
