package app

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"time"

	"dancu/internal/adminunit"
	"dancu/internal/config"
	"dancu/internal/eid"
)

func userAddCommand() command {
	return command{
		name: "user add",
		summary: "Create an officer's account and print its API token, which is shown this once and stored only as a hash. " +
			"The first admin is made this way, by whoever can open the database; admins then manage the rest. " +
			"Roles: admin (national, no --area), province_officer (--area: 2-digit 2025 province code), " +
			"commune_officer (--area: 5-digit 2025 commune code). The database is migrated first if needed.",
		example: "dancu user add --role admin --name \"Nguyễn Văn An\" --data ./dancu-data\n" +
			"dancu user add --role commune_officer --area 26737 --name \"Trần Thị Bình\" --json",
		flags: func(fs *flag.FlagSet, env Env) func(context.Context, []string) error {
			cfg := config.Bind(fs, env.Getenv)
			cfg.BindJSON(fs)
			roles := make([]string, 0, 3)
			for _, r := range eid.Roles() {
				roles = append(roles, string(r))
			}
			role := fs.String("role", "", "the account's role: "+strings.Join(roles, ", "))
			name := fs.String("name", "", "the officer's full name")
			area := fs.String("area", "", "the 2025 code of the province or commune the role is bound to; none for an admin")
			return func(ctx context.Context, args []string) error {
				if len(args) > 0 {
					return usagef("takes no arguments, got %q", args[0])
				}
				if err := cfg.Validate(); err != nil {
					return err
				}
				// Refuse bad input before touching the database.
				if _, err := eid.CleanName(*name); err != nil {
					return err
				}
				if err := eid.ValidateRoleArea(eid.Role(*role), *area); err != nil {
					return err
				}
				units, err := adminunit.Load()
				if err != nil {
					return err
				}
				db, err := openStore(ctx, *cfg)
				if err != nil {
					return err
				}
				defer db.Close()
				if _, err := db.Migrate(ctx); err != nil {
					return err
				}
				a, token, err := eid.NewService(db, units).CreateAccount(ctx, *name, eid.Role(*role), *area)
				if err != nil {
					return err
				}
				if cfg.JSON {
					return writeJSON(env.Stdout, struct {
						UserID    string    `json:"user_id"`
						Token     string    `json:"token"`
						Name      string    `json:"name"`
						Role      eid.Role  `json:"role"`
						Area      string    `json:"area"`
						CreatedAt time.Time `json:"created_at"`
					}{a.ID, token, a.Name, a.Role, a.Area, a.CreatedAt}, true)
				}
				where := "national"
				if a.Area != "" {
					where = "area " + a.Area
				}
				fmt.Fprintf(env.Stdout, "created user %s %q (%s, %s)\n", a.ID, a.Name, a.Role, where)
				fmt.Fprintf(env.Stdout, "token (shown only this once and not recoverable; keep it secret): %s\n", token)
				return nil
			}
		},
	}
}
