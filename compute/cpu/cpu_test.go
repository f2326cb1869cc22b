package cpu

import (
	"testing"

	"github.com/ferrum-go/ferrum/compute/computetest"
)

func TestOps(t *testing.T) {
	for _, threads := range []int{1, 3} {
		be := New(threads)
		computetest.Run(t, be)
		be.Close()
	}
}
