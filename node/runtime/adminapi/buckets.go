package adminapi

import (
	"slices"
	"strings"

	"github.com/garagego/garage/node/admin"
	"github.com/garagego/garage/node/model"
	"github.com/garagego/garage/node/runtime/server"
	"github.com/garagego/garage/node/s3/bucketcfg"
	"github.com/garagego/garage/node/wire"
)

func listBuckets(rq *request) (any, error) {
	res, err := rq.run(admin.ListBuckets{})
	if err != nil {
		return nil, coreError(err, codeNoSuchBucket, false)
	}
	out := []ListBucketsResponseItem{}
	for _, b := range res.([]admin.BucketInfo) {
		item := ListBucketsResponseItem{ID: b.ID, Created: msTime(b.Created), GlobalAliases: b.Aliases, LocalAliases: []BucketLocalAlias{}}
		for _, la := range b.LocalAliases {
			key, alias, _ := strings.Cut(la, "/")
			item.LocalAliases = append(item.LocalAliases, BucketLocalAlias{AccessKeyID: key, Alias: alias})
		}
		out = append(out, item)
	}
	return out, nil
}

// website reads a bucket's website configuration, if it has one.
func website(b model.Bucket) (bucketcfg.Website, bool, error) {
	raw, ok := b.Config(model.ConfigWebsite)
	if !ok {
		return bucketcfg.Website{}, false, nil
	}
	d := wire.NewDecoder(raw)
	w := bucketcfg.DecodeWebsite(d)
	if err := d.Finish(); err != nil {
		return bucketcfg.Website{}, false, err
	}
	return w, true, nil
}

// bucketInfo answers a bucket by its id: its keys, its usage (from the
// bucket's counters), its quotas, its website. Unfinished uploads are
// counted; their parts and bytes are not (they read 0).
func bucketInfo(rq *request, id string) (GetBucketInfoResponse, error) {
	res, err := rq.run(admin.GetBucket{Name: id})
	if err != nil {
		return GetBucketInfoResponse{}, coreError(err, codeNoSuchBucket, false)
	}
	info := res.(admin.BucketInfo)
	eres, err := rq.run(admin.GetBucketEntry{Name: info.ID})
	if err != nil {
		return GetBucketInfoResponse{}, coreError(err, codeNoSuchBucket, false)
	}
	entry := eres.(model.Bucket)
	out := GetBucketInfoResponse{ID: info.ID, Created: msTime(info.Created), GlobalAliases: info.Aliases, Keys: []GetBucketInfoKey{}}
	if w, ok, err := website(entry); err != nil {
		return out, coreError(err, codeNoSuchBucket, false)
	} else if ok {
		out.WebsiteAccess = true
		out.WebsiteConfig = &GetBucketInfoWebsiteResponse{IndexDocument: w.IndexDocument, ErrorDocument: nonEmpty(w.ErrorDocument)}
	}
	if info.Usage != nil {
		out.Objects, out.Bytes = int64(info.Usage.Objects), int64(info.Usage.Bytes)
		out.UnfinishedUploads = int64(info.Usage.UnfinishedUploads)
		out.UnfinishedMultipartUploads = out.UnfinishedUploads
	}
	if q := info.Quotas; q != nil {
		out.Quotas = ApiBucketQuotas{MaxSize: q.MaxSize, MaxObjects: q.MaxObjects}
	}
	local := map[string][]string{}
	for _, la := range info.LocalAliases {
		key, alias, _ := strings.Cut(la, "/")
		local[key] = append(local[key], alias)
	}
	listed := map[string]bool{}
	for _, k := range info.Keys {
		listed[k.ID] = true
		out.Keys = append(out.Keys, GetBucketInfoKey{AccessKeyID: k.ID, Name: k.Name,
			Permissions: ApiBucketKeyPerm{Read: k.Read, Write: k.Write, Owner: k.Owner}, BucketLocalAliases: orEmpty(local[k.ID])})
	}
	// A key with a local alias but no right on the bucket is listed too.
	var others []string
	for key := range local {
		if !listed[key] {
			others = append(others, key)
		}
	}
	slices.Sort(others)
	for _, key := range others {
		out.Keys = append(out.Keys, GetBucketInfoKey{AccessKeyID: key, BucketLocalAliases: local[key]})
	}
	return out, nil
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	slices.Sort(s)
	return s
}

// bucketID checks that id is a full bucket id, as the id parameters are.
func bucketID(id string) error {
	if _, err := model.ParseBucketID(id); err != nil {
		return badRequest("Invalid bucket id %q: want 64 hex digits", id)
	}
	return nil
}

func getBucketInfo(rq *request) (any, error) {
	var given []string
	vals := map[string]string{}
	for _, name := range []string{"id", "globalAlias", "search"} {
		v, err := rq.param(name)
		if err != nil {
			return nil, err
		}
		if v != "" {
			given = append(given, name)
			vals[name] = v
		}
	}
	if len(given) != 1 {
		return nil, badRequest("Either id, globalAlias or search must be provided (exactly one)")
	}
	switch given[0] {
	case "id":
		if err := bucketID(vals["id"]); err != nil {
			return nil, err
		}
		return bucketInfo(rq, vals["id"])
	case "globalAlias":
		alias := vals["globalAlias"]
		if model.ValidBucketName(alias) != nil {
			return nil, &apiError{404, codeNoSuchBucket, "Bucket not found: " + alias}
		}
		out, err := bucketInfo(rq, alias)
		if err == nil && !slices.Contains(out.GlobalAliases, alias) {
			// The core also matches id prefixes; an alias must be one.
			return nil, &apiError{404, codeNoSuchBucket, "Bucket not found: " + alias}
		}
		return out, err
	}
	return bucketInfo(rq, vals["search"])
}

func createBucket(rq *request) (any, error) {
	var req CreateBucketRequest
	if err := rq.decode(&req); err != nil {
		return nil, err
	}
	if req.GlobalAlias == nil {
		return nil, badRequest("globalAlias: this server creates a bucket under a global alias; give one (a localAlias may be added too)")
	}
	if la := req.LocalAlias; la != nil {
		if la.AccessKeyID == "" || la.Alias == "" {
			return nil, badRequest("localAlias: give accessKeyId and alias")
		}
		if _, err := keyByID(rq, la.AccessKeyID, false); err != nil {
			return nil, err
		}
		if err := model.ValidBucketName(la.Alias); err != nil {
			return nil, badRequest("localAlias: %v", err)
		}
	}
	res, err := rq.run(admin.CreateBucket{Name: *req.GlobalAlias, ID: server.NewBucketID()})
	if err != nil {
		return nil, coreError(err, codeNoSuchBucket, false)
	}
	id := res.(admin.BucketInfo).ID
	if la := req.LocalAlias; la != nil {
		if _, err := rq.run(admin.AliasBucket{Bucket: id, Alias: la.Alias, LocalKey: la.AccessKeyID}); err != nil {
			return nil, coreError(err, codeNoSuchBucket, false)
		}
		if p := la.Allow; p.Read || p.Write || p.Owner {
			if _, err := rq.run(admin.SetBucketPerms{Bucket: id, Key: la.AccessKeyID, Read: p.Read, Write: p.Write, Owner: p.Owner, Allow: true}); err != nil {
				return nil, coreError(err, codeNoSuchBucket, false)
			}
		}
	}
	return bucketInfo(rq, id)
}

// updateBucket sets a bucket's website access and quotas, as Garage's:
// each field given is applied (quotas replace both limits; a null limit
// is none), in that order; enabling website access needs an index
// document.
func updateBucket(rq *request) (any, error) {
	id, err := rq.required("id")
	if err != nil {
		return nil, err
	}
	if err := bucketID(id); err != nil {
		return nil, err
	}
	var body UpdateBucketRequestBody
	if err := rq.decode(&body); err != nil {
		return nil, err
	}
	if w := body.WebsiteAccess; w != nil {
		if w.Enabled && w.IndexDocument == nil {
			return nil, badRequest("Please specify indexDocument when enabling website access.")
		}
		op := admin.SetBucketWebsite{Bucket: id, Allow: w.Enabled}
		if w.Enabled {
			op.IndexDocument = *w.IndexDocument
			if w.ErrorDocument != nil {
				op.ErrorDocument = *w.ErrorDocument
			}
		}
		if _, err := rq.run(op); err != nil {
			return nil, coreError(err, codeNoSuchBucket, false)
		}
	}
	if q := body.Quotas; q != nil {
		if _, err := rq.run(admin.SetBucketQuotas{Name: id, MaxSize: q.MaxSize, MaxObjects: q.MaxObjects}); err != nil {
			return nil, coreError(err, codeNoSuchBucket, false)
		}
	}
	return bucketInfo(rq, id)
}

func deleteBucket(rq *request) (any, error) {
	id, err := rq.required("id")
	if err != nil {
		return nil, err
	}
	if err := bucketID(id); err != nil {
		return nil, err
	}
	if _, err := rq.run(admin.DeleteBucket{Name: id}); err != nil {
		return nil, coreError(err, codeNoSuchBucket, false)
	}
	return nil, nil
}

func changeBucketKey(rq *request, allow bool) (any, error) {
	var req BucketKeyPermChangeRequest
	if err := rq.decode(&req); err != nil {
		return nil, err
	}
	if err := bucketID(req.BucketID); err != nil {
		return nil, err
	}
	if _, err := keyByID(rq, req.AccessKeyID, false); err != nil {
		return nil, err
	}
	if p := req.Permissions; p.Read || p.Write || p.Owner {
		if _, err := rq.run(admin.SetBucketPerms{Bucket: req.BucketID, Key: req.AccessKeyID, Read: p.Read, Write: p.Write, Owner: p.Owner, Allow: allow}); err != nil {
			return nil, coreError(err, codeNoSuchBucket, false)
		}
	}
	return bucketInfo(rq, req.BucketID)
}

func allowBucketKey(rq *request) (any, error) { return changeBucketKey(rq, true) }
func denyBucketKey(rq *request) (any, error)  { return changeBucketKey(rq, false) }

func changeBucketAlias(rq *request, remove bool) (any, error) {
	var req BucketAliasRequest
	if err := rq.decode(&req); err != nil {
		return nil, err
	}
	if err := bucketID(req.BucketID); err != nil {
		return nil, err
	}
	op := admin.AliasBucket{Bucket: req.BucketID, Remove: remove}
	switch {
	case req.GlobalAlias != nil && req.LocalAlias == nil && req.AccessKeyID == nil:
		op.Alias = *req.GlobalAlias
	case req.GlobalAlias == nil && req.LocalAlias != nil && req.AccessKeyID != nil:
		if _, err := keyByID(rq, *req.AccessKeyID, false); err != nil {
			return nil, err
		}
		op.Alias, op.LocalKey = *req.LocalAlias, *req.AccessKeyID
	default:
		return nil, badRequest("give either globalAlias, or localAlias and accessKeyId")
	}
	if _, err := rq.run(op); err != nil {
		return nil, coreError(err, codeNoSuchBucket, false)
	}
	return bucketInfo(rq, req.BucketID)
}

func addBucketAlias(rq *request) (any, error)    { return changeBucketAlias(rq, false) }
func removeBucketAlias(rq *request) (any, error) { return changeBucketAlias(rq, true) }
