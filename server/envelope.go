package server

import "encoding/json"

// choicesEnvelope is the object around the choices of a streamed chat
// chunk and of a completion (whole or streamed). Usage is raw so that a
// stream can leave it out of a chunk or send it as the request asked.
type choicesEnvelope[C any] struct {
	ID      string          `json:"id"`
	Object  string          `json:"object"`
	Created int64           `json:"created"`
	Model   string          `json:"model"`
	Choices []C             `json:"choices"`
	Usage   json.RawMessage `json:"usage,omitempty"`
}
