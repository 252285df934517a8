// Go twin of gort-bench's pool section: the same workloads on sync.Pool.
package main

import (
	"fmt"
	"os"
	"sync"

	"gortbench/twins/twin"
)

var sink any

func buffers(capacity int) *sync.Pool {
	return &sync.Pool{New: func() any {
		b := make([]byte, 0, capacity)
		return &b
	}}
}

// pair: get a small buffer and put it back.
func pair(threads int, n int64) (int64, int64) {
	p := buffers(64)
	return twin.Parallel(threads, n, func(k int64) {
		for i := int64(0); i < k; i++ {
			b := p.Get().(*[]byte)
			p.Put(b)
		}
	})
}

// data is what a buf4k round writes into its buffer.
var data [512]byte

// buf4k: get a 4 KiB buffer, copy 512 bytes into it and stamp the first,
// put it back.
func buf4k(threads int, n int64) (int64, int64) {
	p := buffers(4096)
	return twin.Parallel(threads, n, func(k int64) {
		for i := int64(0); i < k; i++ {
			b := p.Get().(*[]byte)
			v := append((*b)[:0], data[:]...)
			v[0] = byte(i)
			*b = v
			p.Put(b)
		}
	})
}

// BenchmarkPool, BenchmarkPoolOverflow, BenchmarkPoolStarvation
// (sync/pool_test.go): puts then gets per iteration.
func putsGets(threads int, n int64, puts, gets int) (int64, int64) {
	var p sync.Pool
	return twin.Parallel(threads, n, func(k int64) {
		for i := int64(0); i < k; i++ {
			for b := 0; b < puts; b++ {
				p.Put(1)
			}
			for b := 0; b < gets; b++ {
				sink = p.Get()
			}
		}
	})
}

func init() {
	for i := range data {
		data[i] = 7
	}
}

func main() {
	name, threads, n := twin.Threaded()
	const count = 100
	starved := count - int(float32(count)*0.33)
	var wall, cpu int64
	switch name {
	case "pair":
		wall, cpu = pair(threads, n)
	case "buf4k":
		wall, cpu = buf4k(threads, n)
	case "Pool":
		wall, cpu = putsGets(threads, n, 1, 1)
	case "PoolOverflow":
		wall, cpu = putsGets(threads, n, count, count)
	case "PoolStarvation":
		wall, cpu = putsGets(threads, n, starved, count)
	default:
		fmt.Fprintln(os.Stderr, "unknown workload", name)
		os.Exit(2)
	}
	fmt.Println(wall, cpu)
}
