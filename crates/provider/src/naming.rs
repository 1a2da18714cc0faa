//! What a Scaleway resource's name and tags may be, for every product (InterLink, IPAM, and the
//! LB and VPC APIs): one rule, one error body.
//!
//! - **Control characters** (Unicode category Cc: U+0000–U+001F and U+007F–U+009F, NUL, tab and
//!   newline included) are refused in names and tags with `reason: format`. No Scaleway source
//!   states this; we choose it because such a name cannot be shown, logged or put in a DNS
//!   record faithfully, and it is what the issue asks. Other Unicode (accents, emoji) passes.
//! - **Length** is counted in characters (Unicode scalar values), as the SDKs' `maxLength` rules
//!   count a string's length. An over-long name is refused with `reason: constraint`.
//! - A missing or blank name stays each call's own business (`required` on creation).
//!
//! The error body is Scaleway's standard `invalid_arguments` one, with one `details` entry per
//! refused argument (`name`, `tags` for the count, `tags.N` for one tag):
//!
//! ```
//! use provider::naming::{self, NameLimits};
//! let e = naming::check_name("name", "a\0b", NameLimits::INTERLINK).unwrap_err();
//! assert_eq!(e.argument_name, "name");
//! assert_eq!(e.reason.as_str(), "format");
//! assert!(naming::check_name("name", &"x".repeat(255), NameLimits::INTERLINK).is_ok());
//! assert!(naming::check_name("name", &"x".repeat(256), NameLimits::INTERLINK).is_err());
//! assert!(naming::check_tags("tags", &["prod".to_string()]).is_empty());
//! ```
//!
//! Not here: uniqueness (Scaleway does not require unique names for these resources) and the
//! `required` check of a blank name (each call's message names its resource).

use crate::error::{ArgumentError, ArgumentReason, ProviderError};

/// How long a name may be, in characters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NameLimits {
    /// At most this many characters.
    pub max_chars: usize,
}

impl NameLimits {
    /// InterLink links and routing policies: at most 255 characters. Source: the JS SDK's
    /// generated validation rules (`@scaleway/sdk-interlink`, `v1beta1/validation-rules.gen`:
    /// `CreateLinkRequest.name`, `UpdateLinkRequest.name`, `CreateRoutingPolicyRequest.name`,
    /// `UpdateRoutingPolicyRequest.name`: `minLength: 1, maxLength: 255`), which come from the
    /// API's own definitions. Dedicated connections (catalogue entries) follow the same rule.
    pub const INTERLINK: NameLimits = NameLimits { max_chars: 255 };

    /// A resource name other products give (IPAM's custom resource `name`, published as a DNS
    /// record in the private network; an LB's or a VPC's name until their own limits are known):
    /// 255 characters too. No source states a limit for these; we choose InterLink's so that one
    /// rule holds everywhere. IPAM's `ListIPsRequest.resource_name` filter is 2–63 characters
    /// (`@scaleway/sdk-ipam` validation rules), which we do not apply to the name itself.
    pub const RESOURCE: NameLimits = NameLimits { max_chars: 255 };

    /// A host name (IPAM `reverses[].hostname`): at most 253 characters, the longest DNS name
    /// in its text form (RFC 1035 §2.3.4: 255 octets on the wire).
    pub const HOSTNAME: NameLimits = NameLimits { max_chars: 253 };
}

/// At most this many tags on one resource. No Scaleway source states a limit for InterLink or
/// IPAM tags; we choose 50 (IAM, the only product that documents one, allows 10; a cap is needed
/// so that a request cannot grow the state without bound).
pub const MAX_TAGS: usize = 50;

/// At most this many characters in one tag. No Scaleway source states it; we choose 128, so a
/// full tag list stays a few kilobytes.
pub const MAX_TAG_CHARS: usize = 128;

/// Whether `text` holds a control character (Unicode Cc).
pub fn has_control(text: &str) -> bool {
    text.chars().any(char::is_control)
}

/// Checks one name (or any string that names something) against `limits` and the control
/// character rule. `argument` is the API's name of the field (`name`, `resource.name`).
pub fn check_name(argument: &str, name: &str, limits: NameLimits) -> Result<(), ArgumentError> {
    if has_control(name) {
        return Err(ArgumentError::new(
            argument,
            ArgumentReason::Format,
            "must not contain control characters (U+0000 to U+001F, U+007F to U+009F)",
        ));
    }
    // `take` keeps the count bounded by the limit, whatever the input's size.
    if name.chars().take(limits.max_chars + 1).count() > limits.max_chars {
        return Err(ArgumentError::new(
            argument,
            ArgumentReason::Constraint,
            format!("length must be at most {} characters", limits.max_chars),
        ));
    }
    Ok(())
}

/// Checks a tag list: at most [`MAX_TAGS`] tags (`argument`), each at most [`MAX_TAG_CHARS`]
/// characters with no control character (`argument.N`). Gives one entry per refusal.
pub fn check_tags(argument: &str, tags: &[String]) -> Vec<ArgumentError> {
    let mut details = Vec::new();
    if tags.len() > MAX_TAGS {
        details.push(ArgumentError::new(
            argument,
            ArgumentReason::Constraint,
            format!("at most {MAX_TAGS} tags"),
        ));
        // One entry for the list is enough: a caller sending thousands of tags gets one line.
        return details;
    }
    for (i, tag) in tags.iter().enumerate() {
        let limits = NameLimits {
            max_chars: MAX_TAG_CHARS,
        };
        if let Err(e) = check_name(&format!("{argument}.{i}"), tag, limits) {
            details.push(e);
        }
    }
    details
}

/// Checks an optional name and optional tags together, for the calls that take both; adds the
/// refusals to `details`.
pub fn check_name_and_tags(
    name: Option<&str>,
    limits: NameLimits,
    tags: Option<&[String]>,
    details: &mut Vec<ArgumentError>,
) {
    if let Some(Err(e)) = name.map(|n| check_name("name", n, limits)) {
        details.push(e);
    }
    if let Some(tags) = tags {
        details.extend(check_tags("tags", tags));
    }
}

/// [`check_name_and_tags`] as a call's first step: the error to answer, if any.
pub fn validate(
    name: Option<&str>,
    limits: NameLimits,
    tags: Option<&[String]>,
) -> Result<(), ProviderError> {
    let mut details = Vec::new();
    check_name_and_tags(name, limits, tags, &mut details);
    if details.is_empty() {
        Ok(())
    } else {
        Err(ProviderError::InvalidArguments { details })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn control_characters_are_refused_and_other_unicode_passes() {
        for bad in ["\0", "a\nb", "tab\t", "\u{7f}", "\u{85}", "\u{9f}x"] {
            let e = check_name("name", bad, NameLimits::INTERLINK).unwrap_err();
            assert_eq!(e.reason, ArgumentReason::Format, "{bad:?}");
        }
        for good in ["prod", "Lien à Paris", "链接", "🙂 ok", "a b", "\u{a0}"] {
            assert!(
                check_name("name", good, NameLimits::INTERLINK).is_ok(),
                "{good:?}"
            );
        }
    }

    #[test]
    fn a_thousand_nuls_are_refused() {
        let name = "\0".repeat(1000);
        let e = validate(Some(&name), NameLimits::INTERLINK, None).unwrap_err();
        let body = e.body();
        assert_eq!(body["type"], "invalid_arguments");
        assert_eq!(body["details"][0]["argument_name"], "name");
        assert_eq!(body["details"][0]["reason"], "format");
    }

    #[test]
    fn length_is_counted_in_characters() {
        let limits = NameLimits::INTERLINK;
        assert!(check_name("name", &"é".repeat(255), limits).is_ok());
        let e = check_name("name", &"é".repeat(256), limits).unwrap_err();
        assert_eq!(e.reason, ArgumentReason::Constraint);
        assert_eq!(e.help_message, "length must be at most 255 characters");
        assert!(check_name("h", &"a".repeat(254), NameLimits::HOSTNAME).is_err());
    }

    #[test]
    fn tags_are_counted_and_each_is_checked() {
        let ok: Vec<String> = (0..MAX_TAGS).map(|i| format!("t{i}")).collect();
        assert!(check_tags("tags", &ok).is_empty());
        let too_many: Vec<String> = (0..=MAX_TAGS).map(|i| format!("t{i}")).collect();
        let details = check_tags("tags", &too_many);
        assert_eq!(details.len(), 1);
        assert_eq!(details[0].argument_name, "tags");
        let bad = vec![
            "fine".to_string(),
            "nul\0".to_string(),
            "x".repeat(MAX_TAG_CHARS + 1),
        ];
        let names: Vec<String> = check_tags("tags", &bad)
            .into_iter()
            .map(|d| d.argument_name)
            .collect();
        assert_eq!(names, ["tags.1", "tags.2"]);
    }

    proptest! {
        #[test]
        fn any_string_gets_an_answer_and_control_characters_never_pass(s in any::<String>()) {
            let r = check_name("name", &s, NameLimits::INTERLINK);
            if has_control(&s) {
                prop_assert_eq!(r.unwrap_err().reason, ArgumentReason::Format);
            } else if s.chars().count() > 255 {
                prop_assert_eq!(r.unwrap_err().reason, ArgumentReason::Constraint);
            } else {
                prop_assert!(r.is_ok());
            }
            let tags = vec![s.clone(), "ok".to_string()];
            let details = check_tags("tags", &tags);
            prop_assert_eq!(details.is_empty(), !has_control(&s) && s.chars().count() <= MAX_TAG_CHARS);
        }

        #[test]
        fn a_control_character_anywhere_is_refused(
            before in "[^\\p{Cc}]{0,40}",
            control in prop_oneof![0u32..0x20, 0x7fu32..0xa0],
            after in "[^\\p{Cc}]{0,40}",
        ) {
            let c = char::from_u32(control).unwrap_or('\0');
            let name = format!("{before}{c}{after}");
            let r = validate(Some(&name), NameLimits::INTERLINK, Some(std::slice::from_ref(&name)));
            let ProviderError::InvalidArguments { details } = r.unwrap_err() else {
                return Err(TestCaseError::fail("not invalid_arguments"));
            };
            let names: Vec<&str> = details.iter().map(|d| d.argument_name.as_str()).collect();
            prop_assert_eq!(names, vec!["name", "tags.0"]);
            prop_assert!(details.iter().all(|d| d.reason == ArgumentReason::Format));
        }
    }
}
