package s3api

import (
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/garagego/garage/node/admin"
	"github.com/garagego/garage/node/model"
	"github.com/garagego/garage/node/runtime/httpapi"
	"github.com/garagego/garage/node/runtime/server"
	"github.com/garagego/garage/node/s3/acl"
	"github.com/garagego/garage/node/s3/bucketcfg"
	"github.com/garagego/garage/node/s3/s3err"
	"github.com/garagego/garage/node/s3/s3xml"
	"github.com/garagego/garage/node/wire"
)

func (rq *request) owner() s3xml.Owner {
	return s3xml.Owner{ID: rq.accessKey.ID, DisplayName: rq.accessKey.DisplayName()}
}

func millisTime(ms uint64) time.Time { return httpapi.MillisTime(ms) }

// maxListBuckets is S3's largest page of ListBuckets.
const maxListBuckets = 10000

// listBuckets lists the key's buckets by name, under an optional prefix,
// max-buckets at a time (a continuation token is the last name returned;
// an empty one is no token). Every bucket is in the store's region, which
// each entry names, as AWS's do; bucket-region naming another lists none.
func (rq *request) listBuckets() error {
	q := rq.query
	limit, err := pageSize(q, "max-buckets", maxListBuckets)
	if err != nil {
		return err
	}
	if limit == 0 {
		return s3err.New(s3err.InvalidArgument, "max-buckets must be between 1 and %d.", maxListBuckets)
	}
	prefix, after := q.Get("prefix"), ""
	if token := q.Get("continuation-token"); token != "" {
		raw, err := base64.RawURLEncoding.DecodeString(token)
		if err != nil {
			return s3err.New(s3err.InvalidArgument, "The continuation token provided is incorrect.")
		}
		after = string(raw)
	}
	res, err := rq.api.backend.Do(rq.ctx, admin.ListKeyBuckets{Key: rq.accessKey})
	if err != nil {
		return err
	}
	region := rq.api.cfg.Region
	out := s3xml.ListAllMyBucketsResult{Owner: rq.owner(), Prefix: prefix}
	buckets := res.([]admin.NamedBucket)
	if r := q.Get("bucket-region"); r != "" && r != region {
		buckets = nil
	}
	for _, b := range buckets {
		if !strings.HasPrefix(b.Name, prefix) || b.Name <= after {
			continue
		}
		if len(out.Buckets) == limit {
			out.ContinuationToken = base64.RawURLEncoding.EncodeToString([]byte(out.Buckets[limit-1].Name))
			break
		}
		out.Buckets = append(out.Buckets, s3xml.Bucket{Name: b.Name, CreationDate: s3xml.Time(millisTime(b.Created)), BucketRegion: region})
	}
	return rq.writeXML(http.StatusOK, out)
}

func (rq *request) createBucket() error {
	data, err := rq.readBody(maxXMLBody)
	if err != nil {
		return err
	}
	cfg, err := s3xml.ParseCreateBucket(data)
	if err != nil {
		return err
	}
	if err := cfg.CheckRegion(rq.api.cfg.Region); err != nil {
		return err
	}
	if err := model.ValidBucketName(rq.bucketName); err != nil {
		return s3err.New(s3err.InvalidBucketName, "%v", err)
	}
	// A key that already owns the name learns so, as with AWS, even one
	// that may not create buckets; in us-east-1 this is decided first, since
	// the request's ACL then applies to the existing bucket.
	if (!rq.accessKey.CanCreateBuckets() || s3xml.RegionlessCreate(rq.api.cfg.Region)) && rq.ownsBucketNamed() {
		return rq.recreateOwned()
	}
	if !rq.accessKey.CanCreateBuckets() {
		return s3err.New(s3err.AccessDenied, "Key %s is not allowed to create buckets.", rq.accessKey.ID)
	}
	configs, err := rq.bucketConfigsForCreate()
	if err != nil {
		return err
	}
	lock, err := rq.lockCreateConfigs()
	if err != nil {
		return err
	}
	configs = append(configs, lock...)
	id, err := model.ParseBucketID(server.NewBucketID())
	if err != nil {
		return err
	}
	if _, err := rq.api.backend.Do(rq.ctx, admin.CreateBucketForKey{Name: rq.bucketName, ID: id, Key: rq.accessKey, Configs: configs}); err != nil {
		if errors.Is(err, admin.ErrBucketOwned) {
			return rq.recreateOwned()
		}
		return err // ErrBucketExists: another key's, BucketAlreadyExists
	}
	rq.w.Header().Set("Location", "/"+rq.bucketName)
	return rq.writeEmpty(http.StatusOK)
}

// ownsBucketNamed reports whether the request's bucket name is already a
// bucket its key owns.
func (rq *request) ownsBucketNamed() bool {
	res, err := rq.api.backend.Do(rq.ctx, admin.LookupBucket{Name: rq.bucketName, Key: rq.accessKey})
	return err == nil && rq.accessKey.BucketPerms(res.(model.Bucket).ID).Owner
}

// recreateOwned answers a CreateBucket of a name the key already owns:
// BucketAlreadyOwnedByYou, except where the store's region is us-east-1,
// where S3 keeps its legacy answer, 200 OK, and resets the bucket's ACL to
// the one the request asks for (private when it asks for none). Nothing
// else of the bucket changes.
func (rq *request) recreateOwned() error {
	if !s3xml.RegionlessCreate(rq.api.cfg.Region) {
		return toS3(admin.ErrBucketOwned)
	}
	b, ac, err := rq.lookupBucket(rq.bucketName)
	if err != nil {
		return err
	}
	req, err := acl.ParseHeaders(rq.r.Header.Values)
	if err != nil {
		return err
	}
	a, err := req.ACL("", ac.firstOwner())
	if err != nil {
		return err
	}
	if !ac.ownership.ACLsEnabled() && !a.OnlyOwner(ac.firstOwner()) {
		return aclNotSupported()
	}
	if ac.pab.BlockPublicAcls && a.Public() {
		return publicACLBlocked()
	}
	if _, err := rq.api.backend.Do(rq.ctx, admin.SetBucketConfig{Bucket: b.ID, Name: model.ConfigACL, Value: encoded(a.Encode)}); err != nil {
		return err
	}
	rq.w.Header().Set("Location", "/"+rq.bucketName)
	return rq.writeEmpty(http.StatusOK)
}

func (rq *request) headBucket() error {
	rq.w.Header().Set("x-amz-bucket-region", rq.api.cfg.Region)
	return rq.writeEmpty(http.StatusOK)
}

func (rq *request) deleteBucket() error {
	if _, err := rq.api.backend.Do(rq.ctx, admin.DeleteBucket{Name: rq.bucket.ID.String()}); err != nil {
		return err
	}
	return rq.writeEmpty(http.StatusNoContent)
}

func (rq *request) getBucketLocation() error {
	return rq.writeXML(http.StatusOK, s3xml.LocationConstraint{Region: rq.api.cfg.Region})
}

func (rq *request) getBucketVersioning() error {
	return rq.writeXML(http.StatusOK, s3xml.VersioningConfiguration{Status: string(rq.bucket.Versioning())})
}

// putBucketVersioning enables or suspends versioning. A bucket whose
// versioning was never enabled and is asked to suspend it stays as it is
// (S3 answers the same for both).
func (rq *request) putBucketVersioning() error {
	data, err := rq.readBody(maxXMLBody)
	if err != nil {
		return err
	}
	v, err := s3xml.ParseVersioning(data)
	if err != nil {
		return err
	}
	switch {
	case v.Status == "":
		return s3err.New(s3err.MalformedXML, "The XML you provided was not well-formed or did not validate against our published schema: Status is required.")
	case v.Status == string(model.VersioningSuspended) && rq.bucket.Versioning() == model.VersioningOff:
		return rq.writeEmpty(http.StatusOK)
	}
	if err := rq.refuseSuspendingLocked(v.Status); err != nil {
		return err
	}
	return rq.setConfig(model.ConfigVersioning, []byte(v.Status))
}

// Bucket configurations: each is parsed and validated, stored encoded in
// the bucket entry, and answered back as XML.

func (rq *request) setConfig(name string, value []byte) error {
	if _, err := rq.api.backend.Do(rq.ctx, admin.SetBucketConfig{Bucket: rq.bucket.ID, Name: name, Value: value}); err != nil {
		return err
	}
	if value == nil {
		return rq.writeEmpty(http.StatusNoContent)
	}
	return rq.writeEmpty(http.StatusOK)
}

// configXML answers with the stored configuration name, or missing.
func (rq *request) configXML(name string, missing s3err.Code, render func(*wire.Decoder) ([]byte, error)) error {
	data, ok := rq.bucket.Config(name)
	if !ok {
		return s3err.New(missing, "The bucket has no %s configuration.", name)
	}
	d := wire.NewDecoder(data)
	body, err := render(d)
	if err != nil {
		return err
	}
	if err := d.Finish(); err != nil {
		return err
	}
	h := rq.w.Header()
	h.Set("Content-Type", "application/xml")
	rq.writeHeader(http.StatusOK)
	rq.w.Write(body) //nolint:errcheck // the client went away
	return nil
}

func encoded(enc func(*wire.Encoder)) []byte {
	e := wire.NewEncoder(nil)
	enc(e)
	return e.Bytes()
}

func (rq *request) putBucketCORS() error {
	data, err := rq.readBody(maxXMLBody)
	if err != nil {
		return err
	}
	cfg, err := bucketcfg.ParseCORS(data)
	if err != nil {
		return err
	}
	return rq.setConfig(model.ConfigCORS, encoded(cfg.Encode))
}

func (rq *request) getBucketCORS() error {
	return rq.configXML(model.ConfigCORS, s3err.NoSuchCORSConfiguration, func(d *wire.Decoder) ([]byte, error) {
		return bucketcfg.DecodeCORS(d).XML(), nil
	})
}

func (rq *request) deleteBucketCORS() error { return rq.setConfig(model.ConfigCORS, nil) }

func (rq *request) putBucketWebsite() error {
	data, err := rq.readBody(maxXMLBody)
	if err != nil {
		return err
	}
	cfg, err := bucketcfg.ParseWebsite(data)
	if err != nil {
		return err
	}
	return rq.setConfig(model.ConfigWebsite, encoded(cfg.Encode))
}

func (rq *request) getBucketWebsite() error {
	return rq.configXML(model.ConfigWebsite, s3err.NoSuchWebsiteConfiguration, func(d *wire.Decoder) ([]byte, error) {
		return bucketcfg.DecodeWebsite(d).XML(), nil
	})
}

func (rq *request) deleteBucketWebsite() error { return rq.setConfig(model.ConfigWebsite, nil) }

func (rq *request) putBucketLifecycle() error {
	data, err := rq.readBody(maxXMLBody)
	if err != nil {
		return err
	}
	cfg, err := bucketcfg.ParseLifecycle(data)
	if err != nil {
		return err
	}
	return rq.setConfig(model.ConfigLifecycle, encoded(cfg.Encode))
}

func (rq *request) getBucketLifecycle() error {
	return rq.configXML(model.ConfigLifecycle, s3err.NoSuchLifecycleConfiguration, func(d *wire.Decoder) ([]byte, error) {
		return bucketcfg.DecodeLifecycle(d).XML(), nil
	})
}

func (rq *request) deleteBucketLifecycle() error { return rq.setConfig(model.ConfigLifecycle, nil) }
