package block

import (
	"time"

	"github.com/garagego/garage/node/cluster"
)

// pacer keeps background work (resync, scrub) to its share of the time.
// Tranquility T means, as in Garage: after an item that took d, a worker
// rests T*d. Rests shorter than a tick cannot be waited for (ticks are the
// only timer), so the pacer keeps a clock instead: each item moves it on by
// d*(1+T)/workers, and work starts while the clock is not ahead of now.
// Over any stretch longer than a tick the work takes the same share of the
// time as Garage's sleeping workers, and the next item can start from the
// last one's completion.
type pacer struct {
	paidTo cluster.Time // work and rest are accounted up to here
}

// resting reports whether work must wait. A clock that jumped back by an
// hour or more is not waited for.
func (p *pacer) resting(now cluster.Time) bool {
	return p.paidTo > now && p.paidTo.Sub(now) < time.Hour
}

// worked accounts an item that started at started and ended at now, done
// by one of workers workers with the given tranquility.
func (p *pacer) worked(started, now cluster.Time, tranquility, workers int) {
	took := max(now.Sub(started), 0)
	share := took * time.Duration(1+tranquility) / time.Duration(max(workers, 1))
	p.paidTo = max(p.paidTo, started).Add(share)
}

// restUntil holds work back until t.
func (p *pacer) restUntil(t cluster.Time) { p.paidTo = t }
