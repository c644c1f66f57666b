package adminapi

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/garagego/garage/node/admin"
	"github.com/garagego/garage/node/model"
)

// health answers GET /health, unauthenticated, as Garage does: 200 while
// every partition has a quorum of up nodes (healthy or degraded), 503
// otherwise, with a line of plain text saying which.
func (rq *request) health() error {
	res, err := rq.run(admin.GetClusterHealth{})
	if err != nil {
		return coreError(err, "", false)
	}
	status, text := http.StatusOK, "Garage is fully operational"
	switch res.(admin.ClusterHealth).Status {
	case "degraded":
		text = "Garage is operational but some storage nodes are unavailable"
	case "unavailable":
		status, text = http.StatusServiceUnavailable, "Quorum is not available for some/all partitions, reads and writes will fail"
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
