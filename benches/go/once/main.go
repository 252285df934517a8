// Go twin of gort-bench's once section: the same workloads on sync.Once,
// sync.OnceFunc and sync.OnceValue.
package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync"
	"syscall"
	"time"
)

func cpuNanos() int64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// parallel runs body(share) on `threads` goroutines, where share is n split
// evenly (rounded up), and times them from their common start to the end of
// the last one.
func parallel(threads int, n int64, body func(int64)) (int64, int64) {
	share := (n + int64(threads) - 1) / int64(threads)
	var wg sync.WaitGroup
	start := make(chan struct{})
	wg.Add(threads)
	for t := 0; t < threads; t++ {
		go func() {
			defer wg.Done()
			<-start
			body(share)
		}()
	}
	runtime.Gosched()
	c0, t0 := cpuNanos(), time.Now()
	close(start)
	wg.Wait()
	return time.Since(t0).Nanoseconds(), cpuNanos() - c0
}

var sink int

func answer() int { return 42 }

// done: Do on a Once that is already done (BenchmarkOnce).
func done(threads int, n int64) (int64, int64) {
	var once sync.Once
	f := func() {}
	once.Do(f)
	return parallel(threads, n, func(k int64) {
		for i := int64(0); i < k; i++ {
			once.Do(f)
		}
	})
}

// onceFunc: later calls of a OnceFunc (BenchmarkOnceFunc, v=Local).
func onceFunc(n int64) (int64, int64) {
	f := makeOnceFunc(func() {})
	f()
	return parallel(1, n, func(k int64) {
		for i := int64(0); i < k; i++ {
			f()
		}
	})
}

// onceValue: later calls of a OnceValue (BenchmarkOnceValue, v=Local).
func onceValue(n int64) (int64, int64) {
	f := makeOnceValue(answer)
	f()
	return parallel(1, n, func(k int64) {
		for i := int64(0); i < k; i++ {
			if f() != 42 {
				panic("wrong value")
			}
		}
	})
}

// first: a fresh Once and its first call.
func first(n int64) (int64, int64) {
	return parallel(1, n, func(k int64) {
		for i := int64(0); i < k; i++ {
			once := new(sync.Once)
			once.Do(func() { sink = answer() })
		}
	})
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: once <workload> <iters>")
		os.Exit(2)
	}
	n, err := strconv.ParseInt(os.Args[2], 10, 64)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bad iteration count:", err)
		os.Exit(2)
	}
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
