// Go twin of gort-bench's chan section: the same workloads on goroutines.
package main

import (
	"fmt"
	"os"
	"runtime"
	"sync/atomic"

	"gortbench/twins/twin"
)

func flow(capacity, producers, consumers int, n int64) (int64, int64) {
	c := make(chan int, capacity)
	var jobs []func()
	for p := 0; p < producers; p++ {
		k := twin.Share(n, producers, p)
		jobs = append(jobs, func() {
			for i := int64(0); i < k; i++ {
				c <- int(i)
			}
		})
	}
	for q := 0; q < consumers; q++ {
		k := twin.Share(n, consumers, q)
		jobs = append(jobs, func() {
			for i := int64(0); i < k; i++ {
				<-c
			}
		})
	}
	return twin.Timed(jobs)
}

func chanSync(n int64) (int64, int64) {
	c := make(chan int)
	k := (n + 1) / 2
	return twin.Timed([]func(){
		func() {
			for i := int64(0); i < k; i++ {
				<-c
				c <- 0
			}
		},
		func() {
			for i := int64(0); i < k; i++ {
				c <- 0
				<-c
			}
		},
	})
}

func burst(shared bool, n int64) (int64, int64) {
	const C = 100
	var common chan int
	if shared {
		common = make(chan int, 2*C)
	}
	var jobs []func()
	for t := 0; t < 2; t++ {
		k := twin.Share(n, 2, t)
		c := common
		if !shared {
			c = make(chan int, C)
		}
		jobs = append(jobs, func() {
			for i := int64(0); i < k; i++ {
				for j := 0; j < C; j++ {
					c <- 0
				}
				for j := 0; j < C; j++ {
					<-c
				}
			}
		})
	}
	return twin.Timed(jobs)
}

func nonblocking(n int64) (int64, int64) {
	c := make(chan int)
	var jobs []func()
	for t := 0; t < 2; t++ {
		k := twin.Share(n, 2, t)
		jobs = append(jobs, func() {
			for i := int64(0); i < k; i++ {
				select {
				case <-c:
					panic("empty channel received")
				default:
				}
			}
		})
	}
	return twin.Timed(jobs)
}

var sink int64

func creation(n int64) (int64, int64) {
	var jobs []func()
	for t := 0; t < 2; t++ {
		k := twin.Share(n, 2, t)
		jobs = append(jobs, func() {
			for i := int64(0); i < k; i++ {
				c := make(chan int, 1)
				c <- int(i)
				atomic.AddInt64(&sink, int64(<-c)&0)
			}
		})
	}
	return twin.Timed(jobs)
}

// bytesPerChan reports the bytes make(chan int, capacity) allocates.
func bytesPerChan(capacity int) uint64 {
	const N = 1000
	keep := make([]chan int, N)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := range keep {
		keep[i] = make(chan int, capacity)
	}
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(keep)
	return (after.TotalAlloc - before.TotalAlloc) / N
}

func main() {
	if len(os.Args) == 3 && os.Args[1] == "alloc" {
		fmt.Println(bytesPerChan(int(twin.Iters())))
		return
	}
	flowOf := func(capacity, producers, consumers int) twin.Workload {
		return func(n int64) (int64, int64) { return flow(capacity, producers, consumers, n) }
	}
	twin.Main(map[string]twin.Workload{
		"spsc/cap0":           flowOf(0, 1, 1),
		"async/spsc/cap0":     flowOf(0, 1, 1),
		"spsc/cap1":           flowOf(1, 1, 1),
		"async/spsc/cap1":     flowOf(1, 1, 1),
		"spsc/cap1024":        flowOf(1024, 1, 1),
		"async/spsc/cap1024":  flowOf(1024, 1, 1),
		"mpsc4/cap0":          flowOf(0, 4, 1),
		"async/mpsc4/cap0":    flowOf(0, 4, 1),
		"mpsc4/cap1":          flowOf(1, 4, 1),
		"async/mpsc4/cap1":    flowOf(1, 4, 1),
		"mpsc4/cap1024":       flowOf(1024, 4, 1),
		"async/mpsc4/cap1024": flowOf(1024, 4, 1),
		"mpmc4x4/cap0":        flowOf(0, 4, 4),
		"mpmc4x4/cap1":        flowOf(1, 4, 4),
		"mpmc4x4/cap1024":     flowOf(1024, 4, 4),
		"pingpong":            twin.PingPong,
		"async/pingpong":      twin.PingPong,
		"go/ChanNonblocking":  nonblocking,
		"go/ChanUncontended":  func(n int64) (int64, int64) { return burst(false, n) },
		"go/ChanContended":    func(n int64) (int64, int64) { return burst(true, n) },
		"go/ChanSync":         chanSync,
		"go/ChanProdCons0":    flowOf(0, 2, 2),
		"go/ChanProdCons10":   flowOf(10, 2, 2),
		"go/ChanProdCons100":  flowOf(100, 2, 2),
		"go/ChanCreation":     creation,
	})
}
