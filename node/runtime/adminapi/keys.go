package adminapi

import (
	"slices"

	"github.com/garagego/garage/node/admin"
	"github.com/garagego/garage/node/runtime/server"
)

// errKeyExpiration refuses an access key expiration: this server's keys
// never expire, and a request asking for one must not be told it happened.
var errKeyExpiration = badRequest("expiration: access keys with an expiration are not supported by this server (keys never expire)")

func keyResponse(k admin.KeyInfo, showSecret bool) GetKeyInfoResponse {
	out := GetKeyInfoResponse{AccessKeyID: k.ID, Created: ptr(msTime(k.Created)), Name: k.Name,
		Permissions: KeyPerm{CreateBucket: k.AllowCreateBucket}, Buckets: []KeyInfoBucketResponse{}}
	if showSecret && k.Secret != "" {
		out.SecretAccessKey = ptr(k.Secret)
	}
	for _, b := range k.Buckets {
		kb := KeyInfoBucketResponse{ID: b.ID, GlobalAliases: b.Aliases, LocalAliases: []string{},
			Permissions: ApiBucketKeyPerm{Read: b.Read, Write: b.Write, Owner: b.Owner}}
		if kb.GlobalAliases == nil {
			kb.GlobalAliases = []string{}
		}
		for name, id := range k.LocalAliases {
			if id == b.ID {
				kb.LocalAliases = append(kb.LocalAliases, name)
			}
		}
		slices.Sort(kb.LocalAliases)
		out.Buckets = append(out.Buckets, kb)
	}
	return out
}

func listKeys(rq *request) (any, error) {
	res, err := rq.run(admin.ListKeys{})
	if err != nil {
		return nil, coreError(err, codeNoSuchKey, false)
	}
	out := []ListKeysResponseItem{}
	for _, k := range res.([]admin.KeyInfo) {
		out = append(out, ListKeysResponseItem{ID: k.ID, Name: k.Name, Created: ptr(msTime(k.Created))})
	}
	return out, nil
}

// keyByID reads the key whose id is exactly id (the core's patterns also
// match prefixes and names: an id parameter must not).
func keyByID(rq *request, id string, showSecret bool) (admin.KeyInfo, error) {
	res, err := rq.run(admin.GetKey{Pattern: id, ShowSecret: showSecret})
	if err != nil {
		return admin.KeyInfo{}, coreError(err, codeNoSuchKey, false)
	}
	k := res.(admin.KeyInfo)
	if k.ID != id {
		return admin.KeyInfo{}, &apiError{404, codeNoSuchKey, "Access key not found: " + id}
	}
	return k, nil
}

func getKeyInfo(rq *request) (any, error) {
	id, err := rq.param("id")
	if err != nil {
		return nil, err
	}
	search, err := rq.param("search")
	if err != nil {
		return nil, err
	}
	show, err := rq.boolParam("showSecretKey")
	if err != nil {
		return nil, err
	}
	switch {
	case (id == "") == (search == ""):
		return nil, badRequest("Either id or search must be provided (but not both)")
	case id != "":
		k, err := keyByID(rq, id, show)
		if err != nil {
			return nil, err
		}
		return keyResponse(k, show), nil
	}
	res, err := rq.run(admin.GetKey{Pattern: search, ShowSecret: show})
	if err != nil {
		return nil, coreError(err, codeNoSuchKey, false)
	}
	return keyResponse(res.(admin.KeyInfo), show), nil
}

// boolParam reads a true/false query parameter, false when absent.
func (rq *request) boolParam(name string) (bool, error) {
	v, err := rq.param(name)
	switch {
	case err != nil:
		return false, err
	case v == "" || v == "false":
		return false, nil
	case v == "true":
		return true, nil
	}
	return false, badRequest("Query parameter '%s': want true or false, got %q", name, v)
}

// applyKeyUpdates changes the key's name and create-bucket right as the
// body asks.
func applyKeyUpdates(rq *request, id string, body UpdateKeyRequestBody) error {
	if body.Name != nil {
		if _, err := rq.run(admin.RenameKey{Pattern: id, Name: *body.Name}); err != nil {
			return coreError(err, codeNoSuchKey, false)
		}
	}
	if body.Allow != nil && body.Allow.CreateBucket {
		if _, err := rq.run(admin.SetKeyFlags{Pattern: id, CreateBucket: true, Allow: true}); err != nil {
			return coreError(err, codeNoSuchKey, false)
		}
	}
	if body.Deny != nil && body.Deny.CreateBucket {
		if _, err := rq.run(admin.SetKeyFlags{Pattern: id, CreateBucket: true, Allow: false}); err != nil {
			return coreError(err, codeNoSuchKey, false)
		}
	}
	return nil
}

func createKey(rq *request) (any, error) {
	var body UpdateKeyRequestBody
	if err := rq.decode(&body); err != nil {
		return nil, err
	}
	if body.Expiration != nil {
		return nil, errKeyExpiration
	}
	name := "Unnamed key"
	if body.Name != nil {
		name = *body.Name
	}
	res, err := rq.run(admin.CreateKey{Name: name, ID: server.NewKeyID(), Secret: server.NewSecret()})
	if err != nil {
		return nil, coreError(err, codeNoSuchKey, false)
	}
	id := res.(admin.KeyInfo).ID
	body.Name = nil
	if err := applyKeyUpdates(rq, id, body); err != nil {
		return nil, err
	}
	k, err := keyByID(rq, id, true)
	if err != nil {
		return nil, err
	}
	return keyResponse(k, true), nil
}

func importKey(rq *request) (any, error) {
	var req ImportKeyRequest
	if err := rq.decode(&req); err != nil {
		return nil, err
	}
	name := "Imported key"
	if req.Name != nil {
		name = *req.Name
	}
	if _, err := rq.run(admin.ImportKey{ID: req.AccessKeyID, Secret: req.SecretAccessKey, Name: name}); err != nil {
		return nil, coreError(err, codeNoSuchKey, false)
	}
	k, err := keyByID(rq, req.AccessKeyID, false)
	if err != nil {
		return nil, err
	}
	return keyResponse(k, false), nil
}

func updateKey(rq *request) (any, error) {
	id, err := rq.required("id")
	if err != nil {
		return nil, err
	}
	var body UpdateKeyRequestBody
	if err := rq.decode(&body); err != nil {
		return nil, err
	}
	if body.Expiration != nil {
		return nil, errKeyExpiration
	}
	if _, err := keyByID(rq, id, false); err != nil {
		return nil, err
	}
	if err := applyKeyUpdates(rq, id, body); err != nil {
		return nil, err
	}
	k, err := keyByID(rq, id, false)
	if err != nil {
		return nil, err
	}
	return keyResponse(k, false), nil
}

func deleteKey(rq *request) (any, error) {
	id, err := rq.required("id")
	if err != nil {
		return nil, err
	}
	if _, err := keyByID(rq, id, false); err != nil {
		return nil, err
	}
	if _, err := rq.run(admin.DeleteKey{Pattern: id}); err != nil {
		return nil, coreError(err, codeNoSuchKey, false)
	}
	return nil, nil
}
