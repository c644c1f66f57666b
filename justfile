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

# Benchmarks: simulator throughput, checker, Merkle trees, network model.
bench:
    go test -run '^$' -bench . -benchtime 20x ./sim ./checker
    go test -run '^$' -bench . ./node/merkle ./netsim

# Vet and formatting.
lint:
    go vet ./...
    test -z "$(gofmt -l .)"
