//! Notices: what the user should hear about even when the window is closed
//! (a post failed for good, an account needs reconnecting, posts were missed).
//! The shell turns them into OS notifications.

use serde::{Deserialize, Serialize};
use specta::Type;
use tokio::sync::broadcast;

use crate::model::{AccountId, PostId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    PublishFailed,
    NeedsReconnect,
    /// An account's sign-in ends soon: reconnect it before then.
    ReconnectSoon,
    Missed,
    Unconfirmed,
    Published,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct Notice {
    pub kind: NoticeKind,
    pub title: String,
    pub body: String,
    pub post_id: Option<PostId>,
    pub account_id: Option<AccountId>,
}

#[derive(Clone, Debug)]
pub struct Notices {
    tx: broadcast::Sender<Notice>,
}

impl Default for Notices {
    fn default() -> Self {
        let (tx, _) = broadcast::channel(256);
        Self { tx }
    }
}

impl Notices {
    pub fn subscribe(&self) -> broadcast::Receiver<Notice> {
        self.tx.subscribe()
    }

    pub fn send(&self, notice: Notice) {
        tracing::info!(kind = ?notice.kind, post = ?notice.post_id, account = ?notice.account_id, "notice: {}", notice.title);
        let _ = self.tx.send(notice);
    }
}
