// Go twin of gort-bench's once section: the same workloads on sync.Once,
// sync.OnceFunc and sync.OnceValue.
package main

import (
	"fmt"
	"os"
	"sync"

	"gortbench/twins/twin"
)

var sink int

func answer() int { return 42 }

// done: Do on a Once that is already done (BenchmarkOnce).
func done(threads int, n int64) (int64, int64) {
	var once sync.Once
	f := func() {}
	once.Do(f)
	return twin.Parallel(threads, n, func(k int64) {
		for i := int64(0); i < k; i++ {
			once.Do(f)
		}
	})
}

// onceFunc: later calls of a OnceFunc (BenchmarkOnceFunc, v=Local).
func onceFunc(n int64) (int64, int64) {
	f := makeOnceFunc(func() {})
	f()
	return twin.Parallel(1, n, func(k int64) {
		for i := int64(0); i < k; i++ {
			f()
		}
	})
}

// onceValue: later calls of a OnceValue (BenchmarkOnceValue, v=Local).
func onceValue(n int64) (int64, int64) {
	f := makeOnceValue(answer)
	f()
	return twin.Parallel(1, n, func(k int64) {
		for i := int64(0); i < k; i++ {
			if f() != 42 {
				panic("wrong value")
			}
		}
	})
}

// first: a fresh Once and its first call.
func first(n int64) (int64, int64) {
	return twin.Parallel(1, n, func(k int64) {
		for i := int64(0); i < k; i++ {
			once := new(sync.Once)
			once.Do(func() { sink = answer() })
		}
	})
}

func main() {
	n := twin.Iters()
	var wall, cpu int64
	switch os.Args[1] {
	case "done/1t":
		wall, cpu = done(1, n)
	case "done/2t":
		wall, cpu = done(2, n)
	case "OnceFunc/1t":
		wall, cpu = onceFunc(n)
	case "OnceValue/1t":
		wall, cpu = onceValue(n)
	case "first/1t":
		wall, cpu = first(n)
	default:
		fmt.Fprintln(os.Stderr, "unknown workload", os.Args[1])
		os.Exit(2)
	}
	fmt.Println(wall, cpu)
}
