// Package bucketcfg holds the bucket sub-resources a client configures with
// an XML document: CORS, static website and lifecycle. Each configuration
// is parsed and validated as S3 does (every mistake an *s3err.Error),
// rendered back as the document GET answers with, and encoded canonically
// for the bucket table. CORS matching and lifecycle evaluation live here
// too, so the HTTP layer and the lifecycle worker share one reading of a
// configuration.
package bucketcfg

// MaxConfigSize bounds the XML body of any configuration.
const MaxConfigSize = 64 << 10

// MaxRuleIDLen bounds the ID of a CORS or lifecycle rule.
const MaxRuleIDLen = 255

// formatVersion leads every encoding, so a later layout can be told apart.
const formatVersion = 1
