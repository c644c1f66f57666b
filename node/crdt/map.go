package crdt

import (
	"slices"
	"strings"

	"github.com/garagego/garage/node/wire"
)

// Map is a map from string keys to last-writer-wins registers; Join joins
// the registers key by key. Deleting a key leaves a tombstone register, so a
// late write older than the deletion stays deleted. Bucket aliases and
// per-key permissions are Maps. Entries stay sorted by key.
type Map struct {
	entries []mapEntry
}

type mapEntry struct {
	Key string
	Reg Register
}

// Set joins reg into the register at key.
func (m Map) Set(key string, reg Register) Map {
	i, found := m.find(key)
	entries := slices.Clone(m.entries)
	if found {
		entries[i].Reg = entries[i].Reg.Join(reg)
	} else {
		entries = slices.Insert(entries, i, mapEntry{Key: key, Reg: reg})
	}
	return Map{entries: entries}
}

// Get returns the register at key (the zero Register if absent).
func (m Map) Get(key string) Register {
	if i, found := m.find(key); found {
		return m.entries[i].Reg
	}
	return Register{}
}

// Keys lists the keys whose register is live, in order.
func (m Map) Keys() []string {
	var keys []string
	for _, e := range m.entries {
		if e.Reg.Live() {
			keys = append(keys, e.Key)
		}
	}
	return keys
}

// Len counts the keys, tombstones included.
func (m Map) Len() int { return len(m.entries) }

// Join joins two maps key by key.
func (m Map) Join(o Map) Map {
	out := make([]mapEntry, 0, len(m.entries)+len(o.entries))
	i, j := 0, 0
	for i < len(m.entries) || j < len(o.entries) {
		switch {
		case j == len(o.entries) || (i < len(m.entries) && m.entries[i].Key < o.entries[j].Key):
			out = append(out, m.entries[i])
			i++
		case i == len(m.entries) || o.entries[j].Key < m.entries[i].Key:
			out = append(out, o.entries[j])
			j++
		default:
			out = append(out, mapEntry{Key: m.entries[i].Key, Reg: m.entries[i].Reg.Join(o.entries[j].Reg)})
			i++
			j++
		}
	}
	return Map{entries: out}
}

func (m Map) find(key string) (int, bool) {
	return slices.BinarySearchFunc(m.entries, key, func(e mapEntry, k string) int { return strings.Compare(e.Key, k) })
}

// Encode writes m canonically.
func (m Map) Encode(e *wire.Encoder) {
	e.Uvarint(uint64(len(m.entries)))
	for _, en := range m.entries {
		e.String(en.Key)
		en.Reg.Encode(e)
	}
}

// DecodeMap reads a Map, rejecting unsorted or duplicate keys.
func DecodeMap(d *wire.Decoder) Map {
	n := d.Len(2)
	entries := make([]mapEntry, 0, n)
	for range n {
		var en mapEntry
		en.Key = d.String()
		en.Reg = DecodeRegister(d)
		if len(entries) > 0 && entries[len(entries)-1].Key >= en.Key {
			d.Failf("map keys not strictly sorted")
			return Map{}
		}
		entries = append(entries, en)
	}
	return Map{entries: entries}
}
