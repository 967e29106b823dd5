package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"dancu/internal/agency"
	"dancu/internal/config"
	"dancu/internal/registry"
	"dancu/internal/store"
)

// agencyCommands are the agency add|list|approve|suspend|issue-key|revoke-key
// commands.
func agencyCommands() []command {
	return []command{agencyAddCommand(), agencyListCommand(),
		agencyStatusCommand("approve", "Approve an agency after its security assessment, or end its suspension: its keys work from the next request.",
			(*agency.Service).Approve),
		agencyStatusCommand("suspend", "Suspend an agency: its keys stop working within a second in every server. Approve it to restore them.",
			(*agency.Service).Suspend),
		agencyIssueKeyCommand(), agencyRevokeKeyCommand()}
}

// vietnamTime is the zone --expires dates are read in (UTC+07:00, no
// daylight saving), fixed so that no time zone database is needed.
var vietnamTime = time.FixedZone("ICT", 7*3600)

// keyFlags are the flags that describe a key, shared by add and issue-key.
type keyFlags struct {
	operations, fields, purposes, expires *string
	rateLimit                             *int
}

func bindKeyFlags(fs *flag.FlagSet) keyFlags {
	ops := make([]string, 0, 5)
	for _, op := range agency.Operations() {
		ops = append(ops, string(op))
	}
	return keyFlags{
		operations: fs.String("operations", "", "comma-separated operations the key may perform: "+strings.Join(ops, ", ")),
		fields:     fs.String("fields", "", "comma-separated register fields the key may verify or read, e.g. pid,full_name,date_of_birth"),
		purposes:   fs.String("purposes", "", "comma-separated declared purposes, each of a-z, 0-9 and -, e.g. kyc,sim-registration"),
		rateLimit:  fs.Int("rate-limit", 100, "requests per second the key may make; 0 for unlimited"),
		expires:    fs.String("expires", "", "yyyy-mm-dd: the key stops working at the start of that day, Vietnam time (UTC+07:00); never when empty"),
	}
}

// parse checks the key flags, before any database is opened, and returns
// the scope, rate limit and expiry they give.
func (k keyFlags) parse(now time.Time) (agency.Scope, int, time.Time, error) {
	scope, expires, err := parseKeyFlags(*k.operations, *k.fields, *k.purposes, *k.expires, now)
	if err != nil {
		return agency.Scope{}, 0, time.Time{}, err
	}
	if err := agency.ValidateRateLimit(*k.rateLimit); err != nil {
		return agency.Scope{}, 0, time.Time{}, err
	}
	return scope, *k.rateLimit, expires, nil
}

// parseKeyFlags reads the text of --operations, --fields, --purposes and
// --expires: lists are comma-separated, with spaces around items and
// empty items ignored.
func parseKeyFlags(operations, fields, purposes, expires string, now time.Time) (agency.Scope, time.Time, error) {
	scope := agency.Scope{Fields: splitList(fields), Purposes: splitList(purposes)}
	for _, op := range splitList(operations) {
		scope.Operations = append(scope.Operations, agency.Operation(op))
	}
	scope, err := agency.CleanScope(scope, registry.RecordFields)
	if err != nil {
		return agency.Scope{}, time.Time{}, err
	}
	var at time.Time
	if expires = strings.TrimSpace(expires); expires != "" {
		d, err := time.ParseInLocation(time.DateOnly, expires, vietnamTime)
		if err != nil {
			return agency.Scope{}, time.Time{}, fmt.Errorf("--expires: %q is not a date yyyy-mm-dd", clipArg(expires))
		}
		if !d.After(now) {
			return agency.Scope{}, time.Time{}, fmt.Errorf("--expires: %s is not in the future", expires)
		}
		at = d.UTC()
	}
	return scope, at, nil
}

// splitList splits a comma-separated flag value.
func splitList(s string) []string {
	var out []string
	for item := range strings.SplitSeq(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// clipArg shortens an argument echoed in a message.
func clipArg(s string) string {
	const most = 40
	if len(s) <= most {
		return s
	}
	cut := most
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// agencyService opens the database cfg names, migrates it, and returns the
// agency service on it; the caller closes the database.
func agencyService(ctx context.Context, cfg config.Config) (*agency.Service, *store.DB, error) {
	db, err := openStore(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, nil, err
	}
	return agency.NewService(db, agency.Options{Fields: registry.RecordFields}), db, nil
}

// issuedKey is what add and issue-key print with --json.
type issuedKey struct {
	AgencyID  string       `json:"agency_id"`
	KeyID     string       `json:"key_id"`
	Key       string       `json:"key"`
	Prefix    string       `json:"prefix"`
	Scope     agency.Scope `json:"scope"`
	RateLimit int          `json:"rate_limit"`
	CreatedAt time.Time    `json:"created_at"`
	ExpiresAt time.Time    `json:"expires_at,omitzero"`
}

func newIssuedKey(k agency.Key, secret string) issuedKey {
	return issuedKey{k.AgencyID, k.ID, secret, k.Prefix, k.Scope, k.RateLimit, k.CreatedAt, k.ExpiresAt}
}

func agencyAddCommand() command {
	kinds := make([]string, 0, 8)
	for _, k := range agency.Kinds() {
		kinds = append(kinds, string(k))
	}
	return command{
		name: "agency add",
		summary: "Connect an agency and print its first API key, which is shown this once and stored only as a hash. " +
			"An agency added here is approved (its security assessment is done outside dancu). " +
			"The key's scope is operations × fields × purposes; requests outside it are refused. The database is migrated first if needed.",
		example: "dancu agency add --name \"Ngân hàng Thương mại A\" --kind bank \\\n" +
			"    --operations verify,lookup --fields pid,full_name,date_of_birth --purposes kyc --rate-limit 200 --json\n" +
			"dancu agency add --name \"Nhà mạng B\" --kind telecom --operations verify,batch \\\n" +
			"    --fields pid,full_name,date_of_birth,phone --purposes sim-registration --expires 2027-12-31",
		flags: func(fs *flag.FlagSet, env Env) func(context.Context, []string) error {
			cfg := config.Bind(fs, env.Getenv)
			cfg.BindJSON(fs)
			name := fs.String("name", "", "the agency's full name")
			kind := fs.String("kind", "", "the kind of agency: "+strings.Join(kinds, ", "))
			kf := bindKeyFlags(fs)
			return func(ctx context.Context, args []string) error {
				if len(args) > 0 {
					return usagef("takes no arguments, got %q", clipArg(args[0]))
				}
				if err := cfg.Validate(); err != nil {
					return err
				}
				// Refuse bad input before touching the database.
				if _, err := agency.CleanName(*name); err != nil {
					return err
				}
				if err := agency.ValidateKind(agency.Kind(*kind)); err != nil {
					return err
				}
				scope, rateLimit, expires, err := kf.parse(time.Now())
				if err != nil {
					return err
				}
				svc, db, err := agencyService(ctx, *cfg)
				if err != nil {
					return err
				}
				defer db.Close()
				a, k, secret, err := svc.Add(ctx, agency.NewAgency{
					Name: *name, Kind: agency.Kind(*kind), Scope: scope, RateLimit: rateLimit, ExpiresAt: expires, Approved: true,
				})
				if err != nil {
					return err
				}
				if cfg.JSON {
					return writeJSON(env.Stdout, struct {
						issuedKey
						Name   string        `json:"name"`
						Kind   agency.Kind   `json:"kind"`
						Status agency.Status `json:"status"`
					}{newIssuedKey(k, secret), a.Name, a.Kind, a.Status}, true)
				}
				fmt.Fprintf(env.Stdout, "added agency %s %q (%s, %s)\n", a.ID, a.Name, a.Kind, a.Status)
				printIssuedKey(env.Stdout, k, secret)
				return nil
			}
		},
	}
}

// printIssuedKey writes a new key for people, with the warning that it
// will not be shown again.
func printIssuedKey(w io.Writer, k agency.Key, secret string) {
	fmt.Fprintf(w, "key %s: %s\n", k.ID, describeKey(k))
	fmt.Fprintf(w, "key (shown only this once and not recoverable; keep it secret): %s\n", secret)
}

func describeKey(k agency.Key) string {
	ops := make([]string, len(k.Scope.Operations))
	for i, op := range k.Scope.Operations {
		ops[i] = string(op)
	}
	s := fmt.Sprintf("%s… operations %s; fields %s; purposes %s; ",
		k.Prefix, strings.Join(ops, ","), strings.Join(k.Scope.Fields, ","), strings.Join(k.Scope.Purposes, ","))
	if k.RateLimit == 0 {
		s += "no rate limit"
	} else {
		s += fmt.Sprintf("%d requests/s", k.RateLimit)
	}
	if !k.ExpiresAt.IsZero() {
		s += "; expires " + k.ExpiresAt.In(vietnamTime).Format("2006-01-02 15:04 -07:00")
	}
	if !k.RevokedAt.IsZero() {
		s += "; revoked " + k.RevokedAt.In(vietnamTime).Format("2006-01-02 15:04 -07:00")
	}
	return s
}

func agencyListCommand() command {
	return command{
		name:    "agency list",
		summary: "List the connected agencies with their status and every key's prefix, scope, rate limit, expiry and revocation (never the keys themselves).",
		example: "dancu agency list\ndancu agency list --json",
		flags: func(fs *flag.FlagSet, env Env) func(context.Context, []string) error {
			cfg := config.Bind(fs, env.Getenv)
			cfg.BindJSON(fs)
			return func(ctx context.Context, args []string) error {
				if len(args) > 0 {
					return usagef("takes no arguments, got %q", clipArg(args[0]))
				}
				if err := cfg.Validate(); err != nil {
					return err
				}
				svc, db, err := agencyService(ctx, *cfg)
				if err != nil {
					return err
				}
				defer db.Close()
				list, err := svc.List(ctx)
				if err != nil {
					return err
				}
				if cfg.JSON {
					if list == nil {
						list = []agency.Listing{}
					}
					return writeJSON(env.Stdout, list, true)
				}
				if len(list) == 0 {
					fmt.Fprintln(env.Stdout, "no agencies; add one with 'dancu agency add'")
					return nil
				}
				now := time.Now()
				for _, l := range list {
					fmt.Fprintf(env.Stdout, "%s %q (%s, %s since %s)\n", l.ID, l.Name, l.Kind, l.Status,
						l.UpdatedAt.In(vietnamTime).Format(time.DateOnly))
					for _, k := range l.Keys {
						state := "active"
						switch {
						case !k.RevokedAt.IsZero():
							state = "revoked"
						case !k.Active(now):
							state = "expired"
						}
						fmt.Fprintf(env.Stdout, "  key %s (%s) %s\n", k.ID, state, describeKey(k))
					}
				}
				return nil
			}
		},
	}
}

// agencyID takes the one positional argument of a command that names an
// agency or a key.
func agencyID(args []string, what string) (string, error) {
	switch {
	case len(args) == 0:
		return "", usagef("needs the %s ID", what)
	case len(args) > 1 && strings.HasPrefix(args[1], "-"):
		return "", usagef("flags come before the %s ID, got %q after it", what, clipArg(args[1]))
	case len(args) > 1:
		return "", usagef("takes one %s ID, got %d arguments", what, len(args))
	case !agency.ValidID(args[0]):
		return "", fmt.Errorf("%q is not a valid %s ID (26 characters of 0-9 and a-v; see 'dancu agency list')", clipArg(args[0]), what)
	}
	return args[0], nil
}

// notFound says plainly that an ID names nothing.
func notFound(err error, what, id string) error {
	if errors.Is(err, agency.ErrNotFound) {
		return fmt.Errorf("no %s has ID %s (see 'dancu agency list'): %w", what, id, agency.ErrNotFound)
	}
	return err
}

// agencyIDCommand completes c, a command on one agency or key named by
// its ID (what: "agency" or "key"): it checks the ID and the
// configuration, runs check (the command's own flags, from bind) before
// opening the database, then do.
func agencyIDCommand(c command, what string, bind func(fs *flag.FlagSet) (check func() error),
	do func(ctx context.Context, svc *agency.Service, id string, env Env, asJSON bool) error) command {
	c.flags = func(fs *flag.FlagSet, env Env) func(context.Context, []string) error {
		cfg := config.Bind(fs, env.Getenv)
		cfg.BindJSON(fs)
		check := func() error { return nil }
		if bind != nil {
			check = bind(fs)
		}
		return func(ctx context.Context, args []string) error {
			id, err := agencyID(args, what)
			if err != nil {
				return err
			}
			if err := cfg.Validate(); err != nil {
				return err
			}
			if err := check(); err != nil {
				return err
			}
			svc, db, err := agencyService(ctx, *cfg)
			if err != nil {
				return err
			}
			defer db.Close()
			return notFound(do(ctx, svc, id, env, cfg.JSON), what, id)
		}
	}
	return c
}

func agencyStatusCommand(verb, summary string, change func(*agency.Service, context.Context, string) (agency.Agency, error)) command {
	return agencyIDCommand(command{
		name:    "agency " + verb,
		args:    "AGENCY_ID",
		summary: summary,
		example: "dancu agency " + verb + " 06h0hlqiln6eq0iu476m1ru3c4",
	}, "agency", nil, func(ctx context.Context, svc *agency.Service, id string, env Env, asJSON bool) error {
		a, err := change(svc, ctx, id)
		if err != nil {
			return err
		}
		if asJSON {
			return writeJSON(env.Stdout, a, true)
		}
		fmt.Fprintf(env.Stdout, "agency %s %q is %s (since %s)\n", a.ID, a.Name, a.Status,
			a.UpdatedAt.In(vietnamTime).Format("2006-01-02 15:04 -07:00"))
		return nil
	})
}

func agencyIssueKeyCommand() command {
	var (
		scope     agency.Scope
		rateLimit int
		expires   time.Time
	)
	return agencyIDCommand(command{
		name: "agency issue-key",
		args: "AGENCY_ID",
		summary: "Issue another API key for an agency, for a further scope or for rotation (issue, switch, then revoke the old key), " +
			"and print it; it is shown this once and stored only as a hash.",
		example: "dancu agency issue-key --operations verify --fields pid,full_name --purposes kyc --expires 2027-06-30 06h0hlqiln6eq0iu476m1ru3c4",
	}, "agency", func(fs *flag.FlagSet) func() error {
		kf := bindKeyFlags(fs)
		return func() (err error) {
			scope, rateLimit, expires, err = kf.parse(time.Now())
			return err
		}
	}, func(ctx context.Context, svc *agency.Service, id string, env Env, asJSON bool) error {
		k, secret, err := svc.IssueKey(ctx, id, scope, rateLimit, expires)
		if err != nil {
			return err
		}
		if asJSON {
			return writeJSON(env.Stdout, newIssuedKey(k, secret), true)
		}
		printIssuedKey(env.Stdout, k, secret)
		return nil
	})
}

func agencyRevokeKeyCommand() command {
	return agencyIDCommand(command{
		name:    "agency revoke-key",
		args:    "KEY_ID",
		summary: "Revoke an agency's API key: it stops working within a second in every server. Revoking is final; issue a new key to restore access.",
		example: "dancu agency revoke-key 06h0hlqilkl8ec3s407vj72sn8",
	}, "key", nil, func(ctx context.Context, svc *agency.Service, id string, env Env, asJSON bool) error {
		k, err := svc.RevokeKey(ctx, id)
		if err != nil {
			return err
		}
		if asJSON {
			return writeJSON(env.Stdout, k, true)
		}
		fmt.Fprintf(env.Stdout, "key %s of agency %s revoked at %s\n", k.ID, k.AgencyID,
			k.RevokedAt.In(vietnamTime).Format("2006-01-02 15:04:05 -07:00"))
		return nil
	})
}
