package cpu

import (
	"os"

	"golang.org/x/sys/cpu"
)

// Instruction-set levels the assembly kernels need, read once at start-up.
// Kernels are chosen per (op, dtype) in init functions from these; CPUs
// without them run the plain-Go kernels of the same slots.
//
// FERRUM_CPU caps the level, so that every kernel family can be tested (and
// timed) on one AVX-512 machine: "generic" (or the older
// FERRUM_CPU_GENERIC=1) turns all assembly off, "avx2" keeps only the
// AVX2+FMA kernels. Unset or anything else: the best the CPU has.
var cpuCap = func() string {
	if os.Getenv("FERRUM_CPU_GENERIC") != "" {
		return "generic"
	}
	return os.Getenv("FERRUM_CPU")
}()

var (
	// hasAVX512 covers AVX-512 F, BW, VL and DQ: 512-bit float and integer
	// kernels (F32/F16/BF16 dot products, activation functions).
	hasAVX512 = cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW && cpu.X86.HasAVX512VL && cpu.X86.HasAVX512DQ && cpu.X86.HasFMA &&
		cpuCap != "generic" && cpuCap != "avx2"
	// hasVNNI adds AVX512-VNNI (vpdpbusd): the int8 dot products of the
	// quantized matmuls.
	hasVNNI = hasAVX512 && cpu.X86.HasAVX512VNNI
	// hasAVX512BF16 adds vdpbf16ps: BF16 pair dot products (prefill of
	// BF16 weights).
	hasAVX512BF16 = hasAVX512 && cpu.X86.HasAVX512BF16
	// hasAVX2 is AVX2 + FMA + F16C: the 256-bit kernels that CPUs without
	// AVX-512 run (most AMD Zen 1-3 and Intel client parts). A slot takes
	// its AVX2 kernel only where no AVX-512 kernel claimed it.
	hasAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasFMA && cpu.X86.HasF16C && cpu.X86.HasBMI2 && cpuCap != "generic"
)
