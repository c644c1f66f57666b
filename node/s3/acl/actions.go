package acl

// What each ACL permission allows, as S3 maps ACL permissions to policy
// actions. A bucket's ACL governs the bucket's actions and the creation
// and deletion of objects in it; an object's ACL governs reading the
// object and its ACL.
var (
	bucketActions = map[Permission][]string{
		Read:     {"s3:ListBucket", "s3:ListBucketVersions", "s3:ListBucketMultipartUploads"},
		Write:    {"s3:PutObject", "s3:DeleteObject"},
		ReadACP:  {"s3:GetBucketAcl"},
		WriteACP: {"s3:PutBucketAcl"},
	}
	objectActions = map[Permission][]string{
		Read:     {"s3:GetObject", "s3:GetObjectVersion"},
		ReadACP:  {"s3:GetObjectAcl"},
		WriteACP: {"s3:PutObjectAcl"},
	}
)

// BucketAllows reports whether a grant of p in a bucket's ACL allows
// action.
func BucketAllows(p Permission, action string) bool { return allows(bucketActions, p, action) }

// ObjectAllows reports whether a grant of p in an object's ACL allows
// action on that object.
func ObjectAllows(p Permission, action string) bool { return allows(objectActions, p, action) }

func allows(m map[Permission][]string, p Permission, action string) bool {
	if p == FullControl {
		for _, actions := range m {
			if contains(actions, action) {
				return true
			}
		}
		return false
	}
	return contains(m[p], action)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// GovernedByBucketACL and GovernedByObjectACL report whether any grant of
// a bucket's or an object's ACL can allow action.
func GovernedByBucketACL(action string) bool { return BucketAllows(FullControl, action) }

// GovernedByObjectACL: see GovernedByBucketACL.
func GovernedByObjectACL(action string) bool { return ObjectAllows(FullControl, action) }
