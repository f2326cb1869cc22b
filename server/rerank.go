package server

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/ferrum-go/ferrum/embed"
)

// rerankRequest is vLLM's (and Jina's / Cohere's) rerank body.
type rerankRequest struct {
	Model                string   `json:"model"`
	Query                *string  `json:"query"`
	Documents            []string `json:"documents"`
	TopN                 *int     `json:"top_n"`
	ReturnDocuments      *bool    `json:"return_documents"`
	TruncatePromptTokens *int     `json:"truncate_prompt_tokens"`
}

type rerankDocument struct {
	Text string `json:"text"`
}

type rerankResult struct {
	Index          int             `json:"index"`
	RelevanceScore float64         `json:"relevance_score"`
	Document       *rerankDocument `json:"document,omitempty"`
}

func (s *Server) handleRerank(w http.ResponseWriter, r *http.Request) *apiError {
	var req rerankRequest
	if e := s.decodeBody(w, r, &req); e != nil {
		return e
	}
	m, e := s.modelOf(req.Model, kindRerank)
	if e != nil {
		return e
	}
	switch {
	case req.Query == nil:
		return badRequest("query", "query is required")
	case *req.Query == "":
		return badRequest("query", "query is an empty string")
	case len(req.Documents) == 0:
		return badRequest("documents", "documents must be a non-empty list of strings")
	}
	for i, d := range req.Documents {
		if d == "" {
			return badRequest("documents", "document %d is an empty string", i)
		}
	}
	topN := len(req.Documents)
	if req.TopN != nil {
		if *req.TopN < 0 {
			return badRequest("top_n", "top_n must not be negative (got %d)", *req.TopN)
		}
		// 0 means all, as vLLM reads it.
		if *req.TopN > 0 && *req.TopN < topN {
			topN = *req.TopN
		}
	}
	truncate := false
	if t := req.TruncatePromptTokens; t != nil {
		if *t != -1 {
			return badRequest("truncate_prompt_tokens", "truncate_prompt_tokens must be -1 (cut each pair to the model's limit; other lengths are not supported)")
		}
		truncate = true
	}
	release, e := s.admit()
	if e != nil {
		return e
	}
	defer release()
	start := time.Now()
	scores, use, err := m.rerank(r.Context(), *req.Query, req.Documents, truncate)
	m.metrics.embedded(use.PromptTokens, time.Since(start).Seconds(), err == nil)
	if err != nil {
		switch {
		case r.Context().Err() != nil:
			return nil
		case embed.IsTooLong(err):
			return badRequest("documents", "%v (set truncate_prompt_tokens to -1 to cut pairs to the limit)", err)
		case strings.Contains(err.Error(), "vocabulary") || strings.Contains(err.Error(), "no tokens") || strings.Contains(err.Error(), "too long"):
			return badRequest("documents", "%v", err)
		}
		return serverError("reranking failed: %v", err)
	}
	results := make([]rerankResult, len(scores))
	for i, sc := range scores {
		results[i] = rerankResult{Index: sc.Index, RelevanceScore: float64(sc.Score)}
		if req.ReturnDocuments == nil || *req.ReturnDocuments {
			results[i].Document = &rerankDocument{Text: req.Documents[sc.Index]}
		}
	}
	// Stable, so equal scores keep document order.
	slices.SortStableFunc(results, func(a, b rerankResult) int {
		switch {
		case a.RelevanceScore > b.RelevanceScore:
			return -1
		case a.RelevanceScore < b.RelevanceScore:
			return 1
		}
		return 0
	})
	writeJSON(w, map[string]any{"id": "rerank-" + randomHex(16), "model": m.Names[0],
		"usage":   map[string]int{"prompt_tokens": use.PromptTokens, "total_tokens": use.TotalTokens},
		"results": results[:topN]})
	return nil
}

// rerank shares the model's one-at-a-time turn with embed (see there).
func (m *Model) rerank(ctx context.Context, query string, docs []string, truncate bool) ([]embed.RerankResult, embed.Usage, error) {
	select {
	case m.embedTurn <- struct{}{}:
	case <-ctx.Done():
		return nil, embed.Usage{}, ctx.Err()
	}
	defer func() { <-m.embedTurn }()
	if err := ctx.Err(); err != nil {
		return nil, embed.Usage{}, err
	}
	out, u, err := m.Reranker.Rerank(ctx, query, docs, truncate)
	if err == nil && len(out) != len(docs) {
		err = errors.New("the reranker returned a wrong number of scores")
	}
	for _, sc := range out {
		if err == nil && (sc.Index < 0 || sc.Index >= len(docs)) {
			err = errors.New("the reranker returned a document index out of range")
		}
	}
	return out, u, err
}
