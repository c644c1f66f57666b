package s3err

// Codes of access control: ACLs, object ownership, bucket policies and the
// public access block. Kept apart so that their statuses stay beside them.
const (
	MalformedACLError                    Code = "MalformedACLError"
	AccessControlListNotSupported        Code = "AccessControlListNotSupported"
	InvalidBucketAclWithObjectOwnership  Code = "InvalidBucketAclWithObjectOwnership"
	UnresolvableGrantByEmailAddress      Code = "UnresolvableGrantByEmailAddress"
	MalformedPolicy                      Code = "MalformedPolicy"
	NoSuchBucketPolicy                   Code = "NoSuchBucketPolicy"
	OwnershipControlsNotFoundError       Code = "OwnershipControlsNotFoundError"
	NoSuchPublicAccessBlockConfiguration Code = "NoSuchPublicAccessBlockConfiguration"
)

func init() {
	for code, status := range map[Code]int{
		MalformedACLError:                    400,
		AccessControlListNotSupported:        400,
		InvalidBucketAclWithObjectOwnership:  400,
		UnresolvableGrantByEmailAddress:      400,
		MalformedPolicy:                      400,
		NoSuchBucketPolicy:                   404,
		OwnershipControlsNotFoundError:       404,
		NoSuchPublicAccessBlockConfiguration: 404,
	} {
		statuses[code] = status
	}
}
