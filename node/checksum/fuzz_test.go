package checksum

import (
	"bytes"
	"testing"
)

// FuzzFullObjectOf cuts data into pieces at the given lengths and checks
// that the CRCs combined from the pieces' are the CRC of the whole, for
// each CRC S3 uses.
func FuzzFullObjectOf(f *testing.F) {
	f.Add([]byte("123456789"), []byte{3, 0, 4})
	f.Add(bytes.Repeat([]byte{0xff}, 300), []byte{255, 1})
	f.Fuzz(func(t *testing.T, data, cuts []byte) {
		var pieces [][]byte
		rest := data
		for _, c := range cuts {
			n := min(int(c), len(rest))
			pieces = append(pieces, rest[:n])
			rest = rest[n:]
		}
		pieces = append(pieces, rest)
		for _, a := range []Algorithm{CRC32, CRC32C, CRC64NVME} {
			var parts []Part
			for _, p := range pieces {
				parts = append(parts, Part{Sum: a.Sum(p), Size: uint64(len(p))})
			}
			got, err := FullObjectOf(a, parts)
			if err != nil {
				t.Fatal(err)
			}
			if want := a.Sum(data); !bytes.Equal(got, want) {
				t.Fatalf("%s over %d pieces: %x, the whole's is %x", a, len(pieces), got, want)
			}
		}
	})
}
