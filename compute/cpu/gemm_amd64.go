package cpu

//go:noescape
func gemmTile1(q *byte, s, m *float32, ngroups, cpg int, act *byte, f *float32, dst *float32, ldd, nt, mask int)

//go:noescape
func gemmTile2(q *byte, s, m *float32, ngroups, cpg int, act *byte, f *float32, dst *float32, ldd, nt, mask int)

//go:noescape
func gemmTile4(q *byte, s, m *float32, ngroups, cpg int, act *byte, f *float32, dst *float32, ldd, nt, mask int)

//go:noescape
func gemmTile8(q *byte, s, m *float32, ngroups, cpg int, act *byte, f *float32, dst *float32, ldd, nt, mask int)

//go:noescape
func gemmTile12(q *byte, s, m *float32, ngroups, cpg int, act *byte, f *float32, dst *float32, ldd, nt, mask int)

func init() {
	if !hasVNNI {
		return
	}
	gemmTileKernel = func(p *panel, act []byte, f []float32, dst []float32, ldd, nt, lanes int) {
		// The kernel reads whole groups of p and of the tile, and writes
		// lanes floats at dst[t*ldd:] for t < nt.
		_ = p.q[p.ngroups*p.group*panelRows-1]
		_ = p.s[p.ngroups*panelRows-1]
		_ = p.m[p.ngroups*panelRows-1]
		_ = act[p.ngroups*p.group*gemmNT-1]
		_ = f[p.ngroups*2*gemmNT-1]
		_ = dst[(nt-1)*ldd+lanes-1]
		// The smallest kernel that covers nt tokens: a short last tile (or
		// a decode step) does not pay for 12 tokens' dot products.
		q, s, m, ng, cpg, a, fp, d, mask := &p.q[0], &p.s[0], &p.m[0], p.ngroups, p.group/4, &act[0], &f[0], &dst[0], 1<<lanes-1
		switch {
		case nt <= 1:
			gemmTile1(q, s, m, ng, cpg, a, fp, d, ldd, nt, mask)
		case nt <= 2:
			gemmTile2(q, s, m, ng, cpg, a, fp, d, ldd, nt, mask)
		case nt <= 4:
			gemmTile4(q, s, m, ng, cpg, a, fp, d, ldd, nt, mask)
		case nt <= 8:
			gemmTile8(q, s, m, ng, cpg, a, fp, d, ldd, nt, mask)
		default:
			gemmTile12(q, s, m, ng, cpg, a, fp, d, ldd, nt, mask)
		}
	}
}
