package checker

import (
	"fmt"
	"math"
	"slices"

	"github.com/anishathalye/porcupine"
)

// modelInput is what the floor model needs from a write or a Get.
type modelInput struct {
	kind    Kind
	key     Key
	value   string // Put only, for descriptions
	stamp   Stamp  // writes: the stamp assigned
	unknown bool   // a Delete of unknown outcome (its stamp unknown)
}

// floorState is the floor model's state: the largest stamp linearised so
// far, whether it is a Delete's, and whether a Delete of unknown outcome
// was linearised (its tombstone may have the newest stamp).
type floorState struct {
	floor         Stamp
	floorIsDelete bool
	maybeDeleted  bool
}

// allowsCollected reports whether a Get of nothing (no value, no
// tombstone) is explained: its tombstone may have been collected.
func (s floorState) allowsCollected() bool { return s.floorIsDelete || s.maybeDeleted }

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
		Init:      func() any { return floorState{} },
		Step: func(state, input, output any) (bool, any) {
			s, in := state.(floorState), input.(modelInput)
			switch {
			case in.unknown:
				s.maybeDeleted = true
				return true, s
			case in.kind.isWrite():
				switch {
				case in.stamp > s.floor:
					s.floor, s.floorIsDelete = in.stamp, in.kind == Delete
				case in.stamp == s.floor && in.kind == Delete:
					s.floorIsDelete = true // on a tie the deletion wins, as in the registers' order
				}
				return true, s
			}
			out := output.(modelOutput)
			return out.stamp >= s.floor || (!out.found && out.stamp == "" && s.allowsCollected()), s
		},
		Hash: func(state any) uint64 {
			s := state.(floorState)
			h := hashStamp(s.floor)
			if s.floorIsDelete {
				h ^= 1
			}
			if s.maybeDeleted {
				h ^= 2
			}
			return h
		},
		DescribeOperation: func(input, output any) string {
			return describeModelOp(input.(modelInput), output.(modelOutput), formatStamp)
		},
		DescribeState: func(state any) string {
			s := state.(floorState)
			d := "floor=" + formatStamp(s.floor)
			if s.floorIsDelete {
				d += " (a delete)"
			}
			if s.maybeDeleted {
				d += ", maybe deleted"
			}
			return d
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
// acknowledged Puts, Deletes and Gets, and Deletes of unknown outcome, in
// history order. Everything else is dropped, which is exact for P1: a
// write of unknown outcome never obliges a read to see it, and an
// unacknowledged Get returned nothing to check. A Delete of unknown
// outcome may explain a Get that found nothing (its tombstone collected):
// it is kept, returning never, so it may take effect any time after its
// call, or not at all. The op ID travels as Metadata.
func PorcupineOperations(h History) []porcupine.Operation {
	var ops []porcupine.Operation
	for _, op := range h {
		unknownDelete := op.Kind == Delete && op.Outcome == Unknown
		if !unknownDelete && (op.Outcome != OK || !(op.Kind.isWrite() || op.Kind == Get)) {
			continue
		}
		if op.Kind == Get && op.Version != "" {
			continue // a read of one version by id, not of the register
		}
		in := modelInput{kind: op.Kind, key: op.Key, unknown: unknownDelete}
		var out modelOutput
		if op.Kind == Get {
			out = modelOutput{found: op.Found, value: op.Value, stamp: op.Stamp}
		} else {
			in.value, in.stamp = op.Value, op.Stamp
		}
		ret := op.Return
		if unknownDelete {
			ret = math.MaxInt64
		}
		ops = append(ops, porcupine.Operation{
			ClientId: op.Client,
			Input:    in,
			Call:     op.Call,
			Output:   out,
			Return:   ret,
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
	case in.kind == Delete && in.unknown:
		return fmt.Sprintf("delete(%v) (outcome unknown)", in.key)
	case in.kind == Delete:
		return fmt.Sprintf("delete(%v) @%s", in.key, formatStamp(in.stamp))
	case out.found:
		return fmt.Sprintf("get(%v) -> %s @%s", in.key, out.value, formatStamp(out.stamp))
	case out.stamp != "":
		return fmt.Sprintf("get(%v) -> deleted @%s", in.key, formatStamp(out.stamp))
	}
	return fmt.Sprintf("get(%v) -> never written", in.key)
}
