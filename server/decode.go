package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
)

// decodeBody reads a JSON object into v. A body over the server's limit
// is a 413; malformed JSON and values of the wrong type are 400s naming
// the field.
func (s *Server) decodeBody(w http.ResponseWriter, r *http.Request, v any) *apiError {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return &apiError{Status: http.StatusRequestEntityTooLarge, Type: "invalid_request_error",
				Message: fmt.Sprintf("the request body is larger than the limit of %d bytes", tooBig.Limit)}
		}
		return badRequest("", "reading the request body: %v", err)
	}
	return decodeJSON(body, v)
}

func decodeJSON(body []byte, v any) *apiError {
	if len(bytes.TrimSpace(body)) == 0 {
		return badRequest("", "the request body is empty; send a JSON object")
	}
	err := json.Unmarshal(body, v)
	if err == nil {
		return nil
	}
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var fe *fieldError
	switch {
	case errors.As(err, &syn):
		return badRequest("", "the request body is not valid JSON (at byte %d): %v", syn.Offset, syn)
	case errors.As(err, &typ):
		// The path names embedded Go structs too; the client knows only
		// the JSON fields.
		field := strings.ReplaceAll(typ.Field, "genParams.", "")
		if field == "" {
			return badRequest("", "the request body must be a JSON object, not %s", typ.Value)
		}
		return badRequest(field, "%s: expected %s, got %s", field, jsonTypeName(typ.Type), typ.Value)
	case errors.As(err, &fe):
		return badRequest(fe.field, "%s", fe.msg)
	}
	return badRequest("", "decoding the request: %v", err)
}

func jsonTypeName(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	}
	return t.String()
}

// fieldError is a 400 about a field whose JSON shape is one of several.
type fieldError struct{ field, msg string }

func (e *fieldError) Error() string { return e.msg }

func fieldErr(field, format string, args ...any) *fieldError {
	return &fieldError{field: field, msg: field + ": " + fmt.Sprintf(format, args...)}
}

func isNull(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) == 0 || string(t) == "null"
}

// jsonKind names the JSON type of a raw value, for messages.
func jsonKind(raw json.RawMessage) string {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 {
		return "nothing"
	}
	switch t[0] {
	case '"':
		return "a string"
	case '[':
		return "an array"
	case '{':
		return "an object"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

// prompts is the prompt (completions) or input (embeddings) field: a
// string, an array of strings, an array of token ids, or an array of such
// arrays. Each element is a text or token ids.
type promptInput struct {
	Text   string
	Tokens []int32
	IsText bool
}

func parsePrompts(field string, raw json.RawMessage) ([]promptInput, error) {
	if isNull(raw) {
		return nil, fieldErr(field, "is required")
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return []promptInput{{Text: s, IsText: true}}, nil
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, fieldErr(field, "expected a string, an array of strings, an array of token ids or an array of arrays of token ids, got %s", jsonKind(raw))
	}
	if len(items) == 0 {
		return nil, fieldErr(field, "must not be empty")
	}
	switch jsonKind(items[0]) {
	case "a string":
		out := make([]promptInput, len(items))
		for i, it := range items {
			if err := json.Unmarshal(it, &out[i].Text); err != nil {
				return nil, fieldErr(field, "element %d: expected a string like the first, got %s", i, jsonKind(it))
			}
			out[i].IsText = true
		}
		return out, nil
	case "a number":
		ids, err := parseTokenIDs(field, raw)
		if err != nil {
			return nil, err
		}
		return []promptInput{{Tokens: ids}}, nil
	case "an array":
		out := make([]promptInput, len(items))
		for i, it := range items {
			ids, err := parseTokenIDs(field+"["+strconv.Itoa(i)+"]", it)
			if err != nil {
				return nil, err
			}
			if len(ids) == 0 {
				return nil, fieldErr(field, "element %d is an empty array of token ids", i)
			}
			out[i].Tokens = ids
		}
		return out, nil
	}
	return nil, fieldErr(field, "expected strings or token ids, got an array of %s", strings.TrimPrefix(strings.TrimPrefix(jsonKind(items[0]), "a "), "an "))
}

func parseTokenIDs(field string, raw json.RawMessage) ([]int32, error) {
	var ids []int64
	if err := json.Unmarshal(raw, &ids); err != nil {
		return nil, fieldErr(field, "expected an array of integer token ids")
	}
	out := make([]int32, len(ids))
	for i, id := range ids {
		if id < 0 || id > 1<<31-1 {
			return nil, fieldErr(field, "token id %d is out of range", id)
		}
		out[i] = int32(id)
	}
	return out, nil
}

// parseStop reads stop: a string or an array of strings.
func parseStop(raw json.RawMessage) ([]string, error) {
	if isNull(raw) {
		return nil, nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		if s == "" {
			return nil, nil
		}
		return []string{s}, nil
	}
	var list []string
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, fieldErr("stop", "expected a string or an array of strings, got %s", jsonKind(raw))
	}
	out := list[:0]
	for _, s := range list {
		if s != "" {
			out = append(out, s)
		}
	}
	return out, nil
}

// parseLogitBias reads logit_bias: token ids (as JSON object keys) to
// biases in -100..100.
func parseLogitBias(m map[string]float64) (map[int]float64, error) {
	if len(m) == 0 {
		return nil, nil
	}
	out := make(map[int]float64, len(m))
	for k, v := range m {
		id, err := strconv.Atoi(strings.TrimSpace(k))
		if err != nil {
			return nil, fieldErr("logit_bias", "key %q is not a token id", k)
		}
		out[id] = v
	}
	return out, nil
}
