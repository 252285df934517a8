// Go twin of gort-bench's executor section: tokio's runtime benchmarks
// re-expressed on goroutines.
//
//	spawn-local    main spawns n goroutines that each bump a shared counter
//	               and mark a WaitGroup done; main waits for all of them.
//	chained-spawn  a chain of n goroutines, each spawning the next; the last
//	               closes a channel main waits on.
//	yield-many     2*GOMAXPROCS goroutines calling runtime.Gosched, n calls
//	               in all.
//	ping-pong      n round trips between two goroutines over two unbuffered
//	               channels.
//	ping-pong/1p   the same on one P (GOMAXPROCS 1).
//	blocking-neighbour
//	               4 pairs of goroutines ping-pong (n round trips in all)
//	               while another goroutine blocks its thread 10 ms at a time
//	               in a raw syscall.Nanosleep (a system call: sysmon retakes
//	               its P), then yields.
package main

import (
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"gortbench/twins/twin"
)

// timed runs body on the calling goroutine and returns its wall and CPU
// nanoseconds.
func timed(body func()) (int64, int64) {
	c0, t0 := twin.CPUNanos(), time.Now()
	body()
	return time.Since(t0).Nanoseconds(), twin.CPUNanos() - c0
}

func spawnLocal(n int64) (int64, int64) {
	var wg sync.WaitGroup
	var count int64
	wg.Add(int(n))
	return timed(func() {
		for i := int64(0); i < n; i++ {
			go func() {
				atomic.AddInt64(&count, 1)
				wg.Done()
			}()
		}
		wg.Wait()
	})
}

func chainedSpawn(n int64) (int64, int64) {
	done := make(chan struct{})
	// link(k) spawns the next link unless the chain is complete; main
	// calls link(n), so the chain holds n goroutines.
	var link func(k int64)
	link = func(k int64) {
		if k == 0 {
			close(done)
			return
		}
		go link(k - 1)
	}
	return timed(func() {
		link(n)
		<-done
	})
}

func yieldMany(n int64) (int64, int64) {
	tasks := 2 * runtime.GOMAXPROCS(0)
	jobs := make([]func(), tasks)
	for t := range jobs {
		k := twin.Share(n, tasks, t)
		jobs[t] = func() {
			for i := int64(0); i < k; i++ {
				runtime.Gosched()
			}
		}
	}
	return twin.Timed(jobs)
}

func pingPong1P(n int64) (int64, int64) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	return twin.PingPong(n)
}

func blockingNeighbour(n int64) (int64, int64) {
	var stop atomic.Bool
	started := make(chan struct{})
	go func() {
		close(started)
		ts := syscall.NsecToTimespec(int64(10 * time.Millisecond))
		for !stop.Load() {
			_ = syscall.Nanosleep(&ts, nil)
			runtime.Gosched()
		}
	}()
	<-started
	defer stop.Store(true)
	const pairs = 4
	jobs := make([]func(), pairs)
	for p := range jobs {
		k := twin.Share(n, pairs, p)
		jobs[p] = func() {
			ping, pong := make(chan int64), make(chan int64)
			go func() {
				for v := range ping {
					pong <- v
				}
			}()
			for i := int64(0); i < k; i++ {
				ping <- i
				<-pong
			}
			close(ping)
		}
	}
	return twin.Timed(jobs)
}

func main() {
	twin.Main(map[string]twin.Workload{
		"spawn-local":        spawnLocal,
		"chained-spawn":      chainedSpawn,
		"yield-many":         yieldMany,
		"ping-pong":          twin.PingPong,
		"ping-pong/1p":       pingPong1P,
		"blocking-neighbour": blockingNeighbour,
	})
}
