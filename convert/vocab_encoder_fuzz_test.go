package convert

import (
	"encoding/json"
	"os"
	"testing"
)

// FuzzEncoderVocab: any tokenizer.json gives an encoder vocabulary or an
// error, never a panic.
func FuzzEncoderVocab(f *testing.F) {
	for _, d := range []string{"bert", "xlmr", "roberta"} {
		if data, err := os.ReadFile("../testdata/embed/" + d + "/tokenizer.json"); err == nil {
			f.Add(data, 400)
		}
	}
	f.Add([]byte(`{"model":{"type":"Unigram","vocab":[["a",1],["b"]],"unk_id":9},"normalizer":{"type":"Sequence","normalizers":[{"type":"Precompiled","precompiled_charsmap":"!!"}]}}`), 3)
	f.Add([]byte(`{"model":{"type":"WordPiece","vocab":{"a":-1}}}`), 2)
	f.Fuzz(func(t *testing.T, data []byte, n int) {
		if n <= 0 || n > 1<<12 {
			return
		}
		var tf tokenizerFile
		if json.Unmarshal(data, &tf) != nil {
			return
		}
		switch tf.Model.Type {
		case "WordPiece":
			_, _ = wordPieceVocab(&tf, n)
		case "Unigram":
			_, _ = unigramVocab(&tf, data, n)
		}
		_ = metaspacePrepends(tf.PreTokenizer)
	})
}
