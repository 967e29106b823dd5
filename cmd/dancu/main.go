// Command dancu is the national population data platform: the population
// register, verification and lookup for connected agencies, electronic
// identity and the public service portal, in one binary. Run 'dancu help'.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"dancu/internal/app"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := app.Main(ctx, os.Args[1:], app.Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv})
	stop()
	os.Exit(code)
}
