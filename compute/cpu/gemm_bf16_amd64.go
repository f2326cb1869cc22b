package cpu

//go:noescape
func bgTile24(p, x *uint32, steps int, dst *float32, ldd int, load bool)

func bgTile(p, x *uint32, steps int, dst *float32, ldd int, load bool, nt int) {
	bgTile24(p, x, steps, dst, ldd, load)
}

func init() {
	if hasAVX512BF16 {
		bf16Dot.tile = bgTile
	}
}
