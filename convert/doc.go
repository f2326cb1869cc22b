// Package convert writes GGUF files: an HF folder (config.json,
// safetensors, tokenizer.json) to GGUF with the metadata and vocabulary
// llama.cpp's convert_hf_to_gguf.py writes, and a GGUF file to another
// GGUF type (requantization). Tensor types follow llama.cpp's
// llama-quantize recipes (llama_tensor_get_type), so a Q4_K_M made here has
// the same per-tensor types as one made by llama.cpp, and since package
// quant encodes bit-exactly like ggml, the same bytes.
//
// Tensors stream to the output one row chunk at a time, so a model larger
// than RAM converts: sources are memory-mapped and each tensor is produced
// only while the writer reaches it.
package convert
