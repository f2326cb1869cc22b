package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
)

// apiError is an error in OpenAI's shape, with the HTTP status it goes out
// with.
type apiError struct {
	Status  int     `json:"-"`
	Message string  `json:"message"`
	Type    string  `json:"type"`
	Param   *string `json:"param"`
	Code    any     `json:"code"`
}

func (e *apiError) Error() string { return e.Message }

func param(name string) *string {
	if name == "" {
		return nil
	}
	return &name
}

// badRequest is a 400 about one field of the request (name may be "").
func badRequest(name, format string, args ...any) *apiError {
	return &apiError{Status: http.StatusBadRequest, Message: fmt.Sprintf(format, args...),
		Type: "invalid_request_error", Param: param(name)}
}

func notFound(name, code, format string, args ...any) *apiError {
	return &apiError{Status: http.StatusNotFound, Message: fmt.Sprintf(format, args...),
		Type: "invalid_request_error", Param: param(name), Code: code}
}

func unavailable(format string, args ...any) *apiError {
	return &apiError{Status: http.StatusServiceUnavailable, Message: fmt.Sprintf(format, args...),
		Type: "service_unavailable", Code: "service_unavailable"}
}

func serverError(format string, args ...any) *apiError {
	return &apiError{Status: http.StatusInternalServerError, Message: fmt.Sprintf(format, args...),
		Type: "server_error"}
}

// writeError sends err as {"error": {...}}.
func writeError(w http.ResponseWriter, err *apiError) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	if err.Status == http.StatusTooManyRequests || err.Status == http.StatusServiceUnavailable {
		h.Set("Retry-After", "1")
	}
	w.WriteHeader(err.Status)
	json.NewEncoder(w).Encode(map[string]*apiError{"error": err})
}

// marshal encodes like json.Marshal but leaves <, > and & as they are,
// as OpenAI's API does.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// writeJSON sends v with status 200.
func writeJSON(w http.ResponseWriter, v any) {
	b, err := marshal(v)
	if err != nil {
		writeError(w, serverError("encoding the response: %v", err))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(append(b, '\n'))
}
