package node

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"regexp"
)

// What Alertmanager's go-openapi layer checks before a request reaches a
// handler, with its status codes: 415 for a body that is not JSON, 400 for
// one that does not parse, 422 for one that breaks the v2 spec (a required
// field missing, a format not met). The handlers' own checks answer 400.

// go-openapi's error codes in the body of a 422 (errors/schema.go).
const (
	codeInvalidType = 601
	codeRequired    = 602
	codeMinItems    = 612
)

// specError is a 422 answer: go-openapi's code and message. The zero value
// means no error.
type specError struct {
	code int
	msg  string
}

func required(format string, args ...any) specError {
	return specError{codeRequired, fmt.Sprintf(format, args...) + " is required"}
}

// specOK answers 422 for e, if it is an error, and says whether to go on.
func specOK(w http.ResponseWriter, e specError) bool {
	if e.code == 0 {
		return true
	}
	writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"code": e.code, "message": e.msg})
	return false
}

// failSpec answers as the go-openapi layer does when a request breaks the
// protocol before its body is read: {"code":...,"message":...}.
func failSpec(w http.ResponseWriter, code int, format string, args ...any) {
	writeJSON(w, code, map[string]any{"code": code, "message": fmt.Sprintf(format, args...)})
}

// isJSON checks the request's Content-Type as Alertmanager's API does
// (415 for anything but application/json, a missing one counting as
// application/octet-stream). Besides matching it, this closes a hole: a
// form or text/plain POST is a "simple" cross-site request that any web
// page can send without asking (no CORS preflight), while
// application/json from another origin needs a preflight this API never
// grants.
func isJSON(w http.ResponseWriter, r *http.Request) bool {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		ct = "application/octet-stream"
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		failSpec(w, http.StatusBadRequest, "parsing Content-Type header from %q failed, because %v", ct, err)
		return false
	}
	if mt != "application/json" {
		failSpec(w, http.StatusUnsupportedMediaType, "unsupported media type %q, only [application/json] are allowed", mt)
		return false
	}
	return true
}

// decodeBody reads the first JSON value of a body of at most maxBodyBytes,
// sent as application/json, into v; what names the body in messages. As
// go-openapi does, an empty body is a missing required one (422) and what
// follows the first value is ignored.
func decodeBody(w http.ResponseWriter, r *http.Request, what string, v any) bool {
	if !isJSON(w, r) {
		return false
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			fail(w, http.StatusRequestEntityTooLarge, "request body larger than %d bytes", maxBodyBytes)
		} else {
			fail(w, http.StatusBadRequest, "reading request body: %v", err)
		}
		return false
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return specOK(w, required("%s in body", what))
	}
	if err := json.NewDecoder(bytes.NewReader(body)).Decode(v); err != nil {
		failSpec(w, http.StatusBadRequest, "parsing %s body from \"\" failed, because %v", what, err)
		return false
	}
	return true
}

// postableMatcher and postableSilence are the v2 spec's PostableSilence:
// pointers tell a missing field from a zero one.
type postableMatcher struct {
	Name    *string `json:"name"`
	Value   *string `json:"value"`
	IsRegex *bool   `json:"isRegex"`
	IsEqual *bool   `json:"isEqual"`
}

type postableSilence struct {
	ID        string            `json:"id"`
	Matchers  []postableMatcher `json:"matchers"`
	StartsAt  *apiTime          `json:"startsAt"`
	EndsAt    *apiTime          `json:"endsAt"`
	CreatedBy *string           `json:"createdBy"`
	Comment   *string           `json:"comment"`
}

// specError checks the fields the spec requires, in the order the
// generated validators do (alphabetical), and reports the first missing.
func (s *postableSilence) specError() specError {
	switch {
	case s.Comment == nil:
		return required("comment in body")
	case s.CreatedBy == nil:
		return required("createdBy in body")
	case s.EndsAt == nil:
		return required("endsAt in body")
	case s.Matchers == nil:
		return required("matchers in body")
	case len(s.Matchers) == 0:
		return specError{codeMinItems, "matchers in body should have at least 1 items"}
	}
	for i, m := range s.Matchers {
		switch {
		case m.IsRegex == nil:
			return required("matchers.%d.isRegex in body", i)
		case m.Name == nil:
			return required("matchers.%d.name in body", i)
		case m.Value == nil:
			return required("matchers.%d.value in body", i)
		}
	}
	if s.StartsAt == nil {
		return required("startsAt in body")
	}
	return specError{}
}

// alertsSpecError checks every alert against the spec before any is
// looked at further: labels are required, and a generatorURL must parse
// as a URI (strfmt's check).
func alertsSpecError(alerts []apiAlert) specError {
	for i, a := range alerts {
		if a.Labels == nil {
			return required("%d.labels in body", i)
		}
		if a.GeneratorURL != "" {
			if _, err := url.Parse(a.GeneratorURL); err != nil {
				return specError{codeInvalidType, fmt.Sprintf("%d.generatorURL in body must be of type uri: %q", i, a.GeneratorURL)}
			}
		}
	}
	return specError{}
}

// uuidRe is strfmt's UUID format, which the spec gives silence IDs.
var uuidRe = regexp.MustCompile(`(?i)^(?:[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12})$`)

func silenceIDError(id string) specError {
	if !uuidRe.MatchString(id) {
		return specError{codeInvalidType, fmt.Sprintf("silenceID in path must be of type uuid: %q", id)}
	}
	return specError{}
}
