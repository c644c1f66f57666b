# Everyday recipes. Each one is a plain command, listed in README.md.

# Run every test (unit, end-to-end, 300 simulator seeds).
test:
    go test ./...

# Quick tests: fewer simulator seeds.
test-short:
    go test -short ./...

# Replay one simulator seed (just sim 42), or a range (just sim 1 --seeds 100).
sim seed="1" *args="":
    go run ./cmd/garage sim run --seed {{seed}} {{args}}

# Run every scenario under scenarios/ (checks verdicts and trace hashes).
scenarios:
    for f in scenarios/*.yaml; do go run ./cmd/garage sim run "$f"; done

# Record the trace hashes of the scenarios after an intended change.
record-scenarios:
    for f in scenarios/*.yaml; do go run ./cmd/garage sim run "$f" --record; done

# Search for failing fault schedules for five minutes (just fuzz 10m, or
# just fuzz 2m --scenario scenarios/power-cut.yaml).
fuzz time="5m" *args="":
    go run ./cmd/garage sim fuzz --time {{time}} {{args}}

# Fuzz the S3 API's parsers (SigV4, aws-chunked, POST policy, XML bodies),
# each for the given time.
fuzz-s3 time="30s":
    bash .ci/fuzz-s3.sh {{time}}

# Drive the aws cli, s3cmd and rclone against a fresh single-node default
# (installs missing clients from Debian's packages).
smoke-s3:
    bash .ci/install-s3-clients.sh
    bash .ci/s3-smoke.sh

# A long soak: an hour of fuzzing and 2,000 seeds of each simulator test mix.
soak:
    go run ./cmd/garage sim fuzz --time 1h
    go run ./cmd/garage sim run --seed 1000 --seeds 2000
    go run ./cmd/garage sim run --seed 1000 --seeds 1000 --objects 100 --ops 400
    go run ./cmd/garage sim run --seed 1000 --seeds 1000 --layout-changes --objects 50 --ops 600
    go run ./cmd/garage sim run --seed 1000 --seeds 1000 --k2v 60 --layout-changes

# The K2V API on a local 3-node cluster: InsertItem and ReadItem with 16
# clients, poll latency, ReadBatch of 1,000 items.
bench-k2v:
    go test -run '^$' -bench . -benchtime 2000x ./node/runtime/k2vapi/

# The operator's surface on a local 3-node cluster: GetClusterHealth and
# /health requests per second (16 clients), website GET against S3 GET of
# the same 4 KiB and 1 MiB objects, and the CPU cost of metrics under an S3
# load, with and without every node scraped each second.
bench-ops:
    go test -run '^$' -bench HealthChecks -benchtime 20000x ./node/runtime/adminapi/
    go test -run '^$' -bench GET -benchtime 2000x ./node/runtime/webapi/
    go test -run '^$' -bench MetricsCost -benchtime 6000x ./node/runtime/metrics/

# Run a node: the single-node default under ./garage-data, or -c FILE.
serve *args="":
    go run ./cmd/garage {{args}} serve

# Benchmarks: simulator, checker, layout computation, Merkle trees, network
# model, transport, metadata store, quorum reads through the event loop.
# Ends with the S3 API end to end (garage bench; alone: just bench-s3).
bench:
    go test -run '^$' -bench 'Simulator|Check' -benchtime 20x ./sim ./checker
    go test -run '^$' -bench . ./node/layout
    go test -run '^$' -bench . ./node/merkle ./netsim ./node/runtime/transport
    go test -run '^$' -bench . -benchtime 2s ./node/runtime/metastore
    go test -run '^$' -bench Quorum -benchtime 20000x ./node/runtime/server
    go test -run '^$' -bench . ./node/runtime/blockstore
    go test -run '^$' -bench BlockThroughput -benchtime 3x ./node/runtime/server
    go run ./cmd/garage bench

# The S3 API on a local 3-node cluster of real processes: PUT and GET
# throughput and latency p50/p99 for 4 KiB, 1 MiB and 64 MiB objects with 16
# clients, time to first byte, and each node's peak memory. About two
# minutes; flags go after it (just bench-s3 --json bench-s3.json).
bench-s3 *args="":
    go run ./cmd/garage bench {{args}}

# This store on 1 node and on 3 nodes (replication 3) against other S3
# stores, side by side: PUT/GET of 1 MiB and 4 KiB, 8 clients, 20 s a phase,
# medians of 3 interleaved rounds, with ratios. Peers and other flags go
# after it (README, "Comparing with MinIO"):
# just bench-compare --peer minio1=http://127.0.0.1:9000,KEY,SECRET
bench-compare *args="":
    go run ./cmd/garage bench --compare {{args}}

# Time for a new node to sync with 10,000 and 100,000 objects: simulated
# (virtual time) and on loopback (real time). Several minutes.
bench-sync:
    go test -run '^$' -bench NewNodeSync -benchtime 1x -timeout 60m ./sim ./node/runtime/server

# Metadata size and anti-entropy of a table after 1,000,000 distinct keys
# were put then deleted, before and after their tombstones are collected.
# About two minutes.
bench-tombstones:
    go test -run '^$' -bench Tombstones -benchtime 1x -timeout 60m ./node

# Real garage serve processes under every fault class for a long while,
# checked like the simulator (just chaos 30m --seed 9).
chaos time="10m" *args="":
    go run ./cmd/garage chaos run --duration {{time}} {{args}}

# Vet and formatting.
lint:
    go vet ./...
    test -z "$(gofmt -l .)"
