// Package s3bench is the S3 workload driver behind `garage bench`: it puts
// then gets objects of each of a list of sizes from many concurrent clients,
// spread over one or more S3 endpoints, times every request (latency and,
// for GETs, time to first byte) and sums each phase up into a [Report],
// which it prints as a table or writes as JSON.
//
// It knows nothing of how the cluster under test was started: the caller
// gives it endpoints and credentials ([NewTarget]) and, optionally, a way
// to read the nodes' peak memory after each phase ([Workload.NodePeaks]).
// Its error messages name garage bench's flags (--sizes, --json), as the
// command reports them as they are.
package s3bench
