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
	"github.com/ferrum-go/ferrum/model/qwen3moe"
	"github.com/ferrum-go/ferrum/quant"
)

// TestWriteRealShapeGGUF writes random-weight GGUFs with the shapes of
// released models (F16 Llama-3.2-1B, BF16 Qwen3-0.6B, BF16 Qwen3-MoE with
// hidden 1024, 12 layers, 64 experts of 512, 8 active) and a byte-level BPE
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
	shapes = append(shapes, struct {
		name, json string
		typ        quant.Type
	}{"qwen3moe-1024x12-64e8", `{"architectures":["Qwen3MoeForCausalLM"],"model_type":"qwen3_moe","vocab_size":151936,
		"hidden_size":1024,"intermediate_size":3072,"num_hidden_layers":12,"num_attention_heads":16,"num_key_value_heads":8,
		"head_dim":128,"max_position_embeddings":40960,"rms_norm_eps":1e-6,"rope_theta":1000000.0,"tie_word_embeddings":true,
		"num_experts":64,"num_experts_per_tok":8,"moe_intermediate_size":512,"norm_topk_prob":true,"decoder_sparse_step":1,
		"bos_token_id":151643,"eos_token_id":151645}`, quant.BF16})
	for _, s := range shapes {
		path := filepath.Join(out, s.name+"-"+s.typ.String()+".gguf")
		if _, err := os.Stat(path); err == nil {
			continue
		}
		cfg, err := model.ParseHFConfig([]byte(s.json))
		if err != nil {
			t.Fatal(err)
		}
		var moe *qwen3moe.MoEConfig
		if cfg.Architecture == "Qwen3MoeForCausalLM" {
			if moe, err = qwen3moe.ParseHFMoEConfig([]byte(s.json)); err != nil {
				t.Fatal(err)
			}
			cfg.QKNorm = true // Qwen3-MoE normalizes q and k per head, as Qwen3 does
		}
		if err := writeRandom(cfg, moe, path, s.typ); err != nil {
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

func writeRandom(cfg *model.Config, moe *qwen3moe.MoEConfig, path string, typ quant.Type) error {
	w := gguf.NewWriter()
	var kvs []model.MetaKV
	var err error
	if moe != nil {
		kvs, err = qwen3moe.GGUFMetadata(cfg, moe)
	} else {
		kvs, err = model.GGUFMetadata(cfg)
	}
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
	// addNamed writes a tensor of shape (HF order, outermost first) under
	// a GGUF name; matrices (2-D and up) get typ, vectors F32.
	addNamed := func(name string, mtyp quant.Type, shape ...int64) error {
		tt := quant.F32
		if len(shape) >= 2 {
			tt = mtyp
		}
		cols := shape[len(shape)-1]
		rows := int64(1)
		for _, d := range shape[:len(shape)-1] {
			rows *= d
		}
		size, _ := quant.RowBytes(tt, rows*cols)
		var dims []int64
		for i := len(shape) - 1; i >= 0; i-- {
			dims = append(dims, shape[i])
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
	add := func(hf string, shape ...int64) error {
		name, ok := model.HFToGGUF(hf)
		if !ok {
			return fmt.Errorf("no GGUF name for %s", hf)
		}
		return addNamed(name, typ, shape...)
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
		if moe != nil {
			e, ff := int64(moe.NumExperts), int64(moe.MoEIntermediateSize)
			do(addNamed(fmt.Sprintf("blk.%d.ffn_gate_inp.weight", l), quant.F32, e, h))
			do(addNamed(model.ExpertsGGUFName(l, "gate"), typ, e, ff, h))
			do(addNamed(model.ExpertsGGUFName(l, "up"), typ, e, ff, h))
			do(addNamed(model.ExpertsGGUFName(l, "down"), typ, e, h, ff))
			continue
		}
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
