package adminrpc

import "github.com/garagego/garage/node/admin"

func init() { register(admin.PurgeBlocks{}) }
