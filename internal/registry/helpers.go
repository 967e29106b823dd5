package registry

import "errors"

func isNotFound(err error) bool { return errors.Is(err, ErrNotFound) }

func asType[T error](err error, target *T) bool { return errors.As(err, target) }
