package adminrpc

import "github.com/garagego/garage/node/admin"

// The website operations (`garage bucket website`, `garage bucket info`).
func init() { register(admin.SetBucketWebsite{}, admin.GetBucketWebsite{}) }
