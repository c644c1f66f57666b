package s3api

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/garagego/garage/node/checksum"
	"github.com/garagego/garage/node/object"
	"github.com/garagego/garage/node/s3/s3err"
	"github.com/garagego/garage/node/s3/s3xml"
)

// objectAttributes are the names x-amz-object-attributes may list.
var objectAttributes = []string{"ETag", "Checksum", "ObjectParts", "StorageClass", "ObjectSize"}

// getObjectAttributes answers GetObjectAttributes: of the object's current
// version or the one versionId names, the attributes
// x-amz-object-attributes lists; its parts one page at a time
// (x-amz-max-parts, x-amz-part-number-marker), for an object uploaded in
// parts. An SSE-C object's attributes need its key, as for HEAD.
func (rq *request) getObjectAttributes() error {
	h := rq.r.Header
	want, err := requestedAttributes(h)
	if err != nil {
		return err
	}
	maxParts, err := headerInt(h, "x-amz-max-parts", object.MaxPartNumber)
	if err != nil {
		return err
	}
	marker, err := headerInt(h, "x-amz-part-number-marker", 0)
	if err != nil {
		return err
	}
	obj, _, err := rq.addressedVersion()
	if err != nil {
		return err
	}
	if _, err := rq.storedEncryption(obj.Meta, readObject); err != nil {
		return err
	}
	rq.w.Header().Set("Last-Modified", millisTime(obj.Timestamp).Format(http.TimeFormat))
	var out s3xml.GetObjectAttributesResponse
	sum := objectChecksum(obj.Meta.Headers)
	for _, a := range want {
		switch a {
		case "ETag":
			out.ETag = strings.Trim(obj.Meta.ETag, `"`)
		case "Checksum":
			if sum.algo != checksum.None {
				out.Checksum = &s3xml.ObjectChecksum{Checksums: s3xml.ChecksumOf(sum.algo.String(), sum.value), ChecksumType: sum.typ}
			}
		case "ObjectParts":
			out.ObjectParts = objectParts(obj, sum, marker, maxParts)
		case "StorageClass":
			out.StorageClass = storageClassOf(obj.Meta.Headers)
		case "ObjectSize":
			size := obj.Meta.Size
			out.ObjectSize = &size
		}
	}
	return rq.writeXML(http.StatusOK, out)
}

// requestedAttributes reads x-amz-object-attributes: a comma-separated
// list of objectAttributes, at least one (InvalidArgument otherwise).
func requestedAttributes(h http.Header) ([]string, error) {
	var want []string
	for _, line := range h.Values("x-amz-object-attributes") {
		for _, a := range strings.Split(line, ",") {
			a = strings.TrimSpace(a)
			if !slices.Contains(objectAttributes, a) {
				return nil, s3err.New(s3err.InvalidArgument, "Invalid attribute name specified: %q.", a)
			}
			want = append(want, a)
		}
	}
	if len(want) == 0 {
		return nil, s3err.New(s3err.InvalidArgument, "The x-amz-object-attributes header specifying the attributes to be retrieved is either missing or empty.")
	}
	return want, nil
}

// headerInt reads a non-negative integer header, def if absent.
func headerInt(h http.Header, name string, def int) (int, error) {
	v := h.Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 0 {
		return 0, s3err.New(s3err.InvalidArgument, "%s must be a non-negative integer, not %q.", name, v)
	}
	return n, nil
}

// objectParts is the page of obj's parts after marker, at most max of
// them; nil for an object not uploaded in parts (S3 gives none then).
func objectParts(obj object.Object, sum storedChecksum, marker, max int) *s3xml.ObjectPartsInfo {
	if len(obj.Parts) == 0 {
		return nil
	}
	info := &s3xml.ObjectPartsInfo{TotalPartsCount: len(obj.Parts), PartNumberMarker: marker, MaxParts: max}
	for _, p := range obj.Parts {
		if int(p.Part) <= marker {
			continue
		}
		if len(info.Parts) == max {
			info.IsTruncated = true
			break
		}
		span, _ := partSpan(obj, p.Part)
		part := s3xml.ObjectPart{PartNumber: int(p.Part), Size: span.to - span.from}
		if sum.typ == checksum.Composite.String() {
			part.Checksums = s3xml.ChecksumOf(sum.algo.String(), p.Checksum)
		}
		info.Parts = append(info.Parts, part)
		info.NextPartNumberMarker = int(p.Part)
	}
	return info
}
