//! ACLs: a frontend's ordered allow / deny / redirect rules, and why one matches a request.
//!
//! Semantics (Scaleway's acls.mdx, facts file §2): the ACLs of a frontend apply by ascending
//! `index`; the first that matches is final; a request no ACL matches is allowed. An ACL's IP
//! condition (`ip_subnet`) and HTTP condition (`http_filter` + `http_filter_value`) are ANDed;
//! `invert` makes it match when *neither* holds (the facts file's reading, rendered `if !ip
//! !http`). An ACL with no condition matches everything. Among several values of one
//! condition, any may match.
//!
//! The HTTP subjects are HAProxy's sample fetches: `path` (the target up to `?`, not
//! decoded) for `path_begin` (`path_beg`), `path_end` and `regex` (`path_reg`, an unanchored
//! search), and `req.hdr(name)` for `http_header_match`: every comma-separated value of every
//! header of that name (name case-insensitive), trimmed, compared exactly (`-m str`).

use std::fmt;
use std::net::IpAddr;

use ipnet::IpNet;
use regex::Regex;

/// An ACL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Acl {
    /// The ACL's name.
    pub name: String,
    /// `index`: the ACLs apply by ascending index.
    pub index: i32,
    /// `action`.
    pub action: AclAction,
    /// `match`.
    pub r#match: AclMatch,
}

/// `action`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AclAction {
    /// `allow`: the request goes on to routing; later ACLs are not evaluated.
    Allow,
    /// `deny`: HTTP 403, or the TCP connection closed.
    Deny,
    /// `redirect` (HTTP only).
    Redirect(AclActionRedirect),
}

impl AclAction {
    /// The API's `type`.
    pub fn as_str(&self) -> &'static str {
        match self {
            AclAction::Allow => "allow",
            AclAction::Deny => "deny",
            AclAction::Redirect(_) => "redirect",
        }
    }
}

/// `redirect`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AclActionRedirect {
    /// `type`.
    pub r#type: RedirectType,
    /// `target`: a URL with the placeholders `{{host}}`, `{{path}}`, `{{query}}` and
    /// `{{scheme}}` (location), or a scheme (scheme).
    pub target: String,
    /// `code`: 301, 302, 303, 307 or 308; `None` is 302.
    pub code: Option<u16>,
}

/// The redirect codes the API accepts (OpenAPI schema).
pub const REDIRECT_CODES: [u16; 5] = [301, 302, 303, 307, 308];
/// The redirect code when none is given.
pub const DEFAULT_REDIRECT_CODE: u16 = 302;

/// `redirect.type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RedirectType {
    /// `location`: to `target` with its placeholders filled in.
    Location,
    /// `scheme`: the same URL with scheme `target`.
    Scheme,
}

/// `match`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AclMatch {
    /// `ip_subnet`: client addresses; empty is no IP condition.
    pub ip_subnet: Vec<IpNet>,
    /// `http_filter`.
    pub http_filter: AclHttpFilter,
    /// `http_filter_value`.
    pub http_filter_value: Vec<String>,
    /// `http_filter_option`: the header name for `http_header_match`.
    pub http_filter_option: Option<String>,
    /// `invert`.
    pub invert: bool,
}

/// `http_filter`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum AclHttpFilter {
    /// `acl_http_filter_none`: no HTTP condition.
    #[default]
    None,
    /// `path_begin`.
    PathBegin,
    /// `path_end`.
    PathEnd,
    /// `regex` on the path.
    Regex,
    /// `http_header_match` on the header named by `http_filter_option`.
    HttpHeaderMatch,
}

impl AclHttpFilter {
    /// The API's value.
    pub fn as_str(self) -> &'static str {
        match self {
            AclHttpFilter::None => "acl_http_filter_none",
            AclHttpFilter::PathBegin => "path_begin",
            AclHttpFilter::PathEnd => "path_end",
            AclHttpFilter::Regex => "regex",
            AclHttpFilter::HttpHeaderMatch => "http_header_match",
        }
    }
}

/// What an ACL's conditions look at in a request.
#[derive(Clone, Copy, Debug)]
pub struct Subject<'a> {
    /// The client's address.
    pub source: IpAddr,
    /// The request's path (HTTP), without the query.
    pub path: Option<&'a str>,
    /// The request's headers (HTTP).
    pub headers: &'a [(String, String)],
}

/// Why an ACL matched: each condition, what it saw and what it found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AclWhy {
    /// The IP condition, if the ACL has one.
    pub ip: Option<IpCondition>,
    /// The HTTP condition, if the ACL has one.
    pub http: Option<HttpCondition>,
    /// `invert`: the ACL matched because neither condition held.
    pub inverted: bool,
}

/// An IP condition's verdict.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IpCondition {
    /// The client's address.
    pub source: IpAddr,
    /// The first subnet containing it, if any.
    pub subnet: Option<IpNet>,
}

/// An HTTP condition's verdict.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpCondition {
    /// The filter.
    pub filter: AclHttpFilter,
    /// What it looked at: the path, or the header's name.
    pub subject: String,
    /// The first value that matched, if any.
    pub value: Option<String>,
}

impl fmt::Display for AclWhy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if let Some(ip) = &self.ip {
            parts.push(match ip.subnet {
                Some(net) => format!("source {} is in {net}", ip.source),
                None => format!("source {} is in no ip_subnet", ip.source),
            });
        }
        if let Some(http) = &self.http {
            let verb = match http.filter {
                AclHttpFilter::PathBegin => "begins with",
                AclHttpFilter::PathEnd => "ends with",
                AclHttpFilter::Regex => "matches",
                AclHttpFilter::HttpHeaderMatch => "equals",
                AclHttpFilter::None => "is",
            };
            let what = match http.filter {
                AclHttpFilter::HttpHeaderMatch => format!("header {}", http.subject),
                _ => format!("path {}", http.subject),
            };
            parts.push(match &http.value {
                Some(value) => format!("{what} {verb} {value:?}"),
                None => format!("{what} {verb} no http_filter_value"),
            });
        }
        if parts.is_empty() {
            return f.write_str("unconditional");
        }
        if self.inverted {
            f.write_str("inverted: ")?;
        }
        f.write_str(&parts.join(" and "))
    }
}

/// An ACL ready to evaluate (its regexes compiled).
#[derive(Clone, Debug)]
pub struct AclRule {
    acl: Acl,
    regexes: Vec<Regex>,
}

/// The largest compiled regex the model accepts, in bytes.
const REGEX_SIZE_LIMIT: usize = 1 << 20;

impl AclRule {
    /// Compiles `acl`'s regexes (Rust's `regex` syntax: no look-around or back-references,
    /// which PCRE2 would accept; such a pattern is refused).
    pub fn new(acl: &Acl) -> Result<Self, regex::Error> {
        let regexes = match acl.r#match.http_filter {
            AclHttpFilter::Regex => acl
                .r#match
                .http_filter_value
                .iter()
                .map(|v| {
                    regex::RegexBuilder::new(v)
                        .size_limit(REGEX_SIZE_LIMIT)
                        .build()
                })
                .collect::<Result<_, _>>()?,
            _ => Vec::new(),
        };
        Ok(AclRule {
            acl: acl.clone(),
            regexes,
        })
    }

    /// The ACL.
    pub fn acl(&self) -> &Acl {
        &self.acl
    }

    /// Why the ACL matches `subject`, or `None` if it does not.
    pub fn check(&self, subject: &Subject<'_>) -> Option<AclWhy> {
        let m = &self.acl.r#match;
        let ip = (!m.ip_subnet.is_empty()).then(|| IpCondition {
            source: subject.source,
            subnet: m
                .ip_subnet
                .iter()
                .find(|net| net.contains(&subject.source))
                .copied(),
        });
        let http = (m.http_filter != AclHttpFilter::None).then(|| self.http_condition(subject));
        let holds = [
            ip.as_ref().map(|c| c.subnet.is_some()),
            http.as_ref().map(|c| c.value.is_some()),
        ];
        let present = holds.iter().flatten();
        let matched = if m.invert {
            present.clone().all(|h| !h)
        } else {
            present.clone().all(|h| *h)
        };
        matched.then_some(AclWhy {
            ip,
            http,
            inverted: m.invert,
        })
    }

    fn http_condition(&self, subject: &Subject<'_>) -> HttpCondition {
        let m = &self.acl.r#match;
        let path = subject.path.unwrap_or("");
        let path_value =
            |test: &dyn Fn(&str) -> bool| m.http_filter_value.iter().find(|v| test(v)).cloned();
        let (what, value) = match m.http_filter {
            AclHttpFilter::None => (String::new(), None),
            AclHttpFilter::PathBegin => (path.into(), path_value(&|v| path.starts_with(v))),
            AclHttpFilter::PathEnd => (path.into(), path_value(&|v| path.ends_with(v))),
            AclHttpFilter::Regex => (
                path.into(),
                m.http_filter_value
                    .iter()
                    .zip(&self.regexes)
                    .find(|(_, re)| re.is_match(path))
                    .map(|(v, _)| v.clone()),
            ),
            AclHttpFilter::HttpHeaderMatch => {
                let name = m.http_filter_option.as_deref().unwrap_or("");
                let values: Vec<&str> = header_values(subject.headers, name).collect();
                (
                    name.into(),
                    m.http_filter_value
                        .iter()
                        .find(|v| values.contains(&v.as_str()))
                        .cloned(),
                )
            }
        };
        HttpCondition {
            filter: m.http_filter,
            subject: what,
            value: if subject.path.is_some() { value } else { None },
        }
    }
}

/// HAProxy's `req.hdr(name)`: the comma-separated values of every header named `name`
/// (case-insensitively), trimmed of spaces and tabs.
pub fn header_values<'a>(
    headers: &'a [(String, String)],
    name: &'a str,
) -> impl Iterator<Item = &'a str> + 'a {
    headers
        .iter()
        .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
        .flat_map(|(_, v)| v.split(','))
        .map(|v| v.trim_matches([' ', '\t']))
}
