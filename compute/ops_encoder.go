package compute

// EncoderBackend is the ops embedding models add to Backend: the tanh form
// of GELU (BERT checkpoints with hidden_act gelu_new / gelu_pytorch_tanh),
// tanh (classification heads) and the sentence-transformers poolings, which reduce each sequence's
// rows to one vector on the device so only the vectors come back.
type EncoderBackend interface {
	// GELUTanh: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). dst may alias x.
	GELUTanh(dst, x Tensor)
	// Tanh: dst = tanh(x), the activation of BERT's pooler and of
	// RoBERTa's classification head. dst may alias x.
	Tanh(dst, x Tensor)
	// Pool writes one row per sequence into dst (len(seqs) x Cols).
	Pool(dst, x Tensor, seqs []AttentionSeq, mode PoolMode)
}

// PoolMode is a sentence-transformers pooling mode.
type PoolMode uint8

const (
	PoolCLS          PoolMode = iota // the sequence's first row
	PoolMean                         // the mean of its rows
	PoolMax                          // the elementwise max of its rows
	PoolLastToken                    // its last row
	PoolWeightedMean                 // rows weighted by position+1 (1, 2, ...), divided by the weights' sum
)

var poolNames = [...]string{"cls", "mean", "max", "lasttoken", "weightedmean"}

func (m PoolMode) String() string {
	if int(m) < len(poolNames) {
		return poolNames[m]
	}
	return "unknown"
}

// ParsePoolMode reads sentence-transformers' pooling_mode names.
func ParsePoolMode(s string) (PoolMode, bool) {
	for i, n := range poolNames {
		if n == s {
			return PoolMode(i), true
		}
	}
	return 0, false
}
