// Go twin of gort-bench's time section: Go's own timer benchmarks
// (time/sleep_test.go and tick_test.go, go1.23) with the same set-up as
// their `benchmark` helper: 1<<15 AfterFunc(Hour, nil) per P, then the job
// on GOMAXPROCS goroutines (RunParallel), iterations split between them.
//
// Note: with Go < 1.23 (e.g. 1.19) the timers measured are the old ones:
// buffered (asynchronous) timer channels, always kept in the heap.
package main

import (
	"runtime"
	"sync"
	"time"

	"gortbench/twins/twin"
)

// benchmark is Go's helper: garbage timers, then job(share) on GOMAXPROCS
// goroutines released together; returns wall and CPU ns of the timed part.
func benchmark(n int64, job func(k int64)) (int64, int64) {
	p := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	garbageAll := make([][]*time.Timer, p)
	for i := range garbageAll {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			garbage := make([]*time.Timer, 1<<15)
			for j := range garbage {
				garbage[j] = time.AfterFunc(time.Hour, nil)
			}
			garbageAll[i] = garbage
		}(i)
	}
	wg.Wait()

	jobs := make([]func(), p)
	for i := range jobs {
		k := twin.Share(n, p, i)
		jobs[i] = func() { job(k) }
	}
	wall, cpu := twin.Timed(jobs)

	for _, garbage := range garbageAll {
		for _, t := range garbage {
			t.Stop()
		}
	}
	return wall, cpu
}

func newTimerFunc(d time.Duration) *time.Timer {
	c := make(chan time.Time, 1)
	t := time.AfterFunc(d, func() { c <- time.Now() })
	t.C = c
	return t
}

var jobs = map[string]func(k int64){
	"go/AfterFunc1000": func(k int64) {
		for i := int64(0); i < k; i++ {
			n := 1000
			c := make(chan bool)
			var f func()
			f = func() {
				n--
				if n >= 0 {
					time.AfterFunc(0, f)
				} else {
					c <- true
				}
			}
			time.AfterFunc(0, f)
			<-c
		}
	},
	"go/After": func(k int64) {
		for i := int64(0); i < k; i++ {
			<-time.After(1)
		}
	},
	"go/Stop/chan": func(k int64) {
		for i := int64(0); i < k; i++ {
			time.NewTimer(time.Second).Stop()
		}
	},
	"go/Stop/func": func(k int64) {
		for i := int64(0); i < k; i++ {
			newTimerFunc(time.Second).Stop()
		}
	},
	"go/SimultaneousAfterFunc1000": func(k int64) {
		for i := int64(0); i < k; i++ {
			const n = 1000
			var wg sync.WaitGroup
			wg.Add(n)
			for j := 0; j < n; j++ {
				time.AfterFunc(0, wg.Done)
			}
			wg.Wait()
		}
	},
	"go/StartStop1000": func(k int64) {
		timers := make([]*time.Timer, 1000)
		for i := int64(0); i < k; i++ {
			for j := range timers {
				timers[j] = time.AfterFunc(time.Hour, nil)
			}
			for j := range timers {
				timers[j].Stop()
			}
		}
	},
	"go/Reset/chan": func(k int64) {
		t := time.NewTimer(time.Hour)
		for i := int64(0); i < k; i++ {
			t.Reset(time.Hour)
		}
		t.Stop()
	},
	"go/Reset/func": func(k int64) {
		t := newTimerFunc(time.Hour)
		for i := int64(0); i < k; i++ {
			t.Reset(time.Hour)
		}
		t.Stop()
	},
	"go/Sleep1000": func(k int64) {
		for i := int64(0); i < k; i++ {
			const n = 1000
			var wg sync.WaitGroup
			wg.Add(n)
			for j := 0; j < n; j++ {
				go func() {
					time.Sleep(time.Nanosecond)
					wg.Done()
				}()
			}
			wg.Wait()
		}
	},
	"go/Ticker": func(k int64) {
		ticker := time.NewTicker(time.Nanosecond)
		for i := int64(0); i < k; i++ {
			<-ticker.C
		}
		ticker.Stop()
	},
	"go/TickerReset": func(k int64) {
		ticker := time.NewTicker(time.Nanosecond)
		for i := int64(0); i < k; i++ {
			ticker.Reset(time.Nanosecond * 2)
		}
		ticker.Stop()
	},
	"go/TickerResetNaive": func(k int64) {
		ticker := time.NewTicker(time.Nanosecond)
		for i := int64(0); i < k; i++ {
			ticker.Stop()
			ticker = time.NewTicker(time.Nanosecond * 2)
		}
		ticker.Stop()
	},
}

func main() {
	workloads := make(map[string]twin.Workload, len(jobs))
	for name, job := range jobs {
		job := job
		workloads[name] = func(n int64) (int64, int64) { return benchmark(n, job) }
	}
	twin.Main(workloads)
}
