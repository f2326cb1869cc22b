package cpu

import (
	"os"

	"golang.org/x/sys/cpu"
)

// Instruction-set levels the assembly kernels need, read once at start-up.
// FERRUM_CPU_GENERIC=1 turns them all off, so that the plain-Go kernels
// other CPUs run can be tested (and timed) here too.
// Kernels are chosen per (op, dtype) in init functions from these; CPUs
// without them run the plain-Go kernels of the same slots.
var (
	// hasAVX512 covers AVX-512 F, BW, VL and DQ: 512-bit float and integer
	// kernels (F32/F16/BF16 dot products, activation functions).
	hasAVX512 = cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW && cpu.X86.HasAVX512VL && cpu.X86.HasAVX512DQ && cpu.X86.HasFMA &&
		os.Getenv("FERRUM_CPU_GENERIC") == ""
	// hasVNNI adds AVX512-VNNI (vpdpbusd): the int8 dot products of the
	// quantized matmuls.
	hasVNNI = hasAVX512 && cpu.X86.HasAVX512VNNI
)
