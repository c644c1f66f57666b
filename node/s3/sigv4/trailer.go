package sigv4

import (
	"io"
	"strings"
)

// readTrailers reads the "name:value" lines after the last chunk, up to a
// blank line or the end of the body, and in the signed-trailer mode checks
// the x-amz-trailer-signature line that closes them.
//
// A blank line ends the trailers only if nothing follows it: AWS's own
// example puts a blank line between the last chunk and the trailers, and
// some clients put one between the trailers and their signature.
func (r *ChunkedReader) readTrailers() error {
	r.trailer = make(map[string]string)
	var signed strings.Builder // the trailer lines as sent, each ending in "\n"
	var signature string
	signatureSeen, endedByBlankLine := false, false
	total := 0
	for {
		line, err := r.readLine()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if total += len(line) + 2; total > maxTrailerBytes {
			return errFraming("the trailers exceed %d bytes.", maxTrailerBytes)
		}
		if line == "" {
			if _, err := r.src.Peek(1); err == io.EOF {
				endedByBlankLine = true
				break
			} else if err != nil {
				return err
			}
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		name = strings.ToLower(strings.TrimSpace(name))
		switch {
		case !ok || name == "":
			return errFraming("bad trailer line %q.", truncate(line))
		case signatureSeen:
			return errFraming("a trailer follows the trailer signature.")
		case name == trailerSignatureName:
			signature, signatureSeen = strings.TrimSpace(value), true
			continue
		}
		if _, repeated := r.trailer[name]; repeated {
			return errFraming("the trailer %q is repeated.", name)
		}
		r.trailer[name] = strings.TrimSpace(value)
		signed.WriteString(line)
		signed.WriteByte('\n')
	}
	if r.mode != StreamingSignedTrailer {
		return nil
	}
	if !signatureSeen {
		switch {
		case len(r.trailer) == 0:
			return nil
		case endedByBlankLine:
			return errFraming("the trailers lack their x-amz-trailer-signature.")
		}
		return errIncompleteBody("The request body ended before the trailer signature.")
	}
	expected := sign(r.verified.SigningKey, trailerStringToSign(r.verified, r.previous, sha256Hex([]byte(signed.String()))))
	if !signaturesEqual(expected, signature) {
		return errSignatureMismatch()
	}
	return nil
}

// chunkStringToSign is what a chunk's signature signs: the chain's previous
// signature, the hash of the (absent) chunk headers and the hash of the
// chunk's data.
func chunkStringToSign(v Verified, previous, dataHash string) string {
	return "AWS4-HMAC-SHA256-PAYLOAD\n" + formatAmzDate(v.Date) + "\n" + v.Scope + "\n" +
		previous + "\n" + emptySHA256 + "\n" + dataHash
}

// trailerStringToSign is what the trailer signature signs: the chain's
// last chunk signature and the hash of the trailer lines.
func trailerStringToSign(v Verified, previous, trailerHash string) string {
	return "AWS4-HMAC-SHA256-TRAILER\n" + formatAmzDate(v.Date) + "\n" + v.Scope + "\n" +
		previous + "\n" + trailerHash
}
