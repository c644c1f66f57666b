package s3api

// plantedShortBodyOK, a test-only bug, brings back a defect once found:
// the error path writes nothing once the request's context has ended, so a
// PUT whose body was cut short gets net/http's implicit 200. Only a binary
// built with the garage_planted_bugs tag can set it (planted_on.go), from
// GARAGE_PLANTED_BUG=short-body-ok: the chaos harness shows it catches it.
var plantedShortBodyOK bool
