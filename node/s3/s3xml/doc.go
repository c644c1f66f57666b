// Package s3xml holds the XML documents of the S3 protocol: the bodies
// clients send (parsed strictly into values, every mistake an *s3err.Error)
// and the bodies the server answers with (plain structs marshalled with
// Marshal). It knows nothing of buckets or objects; the HTTP layer fills
// the structs and reads the parsed values.
package s3xml

// Namespace is the XML namespace of every S3 response document.
const Namespace = "http://s3.amazonaws.com/doc/2006-03-01/"

// StorageClassStandard is S3's default storage class (the others are
// node/s3/storageclass's).
const StorageClassStandard = "STANDARD"
