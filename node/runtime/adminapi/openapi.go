package adminapi

import (
	"reflect"
	"slices"
	"strings"
	"time"
)

// openAPI is the OpenAPI 3.0 document of the endpoints served, built from
// their definitions and wire types, so it cannot drift from them.
func openAPI() map[string]any {
	schemas := map[string]any{}
	paths := map[string]any{}
	errResp := map[string]any{"description": "An error, as Garage's JSON error body.",
		"content": jsonContent(schemaOf(reflect.TypeOf(ErrorResponse{}), schemas))}
	for _, ep := range endpoints {
		op := map[string]any{"operationId": ep.Name, "summary": ep.Summary, "security": []any{map[string]any{"bearerAuth": []string{}}}}
		var params []any
		for _, q := range ep.Query {
			typ := "string"
			if q.Bool {
				typ = "boolean"
			}
			params = append(params, map[string]any{"name": q.Name, "in": "query", "required": q.Required, "schema": map[string]any{"type": typ}})
		}
		if params != nil {
			op["parameters"] = params
		}
		if ep.Body != nil {
			op["requestBody"] = map[string]any{"required": true, "content": jsonContent(schemaOf(reflect.TypeOf(ep.Body), schemas))}
		}
		ok := map[string]any{"description": "Success."}
		if ep.Resp != nil {
			ok["content"] = jsonContent(schemaOf(reflect.TypeOf(ep.Resp), schemas))
		} else {
			ok["description"] = "Success; the body is null."
		}
		op["responses"] = map[string]any{"200": ok, "default": errResp}
		paths["/v2/"+ep.Name] = map[string]any{strings.ToLower(ep.Method): op}
	}
	text := map[string]any{"text/plain": map[string]any{"schema": map[string]any{"type": "string"}}}
	paths["/health"] = map[string]any{"get": map[string]any{"operationId": "Health", "summary": "200 while every partition has a quorum, 503 otherwise; no token needed.",
		"responses": map[string]any{"200": map[string]any{"description": "Available.", "content": text}, "503": map[string]any{"description": "Unavailable.", "content": text}}}}
	paths["/check"] = map[string]any{"get": map[string]any{"operationId": "CheckDomain", "summary": "Whether a domain is a bucket served by this cluster; no token needed.",
		"parameters": []any{map[string]any{"name": "domain", "in": "query", "required": true, "schema": map[string]any{"type": "string"}}},
		"responses":  map[string]any{"200": map[string]any{"description": "Managed.", "content": text}, "400": errResp}}}
	return map[string]any{
		"openapi": "3.0.3",
		"info": map[string]any{"title": "Garage administration API", "version": "v2",
			"description": "The endpoints this server implements of Garage's admin API v2."},
		"paths": paths,
		"components": map[string]any{"schemas": schemas,
			"securitySchemes": map[string]any{"bearerAuth": map[string]any{"type": "http", "scheme": "bearer"}}},
	}
}

func jsonContent(schema any) map[string]any {
	return map[string]any{"application/json": map[string]any{"schema": schema}}
}

var (
	timeType = reflect.TypeOf(time.Time{})
	zrType   = reflect.TypeOf(ZoneRedundancy{})
	// schemaerType: wire types that give their own schema.
	schemaerType = reflect.TypeOf((*schemaer)(nil)).Elem()
)

// schemaOf is t's JSON schema; named structs go to schemas, referenced.
func schemaOf(t reflect.Type, schemas map[string]any) map[string]any {
	if t.Implements(schemaerType) {
		return reflect.Zero(t).Interface().(schemaer).openAPISchema()
	}
	switch {
	case t.Kind() == reflect.Pointer:
		s := schemaOf(t.Elem(), schemas)
		if _, isRef := s["$ref"]; isRef {
			return map[string]any{"allOf": []any{s}, "nullable": true}
		}
		s["nullable"] = true
		return s
	case t == timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case t == zrType:
		return map[string]any{"oneOf": []any{
			map[string]any{"type": "string", "enum": []string{"maximum"}},
			map[string]any{"type": "object", "required": []string{"atLeast"}, "properties": map[string]any{"atLeast": map[string]any{"type": "integer", "minimum": 1}}},
		}}
	}
	switch t.Kind() {
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Int, reflect.Int64, reflect.Int32:
		return map[string]any{"type": "integer", "format": "int64"}
	case reflect.Uint, reflect.Uint64, reflect.Uint32, reflect.Uint8:
		return map[string]any{"type": "integer", "format": "int64", "minimum": 0}
	case reflect.Slice:
		return map[string]any{"type": "array", "items": schemaOf(t.Elem(), schemas)}
	case reflect.Array: // a tuple, as Garage's (name, value) header pairs
		return map[string]any{"type": "array", "items": schemaOf(t.Elem(), schemas), "minItems": t.Len(), "maxItems": t.Len()}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": schemaOf(t.Elem(), schemas)}
	case reflect.Struct:
		name := schemaName(t)
		if _, done := schemas[name]; !done {
			schemas[name] = map[string]any{} // breaks cycles
			schemas[name] = structSchema(t, schemas)
		}
		return map[string]any{"$ref": "#/components/schemas/" + name}
	}
	return map[string]any{}
}

// schemaName is a Go type's name without its package or generic brackets.
func schemaName(t reflect.Type) string {
	n := t.Name()
	if i := strings.IndexByte(n, '['); i >= 0 {
		arg := n[i+1 : len(n)-1]
		arg = arg[strings.LastIndexByte(arg, '.')+1:]
		n = n[:i] + "_" + arg
	}
	return n
}

func structSchema(t reflect.Type, schemas map[string]any) map[string]any {
	props := map[string]any{}
	var required []string
	var collect func(t reflect.Type)
	collect = func(t reflect.Type) {
		for i := range t.NumField() {
			f := t.Field(i)
			if f.Anonymous && f.Type.Kind() == reflect.Struct {
				collect(f.Type) // flattened, as encoding/json does
				continue
			}
			tag := f.Tag.Get("json")
			name, opts, _ := strings.Cut(tag, ",")
			if name == "-" || !f.IsExported() {
				continue
			}
			if name == "" {
				name = f.Name
			}
			props[name] = schemaOf(f.Type, schemas)
			if !strings.Contains(opts, "omitempty") {
				required = append(required, name)
			}
		}
	}
	collect(t)
	s := map[string]any{"type": "object", "properties": props}
	if required != nil {
		slices.Sort(required)
		s["required"] = required
	}
	return s
}
