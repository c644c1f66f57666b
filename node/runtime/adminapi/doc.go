// Package adminapi is Garage's admin HTTP API, version 2, on [admin]
// api_bind_addr: `GET|POST /v2/<Endpoint>` with JSON bodies and query
// parameters in Garage's wire format, bearer-token authentication (the
// configured admin_token, or user-defined tokens with a scope and an
// expiration, stored hashed in the admin tokens table), the
// unauthenticated /health, /check and CORS preflights, and the OpenAPI
// document of what it serves at /v2/openapi.json. Every endpoint maps onto
// the operations of node/admin, run through the node like the CLI's.
package adminapi
