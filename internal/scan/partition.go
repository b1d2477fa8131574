package scan

import (
	"cmp"
	"maps"
	"os"
	"slices"
	"strings"
)

// A scan whose correlations could not keep a note of every record they
// count (see the bounds in correlate.go) does not settle for the notes
// it kept: which records those are depends on how the workers happened
// to take turns, and a burst among the others would be missed. It drops
// them all and counts the records again, in partition passes: pass k of
// K notes only the records of the groups whose key hashes to k modulo
// K, evaluates those groups, and lets their notes go before the next
// pass. The hash is seeded from the group keys of all the records the
// scan counted (see passSeed): the same for the same records, but not
// one that whoever writes some of them can aim keys at, so that groups
// cannot be made to crowd one pass. A pass does not read the inputs (but
// when the spill could not be made, below): it reads what the first
// reading spilled to disk of each counted record, its groups' keys, the
// hashes of its counted values and its compact note (see notespill.go),
// and only the last record of each burst is read again, for the
// finding: from its file, or, for a record of a stream (standard input,
// an upload), from its text, which its entry in the spill carries. A
// pass keeps a compact note of a stream's record too, and where that
// text lies, not the text: 14 bytes more than for a file's record at
// the pass's peak, charged spilledTextBytes. Each group is whole within
// its pass, so the findings are those one reading with room for
// everything would make, in the same order; K is chosen from what the
// first reading asked for, with a margin, so that each pass fits the
// bounds. Such a pass takes room from the whole bounds, without the
// rules' shares: if it does not fit, it is read again, and none of its
// records is lost to another rule's. A pass that does not fit counted
// what each of its groups asked for, kept or not: a group that asked for
// more than the whole bounds on its own (one caller's hundreds of
// thousands of deletions) is read again in a pass of its own, on one
// worker, the files in the order of their names, and keeps what it can,
// the same records from run to run; groups that asked for more than an
// eighth of the bounds are packed in passes by what they asked for (a
// split by hash would place a few such groups unevenly), and the other
// groups are read again in as many smaller passes as they need, split by
// a hash with a seed of its own (see levelSeed), so that none of them is
// crowded out by a busy group that shares its pass, and groups that fell
// together in the pass are spread over its parts. A smaller pass that
// does not fit either (the groups fell unevenly) is split once more, and
// one that still does not fit is read on one worker, keeping what it
// can, each rule its share, as the first reading does.
//
// Each step of that path is chosen from what does not depend on the
// workers, so that a scan on any number of them, run after run, keeps
// the same records and makes the same findings. Every record offered is
// charged once, and every group once: the workers open the groups
// together (see correlator.take), so a group whose records lie in the
// files of several workers is charged, and held, once, not once a
// worker. K is planned from what every record of the first reading
// asked for, kept or not, each group counted once (see demand; past
// maxSampledGroups groups, an estimate that does not depend on the
// order either); the busy, large and other groups of a pass that did not
// fit are told apart by what every record of the pass asked for, each
// group's key counted once (groupDemand). A pass on the whole bounds
// refuses a record if, and only if, its records and groups together ask
// for more than the bounds, in whatever order the workers offer them;
// so whether it fits does not depend on them, and a scan on one worker
// too reads a last part in the whole bounds before it falls back to
// keeping what it can. What the fallback keeps does not depend on them
// either: it reads the files, or their runs, on one worker, in the
// order of their names. (Whether the first reading itself keeps all can
// depend on the order where a rule's share is nearly full; but a scan
// whose first reading keeps all has what one with room for everything
// has, and so does one whose passes fit, which they do when some order
// would have kept all.) What still depends on the order is what a scan
// keeps of a stream whose spill could not be made (see below), and
// what a file that changed during the passes gives.
//
// A reading's peak is what the bounds charged: the groups are held
// once, by the correlator, whatever the workers. Beside it, a first
// reading holds the hashes of up to maxSampledGroups groups for demand
// (under 1 MiB), and each worker of a pass the keys of the groups it met
// (part.corrAsked), which the bounds do not charge.
//
// A pass on one worker keeps the same records from run to run without
// sorting the spill: a worker reads a file or stream whole, so its
// entries are runs that follow one another in one worker's spill, in the
// order it holds its records, and the pass reads the runs in the order of
// the files' names, as it would read the files themselves. (A file of
// more than maxRunEntries counted records has several runs, which the
// workers of a pass on several workers share.)
//
// When the spill could not be made, or passed what it may take on disk
// (maxNoteSpill), the passes read the files again instead, decompressing,
// parsing and matching them each time: a file that changed since the
// first reading is then left out from that pass on, with a warning. A
// stream cannot be read again: a scan that noted records of one then
// makes no passes, keeps what it noted, and counts the rest as not kept
// (Summary.CorrelationNotKept), with a warning that says why.
//
// Measured on standard input (ttc scan -o jsonl -, a two-core machine
// shared with other work): 270,000 S3 deletions by one caller took
// 2.6-3.2 s and 128-132 MiB at the peak, where the scan that kept what it
// could took 2.2-2.6 s and 130-132 MiB and missed the burst; 420,000
// failed sign-ins 9.4-11.4 s and 149-157 MiB, against 7.1-7.7 s and
// 150-155 MiB for 119 of the 871 bursts. Both find what a scan of the
// same records in files finds.

// maxPasses bounds the partition passes a scan plans: when more would be
// needed, a pass that does not fit is read again on one worker and keeps
// what it can.
const maxPasses = 32

// maxSplit bounds the passes that one pass that did not fit is split into.
const maxSplit = 8

// passMargin is how much more than its share of the records a pass is
// planned to hold, in quarters: the groups do not fall evenly.
const passMargin = 5

// partition names the groups of the correlations that each of its
// levels holds: only those of only, when not nil, or all but those of
// except.
type partition struct {
	levels       []passLevel
	only, except map[corrGroup]bool
}

// passLevel names the groups whose key hashes, with seed, to k modulo n:
// a planned pass is one level, a part of a pass split by hash one more.
type passLevel struct{ seed, k, n uint64 }

// planned returns pass k of n, whose groups' keys are hashed with a seed
// drawn from seed.
func planned(seed, k, n uint64) partition {
	return partition{levels: []passLevel{{levelSeed(seed, 0), k, n}}}
}

// split returns part k of n of pt's groups but those of except, hashed
// with a seed of their own level: groups that fell together in pt spread
// over the parts as any others do. A part of a pass of only some groups
// (packed by what they asked for) holds only those.
func (pt *partition) split(seed, k, n uint64, except map[corrGroup]bool) partition {
	levels := append(slices.Clip(pt.levels), passLevel{levelSeed(seed, len(pt.levels)), k, n})
	if pt.only == nil {
		return partition{levels: levels, except: except}
	}
	only := maps.Clone(pt.only)
	for g := range except {
		delete(only, g)
	}
	return partition{levels: levels, only: only}
}

// holds reports whether the group key of correlation corr is the
// partition's.
func (pt *partition) holds(corr int, key []byte) bool {
	for _, l := range pt.levels {
		if groupHash(l.seed, corr, key)%l.n != l.k {
			return false
		}
	}
	switch {
	case pt.only != nil:
		return pt.only[corrGroup{corr, string(key)}]
	case pt.except != nil:
		return !pt.except[corrGroup{corr, string(key)}]
	}
	return true
}

// last returns the partition's last level.
func (pt *partition) last() passLevel { return pt.levels[len(pt.levels)-1] }

// askedBy adds a record of bytes bytes that correlation corr counts in
// the group of key to what the group asked of the pass; the group's own
// cost is added once, whatever the workers that met it (see groupDemand).
func (p *part) askedBy(corr int, key []byte, bytes int) {
	if p.corrAsked == nil {
		p.corrAsked = map[corrGroup]share{}
	}
	g := corrGroup{corr, string(key)}
	d := p.corrAsked[g]
	d.n++
	d.bytes += int64(bytes)
	p.corrAsked[g] = d
}

// hashHook, for tests, hashes the group keys it reports it knows in
// groupHash's stead, at every level of a partition, as if they hashed
// alike whatever the seed.
var hashHook func(corr int, key []byte) (uint64, bool)

// groupHash hashes a correlation's group key for a level of partition
// passes, with that level's seed (see levelSeed).
func groupHash(seed uint64, corr int, key []byte) uint64 {
	if hashHook != nil {
		if h, ok := hashHook(corr, key); ok {
			return h
		}
	}
	return StableHash(seed^uint64(corr)*0x9e3779b97f4a7c15, key)
}

// keyHash hashes a correlation's group key with a fixed seed, the same in
// every scan: what groupSample counts, and what the passes' seeds are
// drawn from (see passSeed). Anyone can compute it, and so choose keys
// that it hashes alike: the passes place groups with seeded hashes.
func keyHash(corr int, key []byte) uint64 {
	return StableHash(uint64(corr)*0x9e3779b97f4a7c15, key)
}

// passSeed returns the seed of a scan's partition passes, drawn from sum,
// the sum of the keyHash of the group key of every note its first
// reading offered (see part.corrKeySum). It is the same for the same
// records, in whatever order the workers read them, so that the passes
// place each group the same from run to run and whatever the workers;
// but one who writes some of the records, not knowing all the others,
// cannot tell it, nor choose keys that the passes' hash puts together.
func passSeed(sum uint64) uint64 { return mix64(sum ^ 0x5851f42d4c957f2d) }

// levelSeed returns the seed of level i of the partitions drawn from seed:
// each level has its own, so that groups whose keys one hash puts
// together are spread by the next.
func levelSeed(seed uint64, i int) uint64 { return mix64(seed + uint64(i+1)*0x9e3779b97f4a7c15) }

// StableHash hashes key the same way in every run, unlike maphash, with
// seed folded in: FNV-1a, then SplitMix64's finaliser to spread its bits
// over the low ones a modulus reads. Partition passes place groups with
// it, and reports estimate counts of actors.
func StableHash[K string | []byte](seed uint64, key K) uint64 {
	h := uint64(14695981039346656037) ^ seed
	for i := range len(key) {
		h ^= uint64(key[i])
		h *= 1099511628211
	}
	return mix64(h)
}

// mix64 is SplitMix64's finaliser: each bit of h sways every bit of what
// it returns.
func mix64(h uint64) uint64 {
	h ^= h >> 30
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 27
	h *= 0x94d049bb133111eb
	return h ^ h>>31
}

// lose counts record pos, which correlations could not keep, and notes
// what a partition pass needs to count it again: its file or stream.
func (w *worker) lose(pos RecordRef) {
	p := w.p
	p.corrLostNotes += int64(len(w.pending))
	if w.again != nil {
		// A partition pass: its file is known, and a pass whose findings
		// are made whatever it could not keep counts each record once.
		if !w.final || w.again.markLost(pos.Ordinal) {
			p.notKept(pos)
		}
		return
	}
	p.notKept(pos)
	if n := len(p.corrLostIn); n == 0 || p.corrLostIn[n-1].name != pos.File {
		p.corrLostIn = append(p.corrLostIn, &notedFile{name: pos.File, info: w.fileInfo, stream: !w.compact})
	}
	nf := p.corrLostIn[len(p.corrLostIn)-1]
	nf.n++
	nf.last = max(nf.last, pos.Ordinal)
}

// correlateAll evaluates the correlations over what the workers noted, or,
// when they could not note everything, in partition passes, which count
// the records again from the spill of notes or, for files, from the files
// themselves. It returns the findings, ordered by rule and group, and,
// after partition passes, a part that holds their warnings and what they
// could not keep.
func (s *Scanner) correlateAll(parts []*part) ([]Finding, *part) {
	c := s.corr
	if c == nil {
		return nil, nil
	}
	if !slices.ContainsFunc(parts, func(p *part) bool { return p.sum.CorrelationNotKept > 0 }) {
		s.noteSpills.drop() // unread: the notes fitted
		return s.correlate(parts, parts[len(parts)-1], nil), nil
	}
	files := notedFiles(parts)
	s.useSpills(files)
	if slices.ContainsFunc(files, func(nf *notedFile) bool { return nf.stream && len(nf.segs) == 0 }) {
		// The spills are not whole (s.corrNoSpill says why), and a stream
		// cannot be read again: the scan counts what it kept, and says
		// that it is not complete.
		s.noteSpills.drop()
		return s.correlate(parts, parts[len(parts)-1], nil), nil
	}
	for _, p := range parts {
		c.askedGroups.merge(&p.corrSample)
	}
	demand := spread(c.demand(), parts)
	var sum uint64
	for _, p := range parts {
		sum += p.corrKeySum
		p.dropCorrelations()
	}
	s.corrSeed = passSeed(sum)
	c.restart(nil, false) // let the first reading's groups go
	return s.partitioned(files, demand)
}

// notedFiles returns the files and streams whose records correlations
// counted, kept or not, by name.
func notedFiles(parts []*part) []*notedFile {
	byName := map[string]*notedFile{}
	add := func(name string, info os.FileInfo, n, last int64, stream bool) {
		nf := byName[name]
		if nf == nil {
			nf = &notedFile{name: name, info: info}
			byName[name] = nf
		}
		nf.n += n
		nf.last = max(nf.last, last)
		nf.stream = nf.stream || stream
	}
	for _, p := range parts {
		n, last := make([]int64, len(p.corrFiles)), make([]int64, len(p.corrFiles))
		stream := make([]bool, len(p.corrFiles))
		for _, piece := range p.corrRecords.p {
			for i := range piece {
				r := &piece[i]
				n[r.file]++
				last[r.file] = max(last[r.file], r.ordinal)
				stream[r.file] = stream[r.file] || r.flags&recFull != 0
			}
		}
		for i, name := range p.corrFiles {
			add(name, p.corrInfos[i], n[i], last[i], stream[i])
		}
		for _, nf := range p.corrLostIn {
			add(nf.name, nf.info, nf.n, nf.last, nf.stream)
		}
	}
	return slices.SortedFunc(maps.Values(byName), func(a, b *notedFile) int { return strings.Compare(a.name, b.name) })
}

// dropCorrelations lets go of what the part noted for correlations, and of
// its count of the records it could not note.
func (p *part) dropCorrelations() {
	p.corrRecords, p.corrNotes, p.corrLists = pieces[corrRecord]{}, pieces[corrNote]{}, pieces[uint64]{}
	p.corrFiles, p.corrInfos, p.corrRules = nil, nil, nil
	p.corrFull, p.corrTimes, p.corrStrs, p.corrLostIn = nil, nil, nil, nil
	p.corrTexts, p.corrSpills, p.corrSample = pieces[spilledText]{}, nil, groupSample{}
	p.sum.CorrelationNotKept, p.corrLost = 0, RecordRef{}
}

// demand returns what the records offered to the correlations since the
// bounds were last emptied asked to keep, kept or not, as the compact
// notes a partition pass keeps (a stream's records were charged as whole
// findings): each record once, and each group once (about, past
// maxSampledGroups groups: see groupSample). Neither depends on the
// workers, nor on which records were kept.
func (c *correlator) demand() share {
	return share{c.asked.n, c.asked.bytes + c.askedGroups.estimate()}
}

// spread scales demand d, what the workers of parts asked to keep, to
// what their passes will ask together: a record that several
// correlations count is noted in the pass of each of its groups, so
// passes ask for as many records as there were notes. Each such record
// costs a compact note where it cost a further note (noteBytes) in one
// reading; its groups and lists were charged already, once. What parts
// noted and lost, together, does not depend on the workers.
func spread(d share, parts []*part) share {
	var notes, records int64
	for _, p := range parts {
		notes += int64(p.corrNotes.n) + p.corrLostNotes
		records += int64(p.corrRecords.n) + p.sum.CorrelationNotKept
	}
	if notes <= records || records == 0 {
		return d
	}
	n := d.n * notes / records
	return share{n, d.bytes + (n-d.n)*(compactNoteBytes-noteBytes)}
}

// passesFor returns how many passes, each holding about its share of
// demand d and a margin, fit the whole bounds of compact notes (a pass
// takes room from the whole bounds: see correlator.whole), from 2 up to
// maxPasses (maxPasses when even those do not: a pass that does not fit
// is then read again in parts).
func passesFor(d share) int {
	for k := int64(2); k <= maxPasses; k++ {
		if d.n*passMargin/(4*k) <= maxCompactNotes && d.bytes*passMargin/(4*k) <= maxCompactBytes {
			return int(k)
		}
	}
	return maxPasses
}

// How a partition pass runs.
const (
	passPlanned = iota // as planned, on the scan's workers
	passSplit          // a part of a planned pass that did not fit, on the scan's workers
	passLast           // a part of a split pass that did not fit: read again on one worker if it does not fit either
	passBusy           // one group busier than the bounds on its own, on one worker
)

// corrFound is a pass's findings, and their groups.
type corrFound struct {
	fs     []Finding
	groups []corrGroup
}

// partitioned evaluates the correlations in partition passes over files,
// planned from demand, and returns their findings, ordered by rule and
// group as one pass orders them, and a part that holds their warnings and
// what they could not keep.
func (s *Scanner) partitioned(files []*notedFile, demand share) ([]Finding, *part) {
	again := &part{}
	k := passesFor(demand)
	if s.corrSpilled {
		s.opts.Log.Info("the rules correlations count matched more records than a scan keeps at once: counting them again from their notes spilled to disk, for a part of the groups at a time",
			"files", len(files), "passes", k, "spilled_bytes", s.noteSpills.size.Load())
	} else {
		s.opts.Log.Info("the rules correlations count matched more records than a scan keeps at once: reading their files again, for a part of the groups at a time",
			"files", len(files), "passes", k)
	}
	var found corrFound
	s.passes.Store(int64(k))
	for i := range k {
		if s.stopped() {
			break
		}
		s.passAt.Store(int64(i + 1))
		s.partitionPass(files, planned(s.corrSeed, uint64(i), uint64(k)), passPlanned, again, &found)
	}
	s.noteSpills.drop() // read: the disk it took is freed now, not when the scan ends
	// Each group is in one pass: ordered by group, the findings are in the
	// order one pass would have given them.
	idx := make([]int, len(found.fs))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		ga, gb := found.groups[a], found.groups[b]
		return cmp.Or(cmp.Compare(ga.rule, gb.rule), strings.Compare(ga.group, gb.group))
	})
	out := make([]Finding, len(idx))
	for i, j := range idx {
		out[i] = found.fs[j]
	}
	s.corr.restart(nil, false)
	return out, again
}

// partitionPass evaluates the groups of pt over files and adds their
// findings to found. A pass that does not fit is read again in parts:
// each group that asked for more than the whole bounds on its own in a
// pass of its own, on one worker, the files by name, keeping what it can
// (which records it keeps would otherwise depend on the order the
// workers read them in); those that asked for more than an eighth of the
// bounds packed in passes by what they asked for; the other groups in as
// many smaller passes as what they asked for needs. A part of a split
// pass that does not fit either is read again on one worker, keeping
// what it can.
func (s *Scanner) partitionPass(files []*notedFile, pt partition, mode int, again *part, found *corrFound) {
	if s.stopped() {
		return
	}
	// Whether a pass fits is judged in the whole bounds, on any number of
	// workers alike (see correlator.take): a scan on one worker, too, reads
	// a last part in the whole bounds before it keeps what it can, each
	// rule its share, which can keep less.
	workers := s.opts.Workers
	if mode == passBusy {
		workers = 1
	}
	final := mode == passBusy
	parts := s.pass(files, pt, workers, final, false, again)
	if s.stopped() {
		return
	}
	if !overflowed(parts) || final {
		s.evaluatePass(parts, again, found)
		return
	}
	if mode == passLast {
		// Read again on one worker, keeping what it can.
		parts = nil
		parts = s.pass(files, pt, 1, true, true, again)
		if !s.stopped() {
			s.evaluatePass(parts, again, found)
		}
		return
	}
	busy, large, rest := groupDemand(parts)
	parts = nil // let its notes go
	except := maps.Clone(pt.except)
	if len(busy)+len(large) > 0 {
		s.opts.Log.Debug("correlation groups read in passes of their own", "groups", len(busy), "large", len(large))
		if except == nil {
			except = map[corrGroup]bool{}
		}
		for _, g := range busy {
			except[g] = true
		}
		for _, g := range large {
			except[g.g] = true
		}
	}
	next := passSplit
	if mode == passSplit {
		next = passLast
	}
	// Groups that asked for much are packed in passes by what they asked
	// for: a split by hash would place a few of them unevenly.
	for _, bin := range packGroups(large) {
		s.partitionPass(files, partition{levels: pt.levels, only: bin}, next, again, found)
	}
	m := uint64(splitsFor(rest))
	for j := range m {
		s.partitionPass(files, pt.split(s.corrSeed, j, m, except), next, again, found)
	}
	for _, g := range busy {
		s.partitionPass(files, partition{levels: pt.levels, only: map[corrGroup]bool{g: true}}, passBusy, again, found)
	}
}

// sizedGroup is a group and what it asked of a pass.
type sizedGroup struct {
	g corrGroup
	d share
}

// packGroups packs groups, largest first, in as few sets as it can that
// each ask for no more than the bounds less a margin.
func packGroups(groups []sizedGroup) []map[corrGroup]bool {
	most, mostBytes := maxCompactNotes*4/passMargin, maxCompactBytes*4/passMargin
	var bins []map[corrGroup]bool
	var sizes []share
	for _, sg := range groups {
		i := slices.IndexFunc(sizes, func(sz share) bool { return sz.n+sg.d.n <= most && sz.bytes+sg.d.bytes <= mostBytes })
		if i < 0 {
			i = len(bins)
			bins, sizes = append(bins, map[corrGroup]bool{}), append(sizes, share{})
		}
		bins[i][sg.g] = true
		sizes[i].n += sg.d.n
		sizes[i].bytes += sg.d.bytes
	}
	return bins
}

// splitsFor returns in how many passes, from 1 to maxSplit, groups that
// asked for d together fit the bounds, with a margin.
func splitsFor(d share) int {
	m := max(ceilDiv(d.n*passMargin, 4*maxCompactNotes), ceilDiv(d.bytes*passMargin, 4*maxCompactBytes))
	return int(min(max(m, 1), maxSplit))
}

func ceilDiv(a, b int64) int64 { return (a + b - 1) / b }

// evaluatePass evaluates the correlations over what a pass noted, and adds
// their findings to found, and what it could not keep to again.
func (s *Scanner) evaluatePass(parts []*part, again *part, found *corrFound) {
	for _, p := range parts {
		again.takeLost(p)
		p.corrAsked = nil
	}
	var groups []corrGroup
	found.fs = append(found.fs, s.correlate(parts, again, &groups)...)
	found.groups = append(found.groups, groups...)
}

// groupDemand returns, of the groups a pass counted, those that asked
// for more than the whole bounds on its own (busy), in the order of their
// rules and keys; those that asked for more than an eighth of them
// (large), largest first; and what the others asked for together. What a
// group asked for is every record of the pass it counts, kept or not, and
// its key and groupBytes once, however many workers met it: it does not
// depend on the workers.
func groupDemand(parts []*part) (busy []corrGroup, large []sizedGroup, rest share) {
	asked := map[corrGroup]share{}
	for _, p := range parts {
		for g, d := range p.corrAsked {
			a, ok := asked[g]
			if !ok {
				a.bytes = int64(len(g.group) + groupBytes)
			}
			asked[g] = share{a.n + d.n, a.bytes + d.bytes}
		}
		p.corrAsked = nil
	}
	for g, d := range asked {
		switch {
		case d.n > maxCompactNotes || d.bytes > maxCompactBytes:
			busy = append(busy, g)
		case d.n*maxSplit > maxCompactNotes || d.bytes*maxSplit > maxCompactBytes:
			large = append(large, sizedGroup{g, d})
		default:
			rest.n += d.n
			rest.bytes += d.bytes
		}
	}
	byKey := func(a, b corrGroup) int {
		return cmp.Or(cmp.Compare(a.rule, b.rule), strings.Compare(a.group, b.group))
	}
	slices.SortFunc(busy, byKey)
	slices.SortFunc(large, func(a, b sizedGroup) int {
		return cmp.Or(cmp.Compare(b.d.n, a.d.n), cmp.Compare(b.d.bytes, a.d.bytes), byKey(a.g, b.g))
	})
	return busy, large, rest
}

// overflowed reports whether a pass could not keep a record.
func overflowed(parts []*part) bool {
	return slices.ContainsFunc(parts, func(p *part) bool { return p.sum.CorrelationNotKept > 0 })
}
