package embed

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferrum-go/ferrum/compute"
)

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// The layout of sentence-transformers 2.x-5.x: old module type names,
// one boolean per pooling mode, max_seq_length and do_lower_case in
// sentence_bert_config.json.
func TestLayoutOldFormat(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"modules.json": `[{"idx":0,"name":"0","path":"","type":"sentence_transformers.models.Transformer"},
			{"idx":1,"name":"1","path":"1_Pooling","type":"sentence_transformers.models.Pooling"},
			{"idx":2,"name":"2","path":"2_Normalize","type":"sentence_transformers.models.Normalize"}]`,
		"1_Pooling/config.json": `{"word_embedding_dimension": 384, "pooling_mode_cls_token": false,
			"pooling_mode_mean_tokens": false, "pooling_mode_max_tokens": false,
			"pooling_mode_mean_sqrt_len_tokens": false, "pooling_mode_weightedmean_tokens": true,
			"pooling_mode_lasttoken": false}`,
		"sentence_bert_config.json": `{"max_seq_length": 256, "do_lower_case": true}`,
		"tokenizer_config.json":     `{"model_max_length": 512}`,
	})
	l, err := ReadLayout(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	if l.Pooling != compute.PoolWeightedMean || !l.Normalize || l.MaxSeqLength != 256 || !l.DoLowerCase || !l.FromSentenceTransformers {
		t.Errorf("layout %+v", l)
	}
}

// Without sentence-transformers files: mean (encoders) or lasttoken
// (decoders), normalized; a tokenizer's 1e30 "no limit" is no limit.
func TestLayoutDefaults(t *testing.T) {
	dir := writeFiles(t, map[string]string{"tokenizer_config.json": `{"model_max_length": 1000000000000000019884624838656}`})
	for _, dec := range []bool{false, true} {
		l, err := ReadLayout(dir, dec)
		if err != nil {
			t.Fatal(err)
		}
		want := compute.PoolMean
		if dec {
			want = compute.PoolLastToken
		}
		if l.Pooling != want || !l.Normalize || l.MaxSeqLength != 0 || l.FromSentenceTransformers {
			t.Errorf("decoder=%v: %+v", dec, l)
		}
	}
}

func TestLayoutErrors(t *testing.T) {
	for _, c := range []struct {
		files map[string]string
		want  string
	}{
		{map[string]string{"modules.json": `[{"path":"","type":"sentence_transformers.models.Transformer"},
			{"path":"1_Pooling","type":"sentence_transformers.models.Pooling"},
			{"path":"2_Dense","type":"sentence_transformers.models.Dense"}]`,
			"1_Pooling/config.json": `{"pooling_mode": "cls"}`}, `module 2 has type "sentence_transformers.models.Dense"`},
		{map[string]string{"modules.json": `[{"path":"1_Pooling","type":"x.Pooling"}]`,
			"1_Pooling/config.json": `{"pooling_mode": "median"}`}, `pooling_mode "median" is not supported`},
		{map[string]string{"modules.json": `[{"path":"1_Pooling","type":"x.Pooling"}]`,
			"1_Pooling/config.json": `{"pooling_mode_cls_token": true, "pooling_mode_mean_tokens": true}`}, "2 pooling modes are on"},
		{map[string]string{"modules.json": `[{"path":"","type":"x.Transformer"}]`}, "no Pooling module"},
		{map[string]string{"modules.json": `{`}, "modules.json"},
	} {
		_, err := ReadLayout(writeFiles(t, c.files), false)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("error %v, want it to mention %q", err, c.want)
		}
	}
}

func FuzzParsePooling(f *testing.F) {
	f.Add([]byte(`{"pooling_mode": "mean"}`))
	f.Add([]byte(`{"pooling_mode_cls_token": true}`))
	f.Add([]byte(`{"pooling_mode_mean_sqrt_len_tokens": true}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := parsePooling(data)
		if err == nil && m.String() == "unknown" {
			t.Errorf("accepted mode %d", m)
		}
	})
}
