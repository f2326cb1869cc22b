package embed

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/ferrum-go/ferrum/compute"
)

// Layout is what a sentence-transformers folder says about turning token
// states into a sentence vector. Absent files leave the defaults
// documented in docs/models.md ("Embedding models").
type Layout struct {
	Pooling   compute.PoolMode
	Normalize bool
	// MaxSeqLength is sentence_bert_config.json's max_seq_length, else
	// tokenizer_config.json's model_max_length when it is a real limit;
	// 0 when neither says (the model's position table decides).
	MaxSeqLength int
	DoLowerCase  bool
	// FromSentenceTransformers is true when modules.json was found.
	FromSentenceTransformers bool
}

type stModule struct {
	Idx  int    `json:"idx"`
	Name string `json:"name"`
	Path string `json:"path"`
	Type string `json:"type"`
}

// stPooling covers both spellings of 1_Pooling/config.json:
// sentence-transformers 6 ("pooling_mode": "mean") and earlier (one bool
// per mode).
type stPooling struct {
	PoolingMode      string `json:"pooling_mode"`
	CLS              bool   `json:"pooling_mode_cls_token"`
	Mean             bool   `json:"pooling_mode_mean_tokens"`
	Max              bool   `json:"pooling_mode_max_tokens"`
	MeanSqrtLen      bool   `json:"pooling_mode_mean_sqrt_len_tokens"`
	WeightedMean     bool   `json:"pooling_mode_weightedmean_tokens"`
	LastToken        bool   `json:"pooling_mode_lasttoken"`
	EmbeddingDim     int    `json:"embedding_dimension"`
	WordEmbeddingDim int    `json:"word_embedding_dimension"`
}

func (p *stPooling) mode() (compute.PoolMode, error) {
	if p.PoolingMode != "" {
		m, ok := compute.ParsePoolMode(p.PoolingMode)
		if !ok {
			return 0, fmt.Errorf("pooling_mode %q is not supported (cls, mean, max, lasttoken, weightedmean)", p.PoolingMode)
		}
		return m, nil
	}
	var modes []compute.PoolMode
	for _, c := range []struct {
		on bool
		m  compute.PoolMode
	}{{p.CLS, compute.PoolCLS}, {p.Mean, compute.PoolMean}, {p.Max, compute.PoolMax},
		{p.WeightedMean, compute.PoolWeightedMean}, {p.LastToken, compute.PoolLastToken}} {
		if c.on {
			modes = append(modes, c.m)
		}
	}
	if p.MeanSqrtLen {
		return 0, fmt.Errorf("pooling_mode_mean_sqrt_len_tokens is not supported")
	}
	if len(modes) != 1 {
		return 0, fmt.Errorf("%d pooling modes are on; exactly one is supported", len(modes))
	}
	return modes[0], nil
}

// ReadLayout reads modules.json, 1_Pooling/config.json (or wherever
// modules.json points), sentence_bert_config.json and the tokenizer's
// model_max_length from dir. decoder picks the default pooling when
// modules.json is absent: lasttoken for decoders, mean for encoders.
func ReadLayout(dir string, decoder bool) (*Layout, error) {
	l := &Layout{Pooling: compute.PoolMean, Normalize: true}
	if decoder {
		l.Pooling = compute.PoolLastToken
	}
	var mods []stModule
	switch err := readJSON(filepath.Join(dir, "modules.json"), &mods); {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, err
	default:
		l.FromSentenceTransformers = true
		l.Normalize = false
		sawPooling := false
		for i, m := range mods {
			kind := m.Type[strings.LastIndex(m.Type, ".")+1:]
			switch kind {
			case "Transformer":
				if m.Path != "" && m.Path != "." {
					return nil, fmt.Errorf("%s: module %d: the Transformer in a subfolder (%q) is not supported", filepath.Join(dir, "modules.json"), i, m.Path)
				}
			case "Pooling":
				path := filepath.Join(dir, m.Path, "config.json")
				data, err := os.ReadFile(path)
				if err != nil {
					return nil, err
				}
				mode, err := parsePooling(data)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", path, err)
				}
				l.Pooling, sawPooling = mode, true
			case "Normalize":
				l.Normalize = true
			default:
				return nil, fmt.Errorf("%s: module %d has type %q, which is not supported (Transformer, Pooling, Normalize)", filepath.Join(dir, "modules.json"), i, m.Type)
			}
		}
		if !sawPooling {
			return nil, fmt.Errorf("%s: no Pooling module", filepath.Join(dir, "modules.json"))
		}
	}
	var sb struct {
		MaxSeqLength int  `json:"max_seq_length"`
		DoLowerCase  bool `json:"do_lower_case"`
	}
	if err := readJSON(filepath.Join(dir, "sentence_bert_config.json"), &sb); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	l.MaxSeqLength, l.DoLowerCase = sb.MaxSeqLength, sb.DoLowerCase
	if l.MaxSeqLength <= 0 {
		// sentence-transformers 6 keeps max_seq_length as the tokenizer's
		// model_max_length; transformers writes 1e30 for "no limit".
		var tc struct {
			ModelMaxLength float64 `json:"model_max_length"`
		}
		if err := readJSON(filepath.Join(dir, "tokenizer_config.json"), &tc); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		if tc.ModelMaxLength > 0 && tc.ModelMaxLength < 1<<24 {
			l.MaxSeqLength = int(tc.ModelMaxLength)
		}
	}
	return l, nil
}

// parsePooling reads a Pooling module's config.json.
func parsePooling(data []byte) (compute.PoolMode, error) {
	var p stPooling
	if err := json.Unmarshal(data, &p); err != nil {
		return 0, err
	}
	return p.mode()
}

func readJSON(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}
