//go:build !go1.23

package main

import "sync"

func clearMap(*sync.Map) { unsupported("Clear", "1.23") }
