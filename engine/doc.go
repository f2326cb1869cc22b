// Package engine is Ferrum's library API: Open loads a model with its
// tokenizer and chat template, Generate submits a request and streams its
// tokens back as Events, and one background scheduler loop serves every
// caller. Open also takes embedding models and rerankers (Options.Task, or
// DetectTask from the model's files), which package embed runs behind
// Embed and Rerank with no scheduler. Importing engine links in every
// decoder architecture (model/llama, model/qwen3moe).
//
// Each scheduler step runs one variable-length batch (model.Batch): one
// token of every decoding sequence plus chunks of prompts being prefilled,
// under a token budget (Options.MaxBatchTokens) and a sequence cap
// (Options.MaxSeqs). KV blocks come from a paged pool, grow on demand and
// are shared between sequences through the prefix cache (full blocks
// addressed by a hash chain of their tokens). When blocks run out the
// newest sequence is preempted: its blocks are released and it is later
// recomputed from its prompt and the tokens it already produced, giving
// the same output it would have given uninterrupted.
//
// A request's context cancels it; its blocks are released at the next step
// and its event channel is closed.
package engine
