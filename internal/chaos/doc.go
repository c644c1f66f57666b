// Package chaos tests the binary as it ships: it runs real `garage serve`
// processes on this machine, faults them as a bad day in production
// would, drives them with real S3 clients (aws-sdk-go-v2 and minio-go),
// and judges the recorded history with the same checker as the simulator.
//
// The simulator proves the node logic; this proves the code around it:
// HTTP handling, the transport, timeouts, the disks, the processes. A run:
//
//   - starts N nodes (internal/proccluster), each dialling out from an
//     address of its own and advertising a proxy (internal/faultnet), so
//     every link between two nodes can be delayed, capped, made lossy,
//     blocked one way or both, reset or left half-open; each node's data
//     directory is a tmpfs of its own (a disk that can fill up) and its
//     clock follows a skew file;
//   - runs clients that put, get, delete, list and upload in parts
//     objects whose content encodes their identity, and, as a broken
//     client would, sends bodies cut short; every call is recorded with
//     its real start and end and the version stamp the store reports
//     (x-garage-stamp);
//   - applies a Plan: a schedule drawn from a seed, every fault class at
//     least once (SeededPlan), or a simulator scenario's timeline
//     (ScenarioPlan);
//   - heals everything, waits for every table partition's replicas to
//     report the same Merkle root, reads every key and lists the bucket
//     through every node;
//   - checks the history (read-after-write, no phantoms, write order,
//     listings), convergence and liveness, and reports with the schedule,
//     and porcupine's visualisation of a violation.
//
// An acknowledged write (2xx) must be seen; a refused one (4xx) must have
// had no effect; anything else (5xx, a timeout, a connection cut) may have
// either. The harness never retries a call, so each value is written once.
package chaos
