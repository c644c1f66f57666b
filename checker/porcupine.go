package checker

import (
	"fmt"
	"slices"

	"github.com/anishathalye/porcupine"
)

// modelInput is what the floor model needs from a write or a Get.
type modelInput struct {
	kind  Kind
	key   Key
	value string // Put only, for descriptions
	stamp Stamp  // writes: the stamp assigned
}

// modelOutput is what a Get returned; writes return the zero value.
type modelOutput struct {
	found bool
	value string
	stamp Stamp
}

// PorcupineModel returns the exact porcupine model of P1 (read-after-write).
// Its state is the floor: the largest stamp among the writes linearised so
// far. A write raises the floor to its stamp; a Get is legal iff the stamp
// it read is at least the floor. Because a Get never constrains writes
// linearised after it, a history is linearisable under this model iff every
// Get's stamp is at least that of every write acknowledged before the Get
// was called, which is P1. Operations come from PorcupineOperations and are
// partitioned by key, partitions in sorted key order.
func PorcupineModel() porcupine.Model {
	return floorModel(Stamp.String)
}

func floorModel(formatStamp func(Stamp) string) porcupine.Model {
	return porcupine.Model{
		Partition: partitionByKey,
		Init:      func() any { return Stamp("") },
		Step: func(state, input, output any) (bool, any) {
			floor, in := state.(Stamp), input.(modelInput)
			if in.kind.isWrite() {
				return true, max(floor, in.stamp)
			}
			return output.(modelOutput).stamp >= floor, floor
		},
		Hash: func(state any) uint64 { return hashStamp(state.(Stamp)) },
		DescribeOperation: func(input, output any) string {
			return describeModelOp(input.(modelInput), output.(modelOutput), formatStamp)
		},
		DescribeState: func(state any) string {
			return "floor=" + formatStamp(state.(Stamp))
		},
		DescribeOperationMetadata: func(metadata any) string {
			if id, ok := metadata.(int); ok {
				return fmt.Sprintf("op #%d", id)
			}
			return ""
		},
	}
}

// PorcupineOperations converts h into the operations of PorcupineModel:
// acknowledged Puts, Deletes and Gets, in history order. Everything else is
// dropped, which is exact for P1: a write of unknown outcome never obliges a
// read to see it, and an unacknowledged Get returned nothing to check. The
// op ID travels as Metadata.
func PorcupineOperations(h History) []porcupine.Operation {
	var ops []porcupine.Operation
	for _, op := range h {
		if op.Outcome != OK || !(op.Kind.isWrite() || op.Kind == Get) {
			continue
		}
		in := modelInput{kind: op.Kind, key: op.Key}
		var out modelOutput
		if op.Kind == Get {
			out = modelOutput{found: op.Found, value: op.Value, stamp: op.Stamp}
		} else {
			in.value, in.stamp = op.Value, op.Stamp
		}
		ops = append(ops, porcupine.Operation{
			ClientId: op.Client,
			Input:    in,
			Call:     op.Call,
			Output:   out,
			Return:   op.Return,
			Metadata: op.ID,
		})
	}
	return ops
}

// partitionByKey splits a history into one partition per key, in sorted key
// order so that results and visualisations do not depend on map order.
func partitionByKey(ops []porcupine.Operation) [][]porcupine.Operation {
	byKey := make(map[Key][]porcupine.Operation)
	for _, op := range ops {
		key := op.Input.(modelInput).key
		byKey[key] = append(byKey[key], op)
	}
	keys := make([]Key, 0, len(byKey))
	for key := range byKey {
		keys = append(keys, key)
	}
	slices.SortFunc(keys, Key.compare)
	partitions := make([][]porcupine.Operation, len(keys))
	for i, key := range keys {
		partitions[i] = byKey[key]
	}
	return partitions
}

// hashStamp is 64-bit FNV-1a, written out to stay free of seeded hashes.
func hashStamp(s Stamp) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

func describeModelOp(in modelInput, out modelOutput, formatStamp func(Stamp) string) string {
	switch {
	case in.kind == Put:
		return fmt.Sprintf("put(%v)=%s @%s", in.key, in.value, formatStamp(in.stamp))
	case in.kind == Delete:
		return fmt.Sprintf("delete(%v) @%s", in.key, formatStamp(in.stamp))
	case out.found:
		return fmt.Sprintf("get(%v) -> %s @%s", in.key, out.value, formatStamp(out.stamp))
	case out.stamp != "":
		return fmt.Sprintf("get(%v) -> deleted @%s", in.key, formatStamp(out.stamp))
	}
	return fmt.Sprintf("get(%v) -> never written", in.key)
}
