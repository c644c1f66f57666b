package blockstore

import (
	"errors"
	"fmt"
	"sync"

	"github.com/klauspost/compress/zstd"
)

// Garage's compression_level range, which is zstd's apart from the most
// extreme negative levels.
const (
	MinCompressionLevel = -99
	MaxCompressionLevel = 22
)

// MaxBlockSize bounds what Decompress will produce. It guards against a
// corrupt or hostile frame that claims a huge size; block_size must stay
// below it.
const MaxBlockSize = 256 << 20

// encoders holds one encoder per klauspost level, built on first use: an
// encoder keeps per-level state, and EncodeAll may be called concurrently.
var encoders [zstd.SpeedBestCompression + 1]struct {
	once sync.Once
	enc  *zstd.Encoder
	err  error
}

var decoder = sync.OnceValues(func() (*zstd.Decoder, error) {
	return zstd.NewReader(nil,
		zstd.WithDecoderConcurrency(0), // one per GOMAXPROCS, for concurrent DecodeAll
		zstd.WithDecoderMaxMemory(MaxBlockSize),
		zstd.IgnoreChecksum(false), // the frame checksum is what detects corruption
	)
})

// EncoderLevel maps a Garage/zstd compression_level onto klauspost's four
// encoder levels, which approximate reference zstd levels 1, 3, 7 and 11:
//
//	level ≤ 2 except 0 (negative levels too) → SpeedFastest
//	0 (zstd's "default", i.e. 3) and 3–5     → SpeedDefault
//	6–9                                      → SpeedBetterCompression
//	10–22                                    → SpeedBestCompression
//
// klauspost has nothing faster than level 1, so negative levels, which trade
// ratio for speed in reference zstd, get its fastest level.
func EncoderLevel(level int) (zstd.EncoderLevel, error) {
	if level < MinCompressionLevel || level > MaxCompressionLevel {
		return 0, fmt.Errorf("compression level %d outside [%d, %d]", level, MinCompressionLevel, MaxCompressionLevel)
	}
	if level == 0 {
		level = 3
	}
	return zstd.EncoderLevelFromZstd(level), nil
}

// Compress encodes plain as a single zstd frame with a content checksum,
// the form in which compressed blocks are stored. An empty plain still
// yields a full frame, so a stored compressed block is never empty.
func Compress(plain []byte, level int) ([]byte, error) {
	l, err := EncoderLevel(level)
	if err != nil {
		return nil, err
	}
	e := &encoders[l]
	e.once.Do(func() {
		e.enc, e.err = zstd.NewWriter(nil,
			zstd.WithEncoderLevel(l),
			zstd.WithEncoderCRC(true),
			zstd.WithZeroFrames(true),
		)
	})
	if e.err != nil {
		return nil, fmt.Errorf("zstd encoder at level %d: %w", level, e.err)
	}
	return e.enc.EncodeAll(plain, make([]byte, 0, len(plain)/2+64)), nil
}

// Decompress decodes a stored compressed block, checking its zstd frame
// checksum. Any malformed input is an error.
func Decompress(stored []byte) ([]byte, error) {
	if len(stored) == 0 {
		return nil, errors.New("zstd: empty input, no frame")
	}
	d, err := decoder()
	if err != nil {
		return nil, fmt.Errorf("zstd decoder: %w", err)
	}
	plain, err := d.DecodeAll(stored, nil)
	if err != nil {
		return nil, fmt.Errorf("zstd: %w", err)
	}
	return plain, nil
}
