// Package app wires dancu together: it turns command lines into a typed
// configuration, opens the store, builds the services and servers, and runs
// a command. It is the only package that knows every other one.
package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"

	"dancu/internal/config"
)

// Env is what a command may touch of the outside world, passed in so that
// commands run the same in tests as from a terminal.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer // results
	Stderr io.Writer // progress, logs and errors
	Getenv config.Getenv
}

// command is one CLI command.
type command struct {
	name    string // "pid decode"
	args    string // positional arguments, for the usage line
	summary string
	example string
	// flags registers the command's flags and returns its runner, which
	// receives the positional arguments left after parsing.
	flags func(fs *flag.FlagSet, env Env) func(ctx context.Context, args []string) error
}

// usageError is a mistake in how a command was called: exit status 2 and
// the command's usage, rather than 1.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return usageError{fmt.Sprintf(format, a...)} }

// commands lists every command, in the order help shows them.
func commands() []command {
	var list []command
	list = append(list, serveCommand(), migrateCommand(), backupCommand(), restoreCommand(),
		generateCommand(), importCommand(), exportCommand(), userAddCommand(), reconcileCommand())
	list = append(list, agencyCommands()...)
	list = append(list, verifyCommands()...)
	list = append(list, auditCommands()...)
	return append(list, pidDecodeCommand(), addressResolveCommand(), versionCommand())
}

// Main runs the command line args (without the program name) and returns
// the process exit status: 0 on success, 1 on failure, 2 on a usage error.
func Main(ctx context.Context, args []string, env Env) int {
	cmds := commands()
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" || args[0] == "-help" {
		if len(args) > 1 {
			if c, _, ok := findCommand(cmds, args[1:]); ok {
				fs := newFlagSet(c, env)
				c.flags(fs, env)
				fs.SetOutput(env.Stdout)
				fs.Usage()
				return 0
			}
		}
		printHelp(env.Stdout, cmds)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	c, rest, ok := findCommand(cmds, args)
	if !ok {
		fmt.Fprintf(env.Stderr, "dancu: unknown command %q; run 'dancu help' for the list\n", strings.Join(args[:min(2, len(args))], " "))
		return 2
	}
	fs := newFlagSet(c, env)
	run := c.flags(fs, env)
	if err := fs.Parse(rest); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		// flag has printed the problem and the usage.
		return 2
	}
	err := run(ctx, fs.Args())
	if err == nil {
		return 0
	}
	var ue usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(env.Stderr, "dancu %s: %s\n", c.name, ue.msg)
		fmt.Fprintf(env.Stderr, "usage: dancu %s [flags] %s (see 'dancu help %s')\n", c.name, c.args, c.name)
		return 2
	}
	fmt.Fprintf(env.Stderr, "dancu %s: %s\n", c.name, oneLine(err.Error()))
	return 1
}

// findCommand matches the longest command name at the start of args
// ("pid decode" before "pid").
func findCommand(cmds []command, args []string) (command, []string, bool) {
	for n := min(2, len(args)); n >= 1; n-- {
		name := strings.Join(args[:n], " ")
		for _, c := range cmds {
			if c.name == name {
				return c, args[n:], true
			}
		}
	}
	return command{}, nil, false
}

func newFlagSet(c command, env Env) *flag.FlagSet {
	fs := flag.NewFlagSet("dancu "+c.name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() {
		out := fs.Output()
		fmt.Fprintf(out, "usage: dancu %s [flags] %s\n\n%s\n", c.name, c.args, c.summary)
		if c.example != "" {
			fmt.Fprintf(out, "\nexample:\n  %s\n", strings.ReplaceAll(c.example, "\n", "\n  "))
		}
		fmt.Fprintf(out, "\nflags (before the arguments):\n")
		fs.PrintDefaults()
	}
	return fs
}

func printHelp(w io.Writer, cmds []command) {
	fmt.Fprintf(w, "dancu — the national population data platform\n\nusage: dancu COMMAND [flags] [arguments]\n\ncommands:\n")
	sorted := append([]command(nil), cmds...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].name < sorted[j].name })
	for _, c := range sorted {
		fmt.Fprintf(w, "  %-18s %s\n", c.name, firstSentence(c.summary))
	}
	fmt.Fprintf(w, "\nFlags come before positional arguments. 'dancu help COMMAND' shows a command's flags and an example.\n"+
		"Results go to stdout, progress and logs to stderr; a failure exits non-zero with a one-line reason.\n")
}

func firstSentence(s string) string {
	if i := strings.Index(s, ". "); i >= 0 {
		return s[:i+1]
	}
	return s
}

// oneLine folds a multi-line error into the one line the CLI promises.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
