//! The cluster's bus: Redis pub/sub on one channel per cluster. Each node
//! delivers what it publishes to its own connections at once (no round trip),
//! publishes it to Redis for the other nodes, and holds ONE subscription that
//! feeds the other nodes' envelopes to its hub. Still a hint: an envelope lost
//! while Redis is down is repaired from the database by each connection's gap
//! check and by resume, never re-sent from here.
//!
//! Client: `fred` — async, made for pub/sub, reconnects with backoff and
//! re-subscribes by itself (`manage_subscriptions`), and pipelines publishes.

use std::{sync::Arc, time::Duration};

use anyhow::Context as _;
use bytes::{Buf, BufMut, Bytes, BytesMut};
use fred::{
    clients::SubscriberClient,
    prelude::{
        Builder, Client, ClientLike, Config, EventInterface, PubsubInterface, ReconnectPolicy,
    },
};
use tokio::sync::{broadcast, mpsc};
use uuid::Uuid;

use super::{Bus, Envelope, StreamKey};
use crate::domain::{ConversationId, UserId};

/// Envelopes waiting to go to Redis; past this, new ones are dropped (and
/// repaired from the database like any lost envelope).
const OUTBOX: usize = 65_536;
/// After a reconnect, how long re-subscribing may take before connections
/// catch up from the database.
const RESUBSCRIBE_WAIT: Duration = Duration::from_millis(500);

pub struct RedisBus {
    node: Uuid,
    local: broadcast::Sender<Arc<Envelope>>,
    outbox: mpsc::Sender<Bytes>,
    /// The subscriber reconnected: what was published meanwhile is lost here.
    relinked: broadcast::Sender<()>,
}

impl RedisBus {
    /// Connects (waiting up to 10 s for Redis at start), subscribes and starts
    /// the publishing and receiving tasks.
    pub async fn connect(url: &str, channel: &str, capacity: usize) -> anyhow::Result<Arc<Self>> {
        let config = Config::from_url(url).context("--redis-url is not a Redis URL")?;
        let policy = ReconnectPolicy::new_exponential(0, 100, 2_000, 2);
        let publisher: Client = Builder::from_config(config.clone())
            .set_policy(policy.clone())
            .build()
            .context("building the Redis client")?;
        // fred hands received messages to us over a broadcast channel of 32 by
        // default: a burst across nodes overran it (the `fanout` benchmark lost
        // 66 of 20,000 deliveries). Room for as many as the local bus holds.
        let subscriber: SubscriberClient = Builder::from_config(config)
            .set_policy(policy)
            .with_performance_config(|p| p.broadcast_channel_capacity = capacity.max(16))
            .build_subscriber_client()
            .context("building the Redis subscriber")?;
        let start = async {
            publisher.init().await?;
            subscriber.init().await?;
            subscriber.subscribe(channel).await
        };
        tokio::time::timeout(Duration::from_secs(10), start)
            .await
            .context("Redis did not answer within 10 s")?
            .with_context(|| format!("connecting to Redis at {}", redact(url)))?;
        let _resubscribe = subscriber.manage_subscriptions();
        let (local, _) = broadcast::channel(capacity.max(16));
        let (outbox, queued) = mpsc::channel(OUTBOX);
        let bus = Arc::new(Self {
            node: Uuid::now_v7(),
            local,
            outbox,
            relinked: broadcast::channel(4).0,
        });
        tokio::spawn(publish_loop(publisher, channel.to_owned(), queued));
        tokio::spawn(receive_loop(subscriber, bus.clone()));
        tracing::info!(node = %bus.node, %channel, "bus: Redis");
        Ok(bus)
    }
}

impl Bus for RedisBus {
    fn publish(&self, envelope: Envelope) {
        let frame = encode(self.node, &envelope);
        let _ = self.local.send(Arc::new(envelope));
        if self.outbox.try_send(frame).is_err() {
            tracing::warn!("bus: Redis outbox full; an envelope is left to gap repair");
        }
    }

    fn subscribe(&self) -> broadcast::Receiver<Arc<Envelope>> {
        self.local.subscribe()
    }

    fn relinked(&self) -> Option<broadcast::Receiver<()>> {
        Some(self.relinked.subscribe())
    }
}

/// Envelopes published in one pipeline (one round trip to Redis).
const PUBLISH_BATCH: usize = 256;

async fn publish_loop(client: Client, channel: String, mut queued: mpsc::Receiver<Bytes>) {
    let mut batch = Vec::with_capacity(PUBLISH_BATCH);
    // One publish at a time, each waiting for Redis's reply, capped a node at
    // one envelope per round trip: under a burst they queued here for up to a
    // second. Whatever is waiting goes in one pipeline, in order.
    while queued.recv_many(&mut batch, PUBLISH_BATCH).await > 0 {
        let n = batch.len() as u64;
        let pipe = client.pipeline();
        for frame in batch.drain(..) {
            // Queued in the pipeline, not sent yet: cannot fail here.
            let _ = pipe.publish::<(), _, _>(&channel, frame).await;
        }
        // While Redis is down fred queues and retries; a batch that still fails
        // is dropped (gap repair, catch-up after the link is back).
        match pipe.all::<Vec<i64>>().await {
            Ok(_) => {
                crate::metrics::METRICS.bus_published.inc_by(n);
            }
            Err(e) => tracing::warn!(error = %e, lost = n, "bus: publish to Redis failed"),
        };
    }
}

async fn receive_loop(subscriber: SubscriberClient, bus: Arc<RedisBus>) {
    let mut rx = subscriber.message_rx();
    let mut reconnects = subscriber.reconnect_rx();
    loop {
        let got = tokio::select! {
            got = rx.recv() => got,
            Ok(_) = reconnects.recv() => {
                crate::metrics::METRICS.bus_reconnects.inc();
                // Redis does not keep messages for a subscriber that was away.
                // Catching up waits until the channel is subscribed again, so
                // nothing published in between falls through.
                let bus = bus.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(RESUBSCRIBE_WAIT).await;
                    let _ = bus.relinked.send(());
                });
                continue;
            }
        };
        match got {
            Ok(message) => {
                let Some(raw) = message.value.as_bytes() else {
                    continue;
                };
                match decode(raw) {
                    Some((node, _)) if node == bus.node => {} // delivered locally already
                    Some((_, envelope)) => {
                        crate::metrics::METRICS.bus_received.inc();
                        let _ = bus.local.send(Arc::new(envelope));
                    }
                    None => tracing::warn!("bus: an envelope from Redis did not decode"),
                }
            }
            Err(broadcast::error::RecvError::Lagged(n)) => {
                // Envelopes from other nodes were dropped here: every connection
                // compares its positions with the database now, rather than at
                // the next event of each conversation (which may never come).
                tracing::warn!(missed = n, "bus: fell behind Redis; connections catch up");
                let _ = bus.relinked.send(());
            }
            Err(broadcast::error::RecvError::Closed) => return,
        }
    }
}

/// `redis://user:secret@host` without the secret, for errors and logs.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => format!("{}<credentials>{}", &url[..s + 3], &url[at..]),
        _ => url.to_owned(),
    }
}

// Wire form: node id (16) | position tag (0 none, 1 conversation, 2 inbox)
// [+ conversation id (16)] [+ position (8)] | except tag (0/1) [+ user id (16)]
// | recipient count (4) | recipients (16 each) | frame (the rest).
fn encode(node: Uuid, e: &Envelope) -> Bytes {
    let mut b = BytesMut::with_capacity(64 + 16 * e.recipients.len() + e.frame.len());
    b.put_slice(node.as_bytes());
    match e.position {
        None => b.put_u8(0),
        // 3: a conversation's event that also moved its meta_ev (rosters.rs).
        Some((StreamKey::Conversation(c), pos)) => {
            b.put_u8(if e.meta_changed { 3 } else { 1 });
            b.put_slice(c.0.as_bytes());
            b.put_i64(pos);
        }
        Some((StreamKey::Inbox, pos)) => {
            b.put_u8(2);
            b.put_i64(pos);
        }
    }
    match e.except {
        None => b.put_u8(0),
        Some(u) => {
            b.put_u8(1);
            b.put_slice(u.0.as_bytes());
        }
    }
    b.put_u32(e.recipients.len() as u32);
    for r in &e.recipients {
        b.put_slice(r.0.as_bytes());
    }
    b.put_slice(&e.frame);
    b.freeze()
}

fn decode(raw: &[u8]) -> Option<(Uuid, Envelope)> {
    let mut b = raw;
    let uuid = |b: &mut &[u8]| -> Option<Uuid> {
        (b.remaining() >= 16).then(|| {
            let mut id = [0u8; 16];
            b.copy_to_slice(&mut id);
            Uuid::from_bytes(id)
        })
    };
    let node = uuid(&mut b)?;
    let tag = b.try_get_u8().ok()?;
    let position = match tag {
        0 => None,
        1 | 3 => {
            let c = ConversationId(uuid(&mut b)?);
            Some((StreamKey::Conversation(c), b.try_get_i64().ok()?))
        }
        2 => Some((StreamKey::Inbox, b.try_get_i64().ok()?)),
        _ => return None,
    };
    let except = match b.try_get_u8().ok()? {
        0 => None,
        1 => Some(UserId(uuid(&mut b)?)),
        _ => return None,
    };
    let n = b.try_get_u32().ok()? as usize;
    let mut recipients = Vec::with_capacity(n.min(b.remaining() / 16));
    for _ in 0..n {
        recipients.push(UserId(uuid(&mut b)?));
    }
    let envelope = Envelope {
        recipients,
        position,
        except,
        frame: Bytes::copy_from_slice(b),
        meta_changed: tag == 3,
        born: std::time::Instant::now(),
    };
    Some((node, envelope))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelopes_survive_the_wire() {
        let node = Uuid::now_v7();
        for position in [
            None,
            Some((StreamKey::Conversation(ConversationId::new()), 42)),
            Some((StreamKey::Inbox, 7)),
        ] {
            for except in [None, Some(UserId::new())] {
                // Only a conversation's event can move its meta_ev.
                let metas: &[bool] = match position {
                    Some((StreamKey::Conversation(_), _)) => &[false, true],
                    _ => &[false],
                };
                for &meta_changed in metas {
                    let e = Envelope {
                        recipients: vec![UserId::new(), UserId::new()],
                        position,
                        except,
                        frame: Bytes::from_static(br#"{"type":"message.new"}"#),
                        meta_changed,
                        born: std::time::Instant::now(),
                    };
                    let (n, back) = decode(&encode(node, &e)).unwrap();
                    assert_eq!(n, node);
                    assert_eq!(
                        (
                            back.recipients,
                            back.position,
                            back.except,
                            back.frame,
                            back.meta_changed
                        ),
                        (e.recipients, e.position, e.except, e.frame, e.meta_changed)
                    );
                }
            }
        }
        assert!(decode(b"short").is_none());
        assert!(decode(
            &encode(
                node,
                &Envelope {
                    recipients: vec![UserId::new()],
                    position: None,
                    except: None,
                    frame: Bytes::new(),
                    meta_changed: false,
                    born: std::time::Instant::now(),
                }
            )[..20]
        )
        .is_none());
    }

    #[test]
    fn credentials_stay_out_of_messages() {
        assert_eq!(
            redact("redis://u:pw@10.0.0.1:6379/0"),
            "redis://<credentials>@10.0.0.1:6379/0"
        );
        assert_eq!(redact("redis://127.0.0.1"), "redis://127.0.0.1");
    }
}
