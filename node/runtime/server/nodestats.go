package server

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/garagego/garage/node/admin"
	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/runtime/adminrpc"
)

// statsDialTimeout bounds reaching another node for its statistics: an
// unreachable node becomes an error entry, not a stalled command.
const (
	statsDialTimeout = 5 * time.Second
	statsCallTimeout = 20 * time.Second
)

// ErrNoNodeMatches and ErrManyNodesMatch are a node selector's mistakes.
var (
	ErrNoNodeMatches  = fmt.Errorf("no node matches")
	ErrManyNodesMatch = fmt.Errorf("several nodes match")
)

// NodeStats gathers GetStats from the nodes spec selects ("self", an id or
// a unique prefix, "*"). Other nodes are asked over a client connection to
// the RPC address they advertise, authenticated with the cluster's secret
// and the node id they must prove: the same path the CLI takes to this
// node, so it works wherever the nodes reach each other.
func (s *Server) NodeStats(ctx context.Context, spec string) (adminrpc.NodeStatsResult, error) {
	res, err := s.Do(ctx, admin.GetStatus{})
	if err != nil {
		return adminrpc.NodeStatsResult{}, err
	}
	st := res.(admin.ClusterStatus)
	lres, err := s.Do(ctx, admin.GetLayout{})
	if err != nil {
		return adminrpc.NodeStatsResult{}, err
	}
	targets, err := selectNodes(st, lres.(admin.LayoutInfo), spec)
	if err != nil {
		return adminrpc.NodeStatsResult{}, err
	}
	byID := map[string]admin.NodeStatus{}
	for _, n := range st.Nodes {
		byID[n.ID] = n
	}
	out := adminrpc.NodeStatsResult{Success: map[string]admin.NodeStats{}, Error: map[string]string{}}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, id := range targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ns, err := s.statsOf(ctx, id, byID[id])
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				out.Error[id] = err.Error()
				return
			}
			out.Success[id] = ns
		}()
	}
	wg.Wait()
	return out, nil
}

// statsOf asks one node for its statistics.
func (s *Server) statsOf(ctx context.Context, id string, n admin.NodeStatus) (admin.NodeStats, error) {
	if id == s.id.ID.Hex() {
		res, err := s.Do(ctx, admin.GetStats{})
		if err != nil {
			return admin.NodeStats{}, err
		}
		return res.(admin.NodeStats), nil
	}
	if n.ID == "" || n.Addr == "" {
		return admin.NodeStats{}, fmt.Errorf("node never seen: its address is unknown")
	}
	if !n.Up {
		return admin.NodeStats{}, fmt.Errorf("node is down (last seen %ds ago)", n.LastSeenSecs)
	}
	nid, err := cluster.ParseNodeID(id)
	if err != nil {
		return admin.NodeStats{}, err
	}
	dctx, cancel := context.WithTimeout(ctx, statsDialTimeout)
	defer cancel()
	c, err := adminrpc.Dial(dctx, n.Addr, s.cfg.Transport.Secret, nid)
	if err != nil {
		return admin.NodeStats{}, err
	}
	defer c.Close()
	// The client's call has its own long timeout; a node that accepts the
	// connection but does not answer is cut off with the caller's context.
	cctx, ccancel := context.WithTimeout(ctx, statsCallTimeout)
	defer ccancel()
	stop := context.AfterFunc(cctx, func() { c.Close() })
	defer stop()
	var ns admin.NodeStats
	if err := c.Call(admin.GetStats{}, &ns); err != nil {
		return admin.NodeStats{}, fmt.Errorf("GetStats on %s: %w", n.Addr, err)
	}
	return ns, nil
}

// selectNodes resolves a node selector, as Garage does: "*" is every node
// of the layout and every other node that is up; otherwise a hex prefix
// must name exactly one of those.
func selectNodes(st admin.ClusterStatus, l admin.LayoutInfo, spec string) ([]string, error) {
	if spec == "self" {
		return []string{st.Self}, nil
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
