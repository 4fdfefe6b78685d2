//! Sending a request with a good token and sorting the answer, the same for
//! every network: each network's operation type ([`Operation`]) says which
//! network it is and how to read its error answers.

use std::fmt::Debug;
use std::future::Future;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use reqwest::header::HeaderMap;

use super::errors::redact;
use crate::auth::{TokenSource, authorized};
use crate::error::PlatformError;
use crate::types::{AccessToken, Platform};

/// An answer that is not an error (see [`Operation::accepts`]).
pub(crate) struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// Classifies an error answer to an operation: its status, headers and
/// body; `now` anchors retry times.
pub(crate) type MapError<O> = fn(O, u16, &HeaderMap, &[u8], DateTime<Utc>) -> PlatformError;

/// What a client was doing when the network answered (`XOperation`,
/// `YoutubeOperation` ...): it words the network's messages, so it also
/// knows how to read the network's answers.
pub(crate) trait Operation: Copy + Debug + Send + Sync {
    /// The network, named in transport errors and logs.
    const PLATFORM: Platform;

    /// How the network classifies an error answer (its `map_error`).
    const MAP_ERROR: MapError<Self>;

    /// Whether an answer with `status` comes back as an [`Answer`] rather
    /// than as an error: 2xx.
    fn accepts(status: u16) -> bool {
        (200..300).contains(&status)
    }

    /// A request that got no answer, or only part of one. reqwest's text,
    /// with the URL, is the detail (URLs carry no tokens: those go in
    /// headers).
    fn transport_error(e: reqwest::Error) -> PlatformError {
        PlatformError::from_transport(Self::PLATFORM.display_name(), &e)
    }
}

/// Sends a request and sorts the answer: what `op` accepts comes back,
/// anything else becomes a classified [`PlatformError`]. `secret` is
/// scrubbed from errors.
pub(crate) async fn execute<O: Operation>(
    op: O,
    request: reqwest::RequestBuilder,
    secret: &str,
) -> Result<Answer, PlatformError> {
    let network = O::PLATFORM.display_name();
    let transport = |e: reqwest::Error| redact(O::transport_error(e), secret);
    let response = request.send().await.map_err(transport)?;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.bytes().await.map_err(transport)?;
    tracing::debug!(?op, status, "{network} answered");
    if O::accepts(status) {
        Ok(Answer {
            status,
            headers,
            body,
        })
    } else {
        let err = (O::MAP_ERROR)(op, status, &headers, &body, Utc::now());
        tracing::info!(?op, status, code = %err.code, "{network} refused a request");
        Err(redact(err, secret))
    }
}

/// Builds and sends a request with a good token from `tokens`; after a 401
/// it asks for a renewed token and sends it once more.
pub(crate) async fn send<O, F, Fut>(
    op: O,
    tokens: &dyn TokenSource,
    build: F,
) -> Result<Answer, PlatformError>
where
    O: Operation,
    F: Fn(AccessToken) -> Fut,
    Fut: Future<Output = Result<reqwest::RequestBuilder, PlatformError>>,
{
    authorized(tokens, |token| {
        let request = build(token.clone());
        async move {
            let request = request.await?;
            execute(op, request, token.secret()).await
        }
    })
    .await
}
