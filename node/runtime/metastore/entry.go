package metastore

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"

	"github.com/garagego/garage/node/meta"
	"github.com/garagego/garage/node/wire"
)

// A log entry's payload (what tidwall/wal stores as one entry's data) is
//
//	version byte | uvarint record count | records (meta.Record.Encode) | CRC32C
//
// with the big-endian CRC32C covering everything before it. tidwall/wal
// keeps no checksum of its own, so this is what detects a damaged entry.
const (
	entryVersion = 1
	crcLen       = 4
	// minEntryLen is a version byte and a checksum around an empty batch.
	minEntryLen = 1 + 1 + crcLen
	// minRecordLen is a delete of the empty key: a bool and a zero length.
	minRecordLen = 2
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

var errChecksum = errors.New("checksum mismatch")

// appendEntry appends the payload of batch to dst.
func appendEntry(dst []byte, batch []meta.Record) []byte {
	start := len(dst)
	e := wire.NewEncoder(append(dst, entryVersion))
	e.Uvarint(uint64(len(batch)))
	for _, r := range batch {
		r.Encode(e)
	}
	out := e.Bytes()
	return binary.BigEndian.AppendUint32(out, crc32.Checksum(out[start:], castagnoli))
}

// entryIntact reports whether payload carries a matching checksum, that is,
// whether it was written whole. It says nothing about the format version.
func entryIntact(payload []byte) bool {
	if len(payload) < minEntryLen {
		return false
	}
	body := payload[:len(payload)-crcLen]
	return crc32.Checksum(body, castagnoli) == binary.BigEndian.Uint32(payload[len(body):])
}

// decodeEntry checks payload and appends its records to recs. Nothing is
// returned unless the whole entry is intact, which keeps batches atomic.
func decodeEntry(payload []byte, recs []meta.Record) ([]meta.Record, error) {
	if !entryIntact(payload) {
		if len(payload) < minEntryLen {
			return recs, fmt.Errorf("entry of %d bytes is too short", len(payload))
		}
		return recs, errChecksum
	}
	if v := payload[0]; v != entryVersion {
		return recs, fmt.Errorf("unsupported entry format version %d", v)
	}
	d := wire.NewDecoder(payload[1 : len(payload)-crcLen])
	n := d.Len(minRecordLen)
	for range n {
		recs = append(recs, meta.DecodeRecord(d))
	}
	if err := d.Finish(); err != nil {
		return recs, fmt.Errorf("decode batch: %w", err)
	}
	return recs, nil
}
