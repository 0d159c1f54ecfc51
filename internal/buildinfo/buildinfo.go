// Package buildinfo says which gossipscope this is: the module version and
// the VCS revision and time the go command stamped into the binary
// (runtime/debug.ReadBuildInfo), for --version, `gossipscope version`,
// /api/v2/status and the metric gossipscope_build_info.
package buildinfo

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// Info is what a binary knows about its build. Empty fields were not
// stamped (a `go run`, or a build outside a VCS checkout).
type Info struct {
	Version   string // module version: "v1.2.3" from go install, "(devel)" from a checkout
	Revision  string // VCS commit, with "-dirty" when built with local changes
	BuildDate string // VCS commit time, RFC 3339
	GoVersion string
}

// Get reads the running binary's build information.
func Get() Info {
	i := Info{Version: "(devel)", GoVersion: runtime.Version()}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return i
	}
	if v := bi.Main.Version; v != "" {
		i.Version = v
	}
	modified := false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			i.Revision = s.Value
		case "vcs.time":
			i.BuildDate = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if modified && i.Revision != "" {
		i.Revision += "-dirty"
	}
	return i
}

// String is the one line --version prints.
func (i Info) String() string {
	s := "gossipscope " + i.Version
	if i.Revision != "" {
		s += " (revision " + i.Revision
		if i.BuildDate != "" {
			s += ", built from a commit of " + i.BuildDate
		}
		s += ")"
	}
	return fmt.Sprintf("%s %s %s/%s", s, i.GoVersion, runtime.GOOS, runtime.GOARCH)
}
