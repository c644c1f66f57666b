package adminapi

import (
	"net/http"
	"strings"
	"time"

	"github.com/garagego/garage/node/admin"
	"github.com/garagego/garage/node/model"
	"github.com/garagego/garage/node/runtime/httpapi"
	"github.com/garagego/garage/node/s3/sse"
)

// InspectObjectResponse is one object's versions as stored.
type InspectObjectResponse struct {
	BucketID string                 `json:"bucketId"`
	Key      string                 `json:"key"`
	Versions []InspectObjectVersion `json:"versions"`
}

// InspectObjectVersion is one version: Size and Etag are null but for
// complete versions with data; Headers (name, value pairs, the internal
// ones left out) and Blocks are omitted when empty, as Garage's.
type InspectObjectVersion struct {
	UUID         string               `json:"uuid"`
	Timestamp    time.Time            `json:"timestamp"`
	Encrypted    bool                 `json:"encrypted"`
	Uploading    bool                 `json:"uploading"`
	Aborted      bool                 `json:"aborted"`
	DeleteMarker bool                 `json:"deleteMarker"`
	Inline       bool                 `json:"inline"`
	Size         *uint64              `json:"size"`
	Etag         *string              `json:"etag"`
	Headers      [][2]string          `json:"headers,omitempty"`
	Blocks       []InspectObjectBlock `json:"blocks,omitempty"`
}

// InspectObjectBlock is one block of a version's data.
type InspectObjectBlock struct {
	PartNumber uint64 `json:"partNumber"`
	Offset     uint64 `json:"offset"`
	Hash       string `json:"hash"`
	Size       uint64 `json:"size"`
}

// CleanupIncompleteUploadsRequest: both fields are required, as Garage's.
type CleanupIncompleteUploadsRequest struct {
	BucketID      string  `json:"bucketId"`
	OlderThanSecs *uint64 `json:"olderThanSecs"`
}

type CleanupIncompleteUploadsResponse struct {
	UploadsDeleted uint64 `json:"uploadsDeleted"`
}

// inspectObject answers GET /v2/InspectObject?bucketId=&key=: every
// version the object entry holds, oldest first, with its state, headers
// and blocks (admin.InspectObject).
func inspectObject(rq *request) (any, error) {
	id, err := rq.required("bucketId")
	if err != nil {
		return nil, err
	}
	if err := bucketID(id); err != nil {
		return nil, err
	}
	key, err := rq.required("key")
	if err != nil {
		return nil, err
	}
	res, err := rq.run(admin.InspectObject{Bucket: id, Key: key})
	if err != nil {
		return nil, coreError(err, codeNoSuchBucket, false)
	}
	info := res.(admin.ObjectInfo)
	if len(info.Versions) == 0 {
		return nil, &apiError{http.StatusNotFound, "NoSuchKey", "Key not found"}
	}
	out := InspectObjectResponse{BucketID: info.Bucket, Key: info.Key, Versions: []InspectObjectVersion{}}
	for _, v := range info.Versions {
		out.Versions = append(out.Versions, inspectedVersion(v))
	}
	return out, nil
}

// inspectedVersion is one version in Garage's terms: an upload shows its
// headers and blocks so far, an aborted version the blocks it still has,
// a complete one its size, ETag and headers (and blocks, if not inline).
func inspectedVersion(v admin.VersionInfo) InspectObjectVersion {
	out := InspectObjectVersion{UUID: v.Internal, Timestamp: msTime(v.Timestamp)}
	headers, encrypted := visibleHeaders(v.Headers)
	blocks := inspectedBlocks(v.Blocks)
	switch {
	case v.State == model.Uploading.String():
		out.Uploading, out.Encrypted, out.Headers, out.Blocks = true, encrypted, headers, blocks
	case v.State == model.Aborted.String():
		out.Aborted, out.Blocks = true, blocks
	case v.Kind == model.DeleteMarker.String():
		out.DeleteMarker = true
	default:
		out.Size, out.Etag = ptr(v.Size), ptr(v.ETag)
		out.Encrypted, out.Headers = encrypted, headers
		if v.Kind == model.Inline.String() {
			out.Inline = true
		} else {
			out.Blocks = blocks
		}
	}
	return out
}

// visibleHeaders are a version's stored headers without the internal
// ones, and whether its data is encrypted (SSE-C or SSE-S3: it has
// encryption parameters).
func visibleHeaders(hs []admin.HeaderInfo) ([][2]string, bool) {
	var out [][2]string
	encrypted := false
	for _, h := range hs {
		if h.Name == httpapi.SSEHeader {
			_, err := sse.ParseParams(h.Value)
			encrypted = err == nil
		}
		if strings.HasPrefix(h.Name, httpapi.InternalPrefix) {
			continue
		}
		out = append(out, [2]string{h.Name, h.Value})
	}
	return out, encrypted
}

func inspectedBlocks(bs []admin.BlockPos) []InspectObjectBlock {
	var out []InspectObjectBlock
	for _, b := range bs {
		out = append(out, InspectObjectBlock{PartNumber: uint64(b.Part), Offset: b.Offset, Hash: b.Hash, Size: b.Size})
	}
	return out
}

// cleanupIncompleteUploads answers POST /v2/CleanupIncompleteUploads: it
// aborts the bucket's multipart uploads created more than olderThanSecs
// ago (admin.CleanupIncompleteUploads, by the node's clock) and answers
// how many it aborted.
func cleanupIncompleteUploads(rq *request) (any, error) {
	var req CleanupIncompleteUploadsRequest
	if err := rq.decode(&req); err != nil {
		return nil, err
	}
	if req.OlderThanSecs == nil {
		return nil, badRequest("Invalid JSON body: missing field `olderThanSecs`")
	}
	if err := bucketID(req.BucketID); err != nil {
		return nil, err
	}
	res, err := rq.run(admin.CleanupIncompleteUploads{Bucket: req.BucketID, OlderThanSecs: *req.OlderThanSecs})
	if err != nil {
		return nil, coreError(err, codeNoSuchBucket, false)
	}
	return CleanupIncompleteUploadsResponse{UploadsDeleted: res.(admin.UploadsCleaned).Aborted}, nil
}
