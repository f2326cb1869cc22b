package tokenizer

// postProcessor adds the special tokens around an encoded sequence.
type postProcessor interface {
	process(ids []int, addSpecial bool) []int
}

type seqPost []postProcessor

func (s seqPost) process(ids []int, add bool) []int {
	for _, p := range s {
		ids = p.process(ids, add)
	}
	return ids
}

// templatePost is TemplateProcessing's single-sequence template: each item
// is either the sequence itself (nil) or a run of special-token ids.
type templatePost struct {
	items [][]int
}

func (t templatePost) process(ids []int, add bool) []int {
	if !add {
		return ids
	}
	out := make([]int, 0, len(ids)+4)
	for _, it := range t.items {
		if it == nil {
			out = append(out, ids...)
		} else {
			out = append(out, it...)
		}
	}
	return out
}

// wrapPost is BertProcessing and RobertaProcessing: cls + ids + sep.
type wrapPost struct{ cls, sep int }

func (w wrapPost) process(ids []int, add bool) []int {
	if !add {
		return ids
	}
	out := make([]int, 0, len(ids)+2)
	out = append(out, w.cls)
	out = append(out, ids...)
	return append(out, w.sep)
}

// noopPost is ByteLevel's post-processor, which only trims offsets.
type noopPost struct{}

func (noopPost) process(ids []int, _ bool) []int { return ids }
