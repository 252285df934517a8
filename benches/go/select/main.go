// Go twin of gort-bench's select section: the same workloads on goroutines.
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

func fanIn(n int64) (int64, int64) {
	var cs [4]chan int
	for i := range cs {
		cs[i] = make(chan int, 1024)
	}
	var jobs []func()
	for p := 0; p < 4; p++ {
		c, k := cs[p], share(n, 4, p)
		jobs = append(jobs, func() {
			for i := int64(0); i < k; i++ {
				c <- int(i)
			}
		})
	}
	jobs = append(jobs, func() {
		for i := int64(0); i < n; i++ {
			select {
			case <-cs[0]:
			case <-cs[1]:
			case <-cs[2]:
			case <-cs[3]:
			}
		}
	})
	return timed(jobs)
}

func defaultEmpty(n int64) (int64, int64) {
	c1, c2 := make(chan int), make(chan int, 1)
	return timed([]func(){func() {
		for i := int64(0); i < n; i++ {
			select {
			case <-c1:
				panic("empty")
			case <-c2:
				panic("empty")
			default:
			}
		}
	}})
}

// prodConsTimeout is Go's BenchmarkSelectProdCons without its local work.
func prodConsTimeout(n int64) (int64, int64) {
	myc := make(chan int, 128)
	idle := make(chan int)
	var jobs []func()
	for p := 0; p < 2; p++ {
		k := share(n, 2, p)
		jobs = append(jobs, func() {
			timer := time.After(time.Hour)
			for i := int64(0); i < k; i++ {
				select {
				case myc <- 1:
				case <-idle:
					panic("idle")
				case <-timer:
					panic("timeout")
				}
			}
		})
		jobs = append(jobs, func() {
			timer := time.After(time.Hour)
			for i := int64(0); i < k; i++ {
				select {
				case <-myc:
				case <-idle:
					panic("idle")
				case <-timer:
					panic("timeout")
				}
			}
		})
	}
	return timed(jobs)
}

func uncontended(n int64) (int64, int64) {
	var jobs []func()
	for t := 0; t < 2; t++ {
		k := share(n, 2, t)
		myc1, myc2 := make(chan int, 1), make(chan int, 1)
		myc1 <- 0
		jobs = append(jobs, func() {
			for i := int64(0); i < k; i++ {
				select {
				case <-myc1:
					myc2 <- 0
				case <-myc2:
					myc1 <- 0
				}
			}
		})
	}
	return timed(jobs)
}

func syncContended(n int64) (int64, int64) {
	myc1, myc2, myc3 := make(chan int), make(chan int), make(chan int)
	var jobs []func()
	for t := 0; t < 2; t++ {
		k := share(n, 2, t)
		jobs = append(jobs, func() {
			for i := int64(0); i < k; i++ {
				select {
				case myc1 <- 0:
				case myc2 <- 0:
				case myc3 <- 0:
				}
			}
		})
		jobs = append(jobs, func() {
			for i := int64(0); i < k; i++ {
				select {
				case <-myc1:
				case <-myc2:
				case <-myc3:
				}
			}
		})
	}
	return timed(jobs)
}

func asyncContended(n int64) (int64, int64) {
	myc1, myc2 := make(chan int, 2), make(chan int, 2)
	var jobs []func()
	for t := 0; t < 2; t++ {
		k := share(n, 2, t)
		jobs = append(jobs, func() {
			myc1 <- 0
			for i := int64(0); i < k; i++ {
				select {
				case <-myc1:
					myc2 <- 0
				case <-myc2:
					myc1 <- 0
				}
			}
		})
	}
	return timed(jobs)
}

func nonblock(n int64) (int64, int64) {
	var jobs []func()
	for t := 0; t < 2; t++ {
		k := share(n, 2, t)
		myc1, myc2 := make(chan int), make(chan int)
		myc3, myc4 := make(chan int, 1), make(chan int, 1)
		jobs = append(jobs, func() {
			for i := int64(0); i < k; i++ {
				select {
				case <-myc1:
				default:
				}
				select {
				case myc2 <- 0:
				default:
				}
				select {
				case <-myc3:
				default:
				}
				select {
				case myc4 <- 0:
				default:
				}
			}
		})
	}
	return timed(jobs)
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: select <workload> <iters>")
		os.Exit(2)
	}
	n, err := strconv.ParseInt(os.Args[2], 10, 64)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bad iteration count:", err)
		os.Exit(2)
	}
	var wall, cpu int64
	switch os.Args[1] {
	case "fanin4/cap1024", "async/fanin4/cap1024":
		wall, cpu = fanIn(n)
	case "default/empty2":
		wall, cpu = defaultEmpty(n)
	case "timeout-arm/prodcons128":
		wall, cpu = prodConsTimeout(n)
	case "go/SelectUncontended":
		wall, cpu = uncontended(n)
	case "go/SelectSyncContended":
		wall, cpu = syncContended(n)
	case "go/SelectAsyncContended":
		wall, cpu = asyncContended(n)
	case "go/SelectNonblock":
		wall, cpu = nonblock(n)
	default:
		fmt.Fprintln(os.Stderr, "unknown workload", os.Args[1])
		os.Exit(2)
	}
	fmt.Println(wall, cpu)
}
