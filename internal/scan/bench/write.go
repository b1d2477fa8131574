package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"syscall"
	"time"
)

// OutputWrite is what writing a scan's output costs on its own: the same
// number of bytes, in the scan's 64 KiB chunks, to a new file in the same
// folder. The whole-process runs pay it too; it shows how much of their
// CPU time is the kernel copying findings into the page cache, which on
// some virtual machines is far slower than a memory copy.
type OutputWrite struct {
	Bytes   int64         `json:"bytes"`
	Wall    time.Duration `json:"wall_ns"`
	UserCPU time.Duration `json:"user_cpu_ns"`
	SysCPU  time.Duration `json:"sys_cpu_ns"`
	MBps    float64       `json:"mb_per_s"`
}

// measureWrite writes n bytes of finding-like text to a temporary file in
// dir, and removes it.
func measureWrite(dir string, n int64) (OutputWrite, error) {
	f, err := os.CreateTemp(dir, "write-floor-*")
	if err != nil {
		return OutputWrite{}, fmt.Errorf("create write-floor file: %w", err)
	}
	defer os.Remove(f.Name())
	defer f.Close()
	line := []byte(`{"type":"finding","event_name":"GetObject","actor":{"type":"AssumedRole"}}` + "\n")
	chunk := bytes.Repeat(line, (64<<10)/len(line)+1)[:64<<10]
	u0, s0 := cpuTimes()
	start := time.Now()
	for left := n; left > 0; {
		m := min(int64(len(chunk)), left)
		if _, err := f.Write(chunk[:m]); err != nil {
			return OutputWrite{}, fmt.Errorf("write-floor file: %w", err)
		}
		left -= m
	}
	wall := time.Since(start)
	u1, s1 := cpuTimes()
	return OutputWrite{Bytes: n, Wall: wall, UserCPU: u1 - u0, SysCPU: s1 - s0, MBps: mbps(n, wall)}, nil
}

// cpuTimes is the user and the system time this process used so far.
func cpuTimes() (user, sys time.Duration) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, 0
	}
	return time.Duration(ru.Utime.Nano()), time.Duration(ru.Stime.Nano())
}

func (o *OutputWrite) print(w io.Writer, scanCPU time.Duration) {
	fmt.Fprintf(w, "writing the same %s of output alone (64 KiB writes to a new file beside it): %s wall, %s CPU (%s system), %.0f MB/s",
		human(o.Bytes), secs(o.Wall), secs(o.UserCPU+o.SysCPU), secs(o.SysCPU), o.MBps)
	if scanCPU > 0 {
		fmt.Fprintf(w, "; %.0f %% of the whole-process scan's CPU", 100*float64(o.UserCPU+o.SysCPU)/float64(scanCPU))
	}
	fmt.Fprintln(w)
}
