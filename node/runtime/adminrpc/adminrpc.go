// Package adminrpc carries operator commands from the CLI to a running node
// over the authenticated RPC transport: a Request names an operation and
// holds its arguments as JSON; the node runs it and answers with a Response
// holding the result as JSON (or an rpc.Error).
//
// JSON keeps the CLI and the node loosely coupled (the same structures will
// serve the admin HTTP API); the operations themselves are the typed ones
// of package node/admin, run by the node's deterministic core.
package adminrpc

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"

	"github.com/garagego/garage/node/admin"
	"github.com/garagego/garage/node/rpc"
	"github.com/garagego/garage/node/wire"
)

// Message kinds.
const (
	KindRequest  rpc.Kind = 0x0601
	KindResponse rpc.Kind = 0x0602
)

func init() {
	rpc.Register(KindRequest, "AdminRequest", func(d *wire.Decoder) rpc.Body {
		return Request{Op: d.String(), Args: d.BytesField()}
	})
	rpc.Register(KindResponse, "AdminResponse", func(d *wire.Decoder) rpc.Body {
		return Response{Result: d.BytesField()}
	})
}

// Request asks a node to run the operation named Op with Args.
type Request struct {
	Op   string
	Args json.RawMessage
}

func (Request) Kind() rpc.Kind { return KindRequest }
func (r Request) Encode(e *wire.Encoder) {
	e.String(r.Op)
	e.BytesField(r.Args)
}

// Response carries an operation's JSON result.
type Response struct {
	Result json.RawMessage
}

func (Response) Kind() rpc.Kind           { return KindResponse }
func (r Response) Encode(e *wire.Encoder) { e.BytesField(r.Result) }

// ConnectNode asks the node's transport to connect to a peer; the runtime
// handles it (it is not a core operation).
type ConnectNode struct {
	Peer string `json:"peer"` // "<node id>@<host:port>"
}

func (ConnectNode) OpName() string { return "ConnectNode" }

// NodeID asks for the node's id and public address.
type NodeID struct{}

func (NodeID) OpName() string { return "NodeID" }

// NodeIDResult answers NodeID.
type NodeIDResult struct {
	ID   string `json:"id"`
	Addr string `json:"addr"`
}

// Op is an operation the CLI can send.
type Op interface{ OpName() string }

// ops maps names to the types of every operation a node accepts.
var ops = map[string]reflect.Type{}

func register(all ...Op) {
	for _, op := range all {
		ops[op.OpName()] = reflect.TypeOf(op)
	}
}

func init() {
	register(admin.GetStatus{}, admin.GetLayout{}, admin.AssignRole{}, admin.RemoveRole{}, admin.ConfigLayout{},
		admin.ApplyLayout{}, admin.RevertLayout{}, admin.CreateKey{}, admin.ImportKey{}, admin.ListKeys{},
		admin.GetKey{}, admin.DeleteKey{}, admin.SetKeyFlags{}, admin.CreateBucket{}, admin.ListBuckets{},
		admin.GetBucket{}, admin.InspectObject{}, admin.DeleteBucket{}, admin.SetBucketPerms{}, admin.AliasBucket{}, admin.GetStats{},
		admin.ListWorkers{}, admin.ListBlockErrors{}, admin.RetryBlocks{}, admin.GetBlockInfo{}, admin.RepairTables{}, admin.RepairBlocks{}, admin.RepairScrub{}, admin.GetWorkerVars{}, admin.SetWorkerVar{}, admin.GetLayoutHistory{}, admin.SkipDeadNodes{},
		admin.GetTableDigests{}, admin.GetTableItems{}, ConnectNode{}, NodeID{})
}

// Names lists the operations, sorted.
func Names() []string {
	names := make([]string, 0, len(ops))
	for n := range ops {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Decode builds the typed operation a Request names.
func Decode(r Request) (Op, error) {
	typ, ok := ops[r.Op]
	if !ok {
		return nil, fmt.Errorf("unknown admin operation %q", r.Op)
	}
	ptr := reflect.New(typ)
	if len(r.Args) > 0 {
		if err := json.Unmarshal(r.Args, ptr.Interface()); err != nil {
			return nil, fmt.Errorf("admin operation %s: bad arguments: %w", r.Op, err)
		}
	}
	return ptr.Elem().Interface().(Op), nil
}

// NewRequest encodes op for sending.
func NewRequest(op Op) (Request, error) {
	args, err := json.Marshal(op)
	if err != nil {
		return Request{}, fmt.Errorf("encode %s: %w", op.OpName(), err)
	}
	return Request{Op: op.OpName(), Args: args}, nil
}
