package llama

import (
	"context"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ferrum-go/ferrum/compute/cpu"
	"github.com/ferrum-go/ferrum/format/gguf"
	"github.com/ferrum-go/ferrum/model"
	"github.com/ferrum-go/ferrum/quant"
)

// TestRealShape builds a random-weight GGUF with the shape of a released
// model (Llama-3.2-1B or Qwen3-0.6B) and times load, prefill and decode.
// It writes about a gigabyte, so it runs only with FERRUM_REALSHAPE set
// (to a folder that keeps the files between runs).
func TestRealShape(t *testing.T) {
	out := os.Getenv("FERRUM_REALSHAPE")
	if out == "" {
		t.Skip("set FERRUM_REALSHAPE=<folder> to build and time real-shape GGUFs")
	}
	shapes := map[string]string{
		"llama-3.2-1b": `{"architectures":["LlamaForCausalLM"],"model_type":"llama","vocab_size":128256,"hidden_size":2048,
			"intermediate_size":8192,"num_hidden_layers":16,"num_attention_heads":32,"num_key_value_heads":8,"head_dim":64,
			"max_position_embeddings":131072,"rms_norm_eps":1e-5,"rope_theta":500000.0,"tie_word_embeddings":true,
			"rope_scaling":{"factor":32.0,"high_freq_factor":4.0,"low_freq_factor":1.0,"original_max_position_embeddings":8192,"rope_type":"llama3"}}`,
		"qwen3-0.6b": `{"architectures":["Qwen3ForCausalLM"],"model_type":"qwen3","vocab_size":151936,"hidden_size":1024,
			"intermediate_size":3072,"num_hidden_layers":28,"num_attention_heads":16,"num_key_value_heads":8,"head_dim":128,
			"max_position_embeddings":40960,"rms_norm_eps":1e-6,"rope_theta":1000000.0,"tie_word_embeddings":true}`,
	}
	for name, js := range shapes {
		t.Run(name, func(t *testing.T) {
			cfg, err := model.ParseHFConfig([]byte(js))
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(out, name+"-Q8_0.gguf")
			if _, err := os.Stat(path); err != nil {
				writeRandomGGUF(t, cfg, path, quant.Q8_0)
			}
			be := cpu.New(0)
			defer be.Close()
			start := time.Now()
			m, err := model.Load(path, be, model.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			load := time.Since(start)
			cache, _ := model.NewCache(be, m.Config(), 64, 16)
			prompt := make([]int32, 32)
			for i := range prompt {
				prompt[i] = int32(i * 97 % cfg.VocabSize)
			}
			start = time.Now()
			ids, _, err := model.Greedy(context.Background(), m, cache, prompt, 1, 0, nil)
			if err != nil {
				t.Fatal(err)
			}
			prefill := time.Since(start)
			start = time.Now()
			ids, _, err = model.Greedy(context.Background(), m, cache, prompt[:1], 9, 0, nil)
			if err != nil {
				t.Fatal(err)
			}
			decode := time.Since(start)
			t.Logf("%s Q8_0 on %d threads: load %v, 32-token prefill %v (%.1f tok/s), 1+8 decode tokens %v (%.2f tok/s), ids %v",
				name, be.Threads(), load.Round(time.Millisecond), prefill.Round(time.Millisecond), 32/prefill.Seconds(),
				decode.Round(time.Millisecond), 9/decode.Seconds(), ids)
		})
	}
}

// writeRandomGGUF streams normal(0, 0.02) weights (norms near 1) of cfg's
// shapes into a GGUF, quantizing matrices to typ.
func writeRandomGGUF(t *testing.T, cfg *model.Config, path string, typ quant.Type) {
	t.Helper()
	w := gguf.NewWriter()
	kvs, err := model.GGUFMetadata(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, kv := range kvs {
		w.Set(kv.Key, kv.Value)
	}
	add := func(hf string, shape ...int64) {
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
		name, _ := model.HFToGGUF(hf)
		dims := []int64{cols}
		if len(shape) == 2 {
			dims = append(dims, rows)
		}
		seed := uint64(len(hf)) * 7919
		err := w.AddTensorFunc(name, tt, dims, func(wr io.Writer) error {
			rng := rand.New(rand.NewPCG(seed, 1))
			buf := make([]float32, cols)
			for r := int64(0); r < rows; r++ {
				for i := range buf {
					if len(shape) == 1 {
						buf[i] = 1 + 0.1*float32(rng.NormFloat64())
					} else {
						buf[i] = 0.02 * float32(rng.NormFloat64())
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
		if err != nil {
			t.Fatal(err)
		}
	}
	h, in := int64(cfg.HiddenSize), int64(cfg.IntermediateSize)
	q, kv := int64(cfg.NumHeads*cfg.HeadDim), int64(cfg.NumKVHeads*cfg.HeadDim)
	add("model.embed_tokens.weight", int64(cfg.VocabSize), h)
	for l := 0; l < cfg.NumLayers; l++ {
		p := func(s string) string { return model.LayerName(l, s) }
		add(p("input_layernorm.weight"), h)
		add(p("self_attn.q_proj.weight"), q, h)
		add(p("self_attn.k_proj.weight"), kv, h)
		add(p("self_attn.v_proj.weight"), kv, h)
		add(p("self_attn.o_proj.weight"), h, q)
		if cfg.QKNorm {
			add(p("self_attn.q_norm.weight"), int64(cfg.HeadDim))
			add(p("self_attn.k_norm.weight"), int64(cfg.HeadDim))
		}
		add(p("post_attention_layernorm.weight"), h)
		add(p("mlp.gate_proj.weight"), in, h)
		add(p("mlp.up_proj.weight"), in, h)
		add(p("mlp.down_proj.weight"), h, in)
	}
	add("model.norm.weight", h)
	if ff, _ := model.GGUFRopeFreqs(cfg); ff != nil {
		b := make([]byte, 4*len(ff))
		for i, f := range ff {
			u := math.Float32bits(f)
			b[4*i], b[4*i+1], b[4*i+2], b[4*i+3] = byte(u), byte(u>>8), byte(u>>16), byte(u>>24)
		}
		w.AddTensor(model.RopeFreqsName, quant.F32, []int64{int64(len(ff))}, b)
	}
	if err := w.WriteFile(path); err != nil {
		t.Fatal(err)
	}
}
