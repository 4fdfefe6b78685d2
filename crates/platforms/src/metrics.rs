//! How a published post did: the numbers each network reports about its own
//! posts, under the network's own names. The engine reads them a few times
//! after a post goes out ([`crate::Publisher::metrics`]) and keeps them as a
//! time series; a network's client only says what its network offers, which
//! sign-in permissions that takes, and how many reads the creator's app may
//! make.

use serde::{Deserialize, Serialize};

/// One number about one post. `key` is shared between networks where the
/// meaning is the same ([`keys`]), so posts can be compared side by side;
/// `label` is what the network itself calls it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Metric {
    pub key: String,
    pub label: String,
    pub value: u64,
}

impl Metric {
    pub fn new(key: &str, label: &str, value: u64) -> Self {
        Self {
            key: key.to_owned(),
            label: label.to_owned(),
            value,
        }
    }
}

/// The shared keys. A network reports only those it has; what it does not
/// offer is absent, never zero.
pub mod keys {
    /// Times the post was shown (X, LinkedIn impressions).
    pub const IMPRESSIONS: &str = "impressions";
    /// Times it was watched or viewed (YouTube, TikTok, Instagram views).
    pub const VIEWS: &str = "views";
    /// People who saw it (Instagram reach, LinkedIn members reached).
    pub const REACH: &str = "reach";
    /// Likes (LinkedIn: reactions of any kind).
    pub const LIKES: &str = "likes";
    pub const COMMENTS: &str = "comments";
    /// Shares, reposts and reshares.
    pub const SHARES: &str = "shares";
    /// X quote posts.
    pub const QUOTES: &str = "quotes";
    /// Saves and bookmarks.
    pub const SAVES: &str = "saves";
}

/// What a read of a post's numbers found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PostMetrics {
    /// The post is live; these are its numbers now.
    Live(Vec<Metric>),
    /// The network no longer has the post (deleted there, or taken down):
    /// the numbers read before are all there will be.
    Removed,
}

/// How many reads a network lets the creator's app make in a period (X's
/// monthly allowance of posts read). The engine counts each read against
/// it, never goes past it, and shows what is left.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadBudget {
    /// The allowance in words, for Settings and the Analytics view: "X's
    /// monthly allowance of posts read by your app".
    pub label: String,
    /// Reads per calendar month (UTC), unless the creator sets their own
    /// (their app's access tier).
    pub default_per_month: u32,
}

/// What a network can tell about its posts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MetricsSupport {
    /// Whether this client reads metrics at all.
    pub available: bool,
    /// The metrics it can report, as (key, the network's label), in the
    /// order the network shows them. A post may lack some (a text post has
    /// no views).
    pub metrics: Vec<(&'static str, &'static str)>,
    /// The permissions a sign-in needs for reading them (the connect dialog
    /// asks for them and says why; an account whose sign-in lacks one is
    /// asked to reconnect).
    pub scopes: Vec<&'static str>,
    /// The read allowance of the creator's app, where the network has one.
    pub budget: Option<ReadBudget>,
}
