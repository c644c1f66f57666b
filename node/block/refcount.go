package block

import (
	"errors"

	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/wire"
)

// The reference count of a block on this node lives in the metadata store
// under "b/rc/" + hash: the number of live block references this node holds
// for the block, and since when it has been zero.
const rcPrefix = "b/rc/"

// RefCount is what a node knows of a block's references.
type RefCount struct {
	Count     uint64
	ZeroSince cluster.Time // when Count last dropped to zero; 0 while referenced
}

// RefCount returns the block's reference count on this node.
func (m *Manager) RefCount(h cluster.Hash) RefCount {
	b, ok := m.store.Get(rcPrefix + string(h[:]))
	if !ok {
		return RefCount{}
	}
	d := wire.NewDecoder(b)
	return RefCount{Count: d.Uvarint(), ZeroSince: cluster.Time(d.Varint())}
}

func (m *Manager) setRefCount(h cluster.Hash, rc RefCount) {
	key := rcPrefix + string(h[:])
	if rc == (RefCount{}) {
		m.store.Delete(key)
		return
	}
	e := wire.NewEncoder(nil)
	e.Uvarint(rc.Count)
	e.Varint(int64(rc.ZeroSince))
	m.store.Put(key, e.Bytes())
}

// Referenced records one more live reference to block h; called by the
// block-reference table's hook. A block that becomes referenced is checked
// at once, so a missing copy is fetched.
func (m *Manager) Referenced(now cluster.Time, h cluster.Hash) {
	rc := m.RefCount(h)
	rc.Count++
	rc.ZeroSince = 0
	m.setRefCount(h, rc)
	if rc.Count == 1 {
		m.enqueue(h, now)
	}
}

// Unreferenced records one live reference fewer. A block whose count drops
// to zero is checked again after GCDelay, and deleted then if still
// unreferenced.
func (m *Manager) Unreferenced(now cluster.Time, h cluster.Hash) {
	rc := m.RefCount(h)
	if rc.Count == 0 {
		return // never counted here (the reference arrived already deleted)
	}
	rc.Count--
	if rc.Count == 0 {
		rc.ZeroSince = now
		m.enqueue(h, now.Add(m.cfg.GCDelay))
	}
	m.setRefCount(h, rc)
}

// RefCounts calls fn for every block with a reference count on this node,
// in hash order.
func (m *Manager) RefCounts(fn func(cluster.Hash, RefCount) bool) {
	m.store.Range(rcPrefix, rcPrefix+"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff", func(k string, v []byte) bool {
		var h cluster.Hash
		copy(h[:], k[len(rcPrefix):])
		d := wire.NewDecoder(v)
		return fn(h, RefCount{Count: d.Uvarint(), ZeroSince: cluster.Time(d.Varint())})
	})
}

func isCorrupt(err error) bool  { return errors.Is(err, ErrCorrupt) }
func isNotFound(err error) bool { return errors.Is(err, ErrNotFound) }
