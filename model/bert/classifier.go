package bert

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/ferrum-go/ferrum/compute"
	"github.com/ferrum-go/ferrum/format/safetensors"
	"github.com/ferrum-go/ferrum/model"
	"github.com/ferrum-go/ferrum/nn"
)

// Classifier is an encoder with a sequence-classification head
// (BertForSequenceClassification, RobertaForSequenceClassification,
// XLMRobertaForSequenceClassification): cross-encoder rerankers are these
// with one label. The head reads the first token's state.
type Classifier struct {
	*Model
	// BERT: pooler.dense then tanh then classifier; RoBERTa: classifier.dense
	// then tanh then classifier.out_proj.
	dense, out nn.Linear
	labels     int
}

// LoadClassifier opens an HF folder of a *ForSequenceClassification model.
func LoadClassifier(dir string, be compute.Backend) (*Classifier, error) {
	cfg, err := LoadHFConfig(dir)
	if err != nil {
		return nil, err
	}
	var hc struct {
		Architectures []string          `json:"architectures"`
		NumLabels     int               `json:"num_labels"`
		ID2Label      map[string]string `json:"id2label"`
	}
	data, err := os.ReadFile(filepath.Join(dir, "config.json"))
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(data, &hc); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, "config.json"), err)
	}
	if len(hc.Architectures) == 0 || !strings.HasSuffix(hc.Architectures[0], "ForSequenceClassification") {
		return nil, fmt.Errorf("%s: architectures %v is not a sequence classifier", dir, hc.Architectures)
	}
	labels := len(hc.ID2Label)
	if hc.NumLabels > 0 {
		labels = hc.NumLabels
	}
	if labels <= 0 {
		labels = 2 // transformers' default
	}
	ck, err := safetensors.OpenCheckpoint(dir)
	if err != nil {
		return nil, err
	}
	raw := model.SafetensorsWeights{C: ck}
	m, err := New(cfg, StripPrefix(raw), be)
	if err != nil {
		ck.Close()
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	c := &Classifier{Model: m, labels: labels}
	b := &model.Binder{Backend: be, Weights: raw}
	h := cfg.HiddenSize
	linear := func(name string, out, in int) nn.Linear {
		return nn.Linear{W: b.Matrix(name+".weight", out, in), B: b.Vector(name+".bias", out)}
	}
	if cfg.ModelType == "bert" {
		pooler := "bert.pooler.dense"
		if !b.Has(pooler + ".weight") {
			pooler = "pooler.dense"
		}
		c.dense, c.out = linear(pooler, h, h), linear("classifier", labels, h)
	} else {
		c.dense, c.out = linear("classifier.dense", h, h), linear("classifier.out_proj", labels, h)
	}
	if err := b.Err(); err != nil {
		m.Close()
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	return c, nil
}

// Labels is the number of outputs per sequence.
func (c *Classifier) Labels() int { return c.labels }

// Classify returns each sequence's logits (len(seqs) x Labels, row after
// row). typeIDs may be nil (all 0).
func (c *Classifier) Classify(ctx context.Context, tokens, typeIDs []int32, seqs []compute.AttentionSeq) ([]float32, error) {
	h, err := c.Encode(ctx, tokens, typeIDs, seqs)
	if err != nil {
		return nil, err
	}
	first := make([]int, len(seqs))
	for i, s := range seqs {
		first[i] = s.FirstRow
	}
	be := c.be
	x := c.dense.Forward(be, nn.GatherRows(be, h, first))
	c.enc.Tanh(x, x)
	logits := c.out.Forward(be, x)
	out := make([]float32, len(seqs)*c.labels)
	be.Download(logits, nil, out)
	return out, nil
}
