package cpu

import (
	"testing"

	"golang.org/x/sys/cpu"
)

// TestActivationAsmMatchesGo calls every assembly kernel the CPU can run,
// whatever FERRUM_CPU says, and checks it bit for bit against the plain-Go
// algorithm over the sweep, at every slice length up to two vectors (tails).
func TestActivationAsmMatchesGo(t *testing.T) {
	xs := actSweep()
	gos := []func(d, x []float32){actGELU: geluGo, actGELUTanh: geluTanhGo, actTanh: tanhGo, actSiLU: siluGo}
	type level struct {
		name string
		ok   bool
		run  func(op int, d, x []float32)
	}
	avx2 := cpu.X86.HasAVX2 && cpu.X86.HasFMA
	avx512 := cpu.X86.HasAVX512F && cpu.X86.HasAVX512DQ && cpu.X86.HasAVX512VL && cpu.X86.HasAVX512BW && cpu.X86.HasFMA
	for _, l := range []level{{"avx2", avx2, actAVX2}, {"avx512", avx512, act512}} {
		if !l.ok {
			t.Logf("%s: not on this CPU", l.name)
			continue
		}
		for op, gof := range gos {
			want := make([]float32, len(xs))
			got := make([]float32, len(xs))
			gof(want, xs)
			l.run(op, got, xs)
			for n := 1; n <= 33; n++ {
				l.run(op, got[:n], xs[len(xs)-n:])
				gof(want[:n], xs[len(xs)-n:])
			}
			for i := range want {
				if got[i] != want[i] && !(got[i] != got[i] && want[i] != want[i]) {
					t.Fatalf("%s op %d: value %d: asm %g, Go %g", l.name, op, i, got[i], want[i])
				}
			}
		}
	}
}
