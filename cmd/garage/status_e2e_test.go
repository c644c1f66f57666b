package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// statusSection returns the lines of the status section titled title
// ("HEALTHY NODES", "FAILED NODES"...), header first, up to the blank line
// that ends it; nil if the section is absent.
func statusSection(out, title string) []string {
	_, rest, ok := strings.Cut(out, "==== "+title+" ====\n")
	if !ok {
		return nil
	}
	body, _, _ := strings.Cut(rest, "\n\n")
	return strings.Split(strings.TrimRight(body, "\n"), "\n")
}

// rowOf is the line of a section that starts with the node's short id.
func rowOf(lines []string, id string) string {
	for _, l := range lines {
		if strings.HasPrefix(l, id[:16]+" ") {
			return l
		}
	}
	return ""
}

// adminGet calls the admin API v2 of a node started with adminConfig.
func adminGet(t *testing.T, base, token, path string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, body
}

type nodeStatistics struct {
	Success map[string]struct {
		Freeform string `json:"freeform"`
	} `json:"success"`
	Error map[string]string `json:"error"`
}

// TestStatusAndStatsInGaragesLayout: `garage status` prints Garage's
// healthy table (ID, Hostname, Address, Tags, Zone, Capacity, DataAvail)
// with each node's role, and moves a killed node to the failed table with
// when it was last seen; `garage stats -a` prints a section per node then
// the cluster's, the node reached asking the others, and the admin API's
// GetNodeStatistics answers the same for self, an id prefix or *.
func TestStatusAndStatsInGaragesLayout(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test with real processes")
	}
	const token = "status-e2e-admin-token"
	n1 := newTestNode(t, "n1", 3, "")
	adminBase := fmt.Sprintf("http://127.0.0.1:%d", freePort(t))
	f, err := os.OpenFile(n1.config, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(f, "[admin]\napi_bind_addr = %q\nadmin_token = %q\n", strings.TrimPrefix(adminBase, "http://"), token)
	f.Close()
	n1.start()
	nodes := []*testNode{n1}
	for i := 2; i <= 3; i++ {
		n := newTestNode(t, fmt.Sprintf("n%d", i), 3, n1.id()+"@"+n1.rpcAddr)
		n.start()
		nodes = append(nodes, n)
	}
	n1.waitFor("3 healthy nodes", func() bool { out, _ := n1.cli("status"); return healthyNodes(out) == 3 })
	ids := []string{n1.id(), nodes[1].id(), nodes[2].id()}
	host, _ := os.Hostname()

	// No roles yet: every node says so; a staged one is pending.
	n1.mustCLI("layout", "assign", "-z", "dc1", "-c", "1G", "-t", "fast,ssd", ids[0][:10])
	out := n1.mustCLI("status")
	healthy := statusSection(out, "HEALTHY NODES")
	if got := strings.Fields(healthy[0]); !slices.Equal(got, []string{"ID", "Hostname", "Address", "Tags", "Zone", "Capacity", "DataAvail"}) {
		t.Fatalf("healthy header %q:\n%s", got, out)
	}
	if r := rowOf(healthy, ids[0]); !strings.HasSuffix(r, "pending...") {
		t.Errorf("the staged node's row %q does not say pending:\n%s", r, out)
	}
	if r := rowOf(healthy, ids[1]); !strings.HasSuffix(r, "NO ROLE ASSIGNED") || !strings.Contains(r, nodes[1].rpcAddr) {
		t.Errorf("node 2's row %q:\n%s", r, out)
	}
	if !strings.Contains(out, "==== STAGED ROLE CHANGES ====") || !strings.Contains(out, "garage layout show") {
		t.Errorf("status does not show the staged change:\n%s", out)
	}

	n1.mustCLI("layout", "assign", "-z", "dc2", "-c", "1G", ids[1][:10])
	n1.mustCLI("layout", "assign", "-z", "dc3", "-c", "2G", ids[2][:10])
	n1.mustCLI("layout", "apply", "--version", "1")
	for _, n := range nodes {
		n.waitFor("layout version 1", func() bool {
			out, _ := n.cli("layout", "show")
			return strings.Contains(out, "CURRENT CLUSTER LAYOUT (version 1)")
		})
	}

	// Every row: short id, hostname, the RPC address, [tags], zone,
	// capacity, free data space with its share.
	out = nodes[1].mustCLI("status")
	healthy = statusSection(out, "HEALTHY NODES")
	if len(healthy) != 4 || strings.Contains(out, "FAILED NODES") || strings.Contains(out, "STAGED") {
		t.Fatalf("want 3 healthy nodes and nothing else:\n%s", out)
	}
	avail := `\d+(\.\d)? [KMGTP]?B \(\d+\.\d%\)`
	for i, want := range []string{"[fast,ssd] +dc1 +1.0 GB", "[] +dc2 +1.0 GB", "[] +dc3 +2.0 GB"} {
		re := regexp.MustCompile("^" + ids[i][:16] + " +" + regexp.QuoteMeta(host) + " +" + regexp.QuoteMeta(nodes[i].rpcAddr) + " +" +
			regexp.QuoteMeta(want[:strings.Index(want, " ")]) + want[strings.Index(want, " "):] + " +" + avail + "$")
		if r := rowOf(healthy, ids[i]); !re.MatchString(r) {
			t.Errorf("node %d's row %q does not match %s:\n%s", i+1, r, re, out)
		}
	}

	// stats -a through node 2: a section per node, then the cluster's.
	stats := nodes[1].mustCLI("stats", "-a")
	for _, id := range ids {
		sec := "==== NODE [" + id[:16] + "] ====\n"
		i := strings.Index(stats, sec)
		if i < 0 || !strings.HasPrefix(strings.TrimLeft(stats[i+len(sec):], " "), "Node ID:") ||
			!regexp.MustCompile(`(?m)^Node ID: +`+id+`$`).MatchString(stats) {
			t.Errorf("stats -a lacks node %s's section:\n%s", id[:16], stats)
		}
	}
	if strings.Count(stats, "Table stats:") != 3 || strings.Count(stats, "Block manager stats:") != 3 {
		t.Errorf("stats -a does not hold three node sections:\n%s", stats)
	}
	cl := strings.Index(stats, "==== CLUSTER STATISTICS ====")
	if cl < strings.LastIndex(stats, "==== NODE [") || !strings.Contains(stats[cl:], "Storage nodes:") ||
		!strings.Contains(stats[cl:], "Estimated available storage space cluster-wide") {
		t.Errorf("stats -a does not end with the cluster statistics:\n%s", stats)
	}
	for _, id := range ids {
		if !strings.Contains(stats[cl:], "  "+id+" ") {
			t.Errorf("cluster statistics lack storage node %s:\n%s", id[:16], stats[cl:])
		}
	}
	// Without -a: this node's section only.
	if one := nodes[2].mustCLI("stats"); strings.Count(one, "==== NODE [") != 1 || !strings.Contains(one, "==== NODE ["+ids[2][:16]+"] ====") {
		t.Errorf("stats without -a:\n%s", one)
	}

	// The admin API: *, self, a prefix, and a selector matching nothing.
	stat := func(node string) nodeStatistics {
		t.Helper()
		code, body := adminGet(t, adminBase, token, "/v2/GetNodeStatistics?node="+node)
		if code != http.StatusOK {
			t.Fatalf("GetNodeStatistics?node=%s: %d %s", node, code, body)
		}
		var r nodeStatistics
		if err := json.Unmarshal(body, &r); err != nil {
			t.Fatalf("%v: %s", err, body)
		}
		return r
	}
	all := stat("*")
	for _, id := range ids {
		if !strings.Contains(all.Success[id].Freeform, "Node ID:") || !strings.Contains(all.Success[id].Freeform, id) {
			t.Errorf("GetNodeStatistics?node=* lacks node %s: %+v", id[:16], all)
		}
	}
	if self := stat("self"); len(self.Success) != 1 || self.Success[ids[0]].Freeform == "" {
		t.Errorf("node=self: %+v", self)
	}
	if one := stat(ids[2][:8]); len(one.Success) != 1 || one.Success[ids[2]].Freeform == "" {
		t.Errorf("node=<prefix of node 3>: %+v", one)
	}
	if code, body := adminGet(t, adminBase, token, "/v2/GetNodeStatistics?node=zz"); code != http.StatusBadRequest {
		t.Errorf("node=zz: %d %s", code, body)
	}

	// Node 3 dies: it moves to the failed table, with when it was seen.
	nodes[2].kill()
	// Once the node has been gone for a second or more, the row says how long.
	n1.waitFor("node 3 to fail", func() bool {
		out, _ = n1.cli("status")
		return strings.HasSuffix(rowOf(statusSection(out, "FAILED NODES"), ids[2]), " ago")
	})
	if got := strings.Fields(statusSection(out, "FAILED NODES")[0]); !slices.Equal(got, []string{"ID", "Hostname", "Tags", "Zone", "Capacity", "Last", "seen"}) {
		t.Errorf("failed header %q:\n%s", got, out)
	}
	failedRow := regexp.MustCompile("^" + ids[2][:16] + " +" + regexp.QuoteMeta(host) + ` +\[\] +dc3 +2\.0 GB +\d+ seconds? ago$`)
	if r := rowOf(statusSection(out, "FAILED NODES"), ids[2]); !failedRow.MatchString(r) {
		t.Errorf("node 3's failed row %q does not match %s:\n%s", r, failedRow, out)
	}
	if healthyNodes(out) != 2 || rowOf(statusSection(out, "HEALTHY NODES"), ids[2]) != "" {
		t.Errorf("node 3 still healthy:\n%s", out)
	}
	code, body := adminGet(t, adminBase, token, "/v2/GetClusterStatus")
	var cs struct {
		Nodes []struct {
			ID              string  `json:"id"`
			IsUp            bool    `json:"isUp"`
			LastSeenSecsAgo *uint64 `json:"lastSeenSecsAgo"`
		} `json:"nodes"`
	}
	if err := json.Unmarshal(body, &cs); code != 200 || err != nil {
		t.Fatalf("GetClusterStatus: %d %v %s", code, err, body)
	}
	for _, n := range cs.Nodes {
		if n.ID == ids[2] && (n.IsUp || n.LastSeenSecsAgo == nil) {
			t.Errorf("GetClusterStatus says of the dead node: %s", body)
		}
	}

	// stats -a still answers, with an error section for the dead node.
	stats = n1.mustCLI("stats", "-a")
	if !strings.Contains(stats, "==== NODE ["+ids[2][:16]+"] ====\nError: ") || strings.Count(stats, "Table stats:") != 2 {
		t.Errorf("stats -a with node 3 down:\n%s", stats)
	}
	if all := stat("*"); len(all.Success) != 2 || all.Error[ids[2]] == "" {
		t.Errorf("GetNodeStatistics?node=* with node 3 down: %+v", all)
	}
}
