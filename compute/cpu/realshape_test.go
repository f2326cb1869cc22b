package cpu_test

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/ferrum-go/ferrum/format/gguf"
	"github.com/ferrum-go/ferrum/model"
	"github.com/ferrum-go/ferrum/quant"
)

// TestWriteRealShapeGGUF writes random-weight GGUFs with the shapes of
// released models (F16 Llama-3.2-1B, BF16 Qwen3-0.6B) and a byte-level BPE
// vocabulary of the right size, so that llama.cpp loads the same files
// (llama-quantize makes the Q8_0/Q4_0/Q4_K_M variants both engines are
// benchmarked on; see scripts/bench-vs-llamacpp.sh). Gigabytes: it runs
// only with FERRUM_REALSHAPE_OUT=<folder>.
func TestWriteRealShapeGGUF(t *testing.T) {
	out := os.Getenv("FERRUM_REALSHAPE_OUT")
	if out == "" {
		t.Skip("set FERRUM_REALSHAPE_OUT=<folder> to write real-shape GGUFs")
	}
	shapes := []struct {
		name, json string
		typ        quant.Type
	}{
		{"qwen3-0.6b", `{"architectures":["Qwen3ForCausalLM"],"model_type":"qwen3","vocab_size":151936,"hidden_size":1024,
			"intermediate_size":3072,"num_hidden_layers":28,"num_attention_heads":16,"num_key_value_heads":8,"head_dim":128,
			"max_position_embeddings":40960,"rms_norm_eps":1e-6,"rope_theta":1000000.0,"tie_word_embeddings":true,
			"bos_token_id":151643,"eos_token_id":151645}`, quant.BF16},
		{"llama-3.2-1b", `{"architectures":["LlamaForCausalLM"],"model_type":"llama","vocab_size":128256,"hidden_size":2048,
			"intermediate_size":8192,"num_hidden_layers":16,"num_attention_heads":32,"num_key_value_heads":8,"head_dim":64,
			"max_position_embeddings":131072,"rms_norm_eps":1e-5,"rope_theta":500000.0,"tie_word_embeddings":true,
			"bos_token_id":128000,"eos_token_id":128001,
			"rope_scaling":{"factor":32.0,"high_freq_factor":4.0,"low_freq_factor":1.0,"original_max_position_embeddings":8192,"rope_type":"llama3"}}`, quant.F16},
	}
	for _, s := range shapes {
		path := filepath.Join(out, s.name+"-"+s.typ.String()+".gguf")
		if _, err := os.Stat(path); err == nil {
			continue
		}
		cfg, err := model.ParseHFConfig([]byte(s.json))
		if err != nil {
			t.Fatal(err)
		}
		if err := writeRandom(cfg, path, s.typ); err != nil {
			t.Fatal(err)
		}
	}
}

// gpt2Bytes is GPT-2's byte-to-rune table: printable bytes map to
// themselves, the rest to 256 and up.
func gpt2Bytes() []string {
	var out []string
	n := 0
	for b := 0; b < 256; b++ {
		if (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || b >= 174 {
			out = append(out, string(rune(b)))
		} else {
			out = append(out, string(rune(256+n)))
			n++
		}
	}
	return out
}

func writeRandom(cfg *model.Config, path string, typ quant.Type) error {
	w := gguf.NewWriter()
	kvs, err := model.GGUFMetadata(cfg)
	if err != nil {
		return err
	}
	for _, kv := range kvs {
		w.Set(kv.Key, kv.Value)
	}
	// One merge, whose result must be a token too.
	tokens := append(gpt2Bytes(), "Ġt")
	for i := len(tokens); i < cfg.VocabSize; i++ {
		tokens = append(tokens, fmt.Sprintf("<t%d>", i))
	}
	types := make([]int32, cfg.VocabSize)
	for i := range types {
		types[i] = 1
	}
	w.Set("tokenizer.ggml.model", "gpt2")
	w.Set("tokenizer.ggml.pre", "qwen2")
	w.Set("tokenizer.ggml.tokens", tokens)
	w.Set("tokenizer.ggml.token_type", types)
	w.Set("tokenizer.ggml.merges", []string{"Ġ t"})
	seed := uint64(0)
	add := func(hf string, shape ...int64) error {
		tt := quant.F32
		if len(shape) == 2 {
			tt = typ
		}
		cols := shape[len(shape)-1]
		rows := int64(1)
		if len(shape) == 2 {
			rows = shape[0]
		}
		size, _ := quant.RowBytes(tt, rows*cols)
		name, ok := model.HFToGGUF(hf)
		if !ok {
			return fmt.Errorf("no GGUF name for %s", hf)
		}
		dims := []int64{cols}
		if len(shape) == 2 {
			dims = append(dims, rows)
		}
		seed++
		sd := seed
		return w.AddTensorFunc(name, tt, dims, func(wr io.Writer) error {
			rng := rand.New(rand.NewPCG(sd, 1))
			buf := make([]float32, cols)
			// Uniform with the standard deviation 0.02 of an initialized model.
			a := float32(0.02 * math.Sqrt(3))
			for r := int64(0); r < rows; r++ {
				for i := range buf {
					if len(shape) == 1 {
						buf[i] = 1 + 0.1*(rng.Float32()*2-1)
					} else {
						buf[i] = a * (rng.Float32()*2 - 1)
					}
				}
				b, err := quant.QuantizeRows(tt, buf, int(cols))
				if err != nil {
					return err
				}
				if _, err := wr.Write(b); err != nil {
					return err
				}
			}
			return nil
		}, size)
	}
	h, in := int64(cfg.HiddenSize), int64(cfg.IntermediateSize)
	q, kv := int64(cfg.NumHeads*cfg.HeadDim), int64(cfg.NumKVHeads*cfg.HeadDim)
	var errs []error
	do := func(err error) { errs = append(errs, err) }
	do(add("model.embed_tokens.weight", int64(cfg.VocabSize), h))
	for l := 0; l < cfg.NumLayers; l++ {
		p := func(s string) string { return model.LayerName(l, s) }
		do(add(p("input_layernorm.weight"), h))
		do(add(p("self_attn.q_proj.weight"), q, h))
		do(add(p("self_attn.k_proj.weight"), kv, h))
		do(add(p("self_attn.v_proj.weight"), kv, h))
		do(add(p("self_attn.o_proj.weight"), h, q))
		if cfg.QKNorm {
			do(add(p("self_attn.q_norm.weight"), int64(cfg.HeadDim)))
			do(add(p("self_attn.k_norm.weight"), int64(cfg.HeadDim)))
		}
		do(add(p("post_attention_layernorm.weight"), h))
		do(add(p("mlp.gate_proj.weight"), in, h))
		do(add(p("mlp.up_proj.weight"), in, h))
		do(add(p("mlp.down_proj.weight"), h, in))
	}
	do(add("model.norm.weight", h))
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	if ff, _ := model.GGUFRopeFreqs(cfg); ff != nil {
		b := make([]byte, 4*len(ff))
		for i, f := range ff {
			u := math.Float32bits(f)
			b[4*i], b[4*i+1], b[4*i+2], b[4*i+3] = byte(u), byte(u>>8), byte(u>>16), byte(u>>24)
		}
		if err := w.AddTensor(model.RopeFreqsName, quant.F32, []int64{int64(len(ff))}, b); err != nil {
			return err
		}
	}
	return w.WriteFile(path)
}
