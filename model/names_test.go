package model

import (
	"bytes"
	"testing"
)

func TestNameMappingRoundTrips(t *testing.T) {
	for _, p := range globalNames {
		if g, ok := HFToGGUF(p[0]); !ok || g != p[1] {
			t.Errorf("HFToGGUF(%s) = %s, %v", p[0], g, ok)
		}
	}
	for _, p := range layerNames {
		hf := LayerName(17, p[0])
		g, ok := HFToGGUF(hf)
		if !ok || g != "blk.17."+p[1] {
			t.Errorf("HFToGGUF(%s) = %s, %v", hf, g, ok)
		}
		back, ok := GGUFToHF(g)
		if !ok || back != hf {
			t.Errorf("GGUFToHF(%s) = %s, %v", g, back, ok)
		}
	}
	for _, bad := range []string{"model.layers.x.input_layernorm.weight", "blk.3", "model.layers.2.unknown.weight", ""} {
		if _, ok := HFToGGUF(bad); ok {
			t.Errorf("HFToGGUF(%q) should fail", bad)
		}
		if _, ok := GGUFToHF(bad); ok {
			t.Errorf("GGUFToHF(%q) should fail", bad)
		}
	}
}

// TestPermuteQKRows checks llama.cpp's reshape(heads, 2, d/2).swapaxes(1,2)
// on row indices: new row h*d + 2i + j holds old row h*d + j*d/2 + i.
func TestPermuteQKRows(t *testing.T) {
	heads, d := 3, 8
	data := make([]byte, heads*d)
	for i := range data {
		data[i] = byte(i)
	}
	got, err := PermuteQKRows(data, heads, d, 1)
	if err != nil {
		t.Fatal(err)
	}
	for h := 0; h < heads; h++ {
		for i := 0; i < d/2; i++ {
			for j := 0; j < 2; j++ {
				if got[h*d+2*i+j] != byte(h*d+j*d/2+i) {
					t.Fatalf("row %d holds %d, want %d", h*d+2*i+j, got[h*d+2*i+j], h*d+j*d/2+i)
				}
			}
		}
	}
	// Partial rotary: only the first rotDim rows of each head move.
	got, err = PermuteQKRows(data, heads, 4, 1)
	if err != nil {
		t.Fatal(err)
	}
	want := []byte{0, 2, 1, 3, 4, 5, 6, 7}
	if !bytes.Equal(got[:8], want) || !bytes.Equal(got[8:12], []byte{8, 10, 9, 11}) {
		t.Errorf("partial permutation %v", got)
	}
	if _, err := PermuteQKRows(data, 5, 8, 1); err == nil {
		t.Error("rows not splitting into heads should fail")
	}
}
