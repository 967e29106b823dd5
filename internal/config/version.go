package config

import "runtime/debug"

// Version is the module version of the running build, or "devel". It is
// what `dancu version` prints, /healthz reports and a backup's header
// records, so that all three always agree.
func Version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}
