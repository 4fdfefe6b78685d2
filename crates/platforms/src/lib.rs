//! Clients for the platforms CreatorFlow publishes to.
