//! Group commit for message sends. Every send goes through one writer task per
//! node, which takes whatever sends are waiting (up to a batch limit) and stores
//! them in one transaction. Under load, many acks share one commit and one fsync;
//! with a single sender the batch is one message and nothing waits.

use tokio::sync::{mpsc, oneshot};

use super::{
    messages::{Appended, NewMessage},
    Store, StoreError, StoreResult,
};

const MAX_BATCH: usize = 256;
const QUEUE: usize = 8192;

type Job = (NewMessage, oneshot::Sender<StoreResult<Appended>>);

#[derive(Clone)]
pub struct MessageWriter {
    tx: mpsc::Sender<Job>,
}

impl MessageWriter {
    /// Starts the writer task on the current runtime. It ends when every handle is
    /// dropped.
    pub fn spawn(store: Store) -> Self {
        let (tx, rx) = mpsc::channel(QUEUE);
        tokio::spawn(run(store, rx));
        Self { tx }
    }

    /// Stores `m` and returns it once its transaction has committed.
    pub async fn append(&self, m: NewMessage) -> StoreResult<Appended> {
        let (done, wait) = oneshot::channel();
        self.tx
            .send((m, done))
            .await
            .map_err(|_| StoreError::Other(anyhow::anyhow!("message writer stopped")))?;
        wait.await
            .map_err(|_| StoreError::Other(anyhow::anyhow!("message writer dropped a send")))?
    }
}

async fn run(store: Store, mut rx: mpsc::Receiver<Job>) {
    let mut jobs: Vec<Job> = Vec::with_capacity(MAX_BATCH);
    while rx.recv_many(&mut jobs, MAX_BATCH).await > 0 {
        let batch: Vec<NewMessage> = jobs.iter().map(|(m, _)| m.clone()).collect();
        let results = store.append_messages(&batch).await;
        for ((_, done), result) in jobs.drain(..).zip(results) {
            // The sender may have gone (client disconnected); the message is stored
            // regardless and will reach it through resume.
            let _ = done.send(result);
        }
    }
}
