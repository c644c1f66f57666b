// Package webapi is the website endpoint ([s3_web]): it serves buckets as
// static websites, anonymously, as Garage's web server does.
//
// A request's host names the bucket: "site.web.example.com" under the root
// domain ".web.example.com" names "site", and any other host names the
// bucket whose global alias it is ("example.com"). Only a bucket with a
// website configuration (PutBucketWebsite, or `garage bucket website
// --allow`) is served; any other answers 404, as an unknown one does.
//
// The path names the object: a directory ("/", "/docs/") its index
// document, and a name without its slash whose index document exists
// ("/docs") is redirected to the directory (302). The configuration's
// RedirectAllRequestsTo sends every request elsewhere (301); its routing
// rules redirect by key prefix before anything is read, or by the error
// status a request failed with; a GET that failed with a client error is
// answered with the error document under that status. Objects are read as
// the S3 API's GetObject reads them (httpapi's conditions, ranges, object
// headers; SSE-S3 decrypted, SSE-C refused), with the bucket's CORS rules
// applied. Only GET, HEAD and OPTIONS (CORS preflights) are answered, and
// a bucket is never listed.
package webapi
