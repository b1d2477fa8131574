package scan

// SetSpillLimits sets how many runs a merge reads at once, how many
// findings a regrouping sorts in memory and how many runs the workers hold
// open, small enough for tests to reach all three, and returns a function
// that restores them.
func SetSpillLimits(fanIn, batch, openRuns int) (restore func()) {
	oldFan, oldBatch, oldOpen := maxFanIn, groupBatch, maxOpenRuns
	maxFanIn, groupBatch, maxOpenRuns = fanIn, batch, openRuns
	return func() { maxFanIn, groupBatch, maxOpenRuns = oldFan, oldBatch, oldOpen }
}

// SetSpillBytes sets how much a worker's findings may hold before it
// spills them, and returns a function that restores it.
func SetSpillBytes(n int) (restore func()) {
	old := spillBytes
	spillBytes = n
	return func() { spillBytes = old }
}

// SetGroupLimits sets how many groups, and how many bytes of their keys, a
// regrouping numbers in memory, and how many bytes of findings a Group
// holds in memory, and returns a function that restores them.
func SetGroupLimits(ranked, rankedBytes, mem int) (restore func()) {
	oldRanked, oldBytes, oldMem := maxRanked, maxRankedBytes, groupMem
	maxRanked, maxRankedBytes, groupMem = ranked, rankedBytes, mem
	return func() { maxRanked, maxRankedBytes, groupMem = oldRanked, oldBytes, oldMem }
}

// SetCorrelationLimits sets how many records, and how many bytes, a scan
// keeps for its correlations, and returns a function that restores them.
func SetCorrelationLimits(notes, bytes int64) (restore func()) {
	oldNotes, oldBytes := maxCorrelationNotes, maxCorrelationBytes
	maxCorrelationNotes, maxCorrelationBytes = notes, bytes
	return func() { maxCorrelationNotes, maxCorrelationBytes = oldNotes, oldBytes }
}
