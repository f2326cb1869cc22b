package demo

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/ferrum-go/ferrum/format/gguf"
	"github.com/ferrum-go/ferrum/format/safetensors"
	"github.com/ferrum-go/ferrum/model"
	"github.com/ferrum-go/ferrum/quant"
)

// The float32 weights of the demo model are not kept in git (they would
// make the repository several times larger than the GGUF); the embedded
// Q8_0 file is the one source, and its dequantized weights are the model
// that transformers' references are computed on (tools/train/reference.py).

// WriteSafetensors writes the embedded GGUF's weights, dequantized to
// float32 under their HF names, as a safetensors file at path. Qwen3's
// q/k rows are stored in HF order in GGUF (only arch llama permutes them),
// so no row is reordered. Tensors are sorted by name, as transformers'
// save_pretrained writes them; the bytes are the same on every run.
func WriteSafetensors(path string) error {
	f, err := gguf.Parse(FileName, ggufBytes)
	if err != nil {
		return err
	}
	arch, err := f.Metadata.String("general.architecture")
	if err != nil {
		return fmt.Errorf("%s: %w", FileName, err)
	}
	if model.PermutesQK(arch) {
		return fmt.Errorf("%s: arch %s permutes q/k rows; WriteSafetensors does not undo that", FileName, arch)
	}
	tensors := make([]safetensors.Tensor, 0, len(f.Tensors))
	for i := range f.Tensors {
		ti := &f.Tensors[i]
		name, ok := model.GGUFToHF(ti.Name)
		if !ok {
			return fmt.Errorf("%s: tensor %s has no HF name", FileName, ti.Name)
		}
		vals := make([]float32, ti.Elements())
		if err := quant.Dequantize(ti.Type, f.Data(ti), vals); err != nil {
			return fmt.Errorf("%s: tensor %s: %w", FileName, ti.Name, err)
		}
		data := make([]byte, 4*len(vals))
		for j, v := range vals {
			binary.LittleEndian.PutUint32(data[4*j:], math.Float32bits(v))
		}
		shape := make([]int64, len(ti.Dims)) // GGUF dims are innermost first
		for j, d := range ti.Dims {
			shape[len(ti.Dims)-1-j] = d
		}
		tensors = append(tensors, safetensors.Tensor{Name: name, DType: safetensors.F32, Shape: shape, Data: data})
	}
	sort.Slice(tensors, func(a, b int) bool { return tensors[a].Name < tensors[b].Name })
	return safetensors.WriteFile(path, tensors, map[string]string{"format": "pt"})
}

// WriteHFFolder makes dir an HF model folder of the demo model: the regular
// files of from (config.json, tokenizer and template files: testdata/demo
// in the repository), except any *.safetensors, copied, and model.safetensors
// written by WriteSafetensors.
func WriteHFFolder(dir, from string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	entries, err := os.ReadDir(from)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if !e.Type().IsRegular() || strings.HasSuffix(e.Name(), ".safetensors") {
			continue
		}
		if err := copyFile(filepath.Join(dir, e.Name()), filepath.Join(from, e.Name())); err != nil {
			return err
		}
	}
	return WriteSafetensors(filepath.Join(dir, "model.safetensors"))
}

func copyFile(dst, src string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("copy %s to %s: %w", src, dst, err)
	}
	return out.Close()
}
