// Package twin is the scaffolding every Go twin shares: the command-line
// protocol gort-bench speaks (`<binary> <workload> <iters>`, answered with
// one line `<wall_ns> <cpu_ns>`) and the timing helpers.
package twin

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

// Workload runs n iterations and returns the wall and CPU nanoseconds of
// its timed part.
type Workload func(n int64) (wall, cpu int64)

// CPUNanos is the user + system CPU time of the whole process so far.
func CPUNanos() int64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// Share is part i of n split into parts nearly equal shares.
func Share(n int64, parts, i int) int64 {
	s := n / int64(parts)
	if int64(i) < n%int64(parts) {
		s++
	}
	return s
}

// Timed runs the jobs on goroutines released together and returns the wall
// and CPU time from the release until the last one finishes.
func Timed(jobs []func()) (wall, cpu int64) {
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
	c0, t0 := CPUNanos(), time.Now()
	close(start)
	wg.Wait()
	return time.Since(t0).Nanoseconds(), CPUNanos() - c0
}

// Parallel runs body(share) on `threads` goroutines, share being n split
// evenly (rounded up), timed as Timed does.
func Parallel(threads int, n int64, body func(int64)) (wall, cpu int64) {
	share := (n + int64(threads) - 1) / int64(threads)
	jobs := make([]func(), threads)
	for t := range jobs {
		jobs[t] = func() { body(share) }
	}
	return Timed(jobs)
}

// Iters parses os.Args[2], the iteration count.
func Iters() int64 {
	if len(os.Args) != 3 {
		fmt.Fprintf(os.Stderr, "usage: %s <workload> <iters>\n", os.Args[0])
		os.Exit(2)
	}
	n, err := strconv.ParseInt(os.Args[2], 10, 64)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bad iteration count:", err)
		os.Exit(2)
	}
	return n
}

// PingPong is n round trips between two goroutines over two unbuffered
// channels: one sends and waits for the echo, the other echoes.
func PingPong(n int64) (wall, cpu int64) {
	ping, pong := make(chan int), make(chan int)
	return Timed([]func(){
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

// Main runs the workload os.Args[1] names and prints its `wall cpu` line.
func Main(workloads map[string]Workload) {
	n := Iters()
	w, ok := workloads[os.Args[1]]
	if !ok {
		fmt.Fprintln(os.Stderr, "unknown workload", os.Args[1])
		os.Exit(2)
	}
	wall, cpu := w(n)
	fmt.Println(wall, cpu)
}

// Threaded parses a `<case>/<threads>t <iters>` command line.
func Threaded() (name string, threads int, n int64) {
	n = Iters()
	slash := strings.LastIndex(os.Args[1], "/")
	threads, err := strconv.Atoi(strings.TrimSuffix(os.Args[1][slash+1:], "t"))
	if slash < 0 || err != nil || threads < 1 {
		fmt.Fprintln(os.Stderr, "unknown workload", os.Args[1])
		os.Exit(2)
	}
	return os.Args[1][:slash], threads, n
}

// Scan reports whether name matches format entirely (fmt.Sscanf), storing
// the values it parsed in args.
func Scan(name, format string, args ...interface{}) bool {
	got, err := fmt.Sscanf(name, format, args...)
	return err == nil && got == len(args)
}
