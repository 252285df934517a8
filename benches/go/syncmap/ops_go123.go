//go:build go1.23

package main

import "sync"

func clearMap(m *sync.Map) { m.Clear() }
