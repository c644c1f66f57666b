package adminapi

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/garagego/garage/node/runtime/adminrpc"
	"github.com/garagego/garage/node/runtime/server"
)

// LocalGetNodeStatisticsResponse is one node's statistics, as text.
type LocalGetNodeStatisticsResponse struct {
	Freeform string `json:"freeform"`
}

// nodeStatser is a backend that can gather other nodes' statistics (the
// production server does; test doubles need not).
type nodeStatser interface {
	NodeStats(ctx context.Context, spec string) (adminrpc.NodeStatsResult, error)
}

// getNodeStatistics answers for the nodes ?node= selects: self, an id or
// a unique prefix of one, or * (every node of the layout and every other
// node that is up). Other nodes are asked by this node; one it cannot
// reach is an entry of "error".
func getNodeStatistics(rq *request) (any, error) {
	spec, err := rq.required("node")
	if err != nil {
		return nil, err
	}
	b, ok := rq.api.backend.(nodeStatser)
	if !ok {
		return nil, &apiError{http.StatusNotImplemented, "NotImplemented", "this backend cannot gather node statistics"}
	}
	res, err := b.NodeStats(rq.ctx, spec)
	switch {
	case errors.Is(err, server.ErrNoNodeMatches) || errors.Is(err, server.ErrManyNodesMatch):
		return nil, badRequest("%s", err.Error())
	case err != nil:
		return nil, coreError(err, "", false)
	}
	out := MultiResponse[LocalGetNodeStatisticsResponse]{Success: map[string]LocalGetNodeStatisticsResponse{}, Error: res.Error}
	for id, st := range res.Success {
		out.Success[id] = LocalGetNodeStatisticsResponse{Freeform: strings.TrimRight(st.Freeform(), "\n")}
	}
	return out, nil
}
