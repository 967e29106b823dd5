// Command loadtool supports scripts/bench.sh's HTTP load tests, on
// loopback only:
//
//	loadtool noop -addr 127.0.0.1:PORT
//	    serves POST /v1/verify as a no-op JSON handler: it reads and
//	    decodes the request and answers a fixed result, the floor that
//	    dancu's verify is measured against.
//	loadtool targets -in FILE.csv -url URL -key-file F -n N [-mismatch 0.3]
//	    writes N vegeta JSON targets (one request a line) built from the
//	    first rows of a file dancu generate wrote: verify requests with
//	    pid, full_name, date_of_birth and gender, some with a wrong
//	    field.
//	loadtool batchfile -in FILE.csv -out BATCH.csv
//	    writes the batch verification file of every row: pid, full_name,
//	    date_of_birth, gender.
//	loadtool report -in REPORT.json -field F
//	    prints one number of a vegeta JSON report: throughput, p50, p99
//	    (ns), success (share), ok (answered 200), errors (the others).
//	loadtool json -in FILE.json -path a.b
//	    prints the number (or boolean) at a path of a JSON document.
//	loadtool freeport
//	    prints a free TCP port on 127.0.0.1.
//	loadtool score -truth TRUTH.csv -records records.csv
//	    scores a reconciliation against the truth of a synthetic dataset:
//	    confusion counts, precision and recall, as JSON.
package main

import (
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: loadtool noop|targets [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "noop":
		err = noop(os.Args[2:])
	case "targets":
		err = targets(os.Args[2:], os.Stdout)
	case "batchfile":
		err = batchfile(os.Args[2:])
	case "report":
		err = report(os.Args[2:])
	case "json":
		err = jsonPath(os.Args[2:])
	case "freeport":
		err = freeport()
	case "score":
		err = score(os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		log.Fatal(err)
	}
}

// verifyRequest mirrors the wire format of POST /v1/verify.
type verifyRequest struct {
	Purpose          string `json:"purpose"`
	PID              string `json:"pid,omitempty"`
	OldIDNumber      string `json:"old_id_number,omitempty"`
	FullName         string `json:"full_name,omitempty"`
	DateOfBirth      string `json:"date_of_birth,omitempty"`
	Gender           string `json:"gender,omitempty"`
	IDCardIssueDate  string `json:"id_card_issue_date,omitempty"`
	PermanentAddress string `json:"permanent_address,omitempty"`
	Phone            string `json:"phone,omitempty"`
}

func noop(args []string) error {
	fs := flag.NewFlagSet("noop", flag.ExitOnError)
	addr := fs.String("addr", "127.0.0.1:0", "loopback address to listen on")
	_ = fs.Parse(args)
	if err := loopbackOnly(*addr); err != nil {
		return err
	}
	answer := []byte(`{"result":"match","fields":{"pid":{"verdict":"match"},"full_name":{"verdict":"match","exact":true,"folded":true,"score":1},"date_of_birth":{"verdict":"match"},"gender":{"verdict":"match"}},"deceased":false,"request_id":"00000000-0000-0000-0000-000000000000"}` + "\n")
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/verify", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 16<<10))
		var req verifyRequest
		if err == nil {
			err = json.Unmarshal(body, &req)
		}
		if err != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(answer)
	})
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	fmt.Println("http://" + ln.Addr().String())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	return srv.Serve(ln)
}

func loopbackOnly(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("%s is not a loopback address; load tests stay on this machine", addr)
	}
	return nil
}

func targets(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("targets", flag.ExitOnError)
	in := fs.String("in", "", "CSV file written by dancu generate")
	url := fs.String("url", "", "the verify endpoint, on loopback")
	keyFile := fs.String("key-file", "", "file holding the agency's API key")
	n := fs.Int("n", 10000, "number of targets")
	mismatch := fs.Float64("mismatch", 0.3, "share of requests with one wrong field")
	_ = fs.Parse(args)
	if !strings.HasPrefix(*url, "http://127.0.0.1:") && !strings.HasPrefix(*url, "http://localhost:") && !strings.HasPrefix(*url, "http://[::1]:") {
		return fmt.Errorf("url %q is not on loopback", *url)
	}
	key, err := os.ReadFile(*keyFile)
	if err != nil {
		return err
	}
	f, cr, col, err := csvColumns(*in, "pid", "full_name", "date_of_birth", "gender")
	if err != nil {
		return err
	}
	defer f.Close()
	header := map[string][]string{"Authorization": {"Bearer " + strings.TrimSpace(string(key))}, "Content-Type": {"application/json"}}
	rng := rand.New(rand.NewPCG(1, 2))
	enc := json.NewEncoder(out)
	for i := 0; i < *n; i++ {
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return fmt.Errorf("%s has only %d rows", *in, i)
		}
		if err != nil {
			return err
		}
		req := verifyRequest{Purpose: "kyc", PID: row[col["pid"]], FullName: row[col["full_name"]],
			DateOfBirth: row[col["date_of_birth"]], Gender: row[col["gender"]]}
		if rng.Float64() < *mismatch {
			req.FullName = strings.ToUpper(req.FullName) + " A"
		}
		body, _ := json.Marshal(req)
		if err := enc.Encode(map[string]any{"method": "POST", "url": *url, "header": header,
			"body": base64.StdEncoding.EncodeToString(body)}); err != nil {
			return err
		}
	}
	return nil
}

// csvColumns opens a CSV file and maps its header's names to positions.
func csvColumns(name string, need ...string) (*os.File, *csv.Reader, map[string]int, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, nil, nil, err
	}
	cr := csv.NewReader(f)
	cr.ReuseRecord = true
	head, err := cr.Read()
	if err != nil {
		f.Close()
		return nil, nil, nil, fmt.Errorf("%s: header: %w", name, err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[strings.TrimPrefix(h, "\ufeff")] = i
	}
	for _, n := range need {
		if _, ok := col[n]; !ok {
			f.Close()
			return nil, nil, nil, fmt.Errorf("%s: no %s column", name, n)
		}
	}
	return f, cr, col, nil
}

func batchfile(args []string) error {
	fs := flag.NewFlagSet("batchfile", flag.ExitOnError)
	in := fs.String("in", "", "CSV file written by dancu generate")
	out := fs.String("out", "", "the batch file to write")
	_ = fs.Parse(args)
	cols := []string{"pid", "full_name", "date_of_birth", "gender"}
	f, cr, col, err := csvColumns(*in, cols...)
	if err != nil {
		return err
	}
	defer f.Close()
	o, err := os.Create(*out)
	if err != nil {
		return err
	}
	cw := csv.NewWriter(o)
	if err := cw.Write(cols); err != nil {
		return err
	}
	row := make([]string, len(cols))
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		for i, c := range cols {
			row[i] = rec[col[c]]
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return o.Close()
}

func report(args []string) error {
	fs := flag.NewFlagSet("report", flag.ExitOnError)
	in := fs.String("in", "", "a vegeta JSON report")
	field := fs.String("field", "", "throughput, p50, p99, success, ok or errors")
	_ = fs.Parse(args)
	raw, err := os.ReadFile(*in)
	if err != nil {
		return err
	}
	var r struct {
		Latencies struct {
			P50 float64 `json:"50th"`
			P99 float64 `json:"99th"`
		} `json:"latencies"`
		Requests    int64            `json:"requests"`
		Throughput  float64          `json:"throughput"`
		Success     float64          `json:"success"`
		StatusCodes map[string]int64 `json:"status_codes"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return fmt.Errorf("%s: %w", *in, err)
	}
	switch *field {
	case "throughput":
		fmt.Printf("%.1f\n", r.Throughput)
	case "p50":
		fmt.Printf("%.0f\n", r.Latencies.P50)
	case "p99":
		fmt.Printf("%.0f\n", r.Latencies.P99)
	case "success":
		fmt.Printf("%.6f\n", r.Success)
	case "ok":
		fmt.Println(r.StatusCodes["200"])
	case "errors":
		fmt.Println(r.Requests - r.StatusCodes["200"])
	default:
		return fmt.Errorf("unknown field %q", *field)
	}
	return nil
}

func jsonPath(args []string) error {
	fs := flag.NewFlagSet("json", flag.ExitOnError)
	in := fs.String("in", "", "a JSON file")
	path := fs.String("path", "", "dotted path of the value")
	_ = fs.Parse(args)
	raw, err := os.ReadFile(*in)
	if err != nil {
		return err
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return fmt.Errorf("%s: %w", *in, err)
	}
	for _, part := range strings.Split(*path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: no %s", *in, *path)
		}
		v = m[part]
	}
	switch x := v.(type) {
	case float64:
		fmt.Println(strconv.FormatFloat(x, 'f', -1, 64)) // integers without a fraction, fractions in full
	case bool:
		fmt.Println(x)
	default:
		return fmt.Errorf("%s: %s is not a number", *in, *path)
	}
	return nil
}

func freeport() error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer ln.Close()
	fmt.Println(ln.Addr().(*net.TCPAddr).Port)
	return nil
}
