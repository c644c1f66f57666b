//go:build garage_planted_bugs

package server

import "os"

func init() { plantedAckBeforeBlocks = os.Getenv("GARAGE_PLANTED_BUG") == "ack-before-blocks" }
