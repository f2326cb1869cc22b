package quant

import (
	"encoding/hex"
	"math/bits"
)

// The IQ formats index fixed grids of 4 or 8 values. They are expanded
// once from the bitmaps in iq_grids_data.go and only read afterwards.
var (
	iq2xxsGrid = expandGrid(iq2xxsBitmap, 8, []int8{8, 25, 43}, 256)
	iq2xsGrid  = expandGrid(iq2xsBitmap, 8, []int8{8, 25, 43}, 512)
	iq2sGrid   = expandGrid(iq2sBitmap, 8, []int8{8, 25, 43}, 1024)
	iq3xxsGrid = expandGrid(iq3xxsBitmap, 4, []int8{4, 12, 20, 28, 36, 44, 52, 62}, 256)
	iq3sGrid   = expandGrid(iq3sBitmap, 4, []int8{1, 3, 5, 7, 9, 11, 13, 15}, 512)
	iq1sGrid   = expandGrid(iq1sBitmap, 8, []int8{-1, 0, 1}, 2048)
)

// iq2Signs is ggml's ksigns_iq2xs: seven stored sign bits plus an eighth
// that makes the number of negative values even.
var iq2Signs = func() (t [128]uint8) {
	for i := range t {
		t[i] = uint8(i) | uint8(bits.OnesCount8(uint8(i))&1)<<7
	}
	return t
}()

// expandGrid lists, in increasing order of lattice code, the points whose
// bit is set, as n coordinates each (a flat slice, n per point).
func expandGrid(hexBitmap string, n int, levels []int8, want int) []int8 {
	bitmap, err := hex.DecodeString(hexBitmap)
	if err != nil {
		panic("quant: corrupt grid table: " + err.Error())
	}
	grid := make([]int8, 0, want*n)
	for c := 0; c < len(bitmap)*8; c++ {
		if bitmap[c/8]>>(c%8)&1 == 0 {
			continue
		}
		for j, code := 0, c; j < n; j, code = j+1, code/len(levels) {
			grid = append(grid, levels[code%len(levels)])
		}
	}
	if len(grid) != want*n {
		panic("quant: grid table has the wrong number of points")
	}
	return grid
}

// signed returns v negated when bit j of signs is set.
func signed(v float32, signs uint8, j int) float32 {
	if signs>>j&1 != 0 {
		return -v
	}
	return v
}
