package block

import "time"

// Config tunes the block manager.
type Config struct {
	// ReadTimeout bounds one attempt to read a block from one holder.
	ReadTimeout time.Duration
	// WriteTimeout bounds a block write to a quorum of holders.
	WriteTimeout time.Duration
	// GCDelay is how long a block's reference count must stay zero before
	// the block leaves the disk.
	GCDelay time.Duration
	// ResyncWorkers is how many resync items run at once (1 to 8).
	ResyncWorkers int
	// ResyncTranquility: after an item that took d, wait Tranquility*d.
	ResyncTranquility int
	// ErrorBackoff is the first retry delay of a failing block; it doubles
	// up to 64 times that.
	ErrorBackoff time.Duration
	// ScrubInterval is the time between two full scrubs (0 = no scrub).
	ScrubInterval time.Duration
	// ScrubTranquility: after verifying a block in d, wait Tranquility*d.
	ScrubTranquility int
	Bugs             Bugs
}

// Bugs are deliberate faults the simulator plants to prove its checks work.
type Bugs struct {
	// GCIgnoresReferences deletes a block once it is queued for a check
	// even though references to it remain.
	GCIgnoresReferences bool
}

// DefaultConfig is Garage's behaviour.
func DefaultConfig() Config {
	return Config{
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      5 * time.Minute,
		GCDelay:           10 * time.Minute,
		ResyncWorkers:     1,
		ResyncTranquility: 2,
		ErrorBackoff:      time.Minute,
		ScrubInterval:     30 * 24 * time.Hour,
		ScrubTranquility:  4,
	}
}

// withDefaults fills zero fields from DefaultConfig, so a zero Config (or
// one setting only a few fields) is Garage's behaviour.
func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.ReadTimeout <= 0 {
		c.ReadTimeout = d.ReadTimeout
	}
	if c.WriteTimeout <= 0 {
		c.WriteTimeout = d.WriteTimeout
	}
	if c.GCDelay <= 0 {
		c.GCDelay = d.GCDelay
	}
	if c.ResyncWorkers <= 0 {
		c.ResyncWorkers = d.ResyncWorkers
	}
	if c.ErrorBackoff <= 0 {
		c.ErrorBackoff = d.ErrorBackoff
	}
	if c.ScrubTranquility <= 0 {
		c.ScrubTranquility = d.ScrubTranquility
	}
	return c
}
