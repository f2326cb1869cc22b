package cpu

// The GEMM takes every type that has a panel packer, on CPUs with a tile
// kernel. This file's init runs after those of gemm_pack*.go, which fill
// panelPackers (Go runs a package's init functions in file name order).
func init() {
	if gemmTileKernel == nil {
		return
	}
	for t := range panelPackers {
		gemms[t] = gemmMatMul
	}
}
