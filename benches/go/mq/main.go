// Go twin of gort-bench's mq section: the seed's message queue written the
// plain Go way, topics in a sync.Map and channels as the queues, with the
// same workload names as the Rust rows.
package main

import (
	"fmt"
	"os"
	"sync"

	"gortbench/twins/twin"
)

// topic is one topic: a queue for competing consumers and one channel per
// subscriber, the list guarded by a mutex.
type topic struct {
	queue chan int
	mu    sync.Mutex
	subs  []chan int
}

type broker struct {
	topics sync.Map
	cap    int
}

func (b *broker) topic(name string) *topic {
	if v, ok := b.topics.Load(name); ok {
		return v.(*topic)
	}
	v, _ := b.topics.LoadOrStore(name, &topic{queue: make(chan int, b.cap)})
	return v.(*topic)
}

// publishQueue: a publish to a topic without subscribers (a lookup, a send).
func (b *broker) publishQueue(name string, m int) {
	b.topic(name).queue <- m
}

// publishFanOut: a publish to every subscriber, under the topic's lock (so
// that concurrent publishers deliver in one order to all).
func (b *broker) publishFanOut(name string, m int) {
	t := b.topic(name)
	t.mu.Lock()
	for _, s := range t.subs {
		s <- m
	}
	t.mu.Unlock()
}

func (b *broker) subscribe(name string) chan int {
	t := b.topic(name)
	s := make(chan int, b.cap)
	t.mu.Lock()
	t.subs = append(t.subs, s)
	t.mu.Unlock()
	return s
}

// compete: `producers` goroutines publish n messages in all to one topic,
// `consumers` goroutines share its queue.
func compete(producers, consumers, capacity int, n int64) (int64, int64) {
	b := &broker{cap: capacity}
	q := b.topic("t").queue
	var jobs []func()
	for p := 0; p < producers; p++ {
		share := twin.Share(n, producers, p)
		jobs = append(jobs, func() {
			for i := int64(0); i < share; i++ {
				b.publishQueue("t", int(i))
			}
		})
	}
	for c := 0; c < consumers; c++ {
		share := twin.Share(n, consumers, c)
		jobs = append(jobs, func() {
			for i := int64(0); i < share; i++ {
				<-q
			}
		})
	}
	return twin.Timed(jobs)
}

// fanOut: one goroutine publishes n messages to `subscribers` subscribers;
// each receives all of them.
func fanOut(subscribers, capacity int, n int64) (int64, int64) {
	b := &broker{cap: capacity}
	var jobs []func()
	for s := 0; s < subscribers; s++ {
		ch := b.subscribe("t")
		jobs = append(jobs, func() {
			for i := int64(0); i < n; i++ {
				<-ch
			}
		})
	}
	jobs = append(jobs, func() {
		for i := int64(0); i < n; i++ {
			b.publishFanOut("t", int(i))
		}
	})
	return twin.Timed(jobs)
}

func main() {
	n := twin.Iters()
	name := os.Args[1]
	var p, c, s, capacity int
	var wall, cpu int64
	switch {
	case twin.Scan(name, "compete/%dx%d/cap%d", &p, &c, &capacity):
		wall, cpu = compete(p, c, capacity, n)
	case twin.Scan(name, "async/compete/%dx%d/cap%d", &p, &c, &capacity):
		wall, cpu = compete(p, c, capacity, n)
	case twin.Scan(name, "async/fanout/1x%d/cap%d", &s, &capacity):
		wall, cpu = fanOut(s, capacity, n)
	default:
		fmt.Fprintln(os.Stderr, "unknown workload", name)
		os.Exit(2)
	}
	fmt.Println(wall, cpu)
}
