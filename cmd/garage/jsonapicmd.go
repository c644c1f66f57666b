package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/garagego/garage/internal/config"
)

// AdminAPIFlags say how to reach a node's admin API over HTTP: the CLI's
// admin-API commands talk to it like any client, with a bearer token.
type AdminAPIFlags struct {
	AdminURL   string `name:"admin-url" help:"The admin API, http://host:port (default: [admin] api_bind_addr of the configuration)." env:"GARAGE_ADMIN_URL"`
	AdminToken string `name:"admin-token" help:"Bearer token for the admin API (default: admin_token of the configuration)." env:"GARAGE_ADMIN_TOKEN"`
}

// adminAPI is a client of one node's admin API.
type adminAPI struct {
	url, token string
	http       *http.Client
}

// adminAPI resolves the endpoint and token from the flags, then from the
// configuration file.
func (f AdminAPIFlags) adminAPI(g *Globals) (*adminAPI, error) {
	a := &adminAPI{url: strings.TrimRight(f.AdminURL, "/"), token: f.AdminToken, http: &http.Client{Timeout: 2 * time.Minute}}
	if a.url == "" || a.token == "" {
		path := g.configPath()
		cfg, err := config.Load(path)
		if err != nil {
			return nil, fmt.Errorf("no --admin-url and --admin-token given and the configuration cannot be read: %w", err)
		}
		if cfg.Admin == nil {
			return nil, fmt.Errorf("%s has no [admin] section: give --admin-url and --admin-token", path)
		}
		if a.url == "" {
			a.url = "http://" + localAddr(cfg.Admin.APIBindAddr)
		}
		if a.token == "" {
			a.token = cfg.Admin.AdminToken
		}
	}
	if a.token == "" {
		return nil, fmt.Errorf("no admin token: give --admin-token (or GARAGE_ADMIN_TOKEN), or set admin_token in [admin]")
	}
	return a, nil
}

// apiError is an admin API error answer.
type apiError struct {
	Status  int    `json:"-"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (e *apiError) Error() string { return fmt.Sprintf("%s (%d): %s", e.Code, e.Status, e.Message) }

// do sends one request and returns the answer's body; an error answer is
// an *apiError.
func (a *adminAPI) do(method, path string, query url.Values, body []byte) ([]byte, error) {
	u := a.url + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+a.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := a.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("admin API at %s: %w", a.url, err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("admin API at %s: %w", a.url, err)
	}
	if resp.StatusCode != http.StatusOK {
		e := &apiError{Status: resp.StatusCode}
		if json.Unmarshal(out, e) != nil || e.Code == "" {
			e.Code, e.Message = http.StatusText(resp.StatusCode), strings.TrimSpace(string(out))
		}
		return out, e
	}
	return out, nil
}

// call calls endpoint fn, GET when in is nil, POST with in as JSON
// otherwise, and decodes the answer into out.
func (a *adminAPI) call(fn string, query url.Values, in, out any) error {
	method := http.MethodGet
	var body []byte
	if in != nil {
		method = http.MethodPost
		var err error
		if body, err = json.Marshal(in); err != nil {
			return err
		}
	}
	res, err := a.do(method, "/v2/"+fn, query, body)
	if err != nil {
		return err
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(res, out)
}

// endpointShape is how an endpoint is called, as the node's OpenAPI
// document describes it.
type endpointShape struct {
	method string
	query  []string
}

// shape reads fn's method and query parameters from /v2/openapi.json.
func (a *adminAPI) shape(fn string) (endpointShape, error) {
	res, err := a.do(http.MethodGet, "/v2/openapi.json", nil, nil)
	if err != nil {
		return endpointShape{}, err
	}
	var doc struct {
		Paths map[string]map[string]struct {
			Parameters []struct {
				Name string `json:"name"`
				In   string `json:"in"`
			} `json:"parameters"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(res, &doc); err != nil {
		return endpointShape{}, fmt.Errorf("the node's OpenAPI document: %w", err)
	}
	ops, ok := doc.Paths["/v2/"+fn]
	if !ok {
		return endpointShape{}, fmt.Errorf("the node does not serve %s (see %s/v2/openapi.json)", fn, a.url)
	}
	for method, op := range ops {
		s := endpointShape{method: strings.ToUpper(method)}
		for _, p := range op.Parameters {
			if p.In == "query" {
				s.query = append(s.query, p.Name)
			}
		}
		return s, nil
	}
	return endpointShape{}, fmt.Errorf("%s: no operation in the OpenAPI document", fn)
}

// JSONAPICmd calls one admin API endpoint with a JSON request, as
// Garage's `garage json-api`.
type JSONAPICmd struct {
	AdminAPIFlags
	Function string `arg:"" help:"The endpoint, e.g. GetClusterStatus, CreateKey (the names of /v2/<Function>)."`
	JSON     string `arg:"" optional:"" help:"The request, a JSON value, or - to read it from standard input. Query parameters are fields of it (GetKeyInfo '{\"search\":\"name\"}'); an endpoint taking both puts its body under \"body\" (UpdateKey '{\"id\":\"GK...\",\"body\":{...}}')."`
}

func (c *JSONAPICmd) Run(g *Globals, out io.Writer) error {
	a, err := c.adminAPI(g)
	if err != nil {
		return err
	}
	input := []byte(c.JSON)
	if c.JSON == "-" {
		if input, err = io.ReadAll(os.Stdin); err != nil {
			return err
		}
	}
	shape, err := a.shape(c.Function)
	if err != nil {
		return err
	}
	query, body, err := splitRequest(shape, bytes.TrimSpace(input))
	if err != nil {
		return err
	}
	res, err := a.do(shape.method, "/v2/"+c.Function, query, body)
	if err != nil {
		if ae, ok := err.(*apiError); ok {
			return fmt.Errorf("%s: %w", c.Function, ae)
		}
		return err
	}
	var pretty bytes.Buffer
	if json.Indent(&pretty, res, "", "  ") != nil {
		pretty.Reset()
		pretty.Write(res)
	}
	fmt.Fprintln(out, strings.TrimSpace(pretty.String()))
	return nil
}

// splitRequest turns the JSON request into query parameters and a body:
// the fields naming query parameters go to the query; a GET has no body;
// a POST sends the rest, or its "body" field when it also has parameters.
func splitRequest(s endpointShape, input []byte) (url.Values, []byte, error) {
	query := url.Values{}
	if len(s.query) == 0 {
		if s.method == http.MethodGet {
			return query, nil, nil
		}
		if len(input) == 0 {
			return query, []byte("{}"), nil
		}
		if !json.Valid(input) {
			return nil, nil, fmt.Errorf("the request is not valid JSON")
		}
		return query, input, nil
	}
	fields := map[string]json.RawMessage{}
	if len(input) > 0 {
		if err := json.Unmarshal(input, &fields); err != nil {
			return nil, nil, fmt.Errorf("the request must be a JSON object: %w", err)
		}
	}
	for _, name := range s.query {
		raw, ok := fields[name]
		if !ok {
			continue
		}
		delete(fields, name)
		var str string
		if json.Unmarshal(raw, &str) != nil {
			str = string(raw) // true, 42
		}
		query.Set(name, str)
	}
	if s.method == http.MethodGet {
		return query, nil, nil
	}
	if b, ok := fields["body"]; ok {
		return query, b, nil
	}
	body, _ := json.Marshal(fields)
	return query, body, nil
}
