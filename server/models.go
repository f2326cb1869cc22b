package server

import (
	"net/http"
)

type modelCard struct {
	ID          string `json:"id"`
	Object      string `json:"object"`
	Created     int64  `json:"created"`
	OwnedBy     string `json:"owned_by"`
	Root        string `json:"root,omitempty"`
	MaxModelLen int    `json:"max_model_len,omitempty"`
}

func (s *Server) cards() []modelCard {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []modelCard
	for _, m := range s.models {
		maxLen := 0
		if m.Generator != nil {
			maxLen = m.Generator.Options().MaxModelLen
		} else if m.Embedder != nil {
			maxLen = m.Embedder.Info().MaxTokens
		}
		for _, n := range m.Names {
			out = append(out, modelCard{ID: n, Object: "model", Created: m.created, OwnedBy: "ferrum", Root: m.Root, MaxModelLen: maxLen})
		}
	}
	return out
}

func (s *Server) handleModels(w http.ResponseWriter, r *http.Request) *apiError {
	cards := s.cards()
	if cards == nil {
		cards = []modelCard{}
	}
	writeJSON(w, map[string]any{"object": "list", "data": cards})
	return nil
}

func (s *Server) handleModel(w http.ResponseWriter, r *http.Request) *apiError {
	id := r.PathValue("id")
	for _, c := range s.cards() {
		if c.ID == id {
			writeJSON(w, c)
			return nil
		}
	}
	return notFound("model", "model_not_found", "the model `%s` does not exist", id)
}
