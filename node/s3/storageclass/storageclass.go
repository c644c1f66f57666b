// Package storageclass is the vocabulary of S3 storage classes: which
// x-amz-storage-class values this store accepts, and how an accepted one
// is kept with an object.
//
// A class is a label here. Every object's data is stored the same way,
// replicated as the cluster is configured, whatever its class: a
// GLACIER or DEEP_ARCHIVE object is readable at once, with no
// RestoreObject (which the store does not implement) and no retrieval
// delay, and nothing is billed or tiered by class. The classes of AWS that
// need other infrastructure (S3 on Outposts, Snow devices, directory
// buckets, FSx) are refused rather than pretended.
package storageclass

import (
	"slices"

	"github.com/garagego/garage/node/s3/s3err"
)

// Standard is the default class: an object without a stored class is
// STANDARD, and S3 omits the x-amz-storage-class header for it.
const Standard = "STANDARD"

// Header is the request and response header that names a class; an
// object keeps a class other than Standard as a stored header of this
// name.
const Header = "x-amz-storage-class"

// accepted are the classes AWS lists for general purpose buckets (the
// StorageClass enumeration of the S3 API, less those below), in the
// API's order.
var accepted = []string{
	Standard, "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING",
	"GLACIER", "DEEP_ARCHIVE", "GLACIER_IR",
}

// elsewhere are the API's classes that belong to other infrastructure:
// S3 on Outposts, Snow Family devices, S3 Express directory buckets and
// FSx. A general purpose bucket of AWS refuses them too.
var elsewhere = []string{"OUTPOSTS", "SNOW", "EXPRESS_ONEZONE", "FSX_OPENZFS", "FSX_ONTAP"}

// Accepted lists the classes an object may have, Standard first.
func Accepted() []string { return slices.Clone(accepted) }

// Parse reads an x-amz-storage-class value: "" (absent) is Standard; an
// accepted class is itself, matched exactly as S3 matches it (the values
// are case-sensitive); anything else is InvalidStorageClass.
func Parse(v string) (string, error) {
	switch {
	case v == "":
		return Standard, nil
	case slices.Contains(accepted, v):
		return v, nil
	case slices.Contains(elsewhere, v):
		return "", s3err.New(s3err.InvalidStorageClass, "The storage class %s needs infrastructure this store does not have; use one of %v.", v, accepted)
	}
	return "", s3err.New(s3err.InvalidStorageClass, "The storage class you specified is not valid: %q.", v)
}

// Stored is the value an object keeps for class c: "" for Standard, which
// is kept as no header at all, so that objects written before classes
// were kept read as Standard and GET omits the header as S3 does.
func Stored(c string) string {
	if c == Standard {
		return ""
	}
	return c
}

// OfStored is the class of an object whose stored header is v ("" when it
// has none).
func OfStored(v string) string {
	if v == "" {
		return Standard
	}
	return v
}
