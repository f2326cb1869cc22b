package server

import (
	"encoding/json"
	"net/http"

	"github.com/ferrum-go/ferrum/chat"
	"github.com/ferrum-go/ferrum/tokenizer"
)

// tokenizeRequest is vLLM's: a prompt, or chat messages rendered through
// the template first.
type tokenizeRequest struct {
	Model                string            `json:"model"`
	Prompt               *string           `json:"prompt"`
	Messages             []wireMessage     `json:"messages"`
	Tools                []json.RawMessage `json:"tools"`
	AddSpecialTokens     *bool             `json:"add_special_tokens"`
	AddGenerationPrompt  *bool             `json:"add_generation_prompt"`
	ContinueFinalMessage bool              `json:"continue_final_message"`
	ChatTemplateKwargs   map[string]any    `json:"chat_template_kwargs"`
	ReturnTokenStrs      bool              `json:"return_token_strs"`
}

type tokenizeResponse struct {
	Count       int      `json:"count"`
	MaxModelLen int      `json:"max_model_len"`
	Tokens      []int    `json:"tokens"`
	TokenStrs   []string `json:"token_strs"`
}

// anyModel finds the model a tokenize call names; "" is the first one.
func (s *Server) anyModel(name string) (*Model, *apiError) {
	if name == "" {
		s.mu.RLock()
		defer s.mu.RUnlock()
		if len(s.models) == 0 {
			return nil, notFound("model", "model_not_found", "no model is loaded")
		}
		return s.models[0], nil
	}
	for _, k := range []modelKind{kindGenerate, kindRerank} {
		if m, e := s.modelOf(name, k); e == nil {
			return m, nil
		}
	}
	return s.modelOf(name, kindEmbed)
}

func (m *Model) tokenizer() (*tokenizer.Tokenizer, int) {
	if m.Generator != nil {
		return m.Generator.Tokenizer(), m.Generator.Options().MaxModelLen
	}
	if m.Reranker != nil {
		return m.Reranker.Tokenizer(), 0
	}
	return m.Embedder.Tokenizer(), m.Embedder.Info().MaxTokens
}

func (s *Server) handleTokenize(w http.ResponseWriter, r *http.Request) *apiError {
	var req tokenizeRequest
	if e := s.decodeBody(w, r, &req); e != nil {
		return e
	}
	m, e := s.anyModel(req.Model)
	if e != nil {
		return e
	}
	tok, maxLen := m.tokenizer()
	var ids []int
	switch {
	case req.Prompt != nil && req.Messages != nil:
		return badRequest("messages", "give either prompt or messages, not both")
	case req.Prompt != nil:
		ids = tok.Encode(*req.Prompt, req.AddSpecialTokens == nil || *req.AddSpecialTokens)
	case req.Messages != nil:
		if m.Chat == nil {
			return badRequest("messages", "model %s has no chat template", m.Names[0])
		}
		msgs, e := toChat(req.Messages)
		if e != nil {
			return e
		}
		tools, _, e := checkTools(req.Tools)
		if e != nil {
			return e
		}
		addGen := req.AddGenerationPrompt == nil && !req.ContinueFinalMessage || req.AddGenerationPrompt != nil && *req.AddGenerationPrompt
		if addGen && req.ContinueFinalMessage {
			return badRequest("continue_final_message", "continue_final_message and add_generation_prompt cannot both be true")
		}
		text, err := m.Chat.Render("", chat.Context{Messages: msgs, Tools: tools, Kwargs: req.ChatTemplateKwargs,
			AddGenerationPrompt: addGen, ContinueFinalMessage: req.ContinueFinalMessage})
		if err != nil {
			return badRequest("messages", "the chat template failed on these messages: %v", err)
		}
		ids = tok.Encode(text, req.AddSpecialTokens != nil && *req.AddSpecialTokens)
	default:
		return badRequest("prompt", "prompt or messages is required")
	}
	resp := tokenizeResponse{Count: len(ids), MaxModelLen: maxLen, Tokens: ids}
	if resp.Tokens == nil {
		resp.Tokens = []int{}
	}
	if req.ReturnTokenStrs {
		resp.TokenStrs = make([]string, len(ids))
		for i, id := range ids {
			resp.TokenStrs[i], _ = tok.IDToToken(id)
		}
	}
	writeJSON(w, resp)
	return nil
}

type detokenizeRequest struct {
	Model  string `json:"model"`
	Tokens []int  `json:"tokens"`
}

func (s *Server) handleDetokenize(w http.ResponseWriter, r *http.Request) *apiError {
	var req detokenizeRequest
	if e := s.decodeBody(w, r, &req); e != nil {
		return e
	}
	m, e := s.anyModel(req.Model)
	if e != nil {
		return e
	}
	if req.Tokens == nil {
		return badRequest("tokens", "tokens is required")
	}
	tok, _ := m.tokenizer()
	vocab := tok.VocabSize()
	for i, id := range req.Tokens {
		if id < 0 || id >= vocab {
			return badRequest("tokens", "tokens[%d] = %d is outside the vocabulary of %d", i, id, vocab)
		}
	}
	writeJSON(w, map[string]string{"prompt": tok.Decode(req.Tokens, false)})
	return nil
}
