package verify

import (
	"bytes"
	"encoding/json"
	"testing"
)

// decodeStandard decodes body as the API's strict decoder does: one JSON
// object, unknown fields refused, nothing after it.
func decodeStandard(body []byte) (Request, bool) {
	var r Request
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil || dec.More() {
		return Request{}, false
	}
	return r, true
}

var decodeRequestSeeds = []string{
	`{"purpose":"kyc","pid":"001090000001","full_name":"Nguyễn Văn An","date_of_birth":"1990-01-02","gender":"male"}`,
	" \n{ \"pid\" : \"001090000001\" ,\t\"phone\":\"0912345678\" }\r\n",
	`{}`,
	`{"pid":"1","pid":"2"}`,
	`{"PID":"001090000001"}`,
	`{"pid":"00109\u00300000001"}`,
	`{"pid":null}`,
	`{"pid":1}`,
	`{"pid":"1"}{}`,
	`{"pid":"1",}`,
	`{"unknown":"x"}`,
	"{\"full_name\":\"\xff\"}",
	`{"full_name":"Tr\"an"}`,
	`[]`,
	``,
}

func TestDecodeRequest(t *testing.T) {
	for _, body := range decodeRequestSeeds {
		var fast Request
		ok := DecodeRequest([]byte(body), &fast)
		want, valid := decodeStandard([]byte(body))
		if ok && (!valid || fast != want) {
			t.Errorf("%q: fast path gave %+v, encoding/json %+v (valid %v)", body, fast, want, valid)
		}
	}
	var r Request
	if !DecodeRequest([]byte(decodeRequestSeeds[0]), &r) || r.FullName != "Nguyễn Văn An" || r.Gender != "male" {
		t.Errorf("the common shape was declined or misread: %+v", r)
	}
	for _, body := range []string{`{"PID":"1"}`, `{"pid":null}`, `{"pid":"1"}{}`, `{"pid":"a\nb"}`, `{"pid":"\u0031"}`} {
		if DecodeRequest([]byte(body), &Request{}) {
			t.Errorf("%q: accepted by the fast path, which must leave it to encoding/json", body)
		}
	}
}

// FuzzDecodeRequest checks the fast path against encoding/json: whatever
// it accepts, the strict standard decoder accepts with the same values.
func FuzzDecodeRequest(f *testing.F) {
	for _, s := range decodeRequestSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var fast Request
		if !DecodeRequest(body, &fast) {
			return
		}
		want, valid := decodeStandard(body)
		if !valid {
			t.Fatalf("%q: the fast path accepted what encoding/json refuses", body)
		}
		if fast != want {
			t.Fatalf("%q: fast path %+v, encoding/json %+v", body, fast, want)
		}
	})
}

func BenchmarkDecodeRequest(b *testing.B) {
	body := []byte(decodeRequestSeeds[0])
	b.ReportAllocs()
	for b.Loop() {
		var r Request
		if !DecodeRequest(body, &r) {
			b.Fatal("declined")
		}
	}
}

func BenchmarkBaselineDecodeRequest(b *testing.B) {
	body := []byte(decodeRequestSeeds[0])
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := decodeStandard(body); !ok {
			b.Fatal("refused")
		}
	}
}
