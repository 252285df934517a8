//go:build go1.20

package main

import "sync"

func swap(m *sync.Map, k, v any)                   { m.Swap(k, v) }
func compareAndSwap(m *sync.Map, k, o, n any) bool { return m.CompareAndSwap(k, o, n) }
func compareAndDelete(m *sync.Map, k, o any) bool  { return m.CompareAndDelete(k, o) }
