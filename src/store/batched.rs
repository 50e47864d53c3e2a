//! Point reads that many tasks ask at once, coalesced into one statement for
//! many keys. In a reconnect storm thousands of clients each ask the same few
//! questions (their session, their memberships, their inbox position, the
//! changes since their position); on PostgreSQL and MariaDB every statement is
//! a round trip and a backend's parse and execute, and the database servers
//! took more CPU than Confab (BENCHMARKS.md `reconnect`).
//!
//! Like the message writer's group commit, nothing waits for a batch to fill: a
//! key asked while fewer than `IN_FLIGHT` batches run is read at once; keys
//! asked while they run wait for the next batch and share it. A key asked twice
//! in one batch is read once (ten members of a group resuming from the same
//! position). Every batch starts after each of its keys was asked, so a caller
//! never gets an answer older than its question (a resume relies on that: what
//! it reads is at least as new as the membership it read before).
//!
//! On a SQLite file the reads that run natively (sqlite_native.rs) are not
//! batched: in-process, a statement costs no round trip. The two that go
//! through the pool there too (inbox position, presence audience) are.

use std::{
    collections::HashMap,
    future::Future,
    hash::Hash,
    panic::AssertUnwindSafe,
    pin::Pin,
    sync::{Arc, Mutex},
};

use futures_util::FutureExt;
use prometheus_client::metrics::histogram::Histogram;
use tokio::sync::oneshot;

use super::{Store, StoreError, StoreResult};

/// Keys per statement, at most. The statement's IN list is as long as the
/// batch, rounded up to a power of two, so there are few statement texts.
pub(super) const MAX_BATCH: usize = 64;

/// Batches of one kind running at once: a second one lets keys asked during a
/// slow batch start without waiting for it, on a pool of several connections.
const IN_FLIGHT: usize = 2;

type Answers<K, V> = StoreResult<HashMap<K, V>>;
/// A read in progress: the answers for distinct keys; a key absent from the
/// map gets `V::default()` (no row).
pub(super) type Reading<'a, K, V> = Pin<Box<dyn Future<Output = Answers<K, V>> + Send + 'a>>;
pub(super) type Read<K, V> = for<'a> fn(&'a Store, &'a [K]) -> Reading<'a, K, V>;

type Waiter<V> = oneshot::Sender<StoreResult<V>>;

struct State<K, V> {
    queue: Vec<(K, Waiter<V>)>,
    running: usize,
}

pub(super) struct Batcher<K, V> {
    read: Read<K, V>,
    state: Mutex<State<K, V>>,
    sizes: Histogram,
}

impl<K, V> Batcher<K, V>
where
    K: Hash + Eq + Clone + Send + 'static,
    V: Clone + Default + Send + 'static,
{
    pub(super) fn new(name: &'static str, read: Read<K, V>) -> Arc<Self> {
        Arc::new(Self {
            read,
            state: Mutex::new(State {
                queue: Vec::new(),
                running: 0,
            }),
            sizes: crate::metrics::METRICS.read_batch(name),
        })
    }

    /// The answer for `key`, read in a batch with whatever else is asked now.
    pub(super) async fn get(self: &Arc<Self>, store: &Store, key: K) -> StoreResult<V> {
        let mut answers = self.get_many(store, std::slice::from_ref(&key)).await?;
        Ok(answers.pop().unwrap_or_default())
    }

    /// The answers for `keys`, in their order, read in the batches they fall in.
    pub(super) async fn get_many(
        self: &Arc<Self>,
        store: &Store,
        keys: &[K],
    ) -> StoreResult<Vec<V>> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let mut waits = Vec::with_capacity(keys.len());
        let start = {
            let mut s = self.lock();
            for key in keys {
                let (tx, rx) = oneshot::channel();
                s.queue.push((key.clone(), tx));
                waits.push(rx);
            }
            let start = s.running < IN_FLIGHT;
            s.running += usize::from(start);
            start
        };
        if start {
            // Its own task: a caller that goes away (a client that disconnects
            // mid-resume) must not take the others' answers with it.
            let running = Running {
                batcher: self.clone(),
                counted: true,
            };
            tokio::spawn(running.drain(store.clone()));
        }
        let mut answers = Vec::with_capacity(waits.len());
        for rx in waits {
            answers.push(
                rx.await.map_err(|_| {
                    StoreError::Other(anyhow::anyhow!("a batched read was dropped"))
                })??,
            );
        }
        Ok(answers)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State<K, V>> {
        // A panic never happens under this lock (pushes and drains only).
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A running drain. It stops counting as running under the same lock that saw
/// the queue empty (a key asked just then starts a drain of its own); if it
/// ends otherwise (its runtime shut down under it), its drop does that.
struct Running<K, V> {
    batcher: Arc<Batcher<K, V>>,
    counted: bool,
}

impl<K, V> Drop for Running<K, V> {
    fn drop(&mut self) {
        if self.counted {
            let mut s = self.batcher.state.lock().unwrap_or_else(|p| p.into_inner());
            s.running -= 1;
        }
    }
}

impl<K, V> Running<K, V>
where
    K: Hash + Eq + Clone + Send + 'static,
    V: Clone + Default + Send + 'static,
{
    /// Reads batches until nobody waits.
    async fn drain(mut self, store: Store) {
        let batcher = self.batcher.clone();
        loop {
            let batch: Vec<(K, Waiter<V>)> = {
                let mut s = batcher.lock();
                let n = s.queue.len().min(MAX_BATCH);
                if n == 0 {
                    s.running -= 1;
                    self.counted = false;
                    return;
                }
                s.queue.drain(..n).collect()
            };
            let mut keys: Vec<K> = Vec::with_capacity(batch.len());
            for (k, _) in &batch {
                if !keys.contains(k) {
                    keys.push(k.clone());
                }
            }
            batcher.sizes.observe(keys.len() as f64);
            // A panic in a read is an error for its waiters, not a batcher
            // stopped for good with its callers waiting.
            let read = AssertUnwindSafe((batcher.read)(&store, &keys)).catch_unwind();
            match read.await {
                Ok(Ok(answers)) => {
                    for (k, waiter) in batch {
                        let _ = waiter.send(Ok(answers.get(&k).cloned().unwrap_or_default()));
                    }
                }
                Ok(Err(e)) => {
                    for (_, waiter) in batch {
                        let _ = waiter.send(Err(copy_error(&e)));
                    }
                }
                Err(_) => {
                    for (_, waiter) in batch {
                        let _ = waiter.send(Err(StoreError::Other(anyhow::anyhow!(
                            "a batched read panicked"
                        ))));
                    }
                }
            }
        }
    }
}

/// The same error for each waiter of a failed batch.
fn copy_error(e: &StoreError) -> StoreError {
    match e {
        StoreError::NotFound => StoreError::NotFound,
        StoreError::Conflict(key) => StoreError::Conflict(key),
        StoreError::Other(e) => StoreError::Other(anyhow::anyhow!("{e:#}")),
    }
}

/// The IN list's length for `n` keys: the next power of two, so that a pooled
/// connection keeps a handful of statements, not one per batch length. The
/// list is padded with the last key, which an IN list does not mind.
pub(super) fn padded(n: usize) -> usize {
    n.max(1).next_power_of_two()
}

#[cfg(test)]
mod tests {
    use std::{
        sync::atomic::{AtomicUsize, Ordering},
        time::Duration,
    };

    use super::*;
    use crate::store::StoreOptions;

    /// Reads so far, and the largest batch; each test has its own read fn.
    static READS: AtomicUsize = AtomicUsize::new(0);
    static LARGEST: AtomicUsize = AtomicUsize::new(0);

    /// Answers a key k with k * 10 after a pause in which more keys queue up;
    /// key 0 has no row.
    fn times_ten<'a>(_: &'a Store, keys: &'a [u32]) -> Reading<'a, u32, u32> {
        Box::pin(async move {
            READS.fetch_add(1, Ordering::SeqCst);
            LARGEST.fetch_max(keys.len(), Ordering::SeqCst);
            let mut seen = keys.to_vec();
            seen.sort_unstable();
            seen.dedup();
            assert_eq!(seen.len(), keys.len(), "each key is read once per batch");
            tokio::time::sleep(Duration::from_millis(20)).await;
            Ok(keys
                .iter()
                .filter(|&&k| k > 0)
                .map(|&k| (k, k * 10))
                .collect())
        })
    }

    fn fails_on_seven<'a>(_: &'a Store, keys: &'a [u32]) -> Reading<'a, u32, u32> {
        Box::pin(async move {
            tokio::time::sleep(Duration::from_millis(5)).await;
            if keys.contains(&7) {
                panic!("a read that panics");
            }
            if keys.contains(&8) {
                return Err(StoreError::Conflict("eight"));
            }
            Ok(keys.iter().map(|&k| (k, k)).collect())
        })
    }

    /// What the "database" holds now, and a read that answers every key with
    /// it as it was when the read started, then takes its time.
    static VERSION: AtomicUsize = AtomicUsize::new(0);
    fn versioned<'a>(_: &'a Store, keys: &'a [u32]) -> Reading<'a, u32, u32> {
        let at_start = VERSION.load(Ordering::SeqCst) as u32;
        Box::pin(async move {
            tokio::time::sleep(Duration::from_millis(100)).await;
            Ok(keys.iter().map(|&k| (k, at_start)).collect())
        })
    }

    async fn store() -> Store {
        Store::connect(StoreOptions {
            url: "sqlite::memory:",
            max_connections: 1,
        })
        .await
        .unwrap()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_keys_share_batches_and_each_gets_its_own_answer() {
        let store = store().await;
        let batcher = Batcher::new("test_times_ten", times_ten);
        // 300 asks of 40 keys (0..40, each asked several times), all at once.
        let asks = (0..300u32).map(|i| {
            let (b, s) = (batcher.clone(), store.clone());
            tokio::spawn(async move { (i % 40, b.get(&s, i % 40).await.unwrap()) })
        });
        for ask in futures_util::future::join_all(asks).await {
            let (key, answer) = ask.unwrap();
            // A key without a row gets the default.
            assert_eq!(answer, key * 10, "key {key}");
        }
        let reads = READS.load(Ordering::SeqCst);
        assert!(reads < 300 / 4, "300 asks took {reads} reads");
        assert!(LARGEST.load(Ordering::SeqCst) <= MAX_BATCH);
        assert!(LARGEST.load(Ordering::SeqCst) > 1);
        // Idle again: a lone ask is read at once, in a batch of its own.
        assert_eq!(batcher.get(&store, 5).await.unwrap(), 50);
        // The drain that answered stops once it finds the queue empty.
        for _ in 0..200 {
            if batcher.lock().running == 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        assert_eq!(batcher.lock().running, 0, "no drain left running");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failed_batch_fails_its_callers_and_the_next_batch_works() {
        let store = store().await;
        let batcher = Batcher::new("test_fails", fails_on_seven);
        let panicked = batcher.get(&store, 7).await;
        assert!(matches!(panicked, Err(StoreError::Other(_))));
        let refused = batcher.get(&store, 8).await;
        assert!(matches!(refused, Err(StoreError::Conflict("eight"))));
        assert_eq!(batcher.get(&store, 3).await.unwrap(), 3);
        // A caller that goes away does not take a batch down with it.
        let gone = tokio::spawn({
            let (b, s) = (batcher.clone(), store.clone());
            async move { b.get(&s, 4).await }
        });
        let kept = tokio::spawn({
            let (b, s) = (batcher.clone(), store.clone());
            async move { b.get(&s, 4).await }
        });
        gone.abort();
        assert_eq!(kept.await.unwrap().unwrap(), 4);
    }

    /// A key asked while batches that hold it are running is not answered by
    /// them: they started before it was asked, and may miss a change made in
    /// between (a resume's replay must be at least as new as its membership).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_key_asked_during_a_running_batch_is_read_again() {
        let store = store().await;
        let batcher = Batcher::new("test_versioned", versioned);
        // Two batches running (IN_FLIGHT), both started at version 0.
        let early: Vec<_> = (0..IN_FLIGHT)
            .map(|_| {
                let (b, s) = (batcher.clone(), store.clone());
                tokio::spawn(async move { b.get(&s, 1).await })
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(30)).await;
        VERSION.store(1, Ordering::SeqCst);
        let late = batcher.get(&store, 1).await.unwrap();
        for e in early {
            assert_eq!(e.await.unwrap().unwrap(), 0);
        }
        assert_eq!(late, 1, "answered from a read that started before the ask");
        assert!(batcher.get_many(&store, &[]).await.unwrap().is_empty());
    }

    #[test]
    fn lists_are_padded_to_powers_of_two() {
        let lens: Vec<usize> = [0, 1, 2, 3, 5, 33, 64].map(padded).to_vec();
        assert_eq!(lens, [1, 1, 2, 4, 8, 64, 64]);
    }
}
