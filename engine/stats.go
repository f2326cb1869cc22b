package engine

import "time"

// updateStats publishes a snapshot for Stats.
func (e *Engine) updateStats() {
	s := &e.sched
	cached, evictable := e.blocks.NumCached()
	free := e.cache.Alloc.NumFree()
	st := Stats{
		Running: len(s.running), Waiting: len(s.waiting),
		KVBlocks: s.numBlock, KVBlocksUsed: s.numBlock - free - evictable, KVBlocksCached: cached,
		PromptTokens: s.promptTokens, GenerationTokens: s.genTokens, Preemptions: s.preemptions,
		RequestsFinished: s.finished, Steps: s.steps, LastStep: time.Now(),
		ChoicesStop: s.choicesEnded[FinishStop], ChoicesLength: s.choicesEnded[FinishLength],
		ChoicesCancelled: s.choicesEnded[FinishCancelled], ChoicesError: s.choicesEnded[FinishError],
	}
	if s.numBlock > 0 {
		st.KVUsage = float64(st.KVBlocksUsed) / float64(s.numBlock)
	}
	e.statsMu.Lock()
	e.stats = st
	e.statsMu.Unlock()
}
