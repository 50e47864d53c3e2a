//! The retention sweep: deletes ended sessions, spent refresh tokens and read
//! notifications older than the retention period (`--retention-days`).

use std::time::Duration;

use super::Chat;
use crate::{domain::Timestamp, error::AppResult, store::retention::Swept};

/// The first sweep waits this long after start, so a restart loop does not
/// sweep on every start and start-up stays quick.
const FIRST_SWEEP_AFTER: Duration = Duration::from_secs(60);

impl Chat {
    /// Deletes what ended more than the retention period before `now`.
    pub async fn sweep_retention(&self, now: Timestamp) -> AppResult<Swept> {
        let keep = i64::try_from(self.policy.retention.as_secs()).unwrap_or(i64::MAX);
        let swept = self.store.sweep_before(now.plus_secs(-keep)).await?;
        if swept != Swept::default() {
            tracing::info!(
                sessions = swept.sessions,
                refresh_tokens = swept.refresh_tokens,
                notifications = swept.notifications,
                mails = swept.mails,
                account_tokens = swept.account_tokens,
                "retention sweep"
            );
        }
        Ok(swept)
    }

    /// Sweeps every `interval` until the task is dropped. A failed sweep is
    /// logged and tried again next time: nothing depends on it being prompt.
    pub async fn sweep_every(self, interval: Duration) {
        tokio::time::sleep(FIRST_SWEEP_AFTER.min(interval)).await;
        loop {
            if let Err(e) = self.sweep_retention(Timestamp::now()).await {
                tracing::warn!(error = %e, "retention sweep failed");
            }
            match self.sweep_unattached_uploads(Timestamp::now()).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(uploads = n, "deleted uploads no message took"),
                Err(e) => tracing::warn!(error = %e, "upload sweep failed"),
            }
            tokio::time::sleep(interval).await;
        }
    }
}
