package main

import (
	"fmt"
	"os"
	"runtime/pprof"
)

// FERRUM_CPUPROFILE=file writes a Go CPU profile of the whole command
// (`go tool pprof file`): the way to see where `ferrum bench` or `ferrum
// run` spends its time without a separate build.
func startProfile() (stop func(), err error) {
	path := os.Getenv("FERRUM_CPUPROFILE")
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("FERRUM_CPUPROFILE: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("FERRUM_CPUPROFILE: %w", err)
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}
