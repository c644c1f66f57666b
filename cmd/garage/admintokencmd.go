package main

import (
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"
)

// AdminTokenCmd groups the admin API token commands, as Garage's
// `garage admin-token`. They call the node's admin API (AdminAPIFlags).
type AdminTokenCmd struct {
	List   AdminTokenListCmd   `cmd:"" help:"List admin API tokens."`
	Info   AdminTokenInfoCmd   `cmd:"" help:"Show one admin API token."`
	Create AdminTokenCreateCmd `cmd:"" help:"Create an admin API token; its secret is shown once."`
	Set    AdminTokenSetCmd    `cmd:"" help:"Change a token's name, expiration or scope."`
	Delete AdminTokenDeleteCmd `cmd:"" help:"Delete an admin API token."`
}

// adminTokenInfo is a token as the admin API describes it.
type adminTokenInfo struct {
	ID          *string    `json:"id"`
	Created     *time.Time `json:"created"`
	Name        string     `json:"name"`
	Expiration  *time.Time `json:"expiration"`
	Expired     bool       `json:"expired"`
	Scope       []string   `json:"scope"`
	SecretToken string     `json:"secretToken,omitempty"`
}

func (t adminTokenInfo) id() string {
	if t.ID == nil {
		return "-"
	}
	return *t.ID
}

func (t adminTokenInfo) expiration() string {
	switch {
	case t.Expiration == nil:
		return "never"
	case t.Expired:
		return t.Expiration.Local().Format(time.DateTime) + " (expired)"
	}
	return t.Expiration.Local().Format(time.DateTime)
}

func printAdminToken(out io.Writer, t adminTokenInfo) {
	fmt.Fprintf(out, "Token ID:    %s\n", t.id())
	fmt.Fprintf(out, "Token name:  %s\n", orDash(t.Name))
	if t.Created != nil {
		fmt.Fprintf(out, "Created:     %s\n", t.Created.Local().Format(time.DateTime))
	}
	fmt.Fprintf(out, "Expiration:  %s\n", t.expiration())
	fmt.Fprintf(out, "Scope:       %s\n", strings.Join(t.Scope, ", "))
}

// AdminTokenListCmd lists tokens.
type AdminTokenListCmd struct {
	AdminAPIFlags
}

func (c *AdminTokenListCmd) Run(g *Globals, out io.Writer) error {
	a, err := c.adminAPI(g)
	if err != nil {
		return err
	}
	var list []adminTokenInfo
	if err := a.call("ListAdminTokens", nil, nil, &list); err != nil {
		return err
	}
	t := newTable(out, "ID", "Created", "Name", "Expiration", "Scope")
	for _, tok := range list {
		created := "-"
		if tok.Created != nil {
			created = tok.Created.Local().Format(time.DateOnly)
		}
		t.row(tok.id(), created, tok.Name, tok.expiration(), strings.Join(tok.Scope, ", "))
	}
	t.flush()
	return nil
}

// findToken resolves a token id, id prefix or name.
func findToken(a *adminAPI, pattern string) (adminTokenInfo, error) {
	var t adminTokenInfo
	err := a.call("GetAdminTokenInfo", url.Values{"search": {pattern}}, nil, &t)
	return t, err
}

// AdminTokenInfoCmd shows one token.
type AdminTokenInfoCmd struct {
	AdminAPIFlags
	Token string `arg:"" help:"Token id, id prefix or name."`
}

func (c *AdminTokenInfoCmd) Run(g *Globals, out io.Writer) error {
	a, err := c.adminAPI(g)
	if err != nil {
		return err
	}
	t, err := findToken(a, c.Token)
	if err != nil {
		return err
	}
	printAdminToken(out, t)
	return nil
}

// tokenChanges are the flags create and set share.
type tokenChanges struct {
	ExpiresIn time.Duration `name:"expires-in" help:"Expire the token this long from now (e.g. 720h)."`
	Scope     string        `help:"Comma-separated endpoint names the token may call (e.g. GetClusterStatus,ListBuckets), or * for all."`
}

func (c tokenChanges) body(name *string) map[string]any {
	body := map[string]any{}
	if name != nil {
		body["name"] = *name
	}
	if c.ExpiresIn != 0 {
		body["expiration"] = time.Now().Add(c.ExpiresIn).UTC().Format(time.RFC3339)
	}
	if c.Scope != "" {
		var scope []string
		for _, s := range strings.Split(c.Scope, ",") {
			if s = strings.TrimSpace(s); s != "" {
				scope = append(scope, s)
			}
		}
		body["scope"] = scope
	}
	return body
}

// AdminTokenCreateCmd creates a token.
type AdminTokenCreateCmd struct {
	AdminAPIFlags
	tokenChanges
	Name  string `arg:"" optional:"" help:"A name for the token (default: token_<date>)."`
	Quiet bool   `short:"q" help:"Print the secret token only."`
}

func (c *AdminTokenCreateCmd) Run(g *Globals, out io.Writer) error {
	a, err := c.adminAPI(g)
	if err != nil {
		return err
	}
	var name *string
	if c.Name != "" {
		name = &c.Name
	}
	var t adminTokenInfo
	if err := a.call("CreateAdminToken", nil, c.body(name), &t); err != nil {
		return err
	}
	if c.Quiet {
		fmt.Fprintln(out, t.SecretToken)
		return nil
	}
	fmt.Fprintf(out, "This is your secret bearer token, it will not be shown again by Garage:\n\n    %s\n\n", t.SecretToken)
	printAdminToken(out, t)
	return nil
}

// AdminTokenSetCmd changes a token.
type AdminTokenSetCmd struct {
	AdminAPIFlags
	tokenChanges
	Token        string `arg:"" help:"Token id, id prefix or name."`
	Name         string `help:"A new name."`
	NeverExpires bool   `name:"never-expires" help:"Remove the token's expiration."`
}

func (c *AdminTokenSetCmd) Run(g *Globals, out io.Writer) error {
	if c.NeverExpires && c.ExpiresIn != 0 {
		return fmt.Errorf("give either --expires-in or --never-expires")
	}
	a, err := c.adminAPI(g)
	if err != nil {
		return err
	}
	t, err := findToken(a, c.Token)
	if err != nil {
		return err
	}
	var name *string
	if c.Name != "" {
		name = &c.Name
	}
	body := c.body(name)
	if c.NeverExpires {
		body["neverExpires"] = true
	}
	if err := a.call("UpdateAdminToken", url.Values{"id": {t.id()}}, body, &t); err != nil {
		return err
	}
	printAdminToken(out, t)
	return nil
}

// AdminTokenDeleteCmd deletes a token.
type AdminTokenDeleteCmd struct {
	AdminAPIFlags
	Token string `arg:"" help:"Token id, id prefix or name."`
	Yes   bool   `help:"Confirm the deletion."`
}

func (c *AdminTokenDeleteCmd) Run(g *Globals, out io.Writer) error {
	a, err := c.adminAPI(g)
	if err != nil {
		return err
	}
	t, err := findToken(a, c.Token)
	if err != nil {
		return err
	}
	if !c.Yes {
		return fmt.Errorf("add --yes to delete token %s (%s)", t.id(), t.Name)
	}
	if err := a.call("DeleteAdminToken", url.Values{"id": {t.id()}}, map[string]any{}, nil); err != nil {
		return err
	}
	fmt.Fprintf(out, "Admin token %s has been deleted.\n", t.id())
	return nil
}
