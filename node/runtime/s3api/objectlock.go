package s3api

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/garagego/garage/node/admin"
	"github.com/garagego/garage/node/model"
	"github.com/garagego/garage/node/object"
	"github.com/garagego/garage/node/s3/objectlock"
	"github.com/garagego/garage/node/s3/s3err"
	"github.com/garagego/garage/node/wire"
)

// Object lock (WORM), as S3 has it. A bucket has lock when its
// configuration model.ConfigObjectLock is set (by CreateBucket with
// x-amz-bucket-object-lock-enabled, or PutObjectLockConfiguration on a
// bucket with versioning enabled); it is never unset, and its versioning
// cannot be suspended. A version's lock is set at creation in stored
// headers (model.HeaderRetention, model.HeaderLegalHold: the request's,
// else the bucket's default retention) and changed later with the
// attributes model.AttrRetention and model.AttrLegalHold. What a lock
// forbids is decided by the object core (object.ErrObjectLocked), which
// the S3 layer only asks and answers as S3 does: 403 AccessDenied.

// lockHeaderEndpoints are the endpoints that take the x-amz-object-lock-*
// headers; bypassEndpoints those that take x-amz-bypass-governance-retention.
// Elsewhere the headers are refused (NotImplemented), never ignored.
var (
	lockHeaderEndpoints = []string{"PutObject", "CopyObject", "CreateMultipartUpload"}
	bypassEndpoints     = []string{"DeleteObject", "DeleteObjects", "PutObjectRetention"}
)

// refuseMisplacedLock fails a request to endpoint carrying a lock header
// that endpoint does not take (the bypass and CreateBucket's header are
// accepted anywhere as "false", which asks for nothing).
func refuseMisplacedLock(endpoint string, h http.Header) error {
	present := func(name string) bool { _, ok := h[http.CanonicalHeaderKey(name)]; return ok }
	if !slices.Contains(lockHeaderEndpoints, endpoint) {
		for _, name := range []string{objectlock.HeaderMode, objectlock.HeaderRetainDate, objectlock.HeaderLegalHold} {
			if present(name) {
				return s3err.New(s3err.NotImplemented, "The %s header is not implemented for %s.", name, endpoint)
			}
		}
	}
	asksFor := func(name string) bool {
		return present(name) && !strings.EqualFold(strings.TrimSpace(h.Get(name)), "false")
	}
	if asksFor(objectlock.HeaderBypass) && !slices.Contains(bypassEndpoints, endpoint) {
		return s3err.New(s3err.NotImplemented, "The %s header is not implemented for %s.", objectlock.HeaderBypass, endpoint)
	}
	if endpoint != "CreateBucket" && asksFor(objectlock.HeaderEnabled) {
		return s3err.New(s3err.NotImplemented, "The %s header applies to CreateBucket only.", objectlock.HeaderEnabled)
	}
	return nil
}

// lockEndpoints are the endpoints of each object lock sub-resource: a
// request naming one is only ever one of them, never (say) a DeleteBucket
// that happened to carry ?object-lock.
var lockEndpoints = map[string][]string{
	"object-lock": {"GetObjectLockConfiguration", "PutObjectLockConfiguration"},
	"retention":   {"GetObjectRetention", "PutObjectRetention"},
	"legal-hold":  {"GetObjectLegalHold", "PutObjectLegalHold"},
}

// lockSubresourceAllows reports whether q's lock sub-resources (if any)
// are endpoint's.
func lockSubresourceAllows(q url.Values, endpoint string) bool {
	for sub, eps := range lockEndpoints {
		if q.Has(sub) && !slices.Contains(eps, endpoint) {
			return false
		}
	}
	return true
}

// lockConfig is the bucket's object lock configuration; ok is false for a
// bucket without lock.
func lockConfig(b model.Bucket) (cfg objectlock.Config, ok bool, err error) {
	data, ok := b.Config(model.ConfigObjectLock)
	if !ok {
		return objectlock.Config{}, false, nil
	}
	d := wire.NewDecoder(data)
	cfg = objectlock.DecodeConfig(d)
	if err := d.Finish(); err != nil {
		return objectlock.Config{}, false, err
	}
	return cfg, true, nil
}

// requireLock fails a request that names lock settings in a bucket
// without lock, as S3 answers it.
func (rq *request) requireLock() (objectlock.Config, error) {
	cfg, ok, err := lockConfig(rq.bucket)
	if err != nil {
		return cfg, err
	}
	if !ok {
		return cfg, s3err.New(s3err.InvalidRequest, "Bucket is missing Object Lock Configuration")
	}
	return cfg, nil
}

// lockCreateConfigs are the configurations CreateBucket sets when its
// request asks for object lock: versioning enabled and lock enabled.
func (rq *request) lockCreateConfigs() ([]admin.BucketConfig, error) {
	on, err := objectlock.ParseEnabled(rq.r.Header.Values)
	if err != nil || !on {
		return nil, err
	}
	return []admin.BucketConfig{
		{Name: model.ConfigVersioning, Value: []byte(model.VersioningEnabled)},
		{Name: model.ConfigObjectLock, Value: encoded(objectlock.Config{}.Encode)},
	}, nil
}

// refuseSuspendingLocked refuses suspending the versioning of a bucket
// with lock (S3's 409 InvalidBucketState).
func (rq *request) refuseSuspendingLocked(status string) error {
	if _, ok := rq.bucket.Config(model.ConfigObjectLock); ok && status != string(model.VersioningEnabled) {
		return s3err.New(s3err.InvalidBucketState, "An Object Lock configuration is present on this bucket, so the versioning state cannot be changed.")
	}
	return nil
}

func (rq *request) getObjectLockConfiguration() error {
	cfg, ok, err := lockConfig(rq.bucket)
	if err != nil {
		return err
	}
	if !ok {
		return s3err.New(s3err.ObjectLockConfigurationNotFound, "Object Lock configuration does not exist for this bucket")
	}
	return rq.writeXML(http.StatusOK, cfg.Document())
}

// putObjectLockConfiguration enables lock (on a bucket with versioning
// enabled, as S3 allows since 2023) and sets or clears its default
// retention. Lock cannot be disabled: the document must say Enabled.
func (rq *request) putObjectLockConfiguration() error {
	data, err := rq.readBody(maxXMLBody)
	if err != nil {
		return err
	}
	cfg, err := objectlock.ParseConfiguration(data)
	if err != nil {
		return err
	}
	if _, ok := rq.bucket.Config(model.ConfigObjectLock); !ok && rq.bucket.Versioning() != model.VersioningEnabled {
		return s3err.New(s3err.InvalidBucketState, "Versioning must be 'Enabled' on the bucket to apply a Object Lock configuration")
	}
	return rq.setConfig(model.ConfigObjectLock, encoded(cfg.Encode))
}

// lockedVersion reads the version the request names (versionId, else the
// current one) in a bucket with lock, with its lock.
func (rq *request) lockedVersion() (object.Object, model.VersionRef, error) {
	if _, err := rq.requireLock(); err != nil {
		return object.Object{}, model.VersionRef{}, err
	}
	return rq.addressedVersion()
}

// lockState is a read version's lock, and whether each part was ever set.
func lockState(obj object.Object) (lock model.Lock, retentionSet, holdSet bool, err error) {
	lock, err = model.LockOf(model.VersionState{Kind: model.Complete, Meta: obj.Meta, Attrs: obj.Attrs})
	_, retentionSet = model.Setting(obj.Meta.Headers, obj.Attrs, model.AttrRetention, model.HeaderRetention)
	_, holdSet = model.Setting(obj.Meta.Headers, obj.Attrs, model.AttrLegalHold, model.HeaderLegalHold)
	return lock, retentionSet && !lock.Retention.IsZero(), holdSet, err
}

func noLockOnObject() error {
	return s3err.New(s3err.NoSuchObjectLockConfiguration, "The specified object does not have a ObjectLock configuration")
}

func (rq *request) getObjectRetention() error {
	obj, _, err := rq.lockedVersion()
	if err != nil {
		return err
	}
	lock, set, _, err := lockState(obj)
	if err != nil {
		return err
	}
	if !set {
		return noLockOnObject()
	}
	return rq.writeXML(http.StatusOK, objectlock.RetentionDocument(lock.Retention))
}

func (rq *request) getObjectLegalHold() error {
	obj, _, err := rq.lockedVersion()
	if err != nil {
		return err
	}
	lock, _, set, err := lockState(obj)
	if err != nil {
		return err
	}
	if !set {
		return noLockOnObject()
	}
	return rq.writeXML(http.StatusOK, objectlock.LegalHoldDocument(lock.LegalHold))
}

// putObjectRetention sets, changes or (with an empty Retention) removes a
// version's retention. The core refuses what weakens a retention that
// holds (unless a GOVERNANCE one is bypassed), judging it against the
// version as a quorum reads it.
func (rq *request) putObjectRetention() error {
	if _, err := rq.requireLock(); err != nil {
		return err
	}
	ref, err := versionParam(rq.query)
	if err != nil {
		return err
	}
	data, err := rq.readBody(maxXMLBody)
	if err != nil {
		return err
	}
	r, err := objectlock.ParseRetention(data, rq.api.cfg.Now())
	if err != nil {
		return err
	}
	bypass, err := rq.bypassGovernance(rq.key)
	if err != nil {
		return err
	}
	_, err = rq.api.backend.Do(rq.ctx, object.SetAttr{Bucket: rq.bucket.ID, Key: rq.key, Version: ref,
		Name: model.AttrRetention, Value: r.Encode(), BypassGovernance: bypass})
	if err != nil {
		return rq.attrMissing(err, ref)
	}
	return rq.writeEmpty(http.StatusOK)
}

func (rq *request) putObjectLegalHold() error {
	if _, err := rq.requireLock(); err != nil {
		return err
	}
	ref, err := versionParam(rq.query)
	if err != nil {
		return err
	}
	data, err := rq.readBody(maxXMLBody)
	if err != nil {
		return err
	}
	on, err := objectlock.ParseLegalHold(data)
	if err != nil {
		return err
	}
	if _, err := rq.api.backend.SetObjectAttr(rq.ctx, rq.bucket.ID, rq.key, ref, model.AttrLegalHold, model.EncodeLegalHold(on)); err != nil {
		return rq.attrMissing(err, ref)
	}
	return rq.writeEmpty(http.StatusOK)
}

// attrMissing answers a SetAttr that found no version: NoSuchVersion for
// a versionId, NoSuchKey otherwise; other errors pass.
func (rq *request) attrMissing(err error, ref model.VersionRef) error {
	if !errors.Is(err, object.ErrNoSuchVersion) {
		return err
	}
	if ref.Set {
		return s3err.New(s3err.NoSuchVersion, "The specified version does not exist.")
	}
	return s3err.New(s3err.NoSuchKey, "The specified key does not exist.")
}

// bypassGovernance reports whether the request asks to bypass GOVERNANCE
// retention of key and may: x-amz-bypass-governance-retention: true and
// the s3:BypassGovernanceRetention permission (the key's owner right on
// the bucket, or the bucket policy). Asking without the permission is not
// itself an error: the request goes on without the bypass, and is refused
// only if a retention then stands in its way, as S3 does.
func (rq *request) bypassGovernance(key string) (bool, error) {
	asked, err := objectlock.ParseBypass(rq.r.Header.Values)
	if err != nil || !asked {
		return false, err
	}
	err = rq.authorize(check{ac: rq.access, bucket: rq.bucketName, key: key, action: "s3:BypassGovernanceRetention", need: needOwner})
	return err == nil, nil
}

// deleteVersion removes one version for good, unless its lock forbids it
// (then the core refuses: 403 AccessDenied); bypass as bypassGovernance
// decided it for key.
func (rq *request) deleteVersion(key string, ref model.VersionRef, bypass bool) (object.VersionDeleted, error) {
	res, err := rq.api.backend.Do(rq.ctx, object.DeleteVersion{Bucket: rq.bucket.ID, Key: key, Version: ref, BypassGovernance: bypass})
	if err != nil {
		return object.VersionDeleted{}, err
	}
	return res.(object.VersionDeleted), nil
}

// objectLockedError is S3's answer to a write a lock forbids.
func objectLockedError(err error) *s3err.Error {
	why := "a retention"
	if errors.Is(err, model.ErrLegalHold) {
		why = "a legal hold"
	}
	return s3err.New(s3err.AccessDenied, "Access Denied because object protected by object lock (%s).", why)
}

// withLockHeaders returns the headers of a new version (PutObject,
// CopyObject, CreateMultipartUpload) with the lock it is created with:
// the request's x-amz-object-lock-* headers, else the bucket's default
// retention. A source's lock is never copied. Lock headers on a bucket
// without lock are S3's InvalidRequest; naming them needs the
// s3:PutObjectRetention and s3:PutObjectLegalHold permissions.
func (rq *request) withLockHeaders(headers []model.Header) ([]model.Header, error) {
	return rq.withLockHeadersFrom(headers, rq.r.Header, rq.key)
}

// withLockHeadersFrom is withLockHeaders for a new version of key whose
// lock headers are h.
func (rq *request) withLockHeadersFrom(headers []model.Header, h http.Header, key string) ([]model.Header, error) {
	headers = slices.DeleteFunc(slices.Clone(headers), func(h model.Header) bool {
		return h.Name == model.HeaderRetention || h.Name == model.HeaderLegalHold
	})
	named := false
	for _, name := range []string{objectlock.HeaderMode, objectlock.HeaderRetainDate, objectlock.HeaderLegalHold} {
		if _, ok := h[http.CanonicalHeaderKey(name)]; ok {
			named = true
		}
	}
	cfg, locked, err := lockConfig(rq.bucket)
	if err != nil {
		return nil, err
	}
	if !locked {
		if named {
			return nil, s3err.New(s3err.InvalidRequest, "Bucket is missing ObjectLockConfiguration")
		}
		return headers, nil
	}
	now := rq.api.cfg.Now()
	req, err := objectlock.ParseHeaders(h.Values, now)
	if err != nil {
		return nil, err
	}
	if !req.Retention.IsZero() {
		if err := rq.authorize(check{ac: rq.access, bucket: rq.bucketName, key: key, action: "s3:PutObjectRetention", need: needWrite}); err != nil {
			return nil, err
		}
	}
	if req.HoldNamed {
		if err := rq.authorize(check{ac: rq.access, bucket: rq.bucketName, key: key, action: "s3:PutObjectLegalHold", need: needWrite}); err != nil {
			return nil, err
		}
	}
	r := req.Retention
	if r.IsZero() {
		r = cfg.DefaultRetention(now)
	}
	if !r.IsZero() {
		headers = withHeader(headers, model.Header{Name: model.HeaderRetention, Value: string(r.Encode())})
	}
	if req.HoldNamed {
		headers = withHeader(headers, model.Header{Name: model.HeaderLegalHold, Value: string(model.EncodeLegalHold(req.LegalHold))})
	}
	return headers, nil
}

// setLockHeaders answers a GET or HEAD of a locked version with its lock,
// to a requester allowed to read it (s3:GetObjectRetention,
// s3:GetObjectLegalHold), as S3 does.
func (rq *request) setLockHeaders(h http.Header, obj object.Object) {
	lock, retentionSet, holdSet, err := lockState(obj)
	if err != nil || !retentionSet && !holdSet {
		return
	}
	may := func(action string) bool {
		return rq.authorize(check{ac: rq.access, bucket: rq.bucketName, key: rq.key, action: action, need: needRead}) == nil
	}
	if retentionSet && may("s3:GetObjectRetention") {
		h.Set(objectlock.HeaderMode, string(lock.Retention.Mode))
		h.Set(objectlock.HeaderRetainDate, objectlock.FormatDate(lock.Retention.Until))
	}
	if holdSet && may("s3:GetObjectLegalHold") {
		h.Set(objectlock.HeaderLegalHold, string(model.EncodeLegalHold(lock.LegalHold)))
	}
}
