package server

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/ferrum-go/ferrum/embed"
)

type embeddingRequest struct {
	Model                string          `json:"model"`
	Input                json.RawMessage `json:"input"`
	EncodingFormat       string          `json:"encoding_format"`
	Dimensions           *int            `json:"dimensions"`
	User                 string          `json:"user"`
	TruncatePromptTokens *int            `json:"truncate_prompt_tokens"`
}

type embeddingData struct {
	Object    string `json:"object"`
	Index     int    `json:"index"`
	Embedding any    `json:"embedding"`
}

func (s *Server) handleEmbeddings(w http.ResponseWriter, r *http.Request) *apiError {
	var req embeddingRequest
	if e := s.decodeBody(w, r, &req); e != nil {
		return e
	}
	m, e := s.model(req.Model, false)
	if e != nil {
		return e
	}
	inputs, err := parsePrompts("input", req.Input)
	if err != nil {
		return asAPIError(err)
	}
	info := m.Embedder.Info()
	switch req.EncodingFormat {
	case "", "float", "base64":
	default:
		return badRequest("encoding_format", "encoding_format %q is not one of float, base64", req.EncodingFormat)
	}
	if req.Dimensions != nil && *req.Dimensions != info.Dim {
		return badRequest("dimensions", "dimensions %d differs from the model's %d (truncated embeddings are not supported)", *req.Dimensions, info.Dim)
	}
	truncate := false
	if t := req.TruncatePromptTokens; t != nil {
		if *t != -1 && *t != info.MaxTokens {
			return badRequest("truncate_prompt_tokens", "truncate_prompt_tokens must be -1 or the model's limit %d (truncation to other lengths is not supported)", info.MaxTokens)
		}
		truncate = true
	}
	batch := make([]embed.Input, len(inputs))
	for i, in := range inputs {
		if in.IsText && in.Text == "" {
			return badRequest("input", "input %d is an empty string", i)
		}
		batch[i] = embed.Input{Text: in.Text, Tokens: in.Tokens, Truncate: truncate}
	}
	release, e := s.admit()
	if e != nil {
		return e
	}
	defer release()
	start := time.Now()
	vecs, use, err := m.embed(r.Context(), batch)
	m.metrics.embedded(use.PromptTokens, time.Since(start).Seconds(), err == nil)
	if err != nil {
		switch {
		case r.Context().Err() != nil:
			return nil
		case embed.IsTooLong(err):
			return badRequest("input", "%v (set truncate_prompt_tokens to -1 to cut inputs to the limit)", err)
		case strings.Contains(err.Error(), "vocabulary") || strings.Contains(err.Error(), "no tokens"):
			return badRequest("input", "%v", err)
		}
		return serverError("embedding failed: %v", err)
	}
	data := make([]embeddingData, len(vecs))
	for i, v := range vecs {
		d := embeddingData{Object: "embedding", Index: i, Embedding: v}
		if req.EncodingFormat == "base64" {
			d.Embedding = base64Floats(v)
		}
		data[i] = d
	}
	writeJSON(w, map[string]any{"object": "list", "data": data, "model": m.Names[0],
		"usage": map[string]int{"prompt_tokens": use.PromptTokens, "total_tokens": use.TotalTokens}})
	return nil
}

// embed runs one request at a time per model: a forward pass already uses
// every core, and queueing keeps a burst from multiplying memory.
func (m *Model) embed(ctx context.Context, in []embed.Input) ([]embed.Vector, embed.Usage, error) {
	select {
	case m.embedTurn <- struct{}{}:
	case <-ctx.Done():
		return nil, embed.Usage{}, ctx.Err()
	}
	defer func() { <-m.embedTurn }()
	if err := ctx.Err(); err != nil {
		return nil, embed.Usage{}, err
	}
	vecs, u, err := m.Embedder.Embed(ctx, in)
	if err == nil && len(vecs) != len(in) {
		err = errors.New("the embedder returned a wrong number of vectors")
	}
	return vecs, u, err
}

// base64Floats is OpenAI's base64 encoding: little-endian float32s.
func base64Floats(v []float32) string {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return base64.StdEncoding.EncodeToString(b)
}
