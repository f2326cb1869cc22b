package tokenizer

import (
	"math/rand/v2"
	"os"
	"strings"
	"testing"
)

// benchText builds about 1 MB of mixed text (English prose, code, numbers,
// CJK, emoji, Cyrillic) from a fixed seed. The same bytes, written to
// .dev/bench.txt, are what tools/refgen/tokenizers.py times HF on.
func benchText() string {
	if p := os.Getenv("TOKBENCH_TEXT"); p != "" {
		if b, err := os.ReadFile(p); err == nil {
			return string(b)
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	words := strings.Fields(`the of and to in is was for on that with as by at from it be this are or
		an have not which one you they but all were we there can their has more other if will when what
		so time about out up into some could them see people only also new first way after many world
		language model token tokenizer encode decode byte pair merge vocabulary system memory request
		server client engine batch cache sequence attention layer weight matrix vector compute kernel
		performance latency throughput don't it's we're they've I'll she'd`)
	code := []string{
		"func (s *Server) Handle(w http.ResponseWriter, r *http.Request) {",
		"\tif err := json.NewDecoder(r.Body).Decode(&req); err != nil {",
		"\t\treturn fmt.Errorf(\"decode %s: %w\", name, err)",
		"for i := 0; i < len(xs); i++ { sum += xs[i] * 2 }",
		"def forward(self, x: torch.Tensor) -> torch.Tensor:",
		"    return self.proj(F.silu(self.gate(x)) * self.up(x))",
		"SELECT id, name FROM users WHERE created_at > '2024-01-01' ORDER BY id;",
		"const total = items.reduce((acc, it) => acc + it.price * it.qty, 0);",
	}
	cjk := []rune("的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明其种声全工己话儿者向情部正名定女问力机给等几很业最间新什打便位因重被走电四第门相次东政海口使教西再平真听世气信北少关并内加化由却代军产入先山五太水万市眼体别处总才场师书比住员九笑性通目华报立马命张活难神数件安表原车白应路期叫死常提感金何更反合放做系计或司利受光王果亲界及今京务制解各任至清物台象记边共风战干接它许八特觉望直服毛林题建南度统色字请交爱让认算论百吃义科怎元社术结六功指思非流每青管夫连远资队跟带花快条院变联言权往展该领传近留红治决周保达办运武半候七必城父强步完革深区即求品士转量空甚众技轻程告江语英基派满式李息写呢识极令黄德收脸钱党倒未持取设始版双历越史商千片容研像找友孩站广改议形委早房音火际则首单据导影失拿网香似斯专石若兵弟谁校读志飞观争究包组造落视济喜离虽坏兴切热照投终阿类约器")
	emoji := []string{"😀", "👍🏽", "👨‍👩‍👧", "🇯🇵", "🚀", "❤️"}
	cyr := strings.Fields("привет мир это тест языковой модели токенизатор кодирует текст быстро")
	var b strings.Builder
	for b.Len() < 1<<20 {
		switch k := r.IntN(10); {
		case k < 5: // prose
			for n := 20 + r.IntN(150); n > 0; n-- {
				w := words[r.IntN(len(words))]
				if r.IntN(12) == 0 {
					w = strings.ToUpper(w[:1]) + w[1:]
				}
				b.WriteString(w)
				switch p := r.IntN(20); {
				case p == 0:
					b.WriteString(". ")
				case p == 1:
					b.WriteString(", ")
				case p == 2:
					b.WriteString(" " + strings.Repeat("1234567890", 1)[:1+r.IntN(9)] + " ")
				case p == 3:
					b.WriteString(" " + emoji[r.IntN(len(emoji))] + " ")
				default:
					b.WriteByte(' ')
				}
			}
		case k < 7: // code
			for n := 3 + r.IntN(15); n > 0; n-- {
				b.WriteString(strings.Repeat("    ", r.IntN(3)))
				b.WriteString(code[r.IntN(len(code))])
				b.WriteByte('\n')
			}
		case k < 9: // CJK
			for n := 30 + r.IntN(200); n > 0; n-- {
				b.WriteRune(cjk[r.IntN(len(cjk))])
				if r.IntN(15) == 0 {
					b.WriteString("，")
				}
			}
			b.WriteString("。")
		default:
			for n := 10 + r.IntN(60); n > 0; n-- {
				b.WriteString(cyr[r.IntN(len(cyr))])
				b.WriteByte(' ')
			}
		}
		b.WriteString("\n\n")
	}
	return b.String()
}

func TestWriteBenchText(t *testing.T) {
	p := os.Getenv("TOKBENCH_WRITE")
	if p == "" {
		t.Skip("set TOKBENCH_WRITE=path to write the benchmark text")
	}
	if err := os.WriteFile(p, []byte(benchText()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkEncodeDocs encodes every paragraph of the benchmark text, as
// the HF side does with one encode call per paragraph.
func BenchmarkEncodeDocs(b *testing.B) {
	text := benchText()
	docs := strings.Split(text, "\n\n")
	names := []string{"qwen3", "llama3", "llama2"}
	if os.Getenv("TOKBENCH_ALL") != "" {
		names = append(names, "bert-wordpiece", "unigram-sp", "unigram-bf")
	}
	for _, name := range names {
		b.Run(name, func(b *testing.B) {
			tk := loadTestTokenizer(b, name)
			b.SetBytes(int64(len(text)))
			b.ReportAllocs()
			n := 0
			for i := 0; i < b.N; i++ {
				n = 0
				for _, d := range docs {
					n += len(tk.Encode(d, false))
				}
			}
			b.ReportMetric(float64(n), "tokens")
		})
	}
}

// BenchmarkEncodeWhole encodes the whole benchmark text in one call.
func BenchmarkEncodeWhole(b *testing.B) {
	text := benchText()
	for _, name := range []string{"qwen3", "llama3", "llama2"} {
		b.Run(name, func(b *testing.B) {
			tk := loadTestTokenizer(b, name)
			b.SetBytes(int64(len(text)))
			n := 0
			for i := 0; i < b.N; i++ {
				n = len(tk.Encode(text, false))
			}
			b.ReportMetric(float64(n), "tokens")
		})
	}
}

// BenchmarkLoad reads and builds the Qwen3 tokenizer (11 MB of JSON).
func BenchmarkLoad(b *testing.B) {
	for i := 0; i < b.N; i++ {
		if _, err := Load(testdataDir + "/qwen3"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncodeShort is one short chat-sized message per call.
func BenchmarkEncodeShort(b *testing.B) {
	tk := loadTestTokenizer(b, "qwen3")
	msg := "<|im_start|>user\nWhat's the capital of France? Answer in one word.<|im_end|>\n<|im_start|>assistant\n"
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		tk.Encode(msg, false)
	}
}
