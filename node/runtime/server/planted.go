package server

// plantedAckBeforeBlocks, a test-only bug, makes a PUT of a multi-block
// object answer as soon as its version is begun, before its blocks are
// written or the version completed; the rest goes on in the background,
// where the request's body may already be gone. Only a binary built with
// the garage_planted_bugs tag can set it (planted_on.go), from
// GARAGE_PLANTED_BUG=ack-before-blocks: the chaos harness shows it catches
// it.
var plantedAckBeforeBlocks bool
