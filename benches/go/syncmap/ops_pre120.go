//go:build !go1.20

package main

import "sync"

func swap(*sync.Map, any, any) { unsupported("Swap", "1.20") }
func compareAndSwap(*sync.Map, any, any, any) bool {
	unsupported("CompareAndSwap", "1.20")
	return false
}
func compareAndDelete(*sync.Map, any, any) bool {
	unsupported("CompareAndDelete", "1.20")
	return false
}
