// Go twin of gort-bench's hmap section: the same workloads on Go's own map
// (Go 1.19 to 1.23 have the classic bucketed map that gort-hmap ports),
// run as `hmap <workload> <iters>`, plus `hmap mem <n>` (bytes per entry of
// an n-entry map[uint64]uint64) and `hmap latency <n>` (one run of timed
// single inserts while growing to n entries: p50 p99 p99.9 p99.99 max, ns).
//
// Keys and access order are the Rust side's: key(i) = i * 0x9e3779b97f4a7c15
// (wrapping), lookups step through 0..N by the prime 999983, string keys
// are "key-<hex key(i)>-<i mod 97>".
package main

import (
	"fmt"
	"os"
	"runtime"
	"sort"
	"strconv"
	"time"

	"gortbench/twins/twin"
)

const n = 1000000
const stride = 999983

// clock accumulates the wall and CPU time of timed parts.
type clock struct{ wall, cpu int64 }

func (c *clock) time(f func()) {
	c0, t0 := twin.CPUNanos(), time.Now()
	f()
	c.wall += time.Since(t0).Nanoseconds()
	c.cpu += twin.CPUNanos() - c0
}

func key(i uint64) uint64 { return i * 0x9e3779b97f4a7c15 }

func strKey(i uint64) string { return fmt.Sprintf("key-%x-%d", key(i), i%97) }

// scattered returns iters indexes of 0..n in the Rust side's order.
func scattered(iters int64) []uint64 {
	out := make([]uint64, iters)
	i := uint64(0)
	for j := range out {
		i += stride
		if i >= n {
			i -= n
		}
		out[j] = i
	}
	return out
}

func filledU64() map[uint64]uint64 {
	m := make(map[uint64]uint64)
	for i := uint64(0); i < n; i++ {
		m[key(i)] = i
	}
	return m
}

var sink uint64

// scaled converts the time of whole builds of n inserts into the time of
// iters inserts (one iteration is one insert, as on the Rust side).
func scaled(c clock, iters, rounds int64) clock {
	f := float64(iters) / float64(rounds*n)
	return clock{int64(float64(c.wall) * f), int64(float64(c.cpu) * f)}
}

// insert builds maps of the n keys from empty, ceil(iters/n) times, and
// scales the time to iters inserts.
func insert[K comparable](keys []K, iters int64) clock {
	var c clock
	rounds := (iters + n - 1) / n
	for r := int64(0); r < rounds; r++ {
		var m map[K]uint64
		c.time(func() {
			m = make(map[K]uint64)
			for i, k := range keys {
				m[k] = uint64(i)
			}
		})
		sink += uint64(len(m))
	}
	return scaled(c, iters, rounds)
}

// lookup times looking every key up in m (absent keys count as 1).
func lookup[K comparable](m map[K]uint64, keys []K) clock {
	var c clock
	c.time(func() {
		s := uint64(0)
		for _, k := range keys {
			v, ok := m[k]
			if !ok {
				v = 1
			}
			s += v
		}
		sink += s
	})
	return c
}

// keysOf maps the indexes to keys.
func keysOf[K any](idx []uint64, f func(uint64) K) []K {
	out := make([]K, len(idx))
	for j, i := range idx {
		out[j] = f(i)
	}
	return out
}

func allIndexes() []uint64 {
	idx := make([]uint64, n)
	for i := range idx {
		idx[i] = uint64(i)
	}
	return idx
}

func insertU64(iters int64) clock { return insert(keysOf(allIndexes(), key), iters) }

func insertStr(iters int64) clock { return insert(keysOf(allIndexes(), strKey), iters) }

func lookupU64(iters int64, offset uint64) clock {
	m := filledU64()
	return lookup(m, keysOf(scattered(iters), func(i uint64) uint64 { return key(i + offset) }))
}

func lookupStr(iters int64) clock {
	m := make(map[string]uint64)
	for i := uint64(0); i < n; i++ {
		m[strKey(i)] = i
	}
	return lookup(m, keysOf(scattered(iters), strKey))
}

func remove(iters int64) clock {
	var c clock
	for left := iters; left > 0; {
		k := left
		if k > n {
			k = n
		}
		left -= k
		m := filledU64()
		keys := keysOf(scattered(k), key)
		c.time(func() {
			for _, k := range keys {
				delete(m, k)
			}
		})
		sink += uint64(len(m))
	}
	return c
}

func iterate(iters int64) clock {
	m := filledU64()
	var c clock
	c.time(func() {
		s, left := uint64(0), iters
		for left > 0 {
			for _, v := range m {
				s += v
				left--
				if left == 0 {
					break
				}
			}
		}
		sink += s
	})
	return c
}

// bytesPerEntry is the live heap of an n-entry map[uint64]uint64 over n.
func bytesPerEntry(count int64) float64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	m := make(map[uint64]uint64)
	for i := uint64(0); i < uint64(count); i++ {
		m[key(i)] = i
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(m)
	return float64(after.HeapAlloc-before.HeapAlloc) / float64(count)
}

// latency times each insert of a map growing from empty to count entries.
func latency(count int64) []int64 {
	ns := make([]int64, count)
	m := make(map[uint64]uint64)
	for i := int64(0); i < count; i++ {
		k := key(uint64(i))
		t := time.Now()
		m[k] = uint64(i)
		ns[i] = time.Since(t).Nanoseconds()
	}
	runtime.KeepAlive(m)
	sort.Slice(ns, func(a, b int) bool { return ns[a] < ns[b] })
	at := func(q float64) int64 {
		i := int(float64(len(ns)) * q)
		if i >= len(ns) {
			i = len(ns) - 1
		}
		return ns[i]
	}
	return []int64{at(0.5), at(0.99), at(0.999), at(0.9999), ns[len(ns)-1]}
}

// workload adapts a clock-returning run to the twin protocol.
func workload(run func(int64) clock) twin.Workload {
	return func(n int64) (int64, int64) {
		c := run(n)
		return c.wall, c.cpu
	}
}

func main() {
	if len(os.Args) == 3 && (os.Args[1] == "mem" || os.Args[1] == "latency") {
		count, err := strconv.ParseInt(os.Args[2], 10, 64)
		if err != nil || count < 1 {
			fmt.Fprintln(os.Stderr, "bad count:", os.Args[2])
			os.Exit(2)
		}
		if os.Args[1] == "mem" {
			fmt.Printf("%.1f\n", bytesPerEntry(count))
		} else {
			l := latency(count)
			fmt.Println(l[0], l[1], l[2], l[3], l[4])
		}
		return
	}
	twin.Main(map[string]twin.Workload{
		"insert/u64/1M":   workload(insertU64),
		"get-hit/u64/1M":  workload(func(i int64) clock { return lookupU64(i, 0) }),
		"get-miss/u64/1M": workload(func(i int64) clock { return lookupU64(i, n) }),
		"remove/u64/1M":   workload(remove),
		"iterate/u64/1M":  workload(iterate),
		"insert/str/1M":   workload(insertStr),
		"get-hit/str/1M":  workload(lookupStr),
	})
}
