// Package s3err is the vocabulary of S3 errors: a code from the S3
// specification, the HTTP status that goes with it, and a message for the
// client. Every part of the S3 API reports a client's mistake as an *Error,
// so the HTTP layer can answer with the right XML body and status instead of
// a 500.
package s3err

import (
	"encoding/xml"
	"errors"
	"fmt"
)

// Code is an S3 error code, as written in the <Code> element.
type Code string

// The codes this store answers with, and their HTTP statuses.
const (
	AccessDenied                    Code = "AccessDenied"
	AccessForbidden                 Code = "AccessForbidden" // CORS preflight refused
	AuthorizationHeaderMalformed    Code = "AuthorizationHeaderMalformed"
	AuthorizationQueryParamsError   Code = "AuthorizationQueryParametersError"
	BadDigest                       Code = "BadDigest"
	BucketAlreadyExists             Code = "BucketAlreadyExists"
	BucketAlreadyOwnedByYou         Code = "BucketAlreadyOwnedByYou"
	BucketNotEmpty                  Code = "BucketNotEmpty"
	EntityTooLarge                  Code = "EntityTooLarge"
	EntityTooSmall                  Code = "EntityTooSmall"
	IncompleteBody                  Code = "IncompleteBody"
	InternalError                   Code = "InternalError"
	InvalidAccessKeyID              Code = "InvalidAccessKeyId"
	InvalidArgument                 Code = "InvalidArgument"
	InvalidBucketName               Code = "InvalidBucketName"
	InvalidBucketState              Code = "InvalidBucketState"
	InvalidDigest                   Code = "InvalidDigest"
	InvalidLocationConstraint       Code = "InvalidLocationConstraint"
	InvalidPart                     Code = "InvalidPart"
	InvalidPartOrder                Code = "InvalidPartOrder"
	InvalidRange                    Code = "InvalidRange"
	InvalidRequest                  Code = "InvalidRequest"
	KeyTooLong                      Code = "KeyTooLongError"
	MalformedPOSTRequest            Code = "MalformedPOSTRequest"
	MalformedXML                    Code = "MalformedXML"
	MethodNotAllowed                Code = "MethodNotAllowed"
	MissingContentLength            Code = "MissingContentLength"
	MissingSecurityHeader           Code = "MissingSecurityHeader"
	NoSuchBucket                    Code = "NoSuchBucket"
	NoSuchCORSConfiguration         Code = "NoSuchCORSConfiguration"
	NoSuchKey                       Code = "NoSuchKey"
	NoSuchLifecycleConfiguration    Code = "NoSuchLifecycleConfiguration"
	NoSuchUpload                    Code = "NoSuchUpload"
	NoSuchVersion                   Code = "NoSuchVersion"
	NoSuchObjectLockConfiguration   Code = "NoSuchObjectLockConfiguration"
	ObjectLockConfigurationNotFound Code = "ObjectLockConfigurationNotFoundError"
	NoSuchWebsiteConfiguration      Code = "NoSuchWebsiteConfiguration"
	NotImplemented                  Code = "NotImplemented"
	NotModified                     Code = "NotModified" // a 304: no body is sent
	PreconditionFailed              Code = "PreconditionFailed"
	RequestTimeTooSkewed            Code = "RequestTimeTooSkewed"
	RequestTimeout                  Code = "RequestTimeout"
	ServiceUnavailable              Code = "ServiceUnavailable"
	SignatureDoesNotMatch           Code = "SignatureDoesNotMatch"
	XAmzContentSHA256Mismatch       Code = "XAmzContentSHA256Mismatch"
	InvalidObjectState              Code = "InvalidObjectState"
	RequestHeaderSectionTooLarge    Code = "RequestHeaderSectionTooLarge"
	UnexpectedContent               Code = "UnexpectedContent"
	IllegalLocationConstraintExcept Code = "IllegalLocationConstraintException"
	OperationAborted                Code = "OperationAborted"
	MetadataTooLarge                Code = "MetadataTooLarge"
	InvalidPartNumber               Code = "InvalidPartNumber"
	InvalidEncryptionAlgorithm      Code = "InvalidEncryptionAlgorithmError"
	NoSuchEncryptionConfiguration   Code = "ServerSideEncryptionConfigurationNotFoundError"
	ConditionalRequestConflict      Code = "ConditionalRequestConflict"
	InvalidStorageClass             Code = "InvalidStorageClass"
	InvalidTag                      Code = "InvalidTag"
	NoSuchTagSet                    Code = "NoSuchTagSet"
)

var statuses = map[Code]int{
	AccessDenied:                    403,
	AccessForbidden:                 403,
	AuthorizationHeaderMalformed:    400,
	AuthorizationQueryParamsError:   400,
	BadDigest:                       400,
	BucketAlreadyExists:             409,
	BucketAlreadyOwnedByYou:         409,
	BucketNotEmpty:                  409,
	EntityTooLarge:                  400,
	EntityTooSmall:                  400,
	IncompleteBody:                  400,
	InternalError:                   500,
	InvalidAccessKeyID:              403,
	InvalidArgument:                 400,
	InvalidBucketName:               400,
	InvalidBucketState:              409,
	InvalidDigest:                   400,
	InvalidLocationConstraint:       400,
	InvalidPart:                     400,
	InvalidPartOrder:                400,
	InvalidRange:                    416,
	InvalidRequest:                  400,
	KeyTooLong:                      400,
	MalformedPOSTRequest:            400,
	MalformedXML:                    400,
	MethodNotAllowed:                405,
	NoSuchVersion:                   404,
	NoSuchObjectLockConfiguration:   404,
	ObjectLockConfigurationNotFound: 404,
	MissingContentLength:            411,
	MissingSecurityHeader:           400,
	NoSuchBucket:                    404,
	NoSuchCORSConfiguration:         404,
	NoSuchKey:                       404,
	NoSuchLifecycleConfiguration:    404,
	NoSuchUpload:                    404,
	NoSuchWebsiteConfiguration:      404,
	NotImplemented:                  501,
	NotModified:                     304,
	PreconditionFailed:              412,
	RequestTimeTooSkewed:            403,
	RequestTimeout:                  400,
	ServiceUnavailable:              503,
	SignatureDoesNotMatch:           403,
	XAmzContentSHA256Mismatch:       400,
	InvalidObjectState:              403,
	RequestHeaderSectionTooLarge:    400,
	UnexpectedContent:               400,
	IllegalLocationConstraintExcept: 400,
	OperationAborted:                409,
	MetadataTooLarge:                400,
	InvalidPartNumber:               416,
	InvalidEncryptionAlgorithm:      400,
	NoSuchEncryptionConfiguration:   404,
	ConditionalRequestConflict:      409,
	InvalidStorageClass:             400,
	InvalidTag:                      400,
	NoSuchTagSet:                    404,
}

// Status is the HTTP status that goes with c (500 for an unknown code).
func (c Code) Status() int {
	if s, ok := statuses[c]; ok {
		return s
	}
	return 500
}

// Error is an S3 error: what the client is told.
type Error struct {
	Code    Code
	Message string
	// Details are the elements AWS adds to some error documents after the
	// message, such as the StringToSign of a SignatureDoesNotMatch or the
	// ServerTime of an expired URL, in the order they are written.
	Details []Detail
}

// Detail is one extra element of an error document.
type Detail struct {
	Name  string // an XML element name, one of AWS's (StringToSign, ServerTime, ...)
	Value string
}

// With adds an element to the error document and returns e.
func (e *Error) With(name, value string) *Error {
	e.Details = append(e.Details, Detail{Name: name, Value: value})
	return e
}

func (e *Error) Error() string { return string(e.Code) + ": " + e.Message }

// Status is the HTTP status of the answer.
func (e *Error) Status() int { return e.Code.Status() }

// New returns an error with code c and a formatted message.
func New(c Code, format string, args ...any) *Error {
	return &Error{Code: c, Message: fmt.Sprintf(format, args...)}
}

// As returns err as an *Error if it is one (or wraps one).
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// body is the XML document S3 answers errors with.
type body struct {
	XMLName   xml.Name  `xml:"Error"`
	Code      Code      `xml:"Code"`
	Message   string    `xml:"Message"`
	Details   []element // each named by its XMLName
	Resource  string    `xml:"Resource,omitempty"`
	RequestID string    `xml:"RequestId"`
}

// element is a Detail as XML.
type element struct {
	XMLName xml.Name
	Value   string `xml:",chardata"`
}

// XML renders e as S3's error document for resource (the request path) and
// the request's id.
func (e *Error) XML(resource, requestID string) []byte {
	details := make([]element, len(e.Details))
	for i, d := range e.Details {
		details[i] = element{XMLName: xml.Name{Local: d.Name}, Value: d.Value}
	}
	out, err := xml.Marshal(body{Code: e.Code, Message: e.Message, Details: details, Resource: resource, RequestID: requestID})
	if err != nil { // cannot happen: plain strings, and detail names are this program's own
		return []byte(xml.Header + "<Error><Code>InternalError</Code></Error>")
	}
	return append([]byte(xml.Header), out...)
}
