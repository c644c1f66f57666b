package block

import (
	"fmt"

	"github.com/garagego/garage/node/wire"
)

// Worker settings an operator changes at run time (`garage worker set`),
// persisted under "b/set/<name>" so they survive restarts.
const settingsPrefix = "b/set/"

// Settings names the tunable worker variables, in display order.
var Settings = []string{"resync-worker-count", "resync-tranquility", "scrub-tranquility"}

// Setting returns a worker variable's current value.
func (m *Manager) Setting(name string) (int, error) {
	switch name {
	case "resync-worker-count":
		return m.cfg.ResyncWorkers, nil
	case "resync-tranquility":
		return m.cfg.ResyncTranquility, nil
	case "scrub-tranquility":
		return m.cfg.ScrubTranquility, nil
	}
	return 0, fmt.Errorf("unknown worker variable %q (known: %v)", name, Settings)
}

// SetSetting changes a worker variable and persists it.
func (m *Manager) SetSetting(name string, value int) error {
	switch {
	case name == "resync-worker-count" && (value < 1 || value > 8):
		return fmt.Errorf("resync-worker-count must be 1 to 8, got %d", value)
	case value < 0 || value > 1000:
		return fmt.Errorf("%s must be 0 to 1000, got %d", name, value)
	}
	if _, err := m.Setting(name); err != nil {
		return err
	}
	m.apply(name, value)
	e := wire.NewEncoder(nil)
	e.Uvarint(uint64(value))
	m.store.Put(settingsPrefix+name, e.Bytes())
	return nil
}

func (m *Manager) apply(name string, value int) {
	switch name {
	case "resync-worker-count":
		m.cfg.ResyncWorkers = value
	case "resync-tranquility":
		m.cfg.ResyncTranquility = value
	case "scrub-tranquility":
		m.cfg.ScrubTranquility = value
	}
}

// loadSettings applies the persisted worker variables over the config.
func (m *Manager) loadSettings() {
	for _, name := range Settings {
		if b, ok := m.store.Get(settingsPrefix + name); ok {
			if v := wire.NewDecoder(b).Uvarint(); v <= 1000 {
				m.apply(name, int(v))
			}
		}
	}
}
