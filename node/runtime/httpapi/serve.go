package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"net/http"
	"strings"
	"time"

	"go.uber.org/zap"
)

// Serve answers requests with h on l until ctx ends; it then stops
// accepting and waits up to five seconds for requests under way. t bounds
// reading headers and idle connections (bodies are ClientBody's). If ctx
// carries a tracer (WithTracing), every request is traced.
func Serve(ctx context.Context, l net.Listener, h http.Handler, t Timeouts, log *zap.Logger) error {
	if at, ok := ctx.Value(tracingKey{}).(apiTracing); ok {
		h = tracedHandler{next: h, apiTracing: at}
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: t.Header,
		IdleTimeout:       t.Idle,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          zap.NewStdLog(log.Named("http")),
	}
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shut) //nolint:errcheck // closing anyway
	}()
	err := srv.Serve(l)
	if err == http.ErrServerClosed {
		<-stopped
		return nil
	}
	return err
}

// NewRequestID is a fresh request id, as the x-amz-request-id header
// carries it.
func NewRequestID() string {
	var b [8]byte
	rand.Read(b[:]) //nolint:errcheck // crypto/rand does not fail
	return strings.ToUpper(hex.EncodeToString(b[:]))
}

// OperationContext is the context a request's operations run under. A
// read stops when its client leaves. A write does not: once its body is
// in, it runs to its end (the core bounds every step with its RPC
// timeouts), so that what it answers is what happened — a write abandoned
// half-way would have an outcome nobody knows, not even the server. A
// write whose body never arrives whole still fails, from the body reader.
func OperationContext(r *http.Request, write bool) context.Context {
	if !write {
		return r.Context()
	}
	return context.WithoutCancel(r.Context())
}
