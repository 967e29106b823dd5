package registry

import (
	"errors"
	"fmt"
)

// Sentinel errors for callers to branch on with errors.Is. Every error the
// registry returns for bad input or a broken rule is a *FieldError that
// matches one of them.
var (
	// ErrInvalid: the input is malformed (a bad PID, an unknown commune,
	// a date in the future).
	ErrInvalid = errors.New("invalid input")
	// ErrRule: the input is well-formed but breaks a rule of the register
	// (a second marriage, a death recorded twice).
	ErrRule = errors.New("rule of the register broken")
	// ErrNotFound: a citizen or household does not exist.
	ErrNotFound = errors.New("not found")
	// ErrConflict: the records changed under a concurrent event; the
	// store returns it and the service retries.
	ErrConflict = errors.New("concurrent change")
)

// FieldError says which input field is at fault and why, in a message safe
// to show a client. Code is stable and machine readable.
type FieldError struct {
	Field string
	Code  string
	Msg   string
	Err   error // ErrInvalid, ErrRule or ErrNotFound
}

func (e *FieldError) Error() string {
	if e.Field == "" {
		return e.Msg
	}
	return e.Field + ": " + e.Msg
}

// Unwrap returns the sentinel.
func (e *FieldError) Unwrap() error { return e.Err }

func invalid(field, code, format string, a ...any) error {
	return &FieldError{Field: field, Code: code, Msg: fmt.Sprintf(format, a...), Err: ErrInvalid}
}

func rule(field, code, format string, a ...any) error {
	return &FieldError{Field: field, Code: code, Msg: fmt.Sprintf(format, a...), Err: ErrRule}
}

func notFound(field, format string, a ...any) error {
	return &FieldError{Field: field, Code: "not_found", Msg: fmt.Sprintf(format, a...), Err: ErrNotFound}
}
