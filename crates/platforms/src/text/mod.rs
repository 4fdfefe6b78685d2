//! How each network counts the text of a post.

mod tlds;
pub mod x_weighted;

pub use x_weighted::{XTextParse, weighted_length};
