//! JUnit XML (`peerlab up --junit FILE`): one `<testcase>` per expectation and step, in the
//! shape CI systems read (Jenkins, GitLab, GitHub test reporters: the Ant JUnit schema).
//!
//! ```
//! use std::time::Duration;
//! use topology::junit::{TestCase, TestSuite};
//!
//! let suite = TestSuite {
//!     name: "quickstart".to_string(),
//!     cases: vec![
//!         TestCase::passed("session prod ipv4 established", "quickstart.expect", Duration::from_millis(120)),
//!         TestCase::failed("reach laptop → app1", "quickstart.expect", Duration::ZERO,
//!             "dropped at provider", "dropped at provider \"scaleway\" VRF \"prod\": no route"),
//!     ],
//! };
//! let xml = suite.to_xml();
//! assert!(xml.contains(r#"<testsuite name="quickstart" tests="2" failures="1" errors="0" skipped="0""#));
//! ```
//!
//! The document is `<testsuites>` holding one `<testsuite>`; a testcase has `name`,
//! `classname` and `time` (seconds, 3 decimals), and a failed one a `<failure message="…">`
//! whose text is the detail. Text is escaped for XML 1.0, whose documents cannot hold most
//! control characters at all: those are written as `\u{…}`.
//!
//! Not here: deciding what passed (the runner does), or writing the file (the caller does,
//! with [`TestSuite::write`]).

use std::fmt::Write as _;
use std::time::Duration;

/// A whole run: one suite of testcases.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TestSuite {
    /// The suite's name (the topology's).
    pub name: String,
    /// Its testcases, in the order they ran.
    pub cases: Vec<TestCase>,
}

/// One expectation or step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TestCase {
    /// What it checked or did (the report's words).
    pub name: String,
    /// Where it belongs (`quickstart.expect`, `quickstart.steps`).
    pub classname: String,
    /// How long it took.
    pub time: Duration,
    /// `None` when it passed.
    pub failure: Option<Failure>,
}

/// Why a testcase failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// One line (the `message` attribute).
    pub message: String,
    /// The detail the report's table shows (the element's text).
    pub detail: String,
}

impl TestCase {
    /// A testcase that passed.
    pub fn passed(name: &str, classname: &str, time: Duration) -> Self {
        TestCase {
            name: name.to_string(),
            classname: classname.to_string(),
            time,
            failure: None,
        }
    }

    /// A testcase that failed with `message` (one line) and `detail`.
    pub fn failed(
        name: &str,
        classname: &str,
        time: Duration,
        message: &str,
        detail: &str,
    ) -> Self {
        TestCase {
            failure: Some(Failure {
                message: message.to_string(),
                detail: detail.to_string(),
            }),
            ..TestCase::passed(name, classname, time)
        }
    }
}

impl TestSuite {
    /// How many testcases failed.
    pub fn failures(&self) -> usize {
        self.cases.iter().filter(|c| c.failure.is_some()).count()
    }

    /// The suite's time: the sum of its testcases'.
    pub fn time(&self) -> Duration {
        self.cases.iter().map(|c| c.time).sum()
    }

    /// The XML document.
    pub fn to_xml(&self) -> String {
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let (tests, failures, time) = (self.cases.len(), self.failures(), seconds(self.time()));
        let name = escape(&self.name);
        let _ = writeln!(
            out,
            "<testsuites name=\"{name}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" time=\"{time}\">"
        );
        let _ = writeln!(
            out,
            "  <testsuite name=\"{name}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\" time=\"{time}\">"
        );
        for c in &self.cases {
            let _ = write!(
                out,
                "    <testcase name=\"{}\" classname=\"{}\" time=\"{}\"",
                escape(&c.name),
                escape(&c.classname),
                seconds(c.time)
            );
            match &c.failure {
                None => out.push_str("/>\n"),
                Some(f) => {
                    let _ = writeln!(
                        out,
                        ">\n      <failure message=\"{}\" type=\"failure\">{}</failure>\n    </testcase>",
                        escape(&f.message),
                        escape(&f.detail)
                    );
                }
            }
        }
        out.push_str("  </testsuite>\n</testsuites>\n");
        out
    }

    /// Writes the XML document to `out`.
    pub fn write(&self, out: &mut impl std::io::Write) -> std::io::Result<()> {
        out.write_all(self.to_xml().as_bytes())
    }
}

/// Seconds with millisecond precision, as JUnit writes them.
fn seconds(d: Duration) -> String {
    format!("{}.{:03}", d.as_secs(), d.subsec_millis())
}

/// Text for an attribute or an element: the five XML escapes; characters XML 1.0 cannot hold
/// written as `\u{…}`.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Kept by attribute normalisation only as character references.
            '\n' => out.push_str("&#10;"),
            '\t' => out.push_str("&#9;"),
            '\r' => out.push_str("&#13;"),
            c if allowed(c) => out.push(c),
            c => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
        }
    }
    out
}

/// XML 1.0's `Char` production.
fn allowed(c: char) -> bool {
    matches!(c, '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn parse(xml: &str) -> roxmltree::Document<'_> {
        roxmltree::Document::parse(xml).unwrap_or_else(|e| panic!("{e}: {xml}"))
    }

    fn sample() -> TestSuite {
        TestSuite {
            name: "quickstart".to_string(),
            cases: vec![
                TestCase::passed(
                    "session prod ipv4 established",
                    "quickstart.expect",
                    Duration::from_millis(1250),
                ),
                TestCase::failed(
                    "reach laptop → app1",
                    "quickstart.expect",
                    Duration::from_micros(3_500),
                    "laptop does not reach app1",
                    "laptop → app1: dropped at provider \"scaleway\" VRF \"prod\": \
                     10.1.0.0/16 rejected by prefix_filter_in <narrow> & co",
                ),
                TestCase::passed(
                    "step 1: api disable_route_propagation link=prod",
                    "quickstart.steps",
                    Duration::ZERO,
                ),
            ],
        }
    }

    #[test]
    fn reads_back_as_the_junit_shape() {
        let suite = sample();
        let xml = suite.to_xml();
        let doc = parse(&xml);
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "testsuites");
        assert_eq!(root.attribute("tests"), Some("3"));
        assert_eq!(root.attribute("failures"), Some("1"));
        let suites: Vec<_> = root.children().filter(|n| n.is_element()).collect();
        assert_eq!(suites.len(), 1);
        let s = suites[0];
        assert_eq!(s.tag_name().name(), "testsuite");
        assert_eq!(s.attribute("name"), Some("quickstart"));
        assert_eq!(s.attribute("tests"), Some("3"));
        assert_eq!(s.attribute("failures"), Some("1"));
        assert_eq!(s.attribute("errors"), Some("0"));
        assert_eq!(s.attribute("time"), Some("1.253"));
        let cases: Vec<_> = s
            .children()
            .filter(|n| n.has_tag_name("testcase"))
            .collect();
        assert_eq!(cases.len(), 3);
        for (case, want) in cases.iter().zip(&suite.cases) {
            assert_eq!(case.attribute("name"), Some(want.name.as_str()));
            assert_eq!(case.attribute("classname"), Some(want.classname.as_str()));
            let failure = case.children().find(|n| n.has_tag_name("failure"));
            match &want.failure {
                None => assert!(failure.is_none()),
                Some(f) => {
                    let failure = failure.unwrap();
                    assert_eq!(failure.attribute("message"), Some(f.message.as_str()));
                    assert_eq!(failure.text(), Some(f.detail.as_str()));
                }
            }
        }
        assert_eq!(cases[0].attribute("time"), Some("1.250"));
        assert_eq!(cases[1].attribute("time"), Some("0.003"));
    }

    #[test]
    fn an_empty_suite_is_a_valid_document() {
        let suite = TestSuite {
            name: String::new(),
            cases: Vec::new(),
        };
        let xml = suite.to_xml();
        let doc = parse(&xml);
        assert_eq!(doc.root_element().attribute("tests"), Some("0"));
    }

    #[test]
    fn control_characters_do_not_break_the_document() {
        let case = TestCase::failed("a\u{0}b", "c\u{1b}", Duration::ZERO, "m\u{7}", "d\u{fffe}");
        let xml = TestSuite {
            name: "x".to_string(),
            cases: vec![case],
        }
        .to_xml();
        let doc = parse(&xml);
        let case = doc
            .descendants()
            .find(|n| n.has_tag_name("testcase"))
            .unwrap();
        assert_eq!(case.attribute("name"), Some("a\\u{0}b"));
        assert_eq!(case.attribute("classname"), Some("c\\u{1b}"));
    }

    /// Any text XML 1.0 can hold.
    const XML_TEXT: &str = "[\\t\\n\\r\\x20-\\u{D7FF}\\u{E000}-\\u{FFFD}\\u{10000}-\\u{10FFFF}]*";

    proptest! {
        /// Any text XML can hold comes back as it went in (names, messages, details).
        #[test]
        fn any_text_round_trips(name in XML_TEXT, message in XML_TEXT, detail in XML_TEXT) {
            let suite = TestSuite {
                name: name.clone(),
                cases: vec![TestCase::failed(&name, "c", Duration::from_millis(7), &message, &detail)],
            };
            let xml = suite.to_xml();
            let doc = roxmltree::Document::parse(&xml).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let case = doc.descendants().find(|n| n.has_tag_name("testcase")).unwrap();
            prop_assert_eq!(case.attribute("name"), Some(name.as_str()));
            let failure = case.children().find(|n| n.has_tag_name("failure")).unwrap();
            prop_assert_eq!(failure.attribute("message"), Some(message.as_str()));
            prop_assert_eq!(failure.text().unwrap_or(""), detail.as_str());
        }
    }
}
