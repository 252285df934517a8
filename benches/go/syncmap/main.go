// Go twin of gort-bench's syncmap section: the same workloads on Go's own
// sync.Map (Go's map_bench_test.go cases plus the five mixes), run as
// `syncmap <Case>/<threads>t <iters>`.
//
// Swap, CompareAndSwap and CompareAndDelete came with Go 1.20 and Clear with
// Go 1.23; with an older toolchain the workloads that need them exit with
// status 3 (ops_go120.go, ops_go123.go and their fallbacks).
package main

import (
	"fmt"
	"math/bits"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"gortbench/twins/twin"
)

// rng is the Rust side's wyrand, seeded the same way per thread.
type rng uint64

func newRng(id int) rng {
	return rng(0x9e3779b97f4a7c15 ^ (uint64(id)+1)*0xa0761d6478bd642f)
}

func (r *rng) below(n int) int {
	*r += 0xa0761d6478bd642f
	hi, lo := bits.Mul64(uint64(*r), uint64(*r)^0xe7037ed1a0b428db)
	x := hi ^ lo
	hi, _ = bits.Mul64(x, uint64(n))
	return int(hi)
}

// prime is Go's set-up of the hits/misses benchmarks.
func prime(m *sync.Map, hits int) {
	for i := 0; i < hits; i++ {
		m.LoadOrStore(i, i)
	}
	for i := 0; i < hits*2; i++ {
		m.Load(i % hits)
	}
}

func setup(name string, m *sync.Map) {
	switch name {
	case "LoadMostlyHits", "SwapMostlyHits", "CompareAndSwapMostlyHits", "CompareAndDeleteMostlyHits":
		prime(m, 1023)
	case "LoadMostlyMisses", "SwapMostlyMisses", "CompareAndSwapMostlyMisses", "CompareAndDeleteMostlyMisses":
		prime(m, 1)
	case "LoadOrStoreBalanced", "LoadAndDeleteBalanced":
		prime(m, 128)
	case "LoadOrStoreCollision", "LoadAndDeleteCollision", "DeleteCollision", "SwapCollision",
		"CompareAndSwapCollision", "CompareAndDeleteCollision":
		m.LoadOrStore(0, 0)
	case "CompareAndSwapValueNotEqual":
		m.Store(0, 0)
	case "Range", "AdversarialDelete", "GrowOnly":
		for i := 0; i < 1024; i++ {
			m.Store(i, i)
		}
	case "ReadHeavy", "Exchange", "Disjoint":
		for i := 0; i < 2048; i++ {
			m.Store(i, i)
		}
	}
}

var sink any

// perG is one goroutine's loop: n iterations from i, as thread id.
func perG(name string, m *sync.Map, id, i, n int) {
	end := i + n
	switch name {
	case "LoadMostlyHits", "LoadMostlyMisses":
		for ; i < end; i++ {
			m.Load(i % 1024)
		}
	case "LoadOrStoreBalanced":
		for ; i < end; i++ {
			j := i % 256
			if j < 128 {
				if _, ok := m.LoadOrStore(j, i); !ok {
					panic("unexpected miss")
				}
			} else if _, loaded := m.LoadOrStore(i, i); loaded {
				panic("failed to store")
			}
		}
	case "LoadOrStoreUnique":
		for ; i < end; i++ {
			m.LoadOrStore(i, i)
		}
	case "LoadOrStoreCollision":
		for ; i < end; i++ {
			m.LoadOrStore(0, 0)
		}
	case "LoadAndDeleteBalanced":
		for ; i < end; i++ {
			if j := i % 256; j < 128 {
				m.LoadAndDelete(j)
			} else {
				m.LoadAndDelete(i)
			}
		}
	case "LoadAndDeleteUnique":
		for ; i < end; i++ {
			m.LoadAndDelete(i)
		}
	case "LoadAndDeleteCollision":
		for ; i < end; i++ {
			if _, loaded := m.LoadAndDelete(0); loaded {
				m.Store(0, 0)
			}
		}
	case "Range":
		for ; i < end; i++ {
			m.Range(func(k, v any) bool { sink = k; return true })
		}
	case "AdversarialAlloc":
		var stores, loadsSinceStore int
		for ; i < end; i++ {
			m.Load(i)
			if loadsSinceStore++; loadsSinceStore > stores {
				m.LoadOrStore(i, stores)
				loadsSinceStore = 0
				stores++
			}
		}
	case "AdversarialDelete":
		for ; i < end; i++ {
			m.Load(i)
			if i%1024 == 0 {
				// As on the Rust side: delete right after the callback stops.
				var first any
				m.Range(func(k, _ any) bool { first = k; return false })
				if first != nil {
					m.Delete(first)
				}
				m.Store(i, i)
			}
		}
	case "DeleteCollision":
		for ; i < end; i++ {
			m.Delete(0)
		}
	case "SwapCollision":
		for ; i < end; i++ {
			swap(m, 0, 0)
		}
	case "SwapMostlyHits", "SwapMostlyMisses":
		hits := 1023
		if name == "SwapMostlyMisses" {
			hits = 1
		}
		for ; i < end; i++ {
			if i%1024 < hits {
				v := i % 1024
				swap(m, v, v)
			} else {
				swap(m, i, i)
				m.Delete(i)
			}
		}
	case "CompareAndSwapCollision":
		for ; i < end; i++ {
			if compareAndSwap(m, 0, 0, 42) {
				compareAndSwap(m, 0, 42, 0)
			}
		}
	case "CompareAndSwapNoExistingKey":
		for ; i < end; i++ {
			if compareAndSwap(m, i, 0, 0) {
				m.Delete(i)
			}
		}
	case "CompareAndSwapValueNotEqual":
		for ; i < end; i++ {
			compareAndSwap(m, 0, 1, 2)
		}
	case "CompareAndSwapMostlyHits", "CompareAndSwapMostlyMisses":
		hits := 1023
		if name == "CompareAndSwapMostlyMisses" {
			hits = 1
		}
		for ; i < end; i++ {
			v := i
			if i%1024 < hits {
				v = i % 1024
			}
			compareAndSwap(m, v, v, v)
		}
	case "CompareAndDeleteCollision":
		for ; i < end; i++ {
			if compareAndDelete(m, 0, 0) {
				m.Store(0, 0)
			}
		}
	case "CompareAndDeleteMostlyHits", "CompareAndDeleteMostlyMisses":
		hits := 1023
		if name == "CompareAndDeleteMostlyMisses" {
			hits = 1
		}
		for ; i < end; i++ {
			v := i
			if i%1024 < hits {
				v = i % 1024
			}
			if compareAndDelete(m, v, v) {
				m.Store(v, v)
			}
		}
	case "Clear":
		for ; i < end; i++ {
			clearMap(m)
			m.Store(i%256, i%256)
		}
	case "ReadHeavy", "Exchange":
		load, store := 10, 60
		if name == "ReadHeavy" {
			load, store = 98, 99
		}
		r := newRng(id)
		for ; i < end; i++ {
			k := r.below(2048)
			x := r.below(100)
			switch {
			case x < load:
				m.Load(k)
			case x < store:
				m.Store(k, i)
			default:
				m.Delete(k)
			}
		}
	case "RapidGrow":
		start, r := i, newRng(id)
		for ; i < end; i++ {
			x := r.below(100)
			old := start + r.below(i-start+1)
			switch {
			case x < 5:
				m.Load(old)
			case x < 85:
				m.Store(i, i)
			case x < 90:
				m.Delete(old)
			default:
				m.Store(old, i)
			}
		}
	case "Disjoint":
		base, r := (id%2)*1024, newRng(id)
		for ; i < end; i++ {
			k := base + r.below(1024)
			if i%4 == 0 {
				m.Store(k, i)
			} else {
				m.Load(k)
			}
		}
	case "GrowOnly":
		start, r := i, newRng(id)
		for ; i < end; i++ {
			k := r.below(1024 + (i-start)/16)
			if _, ok := m.Load(k); !ok {
				m.LoadOrStore(k, k)
			}
		}
	default:
		fmt.Fprintf(os.Stderr, "unknown workload %s\n", name)
		os.Exit(2)
	}
}

func main() {
	name, t, ok := strings.Cut(os.Args[1], "/")
	threads, err := strconv.Atoi(strings.TrimSuffix(t, "t"))
	if !ok || err != nil || threads < 1 {
		fmt.Fprintf(os.Stderr, "bad workload %q\n", os.Args[1])
		os.Exit(2)
	}
	iters, err := strconv.Atoi(os.Args[2])
	if err != nil {
		fmt.Fprintf(os.Stderr, "bad iteration count %q\n", os.Args[2])
		os.Exit(2)
	}
	m := new(sync.Map)
	setup(name, m)
	per := (iters + threads - 1) / threads
	var jobs []func()
	for id := 0; id < threads; id++ {
		id := id
		jobs = append(jobs, func() { perG(name, m, id, id*per, per) })
	}
	wall, cpu := twin.Timed(jobs)
	fmt.Println(wall, cpu)
}

// unsupported ends a workload this toolchain's sync.Map cannot run.
func unsupported(method, version string) {
	fmt.Fprintf(os.Stderr, "sync.Map.%s needs Go %s, this is %s\n", method, version, runtime.Version())
	os.Exit(3)
}
