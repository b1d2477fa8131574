package scan

// SetSpillLimits sets how many runs a merge reads at once and how many
// findings a regrouping sorts in memory, small enough for tests to reach
// both, and returns a function that restores them.
func SetSpillLimits(fanIn, batch int) (restore func()) {
	oldFan, oldBatch := maxFanIn, groupBatch
	maxFanIn, groupBatch = fanIn, batch
	return func() { maxFanIn, groupBatch = oldFan, oldBatch }
}

// SetSpillBytes sets how much a worker's findings may hold before it
// spills them, and returns a function that restores it.
func SetSpillBytes(n int) (restore func()) {
	old := spillBytes
	spillBytes = n
	return func() { spillBytes = old }
}
