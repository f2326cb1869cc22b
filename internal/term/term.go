// Package term tells whether a file is a terminal. A character-device test
// is not enough: /dev/null is a character device too, and a program fed
// from it must not print interactive prompts or redraw progress bars.
package term

import "os"

// IsTerminal reports whether w is an *os.File open on a terminal.
func IsTerminal(w any) bool {
	f, ok := w.(*os.File)
	if !ok || f == nil {
		return false
	}
	return isTerminal(f)
}

// IsInteractive is IsTerminal, but false when TERM=dumb (editors and CI
// logs that cannot redraw lines).
func IsInteractive(rw any) bool {
	return os.Getenv("TERM") != "dumb" && IsTerminal(rw)
}
