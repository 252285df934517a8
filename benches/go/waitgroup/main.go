// Go twin of gort-bench's waitgroup section: the same workloads on
// sync.WaitGroup.
package main

import (
	"fmt"
	"os"
	"runtime"
	"sync"
	"time"

	"gortbench/twins/twin"
)

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
	c0, t0 := twin.CPUNanos(), time.Now()
	for i := int64(0); i < n; i++ {
		wg.Add(1)
		jobs <- struct{}{}
		wg.Wait()
	}
	wall, cpu := time.Since(t0).Nanoseconds(), twin.CPUNanos()-c0
	close(jobs)
	return wall, cpu
}

// uncontended: BenchmarkWaitGroupUncontended, a group per goroutine.
func uncontended(threads int, n int64) (int64, int64) {
	return twin.Parallel(threads, n, func(k int64) {
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
	return twin.Parallel(threads, n, func(k int64) {
		for i := int64(0); i < k; i++ {
			wg.Add(1)
			wg.Done()
		}
	})
}

// wait: BenchmarkWaitGroupWait, a wait on a shared zero group.
func wait(threads int, n int64) (int64, int64) {
	var wg sync.WaitGroup
	return twin.Parallel(threads, n, func(k int64) {
		for i := int64(0); i < k; i++ {
			wg.Wait()
		}
	})
}

func main() {
	name, threads, n := twin.Threaded()
	var wall, cpu int64
	switch name {
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
