package embed

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/ferrum-go/ferrum/compute"
	"github.com/ferrum-go/ferrum/compute/cpu"
	"github.com/ferrum-go/ferrum/model/bert"
)

type rerankRef struct {
	Query        string    `json:"query"`
	Documents    []string  `json:"documents"`
	InputIDs     [][]int32 `json:"input_ids"`
	TokenTypeIDs [][]int32 `json:"token_type_ids"`
	Logits       []float32 `json:"logits"`
	Scores       []float32 `json:"scores"`
}

// TestRerankModel: the classifier on transformers' own ids and token types
// gives its logits.
func TestRerankModel(t *testing.T) {
	for _, name := range []string{"rerank_bert", "rerank_xlmr"} {
		t.Run(name, func(t *testing.T) {
			dir, ref := loadFixture[rerankRef](t, name)
			be := cpu.New(2)
			defer be.Close()
			c, err := bert.LoadClassifier(dir, be)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			var tokens, types []int32
			var seqs []compute.AttentionSeq
			for i, ids := range ref.InputIDs {
				seqs = append(seqs, compute.AttentionSeq{FirstRow: len(tokens), NumRows: len(ids)})
				tokens = append(tokens, ids...)
				types = append(types, ref.TokenTypeIDs[i]...)
			}
			got, err := c.Classify(context.Background(), tokens, types, seqs)
			if err != nil {
				t.Fatal(err)
			}
			for i, want := range ref.Logits {
				if d := math.Abs(float64(got[i] - want)); d > 1e-5 {
					t.Errorf("pair %d: logit %g, transformers %g", i, got[i], want)
				}
			}
		})
	}
}

// TestRerank: from text, pairs built and truncated (longest_first) like
// transformers and scored like CrossEncoder.predict. transformers 5.17's
// generic tokenizer wrapper gave the BERT fixture token type 0 everywhere
// although its template gives the document type 1 (as BERT tokenizers
// do); so for BERT the ids are compared and the types follow the template.
func TestRerank(t *testing.T) {
	for _, name := range []string{"rerank_bert", "rerank_xlmr"} {
		t.Run(name, func(t *testing.T) {
			dir, ref := loadFixture[rerankRef](t, name)
			r, err := OpenReranker(dir, Options{Threads: 2})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			q := r.tok.Encode(ref.Query, false)
			for i, d := range ref.Documents {
				ids, types, err := r.pair(i, q, r.tok.Encode(d, false), true)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(ids, ref.InputIDs[i]) {
					t.Errorf("pair %d: ids %v, transformers %v", i, ids, ref.InputIDs[i])
				}
				if name == "rerank_xlmr" && !slices.Equal(types, ref.TokenTypeIDs[i]) {
					t.Errorf("pair %d: types %v, transformers %v", i, types, ref.TokenTypeIDs[i])
				}
			}
			if name != "rerank_xlmr" {
				return
			}
			res, usage, err := r.Rerank(context.Background(), ref.Query, ref.Documents, true)
			if err != nil {
				t.Fatal(err)
			}
			for i, want := range ref.Scores {
				if d := math.Abs(float64(res[i].Score - want)); d > 1e-5 || res[i].Index != i {
					t.Errorf("doc %d: score %g, CrossEncoder %g", i, res[i].Score, want)
				}
			}
			if usage.PromptTokens != 32+30+32+32+19 {
				t.Errorf("usage %+v", usage)
			}
			if _, _, err := r.Rerank(context.Background(), ref.Query, ref.Documents, false); !IsTooLong(err) {
				t.Errorf("without truncation: %v", err)
			}
		})
	}
}

func TestLongestFirst(t *testing.T) {
	for _, c := range []struct{ n1, n2, budget, w1, w2 int }{
		{5, 5, 20, 5, 5}, {3, 30, 20, 3, 17}, {30, 3, 20, 17, 3}, {15, 15, 20, 10, 10}, {15, 16, 21, 10, 11}, {40, 50, 5, 2, 3},
	} {
		a, b := longestFirst(c.n1, c.n2, c.budget)
		if a != c.w1 || b != c.w2 {
			t.Errorf("longestFirst(%d, %d, %d) = %d, %d, want %d, %d", c.n1, c.n2, c.budget, a, b, c.w1, c.w2)
		}
	}
}
