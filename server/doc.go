// Package server is Ferrum's OpenAI-compatible HTTP API: chat and text
// completions (streamed as server-sent events or not), embeddings, model
// listing, vLLM's tokenize/detokenize and Prometheus metrics under vLLM's
// names. docs/api.md lists every endpoint and field.
//
//	s := server.New(server.Config{APIKey: key})
//	s.AddModel(&server.Model{Names: []string{"qwen3"}, Generator: eng, Chat: tmpl})
//	s.SetReady()
//	err := s.Serve(ctx, listener, 30*time.Second) // drains when ctx ends
//
// A chat request is rendered through the model's template here (so the
// server knows the prompt text: whether it opened a <think> section, which
// tools it shows), tokenized, and handed to the engine as token ids. The
// answer's text goes through chat.Reasoning.Split and chat.ParseToolCalls;
// streams re-split the growing text after each delta and send what grew,
// so the streamed pieces always add up to the non-streamed answer.
package server
