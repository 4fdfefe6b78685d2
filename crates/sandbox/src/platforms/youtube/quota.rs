//! The YouTube Data API quota ledger.
//!
//! Quota belongs to the API project; the sandbox treats each OAuth client id as
//! its own project. Days start at midnight America/Los_Angeles on the emulated
//! clock (daylight saving time included). Two cost models (`quota_model`):
//!
//! - `current`: `videos.insert` has its own bucket of `insert_calls_per_day`
//!   calls (1 per call); everything else shares `daily_quota_units`.
//! - `legacy`: one pool of `daily_quota_units`; `videos.insert` costs
//!   `legacy_insert_cost` (1,600) units.
//!
//! Other costs: `thumbnails.set`, `videos.update`, `videos.delete` 50;
//! `videos.list`, `channels.list` 1 (a read of a video's numbers for
//! Analytics, `videos.list?part=statistics`, is a `videos.list` like any
//! other and draws on the same shared units). A request that fails after
//! authentication (bad metadata, unknown video ...) still costs 1 unit of its
//! bucket. A request that cannot be afforded gets `403 quotaExceeded` and
//! costs nothing.
//!
//! The windows live in the core rate limiter under [`UNITS`] and [`INSERT_CALLS`]
//! (subject `project:<client_id>`), so `POST /_sandbox/quotas` can override them too.

use serde_json::{Value, json};

use super::{PLATFORM, QuotaModel, YouTubeSettings, quota_exceeded};
use crate::core::ratelimit::Limit;
use crate::core::state::SandboxState;
use axum::response::Response;

/// Rate-limiter name of the shared units pool.
pub const UNITS: &str = "units";
/// Rate-limiter name of the `videos.insert` calls bucket (current model).
pub const INSERT_CALLS: &str = "videos.insert";

/// A billable Data API method.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    VideosInsert,
    VideosList,
    VideosUpdate,
    VideosDelete,
    ChannelsList,
    ThumbnailsSet,
}

impl Op {
    /// `(limiter name, cost, default limit)` under `settings`.
    pub fn bucket(self, settings: &YouTubeSettings) -> (&'static str, u64, Limit) {
        let units = Limit::per_pacific_day(settings.daily_quota_units);
        match (self, settings.quota_model) {
            (Self::VideosInsert, QuotaModel::Current) => (
                INSERT_CALLS,
                1,
                Limit::per_pacific_day(settings.insert_calls_per_day),
            ),
            (Self::VideosInsert, QuotaModel::Legacy) => (UNITS, settings.legacy_insert_cost, units),
            (Self::VideosUpdate | Self::VideosDelete | Self::ThumbnailsSet, _) => {
                (UNITS, 50, units)
            }
            (Self::VideosList | Self::ChannelsList, _) => (UNITS, 1, units),
        }
    }
}

fn subject(client_id: &str) -> String {
    format!("project:{client_id}")
}

/// `Err(403 quotaExceeded)` if the project cannot afford `op` now.
pub(crate) fn check(st: &mut SandboxState, client_id: &str, op: Op) -> Result<(), Response> {
    let now = st.now();
    let (name, cost, limit) = op.bucket(&st.youtube.settings);
    let d = st
        .core(PLATFORM)
        .rate
        .peek(name, &subject(client_id), limit, now);
    if d.remaining < cost {
        Err(quota_exceeded())
    } else {
        Ok(())
    }
}

/// Charges `op`: its full cost when it succeeded, 1 when it failed.
pub(crate) fn charge(st: &mut SandboxState, client_id: &str, op: Op, succeeded: bool) {
    let now = st.now();
    let (name, cost, limit) = op.bucket(&st.youtube.settings);
    let cost = if succeeded { cost } else { cost.min(1) };
    let rate = &mut st.core(PLATFORM).rate;
    let d = rate.hit_cost(name, &subject(client_id), cost, limit, now);
    if !d.allowed && d.remaining > 0 {
        // A concurrent request took part of the budget: take what is left.
        rate.hit_cost(name, &subject(client_id), d.remaining, limit, now);
    }
}

/// The ledger as `GET /_sandbox/settings/youtube` reports it (`quota_usage`).
pub(crate) fn usage(st: &SandboxState) -> Value {
    let now = st.now();
    let Some(core) = st.core_ref(PLATFORM) else {
        return json!([]);
    };
    let settings = &st.youtube.settings;
    let mut out = Vec::new();
    for (name, default) in [
        (UNITS, Limit::per_pacific_day(settings.daily_quota_units)),
        (
            INSERT_CALLS,
            Limit::per_pacific_day(settings.insert_calls_per_day),
        ),
    ] {
        let mut projects: Vec<&str> = core
            .rate
            .windows()
            .filter(|(n, _, _, ends)| *n == name && *ends > now)
            .map(|(_, s, _, _)| s)
            .collect();
        projects.dedup();
        for p in projects {
            let d = core.rate.peek(name, p, default, now);
            out.push(json!({
                "bucket": name,
                "project": p.strip_prefix("project:").unwrap_or(p),
                "used": d.used,
                "limit": d.limit,
                "remaining": d.remaining,
                "resets_at": chrono::DateTime::from_timestamp(d.reset_at, 0),
            }));
        }
    }
    Value::Array(out)
}
