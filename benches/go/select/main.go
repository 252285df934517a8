// Go twin of gort-bench's select section: the same workloads on goroutines.
package main

import (
	"time"

	"gortbench/twins/twin"
)

func fanIn(n int64) (int64, int64) {
	var cs [4]chan int
	for i := range cs {
		cs[i] = make(chan int, 1024)
	}
	var jobs []func()
	for p := 0; p < 4; p++ {
		c, k := cs[p], twin.Share(n, 4, p)
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
	return twin.Timed(jobs)
}

func defaultEmpty(n int64) (int64, int64) {
	c1, c2 := make(chan int), make(chan int, 1)
	return twin.Timed([]func(){func() {
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
		k := twin.Share(n, 2, p)
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
	return twin.Timed(jobs)
}

func uncontended(n int64) (int64, int64) {
	var jobs []func()
	for t := 0; t < 2; t++ {
		k := twin.Share(n, 2, t)
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
	return twin.Timed(jobs)
}

func syncContended(n int64) (int64, int64) {
	myc1, myc2, myc3 := make(chan int), make(chan int), make(chan int)
	var jobs []func()
	for t := 0; t < 2; t++ {
		k := twin.Share(n, 2, t)
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
	return twin.Timed(jobs)
}

func asyncContended(n int64) (int64, int64) {
	myc1, myc2 := make(chan int, 2), make(chan int, 2)
	var jobs []func()
	for t := 0; t < 2; t++ {
		k := twin.Share(n, 2, t)
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
	return twin.Timed(jobs)
}

func nonblock(n int64) (int64, int64) {
	var jobs []func()
	for t := 0; t < 2; t++ {
		k := twin.Share(n, 2, t)
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
	return twin.Timed(jobs)
}

func main() {
	twin.Main(map[string]twin.Workload{
		"fanin4/cap1024":          fanIn,
		"async/fanin4/cap1024":    fanIn,
		"default/empty2":          defaultEmpty,
		"timeout-arm/prodcons128": prodConsTimeout,
		"go/SelectUncontended":    uncontended,
		"go/SelectSyncContended":  syncContended,
		"go/SelectAsyncContended": asyncContended,
		"go/SelectNonblock":       nonblock,
	})
}
