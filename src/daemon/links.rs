//! The daemon's link stage task: decides the customer of every newly stored item soon after
//! its batch commits, then wakes the maintenance pass so counts and flags see the decisions.

use super::App;
use crate::pipeline::identity::stage;
use crate::store::LinkPass;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Longest wait between link passes when no batch has signalled (items stored by another
/// daemon on the same database, or by a later stage).
const LINK_POLL: Duration = Duration::from_secs(5);

impl App {
    /// Decides every waiting item now.
    pub async fn link_stage(&self) -> Result<LinkPass, crate::store::StoreError> {
        let pass = stage::run(&self.store).await?;
        if pass.decided > 0 {
            self.linked.notify_one();
            // Routing waits for links: an item is routed once its customer is decided.
            self.funnel.routable_signal().notify_one();
        }
        Ok(pass)
    }

    /// Runs the link stage after every stored batch (and every few seconds), until `cancel`.
    pub(super) async fn link_loop(&self, cancel: CancellationToken) {
        let stored = self.funnel.stored_signal();
        while !cancel.is_cancelled() {
            if let Err(e) = self.link_stage().await {
                tracing::error!(
                    "Link stage failed: {e}; retrying in {} s.",
                    LINK_POLL.as_secs()
                );
            }
            tokio::select! {
                () = tokio::time::sleep(LINK_POLL) => {}
                () = stored.notified() => {}
                () = cancel.cancelled() => return,
            }
        }
    }
}
