//! What every `List…` call shares: page checks, the page cut, and the text filters.
//!
//! Pages are 1-based. A missing `page` is 1 and a missing `page_size` is [`DEFAULT_PAGE_SIZE`];
//! `page = 0`, `page_size = 0` or `page_size > 100` are `invalid_arguments`, as Scaleway answers.
//! A page past the end is empty and still carries `total_count`.

use crate::error::{ArgumentError, ArgumentReason, ProviderError};
use std::cmp::Ordering;

/// The page size when the request gives none (our choice: the API documentation is silent).
pub const DEFAULT_PAGE_SIZE: u32 = 50;
/// The largest page size Scaleway accepts.
pub const MAX_PAGE_SIZE: u32 = 100;

/// Checks `page` and `page_size`, giving back the values to use.
pub fn check_page(page: Option<u32>, page_size: Option<u32>) -> Result<(u32, u32), ProviderError> {
    let mut details = Vec::new();
    let page = page.unwrap_or(1);
    if page == 0 {
        details.push(ArgumentError::new(
            "page",
            ArgumentReason::Constraint,
            "must be greater than or equal to 1",
        ));
    }
    let size = page_size.unwrap_or(DEFAULT_PAGE_SIZE);
    if size == 0 || size > MAX_PAGE_SIZE {
        details.push(ArgumentError::new(
            "page_size",
            ArgumentReason::Constraint,
            format!("must be between 1 and {MAX_PAGE_SIZE}"),
        ));
    }
    if details.is_empty() {
        Ok((page, size))
    } else {
        Err(ProviderError::InvalidArguments { details })
    }
}

/// Cuts one page out of the sorted, filtered items; gives the page and the total count.
pub fn paginate<T>(items: Vec<T>, page: u32, page_size: u32) -> (Vec<T>, u64) {
    let total = items.len() as u64;
    let skip = u64::from(page.saturating_sub(1)) * u64::from(page_size);
    let skip = usize::try_from(skip).unwrap_or(usize::MAX);
    let page_items = items
        .into_iter()
        .skip(skip)
        .take(page_size as usize)
        .collect();
    (page_items, total)
}

/// The `name` filter: a substring of the name (case-sensitive); `None` or empty keeps everything.
pub fn name_matches(filter: Option<&str>, name: &str) -> bool {
    match filter {
        None | Some("") => true,
        Some(f) => name.contains(f),
    }
}

/// The `tags` filter: the resource has at least one of the tags; no tags keeps everything.
pub fn tags_match(filter: &[String], tags: &[String]) -> bool {
    filter.is_empty() || filter.iter().any(|f| tags.contains(f))
}

/// The order of two items: by `key`, ties by creation sequence, the whole reversed when
/// `descending` (so that among equals the newest comes first in a descending list).
pub fn ordered(key: Ordering, seq_a: u64, seq_b: u64, descending: bool) -> Ordering {
    let o = key.then(seq_a.cmp(&seq_b));
    if descending { o.reverse() } else { o }
}

/// A filter on an optional value: `None` keeps everything.
pub fn eq_or_any<T: PartialEq>(filter: Option<&T>, value: &T) -> bool {
    filter.is_none_or(|f| f == value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_limits() {
        assert_eq!(check_page(None, None), Ok((1, DEFAULT_PAGE_SIZE)));
        assert_eq!(check_page(Some(3), Some(100)), Ok((3, 100)));
        for (p, s, n) in [
            (Some(0), None, 1),
            (None, Some(0), 1),
            (None, Some(101), 1),
            (Some(0), Some(0), 2),
        ] {
            match check_page(p, s) {
                Err(ProviderError::InvalidArguments { details }) => assert_eq!(details.len(), n),
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn pages_and_past_the_end() {
        let items: Vec<u32> = (0..7).collect();
        assert_eq!(paginate(items.clone(), 1, 3), (vec![0, 1, 2], 7));
        assert_eq!(paginate(items.clone(), 3, 3), (vec![6], 7));
        assert_eq!(paginate(items.clone(), 4, 3), (vec![], 7));
        assert_eq!(paginate(items, u32::MAX, 100), (vec![], 7));
    }

    #[test]
    fn text_filters() {
        assert!(name_matches(None, "x"));
        assert!(name_matches(Some(""), "x"));
        assert!(name_matches(Some("ro"), "prod"));
        assert!(!name_matches(Some("Prod"), "prod"));
        let tags = vec!["a".to_string(), "b".to_string()];
        assert!(tags_match(&[], &tags));
        assert!(tags_match(&["b".into(), "z".into()], &tags));
        assert!(!tags_match(&["z".into()], &tags));
    }
}
