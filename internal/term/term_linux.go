package term

import (
	"os"

	"golang.org/x/sys/unix"
)

// isTerminal asks the tty driver: only a terminal answers TCGETS.
func isTerminal(f *os.File) bool {
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}
