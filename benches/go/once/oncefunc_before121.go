//go:build !go1.21

package main

import "sync"

// Before Go 1.21 sync has no OnceFunc or OnceValue; these stand-ins keep
// their fast path (a Once, then a flag check) without the panic handling,
// which costs nothing once the function has returned.

func makeOnceFunc(f func()) func() {
	var once sync.Once
	return func() { once.Do(f) }
}

func makeOnceValue(f func() int) func() int {
	var (
		once  sync.Once
		value int
	)
	return func() int {
		once.Do(func() { value = f() })
		return value
	}
}
