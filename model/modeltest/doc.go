// Package modeltest holds the test helpers the decoder packages share
// (model/llama, model/qwen3moe, embed, engine): reading the reference.json
// fixtures transformers wrote, running prompts through Model.Forward as
// varlen batches, comparing logits, and converting an HF fixture folder to
// GGUF through model's name mapping. Only tests import it.
package modeltest
