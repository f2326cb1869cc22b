package hub

import (
	"errors"
	"fmt"
)

// Sentinel errors; the errors returned wrap one of them, so callers can test
// with errors.Is and still print a message that says what to do.
var (
	ErrRepoNotFound     = errors.New("repository not found")
	ErrRevisionNotFound = errors.New("revision not found")
	ErrFileNotFound     = errors.New("file not found in repository")
	ErrGated            = errors.New("gated repository")
	ErrUnauthorized     = errors.New("not authorized")
	ErrNotCached        = errors.New("not in the local cache")
	ErrChecksum         = errors.New("checksum mismatch")
	ErrUnknownAlias     = errors.New("unknown model alias")
)

// HTTPError is an unexpected answer from the hub; Code and Message come from
// the X-Error-Code and X-Error-Message headers the hub sets on errors.
type HTTPError struct {
	URL     string
	Status  int
	Code    string
	Message string
}

func (e *HTTPError) Error() string {
	msg := fmt.Sprintf("%s: HTTP %d", e.URL, e.Status)
	if e.Code != "" {
		msg += " " + e.Code
	}
	if e.Message != "" {
		msg += ": " + e.Message
	}
	return msg
}

// notCachedError says what was looked for and why nothing was downloaded.
type notCachedError struct {
	what, cacheDir, why string
}

func (e *notCachedError) Error() string {
	return fmt.Sprintf("%s is not in the local cache %s (%s)", e.what, e.cacheDir, e.why)
}

func (e *notCachedError) Unwrap() error { return ErrNotCached }
