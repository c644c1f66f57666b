package adminapi

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/garagego/garage/node/admin"
	"github.com/garagego/garage/node/model"
)

// health answers GET /health, unauthenticated, as Garage does: 200 while
// every partition has a quorum of up nodes (healthy or degraded), 503
// otherwise, with a line of plain text saying which; or, when the Accept
// header prefers application/json to text/plain, GetClusterHealth's JSON
// with the same status.
func (rq *request) health() error {
	res, err := rq.run(admin.GetClusterHealth{})
	if err != nil {
		return coreError(err, "", false)
	}
	h := res.(admin.ClusterHealth)
	status, text := http.StatusOK, "Garage is fully operational"
	switch h.Status {
	case "degraded":
		text = "Garage is operational but some storage nodes are unavailable"
	case "unavailable":
		status, text = http.StatusServiceUnavailable, "Quorum is not available for some/all partitions, reads and writes will fail"
	}
	rq.w.Header().Set("Vary", "Accept")
	if prefersJSON(rq.r.Header.Values("Accept")) {
		return rq.writeJSON(status, healthResponse(h))
	}
	rq.w.Header().Set("Content-Type", "text/plain")
	rq.w.WriteHeader(status)
	fmt.Fprintf(rq.w, "%s\nConsult the full health check API endpoint at /v2/GetClusterHealth for more details\n", text)
	return nil
}

// hostBucket is the bucket a virtual-hosted name means under root, if any.
func hostBucket(domain, root string) (string, bool) {
	root = strings.TrimPrefix(strings.ToLower(root), ".")
	if root == "" {
		return "", false
	}
	name, ok := strings.CutSuffix(strings.ToLower(domain), "."+root)
	return name, ok && name != ""
}

// checkDomain answers GET /check?domain=, unauthenticated (reverse proxies
// ask it before getting a TLS certificate): 200 if the domain is a bucket
// name under the S3 root domain, or names (under the web root domain, or
// whole) a bucket with website access; 400 otherwise, as Garage answers.
func (rq *request) checkDomain() error {
	domain, err := rq.required("domain")
	if err != nil {
		return err
	}
	name, needWebsite := domain, true
	if b, ok := hostBucket(domain, rq.api.cfg.S3RootDomain); ok {
		name, needWebsite = b, false
	} else if b, ok := hostBucket(domain, rq.api.cfg.WebRootDomain); ok {
		name = b
	}
	managed := false
	res, err := rq.run(admin.LookupBucket{Name: name})
	switch {
	case errors.Is(err, admin.ErrNotFound):
	case err != nil:
		return coreError(err, codeNoSuchBucket, false)
	default:
		_, hasWebsite := res.(model.Bucket).Config(model.ConfigWebsite)
		managed = !needWebsite || hasWebsite
	}
	if !managed {
		return badRequest("Domain '%s' is not managed by Garage", domain)
	}
	rq.w.Header().Set("Content-Type", "text/plain")
	rq.w.WriteHeader(http.StatusOK)
	fmt.Fprintf(rq.w, "Domain '%s' is managed by Garage", domain)
	return nil
}

// prefersJSON reports whether an Accept header rates application/json
// above text/plain (RFC 9110: each type gets the weight of the most
// specific range that matches it; a tie, or no header, is text).
func prefersJSON(accept []string) bool {
	json, text := acceptWeight(accept, "application", "json"), acceptWeight(accept, "text", "plain")
	return json > text
}

// acceptWeight is the weight (0 to 1000) accept gives typ/sub: the most
// specific matching range's, 0 if none matches. No header accepts all alike.
func acceptWeight(accept []string, typ, sub string) int {
	if len(accept) == 0 {
		return 1000
	}
	best, weight := -1, 0
	for _, line := range accept {
		for _, r := range strings.Split(line, ",") {
			params := strings.Split(r, ";")
			mt, ms, ok := strings.Cut(strings.ToLower(strings.TrimSpace(params[0])), "/")
			if !ok {
				continue
			}
			var spec int
			switch {
			case mt == typ && ms == sub:
				spec = 2
			case mt == typ && ms == "*":
				spec = 1
			case mt == "*" && ms == "*":
				spec = 0
			default:
				continue
			}
			if spec > best {
				best, weight = spec, qValue(params[1:])
			}
		}
	}
	return weight
}

// qValue is a range's q parameter in thousandths (1000 if absent, 0 if
// malformed).
func qValue(params []string) int {
	for _, p := range params {
		name, v, ok := strings.Cut(strings.TrimSpace(p), "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(name), "q") {
			continue
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || f < 0 || f > 1 {
			return 0
		}
		return int(f*1000 + 0.5)
	}
	return 1000
}
