//! The plumbing every network client needs, written once: sending a request
//! with a good token and sorting the answer ([`request`]), the publish in
//! progress and its versioned checkpoint ([`checkpoint`]), media files
//! streamed from disk ([`files`]) and the text of error answers
//! ([`errors`]).
//!
//! What only looks alike stays with each network: how it maps its error
//! answers, validates its options and names its endpoints, and what its
//! checkpoint holds. Messages name the network through
//! [`Platform::display_name`](crate::types::Platform::display_name) or the
//! noun its checkpoint gives ("X post", "YouTube upload"), so they read word
//! for word as they did when each client had its own copy.

pub(crate) mod checkpoint;
pub(crate) mod errors;
pub(crate) mod files;
pub(crate) mod request;

use crate::error::{ErrorKind, PlatformError};
use crate::types::ValidationIssue;

/// The first rule a post breaks, as the error `publish` or `update` answers
/// before sending anything; `Ok` when it breaks none.
pub(crate) fn rules_met(issues: Vec<ValidationIssue>) -> Result<(), PlatformError> {
    match issues.into_iter().next() {
        Some(issue) => Err(PlatformError::new(
            ErrorKind::Rejected,
            issue.code,
            issue.message,
        )),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_issue_refuses_the_post() {
        assert!(rules_met(Vec::new()).is_ok());
        let e = rules_met(vec![
            ValidationIssue::new("text_too_long", "Too long.", Some("text")),
            ValidationIssue::new("media_required", "No media.", None),
        ])
        .expect_err("refused");
        assert_eq!(e.kind, ErrorKind::Rejected);
        assert_eq!(
            (e.code.as_str(), e.message.as_str()),
            ("text_too_long", "Too long.")
        );
    }
}
