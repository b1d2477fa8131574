//go:build !race

package scan_test

// raceDetector says that the tests run with the race detector (see
// race_test.go).
const raceDetector = false
