// Go twin of gort-bench's chan section: the same workloads on goroutines.
package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

func cpuNanos() int64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// share splits n into parts nearly equal shares.
func share(n int64, parts, i int) int64 {
	s := n / int64(parts)
	if int64(i) < n%int64(parts) {
		s++
	}
	return s
}

// timed runs the jobs on goroutines released together and returns the
// time from the release until the last one finishes.
func timed(jobs []func()) (int64, int64) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	wg.Add(len(jobs))
	for _, job := range jobs {
		job := job
		go func() {
			defer wg.Done()
			<-start
			job()
		}()
	}
	runtime.Gosched()
	c0, t0 := cpuNanos(), time.Now()
	close(start)
	wg.Wait()
	return time.Since(t0).Nanoseconds(), cpuNanos() - c0
}

func flow(capacity, producers, consumers int, n int64) (int64, int64) {
	c := make(chan int, capacity)
	var jobs []func()
	for p := 0; p < producers; p++ {
		k := share(n, producers, p)
		jobs = append(jobs, func() {
			for i := int64(0); i < k; i++ {
				c <- int(i)
			}
		})
	}
	for q := 0; q < consumers; q++ {
		k := share(n, consumers, q)
		jobs = append(jobs, func() {
			for i := int64(0); i < k; i++ {
				<-c
			}
		})
	}
	return timed(jobs)
}

func pingPong(n int64) (int64, int64) {
	ping, pong := make(chan int), make(chan int)
	return timed([]func(){
		func() {
			for i := int64(0); i < n; i++ {
				ping <- int(i)
				<-pong
			}
		},
		func() {
			for i := int64(0); i < n; i++ {
				pong <- <-ping
			}
		},
	})
}

func chanSync(n int64) (int64, int64) {
	c := make(chan int)
	k := (n + 1) / 2
	return timed([]func(){
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
		k := share(n, 2, t)
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
	return timed(jobs)
}

func nonblocking(n int64) (int64, int64) {
	c := make(chan int)
	var jobs []func()
	for t := 0; t < 2; t++ {
		k := share(n, 2, t)
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
	return timed(jobs)
}

var sink int64

func creation(n int64) (int64, int64) {
	var jobs []func()
	for t := 0; t < 2; t++ {
		k := share(n, 2, t)
		jobs = append(jobs, func() {
			for i := int64(0); i < k; i++ {
				c := make(chan int, 1)
				c <- int(i)
				atomic.AddInt64(&sink, int64(<-c)&0)
			}
		})
	}
	return timed(jobs)
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
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: chan <workload> <iters> | chan alloc <cap>")
		os.Exit(2)
	}
	name := os.Args[1]
	n, err := strconv.ParseInt(os.Args[2], 10, 64)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bad iteration count:", err)
		os.Exit(2)
	}
	if name == "alloc" {
		fmt.Println(bytesPerChan(int(n)))
		return
	}
	var wall, cpu int64
	switch name {
	case "spsc/cap0", "async/spsc/cap0":
		wall, cpu = flow(0, 1, 1, n)
	case "spsc/cap1", "async/spsc/cap1":
		wall, cpu = flow(1, 1, 1, n)
	case "spsc/cap1024", "async/spsc/cap1024":
		wall, cpu = flow(1024, 1, 1, n)
	case "mpsc4/cap0", "async/mpsc4/cap0":
		wall, cpu = flow(0, 4, 1, n)
	case "mpsc4/cap1", "async/mpsc4/cap1":
		wall, cpu = flow(1, 4, 1, n)
	case "mpsc4/cap1024", "async/mpsc4/cap1024":
		wall, cpu = flow(1024, 4, 1, n)
	case "mpmc4x4/cap0":
		wall, cpu = flow(0, 4, 4, n)
	case "mpmc4x4/cap1":
		wall, cpu = flow(1, 4, 4, n)
	case "mpmc4x4/cap1024":
		wall, cpu = flow(1024, 4, 4, n)
	case "pingpong", "async/pingpong":
		wall, cpu = pingPong(n)
	case "go/ChanNonblocking":
		wall, cpu = nonblocking(n)
	case "go/ChanUncontended":
		wall, cpu = burst(false, n)
	case "go/ChanContended":
		wall, cpu = burst(true, n)
	case "go/ChanSync":
		wall, cpu = chanSync(n)
	case "go/ChanProdCons0":
		wall, cpu = flow(0, 2, 2, n)
	case "go/ChanProdCons10":
		wall, cpu = flow(10, 2, 2, n)
	case "go/ChanProdCons100":
		wall, cpu = flow(100, 2, 2, n)
	case "go/ChanCreation":
		wall, cpu = creation(n)
	default:
		fmt.Fprintln(os.Stderr, "unknown workload", name)
		os.Exit(2)
	}
	fmt.Println(wall, cpu)
}
