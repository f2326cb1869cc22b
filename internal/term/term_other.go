//go:build !linux

package term

import "os"

// isTerminal falls back to the character-device test where the ioctl
// differs by system.
func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
