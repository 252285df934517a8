// Go twin of gort-bench's waitgroup section: the same workloads on
// sync.WaitGroup.
package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
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

// cycleTasks: the main goroutine adds one, hands the job to a standing
// helper goroutine over a channel, and waits for the helper's Done; both
// goroutines on one P, like two tasks on a current-thread runtime.
func cycleTasks(n int64) (int64, int64) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	var wg sync.WaitGroup
	jobs := make(chan struct{}, 1)
	go func() {
		for range jobs {
			wg.Done()
		}
	}()
	c0, t0 := cpuNanos(), time.Now()
	for i := int64(0); i < n; i++ {
		wg.Add(1)
		jobs <- struct{}{}
		wg.Wait()
	}
	wall, cpu := time.Since(t0).Nanoseconds(), cpuNanos()-c0
	close(jobs)
	return wall, cpu
}

// uncontended: BenchmarkWaitGroupUncontended, a group per goroutine.
func uncontended(threads int, n int64) (int64, int64) {
	return parallel(threads, n, func(k int64) {
		var wg sync.WaitGroup
		for i := int64(0); i < k; i++ {
			wg.Add(1)
			wg.Done()
			wg.Wait()
		}
	})
}

// addDone: BenchmarkWaitGroupAddDone, one shared group.
func addDone(threads int, n int64) (int64, int64) {
	var wg sync.WaitGroup
	return parallel(threads, n, func(k int64) {
		for i := int64(0); i < k; i++ {
			wg.Add(1)
			wg.Done()
		}
	})
}

// wait: BenchmarkWaitGroupWait, a wait on a shared zero group.
func wait(threads int, n int64) (int64, int64) {
	var wg sync.WaitGroup
	return parallel(threads, n, func(k int64) {
		for i := int64(0); i < k; i++ {
			wg.Wait()
		}
	})
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: waitgroup <workload> <iters>")
		os.Exit(2)
	}
	name := os.Args[1]
	n, err := strconv.ParseInt(os.Args[2], 10, 64)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bad iteration count:", err)
		os.Exit(2)
	}
	slash := strings.LastIndex(name, "/")
	threads, err := strconv.Atoi(strings.TrimSuffix(name[slash+1:], "t"))
	if slash < 0 || err != nil {
		fmt.Fprintln(os.Stderr, "unknown workload", name)
		os.Exit(2)
	}
	var wall, cpu int64
	switch name[:slash] {
	case "cycle-tasks":
		wall, cpu = cycleTasks(n)
	case "Uncontended":
		wall, cpu = uncontended(threads, n)
	case "AddDone":
		wall, cpu = addDone(threads, n)
	case "Wait":
		wall, cpu = wait(threads, n)
	default:
		fmt.Fprintln(os.Stderr, "unknown workload", name)
		os.Exit(2)
	}
	fmt.Println(wall, cpu)
}
