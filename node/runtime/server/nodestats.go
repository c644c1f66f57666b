package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/garagego/garage/node/admin"
	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/runtime/adminrpc"
)

// forwardDialTimeout bounds reaching another node, forwardCallTimeout its
// answer: an unreachable or stalled node becomes an error entry, not a
// stalled command.
const (
	forwardDialTimeout = 5 * time.Second
	forwardCallTimeout = 50 * time.Second
)

// ErrNoNodeMatches and ErrManyNodesMatch are a node selector's mistakes.
var (
	ErrNoNodeMatches  = fmt.Errorf("no node matches")
	ErrManyNodesMatch = fmt.Errorf("several nodes match")
)

// ErrBadSelector is a node selector that names no node or several.
func ErrBadSelector(err error) bool {
	return errors.Is(err, ErrNoNodeMatches) || errors.Is(err, ErrManyNodesMatch)
}

// OnNodes runs op on the nodes spec selects ("self", an id or a unique
// prefix, "*") and answers, per node id, its JSON result or why it has
// none. This node runs op itself; the others are asked over a client
// connection to the RPC address they advertise, authenticated with the
// cluster's secret and the node id they must prove: the same path the CLI
// takes to this node, so it works wherever the nodes reach each other. A
// selector naming no node or several is the only error (ErrBadSelector);
// a node down, unknown or failing is an entry of Error.
func (s *Server) OnNodes(ctx context.Context, spec string, op adminrpc.Op) (adminrpc.MultiResult, error) {
	if _, nested := op.(adminrpc.OnNodes); nested {
		return adminrpc.MultiResult{}, fmt.Errorf("%w: OnNodes cannot carry another OnNodes", admin.ErrInvalid)
	}
	res, err := s.Do(ctx, admin.GetStatus{})
	if err != nil {
		return adminrpc.MultiResult{}, err
	}
	st := res.(admin.ClusterStatus)
	lres, err := s.Do(ctx, admin.GetLayout{})
	if err != nil {
		return adminrpc.MultiResult{}, err
	}
	targets, err := selectNodes(st, lres.(admin.LayoutInfo), spec)
	if err != nil {
		return adminrpc.MultiResult{}, err
	}
	byID := map[string]admin.NodeStatus{}
	for _, n := range st.Nodes {
		byID[n.ID] = n
	}
	out := adminrpc.MultiResult{Success: map[string]json.RawMessage{}, Error: map[string]string{}}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, id := range targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			raw, err := s.runOn(ctx, id, byID[id], op)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				out.Error[id] = err.Error()
				return
			}
			out.Success[id] = raw
		}()
	}
	wg.Wait()
	return out, nil
}

// runOn runs op on node id: here, or over a connection of its own.
func (s *Server) runOn(ctx context.Context, id string, n admin.NodeStatus, op adminrpc.Op) (json.RawMessage, error) {
	if id == s.id.ID.Hex() {
		res, err := s.runOp(ctx, op)
		if err != nil {
			return nil, err
		}
		raw, err := json.Marshal(res)
		if err != nil {
			return nil, fmt.Errorf("encode the answer to %s: %w", op.OpName(), err)
		}
		return raw, nil
	}
	if n.ID == "" || n.Addr == "" {
		return nil, fmt.Errorf("node never seen: its address is unknown")
	}
	if !n.Up {
		return nil, fmt.Errorf("node is down (last seen %ds ago)", n.LastSeenSecs)
	}
	nid, err := cluster.ParseNodeID(id)
	if err != nil {
		return nil, err
	}
	dctx, cancel := context.WithTimeout(ctx, forwardDialTimeout)
	defer cancel()
	c, err := adminrpc.Dial(dctx, n.Addr, s.cfg.Transport.Secret, nid)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	// The client's call has its own long timeout; a node that accepts the
	// connection but does not answer is cut off with the caller's context.
	cctx, ccancel := context.WithTimeout(ctx, forwardCallTimeout)
	defer ccancel()
	stop := context.AfterFunc(cctx, func() { c.Close() })
	defer stop()
	var raw json.RawMessage
	if err := c.Call(op, &raw); err != nil {
		if cctx.Err() != nil {
			return nil, fmt.Errorf("%s on %s: no answer in time: %w", op.OpName(), n.Addr, err)
		}
		return nil, fmt.Errorf("%s on %s: %w", op.OpName(), n.Addr, err)
	}
	return raw, nil
}

// NodeStats gathers GetStats from the nodes spec selects (see OnNodes).
func (s *Server) NodeStats(ctx context.Context, spec string) (adminrpc.NodeStatsResult, error) {
	res, err := s.OnNodes(ctx, spec, admin.GetStats{})
	if err != nil {
		return adminrpc.NodeStatsResult{}, err
	}
	ok, bad := adminrpc.DecodeEach[admin.NodeStats](res)
	return adminrpc.NodeStatsResult{Success: ok, Error: bad}, nil
}

// selectNodes resolves a node selector, as Garage does: "*" is every node
// of the layout and every other node that is up; otherwise a hex prefix
// must name exactly one of those.
func selectNodes(st admin.ClusterStatus, l admin.LayoutInfo, spec string) ([]string, error) {
	switch spec {
	case "self":
		return []string{st.Self}, nil
	case "":
		return nil, fmt.Errorf("%w: the node selector is empty (self, *, or a node id prefix)", ErrNoNodeMatches)
	}
	var all []string
	for _, r := range l.Roles {
		all = append(all, r.ID)
	}
	for _, n := range st.Nodes {
		if (n.Up || n.HasRole || n.Draining) && !slices.Contains(all, n.ID) {
			all = append(all, n.ID)
		}
	}
	slices.Sort(all)
	if spec == "*" {
		return all, nil
	}
	var match []string
	for _, id := range all {
		if strings.HasPrefix(id, strings.ToLower(spec)) {
			match = append(match, id)
		}
	}
	switch len(match) {
	case 0:
		return nil, fmt.Errorf("%w %q", ErrNoNodeMatches, spec)
	case 1:
		return match, nil
	default:
		return nil, fmt.Errorf("%w %q: %s", ErrManyNodesMatch, spec, strings.Join(match, ", "))
	}
}
