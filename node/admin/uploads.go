package admin

import (
	"errors"
	"fmt"

	"github.com/garagego/garage/node/cluster"
	"github.com/garagego/garage/node/model"
	"github.com/garagego/garage/node/object"
)

// CleanupIncompleteUploads aborts every multipart upload of Bucket (a
// global alias, full id or unique id prefix) created more than
// OlderThanSecs seconds before the node's clock reads now, each as S3's
// AbortMultipartUpload does (its parts' versions and block references
// go). Answers UploadsCleaned.
type CleanupIncompleteUploads struct {
	Bucket        string `json:"bucket"`
	OlderThanSecs uint64 `json:"olderThanSecs"`
}

func (CleanupIncompleteUploads) OpName() string { return "CleanupIncompleteUploads" }

// UploadsCleaned answers CleanupIncompleteUploads.
type UploadsCleaned struct {
	Bucket  string `json:"bucket"` // the bucket's full id
	Aborted uint64 `json:"aborted"`
}

// uploadsPage is how many object entries one listing step reads.
const uploadsPage = 1000

func (s *Service) cleanupIncompleteUploads(now cluster.Time, op CleanupIncompleteUploads, done Done) {
	s.resolveBucket(now, op.Bucket, done, func(now cluster.Time, b model.Bucket) {
		var cutoff uint64 // uploads created before it go; none if the age reaches back before 1970
		if age := op.OlderThanSecs; age <= now.Millis()/1000 {
			cutoff = now.Millis() - age*1000
		}
		res := UploadsCleaned{Bucket: b.ID.String()}
		var page func(now cluster.Time, start string)
		page = func(now cluster.Time, start string) {
			list := object.ListMultipartUploads{Bucket: b.ID, Start: start, Limit: uploadsPage}
			s.submitObject(now, list, done, func(now cluster.Time, r any, err error) {
				if err != nil {
					done(now, nil, fmt.Errorf("clean up uploads of %s: %w", b.ID, err))
					return
				}
				l := r.(object.UploadList)
				var old []object.UploadInfo
				for _, u := range l.Uploads {
					if u.Timestamp < cutoff {
						old = append(old, u)
					}
				}
				s.abortUploads(now, b.ID, old, &res, done, func(now cluster.Time) {
					if l.More {
						page(now, l.Next)
						return
					}
					done(now, res, nil)
				})
			})
		}
		page(now, "")
	})
}

// abortUploads aborts uploads one after the other, counting those it
// ended; one that ended meanwhile (completed or aborted by someone else)
// is not counted.
func (s *Service) abortUploads(now cluster.Time, bucket model.BucketID, uploads []object.UploadInfo, res *UploadsCleaned, done Done, next func(cluster.Time)) {
	if len(uploads) == 0 {
		next(now)
		return
	}
	u := uploads[0]
	s.submitObject(now, object.AbortMultipart{Bucket: bucket, Key: u.Key, UploadID: u.UploadID}, done, func(now cluster.Time, _ any, err error) {
		switch {
		case errors.Is(err, object.ErrNoSuchUpload):
		case err != nil:
			done(now, nil, fmt.Errorf("abort upload %s of %q (%d aborted before): %w", u.UploadID, u.Key, res.Aborted, err))
			return
		default:
			res.Aborted++
		}
		s.abortUploads(now, bucket, uploads[1:], res, done, next)
	})
}

// submitObject runs an object operation; one the object service does not
// take ends the admin operation at once.
func (s *Service) submitObject(now cluster.Time, op any, done Done, next object.Done) {
	if !s.objects.Submit(now, op, next) {
		done(now, nil, fmt.Errorf("object operation %T not taken", op))
	}
}
