//go:build go1.21

package main

import "sync"

// Go 1.21 and later: the standard library's own wrappers.
func makeOnceFunc(f func()) func() { return sync.OnceFunc(f) }

func makeOnceValue(f func() int) func() int { return sync.OnceValue(f) }
