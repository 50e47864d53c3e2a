//! Group commit for message sends. Every send goes through one writer per node,
//! which takes whatever sends are waiting (up to a batch limit) and stores them in
//! one transaction. Under load, many acks share one commit and one fsync; with a
//! single sender the batch is one message and nothing waits.
//!
//! The writer runs on a thread of its own, with its own database connection.
//! A batch is a chain of a dozen awaits (statements, commit); on the shared
//! runtime each of them queued behind thousands of connection tasks, and the
//! profile showed the writer waiting, not working (4,100 sends/s with both cores
//! half idle). On its own thread every step runs as soon as its I/O is done.

use std::time::Instant;

use tokio::sync::{mpsc, oneshot};

use crate::metrics::{Stage, METRICS};

use super::{
    messages::{Appended, NewMessage},
    Store, StoreError, StoreResult,
};

const MAX_BATCH: usize = 256;
const QUEUE: usize = 8192;

/// A message, when it was put in the queue, and where its result goes with the
/// moment its transaction committed (metrics.rs: the stages of a message).
type Job = (NewMessage, Instant, oneshot::Sender<Done>);
type Done = (StoreResult<Appended>, Instant);

#[derive(Clone)]
pub struct MessageWriter {
    tx: mpsc::Sender<Job>,
}

impl MessageWriter {
    /// Starts the writer thread with a dedicated connection to `store`'s database.
    /// It ends when every handle is dropped.
    pub async fn spawn(store: Store) -> anyhow::Result<Self> {
        let (tx, rx) = mpsc::channel(QUEUE);
        let (ready, started) = oneshot::channel::<anyhow::Result<()>>();
        std::thread::Builder::new()
            .name("confab-writer".into())
            .spawn(move || {
                let rt = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(rt) => rt,
                    Err(e) => {
                        let _ = ready.send(Err(e.into()));
                        return;
                    }
                };
                rt.block_on(async move {
                    // Opened here so that its sockets belong to this thread's runtime.
                    match store.dedicated(1).await {
                        Ok(own) => {
                            let _ = ready.send(Ok(()));
                            run(own, rx).await;
                        }
                        Err(e) => {
                            let _ = ready.send(Err(e));
                        }
                    }
                });
            })?;
        started
            .await
            .map_err(|_| anyhow::anyhow!("the message writer thread stopped at start"))??;
        Ok(Self { tx })
    }

    /// Stores `m` and returns it once its transaction has committed.
    pub async fn append(&self, m: NewMessage) -> StoreResult<Appended> {
        self.enqueue(m).await?.committed().await
    }

    /// Puts `m` in the writer's queue and returns at once; the message is stored
    /// in queue order. A caller that enqueues several messages one after another
    /// gets their seqs in that order, whoever awaits the commits first.
    pub async fn enqueue(&self, m: NewMessage) -> StoreResult<Queued> {
        let (done, wait) = oneshot::channel();
        self.tx
            .send((m, Instant::now(), done))
            .await
            .map_err(|_| StoreError::Other(anyhow::anyhow!("message writer stopped")))?;
        Ok(Queued(wait))
    }
}

/// A message in the writer's queue.
pub struct Queued(oneshot::Receiver<Done>);

impl Queued {
    /// Waits for the transaction that holds the message to commit.
    pub async fn committed(self) -> StoreResult<Appended> {
        let (result, committed_at) = self
            .0
            .await
            .map_err(|_| StoreError::Other(anyhow::anyhow!("message writer dropped a send")))?;
        METRICS.stage_since(Stage::Wake, committed_at);
        result
    }
}

async fn run(store: Store, mut rx: mpsc::Receiver<Job>) {
    let mut jobs: Vec<Job> = Vec::with_capacity(MAX_BATCH);
    while rx.recv_many(&mut jobs, MAX_BATCH).await > 0 {
        let started = Instant::now();
        let mut batch = Vec::with_capacity(jobs.len());
        let mut waiting = Vec::with_capacity(jobs.len());
        for (m, queued_at, done) in jobs.drain(..) {
            METRICS.stage(
                Stage::Queue,
                started.duration_since(queued_at).as_secs_f64(),
            );
            batch.push(m);
            waiting.push(done);
        }
        METRICS.writer_batch.observe(batch.len() as f64);
        let results = store.append_messages(&batch).await;
        let committed = Instant::now();
        let commit = committed.duration_since(started).as_secs_f64();
        for (done, result) in waiting.into_iter().zip(results) {
            // Counted per message, like the other stages, so that a stage's
            // percentiles are over the same messages.
            METRICS.stage(Stage::Commit, commit);
            // The sender may have gone (client disconnected); the message is stored
            // regardless and will reach it through resume.
            let _ = done.send((result, committed));
        }
    }
    store.close().await;
}
