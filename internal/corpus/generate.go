package corpus

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/klauspost/compress/gzip"
)

// Stats says what Generate wrote.
type Stats struct {
	Files, Records int64
	// Attacks counts attack-like records by eventName.
	Attacks map[string]int64
	// Bytes and Compressed are the corpus's uncompressed and on-disk sizes.
	Bytes, Compressed int64
}

// File is one generated log file.
type File struct {
	// Path is relative to the corpus root, in the S3 delivery layout.
	Path string
	// Data is the uncompressed {"Records":[…]} document.
	Data    []byte
	Records int
	// Attacks lists the eventNames of its attack-like records.
	Attacks []string
}

const interval = 5 * time.Minute

var (
	cumRoutine = cumulative(routine)
	cumAttacks = cumulative(attacks)
)

func cumulative(specs []spec) []int {
	c := make([]int, len(specs))
	sum := 0
	for i, s := range specs {
		sum += s.weight
		c[i] = sum
	}
	return c
}

func (g *gen) choose(specs []spec, cum []int) spec {
	n := g.r.IntN(cum[len(cum)-1])
	for i, c := range cum {
		if n < c {
			return specs[i]
		}
	}
	return specs[len(specs)-1]
}

// LogFile builds file number i of the corpus the options describe. It
// depends only on the options and i, so files can be built in any order.
func LogFile(opts Options, i int) File {
	o := opts.withDefaults()
	accts := accounts(o)
	streams := len(accts) * len(o.Regions)
	stream := i % streams
	g := &gen{
		r:      rand.New(rand.NewPCG(o.Seed, uint64(i)+1)),
		o:      o,
		accts:  accts,
		acct:   &accts[stream%len(accts)],
		region: o.Regions[stream/len(accts)],
	}
	g.at = o.Start.Add(time.Duration(i/streams)*interval + time.Duration(g.r.IntN(240))*time.Second)
	n := o.MinRecords + g.r.IntN(o.MaxRecords-o.MinRecords+1)
	f := File{Records: n}

	g.e.b = make([]byte, 0, n*2048)
	g.e.b = append(g.e.b, `{"Records":[`...)
	for j := range n {
		if j > 0 {
			g.e.b = append(g.e.b, ',')
		}
		t := g.at.Add(-time.Duration(60+g.r.IntN(900)) * time.Second)
		var c call
		if g.r.Float64() < o.AttackRate {
			c = g.choose(attacks, cumAttacks).make(g)
			f.Attacks = append(f.Attacks, c.name)
		} else {
			c = g.choose(routine, cumRoutine).make(g)
		}
		g.write(&c, t)
	}
	g.e.b = append(g.e.b, "]}\n"...)
	f.Data = g.e.b

	dir := "AWSLogs/" + g.acct.id
	if g.acct.org != "" {
		dir = "AWSLogs/" + g.acct.org + "/" + g.acct.id
	}
	f.Path = fmt.Sprintf("%s/CloudTrail/%s/%s/%s_CloudTrail_%s_%s_%s.json.gz", dir, g.region, g.at.Format("2006/01/02"),
		g.acct.id, g.region, g.at.Format("20060102T1504Z"), randID(g.r, "", 16))
	return f
}

type built struct {
	f   File // without Data
	raw int64
	gz  []byte
	err error
}

// Generate writes log files under dir until their uncompressed size
// reaches opts.TargetBytes. Files are built in parallel and written in
// order; the result does not depend on Options.Workers.
func Generate(dir string, opts Options) (Stats, error) {
	o := opts.withDefaults()
	workers := o.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	futures := make(chan chan built, workers)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	go func() {
		defer close(futures)
		sem := make(chan struct{}, workers)
		for i := 0; ; i++ {
			ch := make(chan built, 1)
			select {
			case <-stop:
				return
			case futures <- ch:
			}
			sem <- struct{}{}
			wg.Add(1)
			go func() {
				defer wg.Done()
				ch <- build(o, i)
				<-sem
			}()
		}
	}()
	defer func() {
		close(stop)
		for range futures {
		}
		wg.Wait()
	}()

	st := Stats{Attacks: map[string]int64{}}
	for ch := range futures {
		b := <-ch
		if b.err != nil {
			return st, b.err
		}
		p := filepath.Join(dir, filepath.FromSlash(b.f.Path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return st, fmt.Errorf("create corpus folder: %w", err)
		}
		if err := os.WriteFile(p, b.gz, 0o644); err != nil {
			return st, fmt.Errorf("write corpus file: %w", err)
		}
		st.Files++
		st.Records += int64(b.f.Records)
		st.Bytes += b.raw
		st.Compressed += int64(len(b.gz))
		for _, a := range b.f.Attacks {
			st.Attacks[a]++
		}
		if st.Bytes >= o.TargetBytes {
			break
		}
	}
	return st, nil
}

func build(o Options, i int) built {
	f := LogFile(o, i)
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, err := zw.Write(f.Data)
	if err == nil {
		err = zw.Close()
	}
	if err != nil {
		return built{err: fmt.Errorf("compress corpus file: %w", err)}
	}
	raw := int64(len(f.Data))
	f.Data = nil
	return built{f: f, raw: raw, gz: buf.Bytes()}
}
