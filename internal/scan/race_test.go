//go:build race

package scan_test

// raceDetector says that the tests run with the race detector, which
// makes scans several times slower: tests that repeat a scan to show it
// gives the same every time repeat it less.
const raceDetector = true
