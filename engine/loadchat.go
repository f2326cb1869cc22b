package engine

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/ferrum-go/ferrum/chat"
	"github.com/ferrum-go/ferrum/format/gguf"
)

// LoadChat finds and compiles a model's chat template: templateFile when
// given (a Jinja file, or a tokenizer_config.json), else the model
// folder's chat_template.jinja / tokenizer_config.json, a GGUF's
// tokenizer.chat_template, or the folder beside any other single file. It
// returns nil and no error when the model has no template. Open uses it;
// so does ferrum serve, which hands the result to package server.
func LoadChat(modelPath, templateFile string) (*chat.Chat, error) {
	if templateFile != "" {
		src, err := chat.LoadFile(templateFile)
		if err != nil {
			return nil, fmt.Errorf("chat template file: %w", err)
		}
		return src.Compile()
	}
	st, err := os.Stat(modelPath)
	if err != nil {
		return nil, err
	}
	var src *chat.Source
	switch {
	case st.IsDir():
		src, err = chat.LoadDir(modelPath)
	case strings.EqualFold(filepath.Ext(modelPath), ".gguf"):
		f, err := gguf.Open(modelPath)
		if err != nil {
			return nil, err
		}
		t, terr := f.Metadata.String("tokenizer.chat_template")
		f.Close()
		if terr != nil {
			return nil, nil
		}
		src = chat.FromString(modelPath+": tokenizer.chat_template", t)
	default:
		src, err = chat.LoadDir(filepath.Dir(modelPath))
	}
	if errors.Is(err, chat.ErrNoTemplate) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return src.Compile()
}
