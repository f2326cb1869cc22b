package cpu

import (
	"testing"

	"github.com/ferrum-go/ferrum/compute/computetest"
)

// TestOps holds every op to compute/ref at F32 accuracy; MatMul runs its
// F32-activation kernels here (the quantized-activation ones are checked
// with dtype tolerances in qmatmul_test.go).
func TestOps(t *testing.T) {
	for _, threads := range []int{1, 3} {
		be := New(threads)
		be.exactMatMul = true
		computetest.Run(t, be)
		be.Close()
	}
}
