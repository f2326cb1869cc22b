// Package version reports the build's version, filled in by the linker or
// taken from the module build info.
package version

import "runtime/debug"

// Version is set at link time with -ldflags "-X github.com/ferrum-go/ferrum/internal/version.Version=v0.1.0".
var Version = ""

// String returns the version, the VCS revision when known, and the Go version.
func String() string {
	v := Version
	rev := ""
	goVer := ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		goVer = bi.GoVersion
		if v == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				rev = s.Value[:12]
			}
		}
	}
	if v == "" {
		v = "dev"
	}
	out := "ferrum " + v
	if rev != "" {
		out += " (" + rev + ")"
	}
	if goVer != "" {
		out += " " + goVer
	}
	return out
}
