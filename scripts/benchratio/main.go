// Command benchratio reads `go test -bench` output and prints each
// benchmark's median ns/op beside its baseline's, measured in the same run.
//
// In a package, BenchmarkBaselineX is the baseline of BenchmarkX, and
// BenchmarkBaselineX/case that of BenchmarkX/case (falling back to
// BenchmarkBaselineX). scripts/bench.sh pipes its raw output through it.
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"
)

func main() {
	if err := run(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "benchratio:", err)
		os.Exit(1)
	}
}

func run(r io.Reader, w io.Writer) error {
	samples := map[string][]float64{}
	var order []string
	pkg := ""
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 2 && f[0] == "pkg:" {
			pkg = path.Base(f[1])
			continue
		}
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		name := strings.TrimPrefix(f[0], "Benchmark")
		if i := strings.LastIndex(name, "-"); i > 0 {
			if _, err := strconv.Atoi(name[i+1:]); err == nil {
				name = name[:i]
			}
		}
		for i := 2; i < len(f)-1; i++ {
			if f[i+1] != "ns/op" {
				continue
			}
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				return fmt.Errorf("%s: %w", f[0], err)
			}
			key := pkg + "." + name
			if _, ok := samples[key]; !ok {
				order = append(order, key)
			}
			samples[key] = append(samples[key], v)
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	fmt.Fprintf(w, "%-46s %13s   %-38s %13s %9s\n", "benchmark", "ns/op", "baseline", "ns/op", "ratio")
	for _, key := range order {
		pkg, name, _ := strings.Cut(key, ".")
		if strings.HasPrefix(name, "Baseline") {
			continue
		}
		top, rest, _ := strings.Cut(name, "/")
		base := ""
		for _, b := range []string{"Baseline" + top + "/" + rest, "Baseline" + top} {
			if _, ok := samples[pkg+"."+b]; ok && (rest != "" || b == "Baseline"+top) {
				base = b
				break
			}
		}
		m := median(samples[key])
		if base == "" {
			fmt.Fprintf(w, "%-46s %13.1f   %-38s %13s %9s\n", key, m, "-", "-", "-")
			continue
		}
		bm := median(samples[pkg+"."+base])
		fmt.Fprintf(w, "%-46s %13.1f   %-38s %13.1f %8.2fx\n", key, m, base, bm, m/bm)
	}
	return nil
}

func median(v []float64) float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
