package s3api

import (
	"net/http"
	"strings"

	"github.com/garagego/garage/node/model"
	"github.com/garagego/garage/node/object"
	"github.com/garagego/garage/node/s3/s3err"
	"github.com/garagego/garage/node/s3/s3xml"
)

// versionsPage is one page of ListObjectVersions: versions (newest first
// within a key, keys in order) and common prefixes, and where the next
// page starts (the last key or prefix listed, and the last version id).
type versionsPage struct {
	versions  []listedVersion
	prefixes  []string
	truncated bool
	nextKey   string
	nextID    string
}

type listedVersion struct {
	key    string
	v      model.ObjectVersion
	latest bool
}

// listObjectVersions answers ListObjectVersions: the same keys in the same
// order as the listings, each with its versions and delete markers, newest
// first; max-keys counts versions, markers and common prefixes alike.
// key-marker alone resumes after that key; with version-id-marker, after
// that version of it.
func (rq *request) listObjectVersions() error {
	q := rq.query
	l, err := readListing(q, "max-keys")
	if err != nil {
		return err
	}
	prefix, delimiter, keyMarker, idMarker := q.Get("prefix"), q.Get("delimiter"), q.Get("key-marker"), q.Get("version-id-marker")
	if idMarker != "" {
		if keyMarker == "" {
			return s3err.New(s3err.InvalidArgument, "A version-id marker cannot be specified without a key marker.")
		}
		if _, err := model.ParseVersionRef(idMarker); err != nil {
			return s3err.New(s3err.InvalidArgument, "Invalid version id specified")
		}
	}
	page, err := rq.listVersions(prefix, delimiter, keyMarker, idMarker, l.limit)
	if err != nil {
		return err
	}
	out := s3xml.ListVersionsResult{Name: rq.bucketName, Prefix: l.enc(prefix), KeyMarker: l.enc(keyMarker), VersionIDMarker: idMarker,
		MaxKeys: l.limit, Delimiter: l.enc(delimiter), IsTruncated: page.truncated, EncodingType: l.encType,
		CommonPrefixes: prefixes(listPage{prefixes: page.prefixes}, l.enc)}
	if page.truncated {
		out.NextKeyMarker, out.NextVersionIDMarker = l.enc(page.nextKey), page.nextID
	}
	owner := rq.owner()
	for _, lv := range page.versions {
		v := lv.v
		e := s3xml.ObjectVersion{XMLName: s3xml.VersionElement, Key: l.enc(lv.key), VersionID: v.S3VersionID(), IsLatest: lv.latest,
			LastModified: s3xml.Time(millisTime(v.Timestamp)), Owner: &owner}
		if v.State.Data == model.DeleteMarker {
			e.XMLName = s3xml.DeleteMarkerElement
		} else {
			size := v.State.Meta.Size
			e.ETag, e.Size, e.StorageClass = s3xml.ETag(v.State.Meta.ETag), &size, storageClassOf(v.State.Meta.Headers)
		}
		out.Versions = append(out.Versions, e)
	}
	return rq.writeXML(http.StatusOK, out)
}

// listVersions reads one page of versions (see listObjectVersions).
func (rq *request) listVersions(prefix, delimiter, keyMarker, idMarker string, limit int) (versionsPage, error) {
	var page versionsPage
	if limit == 0 {
		return page, nil
	}
	cursor := prefix
	if keyMarker >= cursor {
		cursor = keyMarker
		if idMarker == "" {
			cursor += "\x00"
		}
		if cp, ok := commonPrefix(keyMarker, prefix, delimiter); ok && cp <= keyMarker {
			cursor = max(cursor, prefixEnd(cp))
		}
	}
	end := prefixEnd(prefix)
	count := 0
	full := func() bool {
		if count == limit {
			page.truncated = true
		}
		return page.truncated
	}
	for {
		// Every key listed holds a version at least: a page never needs
		// more keys than it has room left for (and one, to know whether
		// more follow).
		l, err := rq.api.backend.ListObjectVersions(rq.ctx, object.ListVersions{Bucket: rq.bucket.ID, Start: cursor, End: end,
			Limit: min(maxListKeys, limit-count+1), NullMarkers: rq.bucket.Versioning() != model.VersioningOff})
		if err != nil {
			return page, err
		}
		skipTo := ""
		for _, kv := range l.Keys {
			if kv.Key < cursor || !strings.HasPrefix(kv.Key, prefix) {
				continue
			}
			if cp, ok := commonPrefix(kv.Key, prefix, delimiter); ok {
				if full() {
					return page, nil
				}
				page.prefixes = append(page.prefixes, cp)
				page.nextKey, page.nextID = cp, ""
				count++
				skipTo = prefixEnd(cp)
				break
			}
			versions := kv.Versions
			if kv.Key == keyMarker && idMarker != "" {
				versions = after(versions, idMarker)
			}
			for _, v := range versions {
				if full() {
					return page, nil
				}
				page.versions = append(page.versions, listedVersion{key: kv.Key, v: v, latest: v.ID == kv.Versions[0].ID})
				page.nextKey, page.nextID = kv.Key, v.S3VersionID()
				count++
			}
		}
		switch {
		case skipTo != "":
			cursor = skipTo
		case l.More:
			cursor = l.Next
		default:
			return page, nil
		}
		if end != "" && cursor >= end {
			return page, nil
		}
	}
}

// after returns the versions listed after the one S3 calls id; all of them
// if it is gone (it was deleted since the previous page: listing a version
// twice is better than missing one).
func after(versions []model.ObjectVersion, id string) []model.ObjectVersion {
	for i, v := range versions {
		if v.S3VersionID() == id {
			return versions[i+1:]
		}
	}
	return versions
}
