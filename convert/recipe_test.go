package convert

import (
	"compress/gzip"
	"encoding/json"
	"os"
	"testing"

	"github.com/ferrum-go/ferrum/quant"
)

type recipeFixture struct {
	Shapes []struct {
		Shape struct {
			Name    string `json:"name"`
			Arch    string `json:"arch"`
			Layers  int    `json:"layers"`
			Heads   int    `json:"heads"`
			KVHeads int    `json:"kv_heads"`
			Experts int    `json:"experts"`
		} `json:"shape"`
		Tensors []struct {
			Name string  `json:"name"`
			Dims []int64 `json:"dims"`
		} `json:"tensors"`
	} `json:"shapes"`
	Results []struct {
		Shape string   `json:"shape"`
		FType string   `json:"ftype"`
		Types []string `json:"types"`
	} `json:"results"`
}

// TestRecipeMatchesLlamaCpp: for every synthetic model and file type in
// testdata/quantize (types chosen by llama.cpp's llama_model_quantize),
// Recipe picks the same type for every tensor.
func TestRecipeMatchesLlamaCpp(t *testing.T) {
	f, err := os.Open("../testdata/quantize/recipes.json.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var fx recipeFixture
	if err := json.NewDecoder(zr).Decode(&fx); err != nil {
		t.Fatal(err)
	}
	shapes := map[string]int{}
	for i, s := range fx.Shapes {
		shapes[s.Shape.Name] = i
	}
	checked := 0
	for _, r := range fx.Results {
		s := fx.Shapes[shapes[r.Shape]]
		ft, err := ParseFileType(r.FType)
		if err != nil {
			t.Fatal(err)
		}
		descs := make([]TensorDesc, len(s.Tensors))
		for i, tn := range s.Tensors {
			descs[i] = TensorDesc{Name: tn.Name, Dims: tn.Dims, Keep: quant.F32}
		}
		sh := Shape{Arch: s.Shape.Arch, NumLayers: s.Shape.Layers, NumHeads: s.Shape.Heads, NumKVHeads: s.Shape.KVHeads, NumExperts: s.Shape.Experts}
		got, err := Recipe(ft, sh, descs)
		if err != nil {
			t.Errorf("%s %s: %v", r.Shape, r.FType, err)
			continue
		}
		bad := 0
		for i, c := range got {
			if c.Type.String() != r.Types[i] {
				if bad < 5 {
					t.Errorf("%s %s: %s is %s, llama.cpp chose %s", r.Shape, r.FType, descs[i].Name, c.Type, r.Types[i])
				}
				bad++
			}
			checked++
		}
	}
	if len(fx.Results) < 114 {
		t.Errorf("fixture has %d results, want 114", len(fx.Results))
	}
	t.Logf("%d tensor choices over %d (model, type) pairs agree with llama.cpp", checked, len(fx.Results))
}
