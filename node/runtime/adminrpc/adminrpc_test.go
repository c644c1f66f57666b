package adminrpc

import (
	"testing"

	"github.com/garagego/garage/node/admin"
	"github.com/garagego/garage/node/rpc"
	"github.com/garagego/garage/node/wire"
)

func TestRequestRoundTrip(t *testing.T) {
	req, err := NewRequest(admin.SetBucketPerms{Bucket: "b", Key: "k", Read: true, Allow: true})
	if err != nil {
		t.Fatal(err)
	}
	e := wire.NewEncoder(nil)
	rpc.Message{ID: 1, Body: req}.Encode(e)
	m, err := rpc.DecodeMessage(e.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	op, err := Decode(m.Body.(Request))
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := op.(admin.SetBucketPerms); !ok || got.Bucket != "b" || !got.Read || got.Write {
		t.Fatalf("decoded %#v", op)
	}
}

func TestDecodeRefusesUnknownAndMalformed(t *testing.T) {
	if _, err := Decode(Request{Op: "FormatDisk"}); err == nil {
		t.Fatal("unknown operation accepted")
	}
	if _, err := Decode(Request{Op: "GetKey", Args: []byte("{not json")}); err == nil {
		t.Fatal("malformed arguments accepted")
	}
	if len(Names()) < 20 {
		t.Fatalf("only %d operations registered", len(Names()))
	}
}
