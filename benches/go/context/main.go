// Go twin of gort-bench's context section: Go's own context benchmarks
// (context/benchmark_test.go), with the same names as the Rust workloads.
package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"gortbench/twins/twin"
)

type key int

// busy is the work BenchmarkCommonParentCancel does around its cancel.
func busy(x *int) {
	for i := 0; i < 100; i++ {
		*x /= *x + 1
	}
}

// commonParentCancel: BenchmarkCommonParentCancel on `threads` goroutines.
func commonParentCancel(threads int, n int64) (int64, int64) {
	root := context.WithValue(context.Background(), "key", "value")
	shared, sharedCancel := context.WithCancel(root)
	defer sharedCancel()
	return twin.Parallel(threads, n, func(k int64) {
		x := 0
		for i := int64(0); i < k; i++ {
			ctx, cancel := context.WithCancel(shared)
			if ctx.Value("key").(string) != "value" {
				panic("lost value")
			}
			busy(&x)
			cancel()
			busy(&x)
		}
	})
}

// withTimeout: BenchmarkWithTimeout at `concurrency` waiting contexts, on
// two goroutines.
func withTimeout(concurrency int, n int64) (int64, int64) {
	const threads = 2
	root := context.Background()
	waiting := make([][]context.CancelFunc, threads)
	done := make(chan struct{})
	for t := range waiting {
		go func(t int) {
			cf := make([]context.CancelFunc, concurrency/threads)
			for j := range cf {
				_, cf[j] = context.WithTimeout(root, time.Hour)
			}
			waiting[t] = cf
			done <- struct{}{}
		}(t)
	}
	for range waiting {
		<-done
	}
	wall, cpu := twin.Parallel(threads, n, func(k int64) {
		wcf := make([]context.CancelFunc, 10)
		for i := int64(0); i < k; i++ {
			for j := range wcf {
				_, wcf[j] = context.WithTimeout(root, time.Hour)
			}
			for _, f := range wcf {
				f()
			}
		}
	})
	for _, cf := range waiting {
		for _, f := range cf {
			f()
		}
	}
	return wall, cpu
}

// buildContextTree drops each cancel function, as Go's benchmark does.
func buildContextTree(root context.Context, depth int) {
	for d := 0; d < depth; d++ {
		var dropped context.CancelFunc
		root, dropped = context.WithCancel(root)
		_ = dropped
	}
}

// cancelTree: BenchmarkCancelTree for one depth and root.
func cancelTree(depth int, root string, n int64) (int64, int64) {
	return twin.Parallel(1, n, func(k int64) {
		for i := int64(0); i < k; i++ {
			switch root {
			case "Background":
				buildContextTree(context.Background(), depth)
			case "OpenCanceler":
				ctx, cancel := context.WithCancel(context.Background())
				buildContextTree(ctx, depth)
				cancel()
			case "ClosedCanceler":
				ctx, cancel := context.WithCancel(context.Background())
				cancel()
				buildContextTree(ctx, depth)
			}
		}
	})
}

func checkCanceled(how string, n int64) (int64, int64) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return twin.Parallel(1, n, func(k int64) {
		for i := int64(0); i < k; i++ {
			if how == "Err" {
				_ = ctx.Err()
				continue
			}
			select {
			case <-ctx.Done():
			default:
			}
		}
	})
}

// cancelDone: BenchmarkContextCancelDone on `threads` goroutines.
func cancelDone(threads int, n int64) (int64, int64) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	return twin.Parallel(threads, n, func(k int64) {
		for i := int64(0); i < k; i++ {
			select {
			case <-ctx.Done():
			default:
			}
		}
	})
}

// deepValue: BenchmarkDeepValueSameGoRoutine for one depth.
func deepValue(depth int, n int64) (int64, int64) {
	ctx := context.Background()
	for i := 0; i < depth; i++ {
		ctx = context.WithValue(ctx, key(i), i)
	}
	return twin.Parallel(1, n, func(k int64) {
		for i := int64(0); i < k; i++ {
			_ = ctx.Value(key(-1))
		}
	})
}

func main() {
	n := twin.Iters()
	name := os.Args[1]
	var threads, concurrency, depth int
	var root string
	var wall, cpu int64
	switch {
	case twin.Scan(name, "CommonParentCancel/%dt", &threads):
		wall, cpu = commonParentCancel(threads, n)
	case twin.Scan(name, "WithTimeout/concurrency=%d", &concurrency):
		wall, cpu = withTimeout(concurrency, n)
	case twin.Scan(name, "CancelTree/depth=%d/Root=%s", &depth, &root):
		wall, cpu = cancelTree(depth, root, n)
	case name == "CheckCanceled/Err" || name == "CheckCanceled/Done":
		wall, cpu = checkCanceled(strings.TrimPrefix(name, "CheckCanceled/"), n)
	case twin.Scan(name, "ContextCancelDone/%dt", &threads):
		wall, cpu = cancelDone(threads, n)
	case twin.Scan(name, "DeepValueSameGoRoutine/depth=%d", &depth):
		wall, cpu = deepValue(depth, n)
	default:
		fmt.Fprintln(os.Stderr, "unknown workload", name)
		os.Exit(2)
	}
	fmt.Println(wall, cpu)
}
