//! Hostile input, generated (proptest, fixed seeds from the repo's corpora): every parser of outside input
//! — vendor guides and recipes, key CSVs, INI files, policy documents read back from AWS (the card and the
//! evaluator), the loopback sign-in request, the pasted sign-in code, the journal — holds three promises on
//! any input: no panic, a bounded time, and a plain error (never a raw library dump). The corpora are the
//! files the other tests use (`tests/e2e/guides/`, `docs/recipes/`) and, for key CSVs, files written by the
//! app's own CSV writer from a key made up here (no key file is kept in the repo); a failing case proptest
//! finds is kept in `proptest-regressions/` beside this file and replayed first.

use proptest::prelude::*;
use proptest::test_runner::Config;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Per input, on a debug build of a loaded 2-core machine; a release build is far inside it.
const PER_INPUT: Duration = Duration::from_secs(5);

fn config() -> Config {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(200);
    Config { cases, failure_persistence: Some(Box::new(proptest::test_runner::FileFailurePersistence::SourceParallel("proptest-regressions"))), ..Config::default() }
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The text files of a corpus folder (and its subfolders).
fn corpus(dir: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut dirs = vec![repo().join(dir)];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("corpus {}: {e}", d.display())).flatten() {
            let p = e.path();
            if p.is_dir() {
                dirs.push(p);
            } else if let Ok(t) = std::fs::read_to_string(&p) {
                out.push(t);
            }
        }
    }
    out.sort();
    assert!(!out.is_empty(), "corpus {dir} is empty");
    out
}

/// Key CSVs in every layout the reader takes: the app's own two, and the older console's quoted one with a
/// byte-order mark, for a key made up from random-looking text (never a real key).
fn csv_seeds() -> Vec<String> {
    let key = crate::secret::AccessKey { access_key_id: format!("AKIA{}", "FUZZSEED".repeat(2)), secret_access_key: crate::secret::Secret::new("s".repeat(40)) };
    let mut out: Vec<String> = [crate::export::CsvFormat::Console, crate::export::CsvFormat::Importable].into_iter().map(|f| crate::export::credentials_csv(&key, "vendor, reader", f)).collect();
    out.push(format!("\u{FEFF}User Name,Access Key Id,Secret Access Key\n\"vendor\",{},\"{}\"\n", key.access_key_id, key.secret_access_key.expose()));
    out
}

/// Pieces that matter to the parsers, spliced into real inputs.
const TOKENS: &[&str] = &[
    "{", "}", "[", "]", "\"", "\\", ":", ",", "\n", "\r\n", "\t", "`", "'", "*", "?", "$", "${aws:username}", "\u{0}", "\u{1b}[2J", "\u{201C}", "\u{FEFF}", "é",
    "s3:GetObject", "s3:*", "iam:*", "arn:aws:s3:::", "YOUR-BUCKET-NAME", "{your-bucket-name}", "\"Statement\"", "\"Effect\"", "\"Allow\"", "\"Deny\"", "\"Action\"",
    "\"NotAction\"", "\"Resource\"", "\"Principal\"", "\"Condition\"", "\"StringLike\"", "\"DateLessThan\"", "External ID", "account ID 123456789012", "AmazonS3ReadOnlyAccess",
    "[default]", "[profile x]", "[sso-session s]", "=", "aws_access_key_id", "Access key ID", "Secret access key", "AKIAFUZZFUZZFUZZFUZZ", ",,,", "\"\"",
    "GET ", "/oauth/callback", "?", "&", "code=", "state=", "error=", "%", "%ZZ", "+", "HTTP/1.1", "{\"Version\":\"2012-10-17\",\"Statement\":[",
];

/// A real input with a few random edits: a token inserted, a range deleted or repeated.
fn mutated(seeds: Vec<String>) -> impl Strategy<Value = String> {
    let edit = prop_oneof![
        (any::<prop::sample::Index>(), prop::sample::select(TOKENS)).prop_map(|(at, t)| (0u8, at, t.to_string(), 0usize)),
        (any::<prop::sample::Index>(), 1usize..64).prop_map(|(at, n)| (1u8, at, String::new(), n)),
        (any::<prop::sample::Index>(), 1usize..32, 2usize..50).prop_map(|(at, n, times)| (2u8, at, String::new(), n * 100 + times)),
        (any::<prop::sample::Index>(), any::<String>()).prop_map(|(at, s)| (0u8, at, s, 0usize)),
    ];
    (prop::sample::select(seeds), prop::collection::vec(edit, 1..6)).prop_map(|(seed, edits)| {
        let mut s = seed;
        for (kind, at, text, n) in edits {
            let mut i = at.index(s.len() + 1);
            while !s.is_char_boundary(i) {
                i -= 1;
            }
            match kind {
                0 => s.insert_str(i, &text),
                1 => {
                    let mut j = (i + n).min(s.len());
                    while !s.is_char_boundary(j) {
                        j += 1;
                    }
                    s.replace_range(i..j, "");
                }
                _ => {
                    let (len, times) = (n / 100, n % 100);
                    let mut j = (i + len).min(s.len());
                    while !s.is_char_boundary(j) {
                        j += 1;
                    }
                    let piece = s[i..j].repeat(times);
                    s.insert_str(j, &piece);
                }
            }
        }
        s
    })
}

/// Text from the tokens alone, or anything at all.
fn tokens() -> impl Strategy<Value = String> {
    prop_oneof![prop::collection::vec(prop::sample::select(TOKENS), 0..200).prop_map(|t| t.concat()), any::<String>()]
}

/// A message for a person: no panic text, no Rust debug dump.
fn plain(e: &crate::Error) {
    let m = e.to_string();
    assert!(!m.is_empty() && !m.contains("panicked") && !m.contains("Error {") && !m.contains("kind:"), "not a plain message: {m}");
}

fn timed<T>(what: &str, f: impl FnOnce() -> T) -> T {
    let started = Instant::now();
    let out = f();
    assert!(started.elapsed() < PER_INPUT, "{what} took {:?}", started.elapsed());
    out
}

/// JSON shaped like an IAM policy, with anything where a policy may hold anything.
fn policy_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| Value::from(n)),
        prop::sample::select(TOKENS).prop_map(|t| Value::String(t.into())),
        prop::sample::select(&["s3:GetObject", "s3:*", "*", "iam:Pass?ole", "arn:aws:s3:::b/*", "arn:aws:s3:::b", "*/*", "2026-01-01T00:00:00Z", "10.0.0.0/8", "::1/128", "true", "Allow", "Deny"][..]).prop_map(|t| Value::String(t.into())),
        any::<String>().prop_map(Value::String),
    ];
    let keys = prop::sample::select(&["Version", "Statement", "Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Principal", "AWS", "Condition", "StringLike", "StringEquals", "ForAnyValue:StringLike", "DateLessThan", "IpAddress", "Null", "Bool", "aws:SourceIp", "aws:CurrentTime", "s3:prefix", "x"][..]);
    leaf.prop_recursive(5, 64, 8, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(keys.clone().prop_map(str::to_string), inner, 0..6).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn guides_read_any_text(text in prop_oneof![mutated(corpus("tests/e2e/guides")), tokens()]) {
        match timed("guide read", || crate::guide::read(&text, "acme-data")) {
            Ok(r) => {
                prop_assert!(r.findings.len() <= crate::guide::MAX_FINDINGS + 1);
                for f in &r.findings {
                    prop_assert!(f.line >= 1 && f.line <= text.lines().count().max(1) + 1, "{:?}", f);
                }
            }
            Err(e) => plain(&e),
        }
        if let Err(e) = crate::guide::read_before_bucket(&text) {
            plain(&e);
        }
    }

    #[test]
    fn recipes_read_any_text(text in prop_oneof![mutated(corpus("docs/recipes")), tokens()]) {
        if let Err(e) = timed("recipe", || crate::guide::recipe::Recipe::parse(&text).and_then(|r| r.proposal())) {
            plain(&e);
        }
    }

    #[test]
    fn key_csvs_read_any_text(text in prop_oneof![mutated(csv_seeds()), tokens()]) {
        match timed("csv", || crate::export::parse_credentials_csv(&text)) {
            Ok((key, _)) => prop_assert!(!key.access_key_id.is_empty()),
            Err(e) => plain(&e),
        }
    }

    #[test]
    fn ini_files_keep_what_they_hold(text in tokens(), name in "[a-z]{1,8}", value in "[A-Za-z0-9/+]{1,20}") {
        let header = format!("profile {name}");
        let body = vec![("region".to_string(), value.clone())];
        let written = timed("ini upsert", || crate::export::upsert_ini_section(&text, &header, &body, true, Path::new("config")));
        match written {
            Ok(out) => {
                prop_assert!(out.contains(&format!("[{header}]")), "the section is there: {out:?}");
                prop_assert!(out.contains(&format!("region = {value}")), "with its key: {out:?}");
                let removed = crate::export::remove_ini_section(&out, &header);
                prop_assert!(removed.is_some());
            }
            Err(e) => plain(&e),
        }
        let _ = timed("ini set", || crate::export::set_ini_keys(&text, &header, &body));
    }

    #[test]
    fn policies_from_aws_are_explained_and_evaluated_whatever_they_hold(doc in policy_json(), boundary in proptest::option::of(policy_json())) {
        let target = crate::explain::Target { partition: "aws", bucket: "b", prefix: Some("in/") };
        let held = crate::explain::Held { identity: vec![&doc], boundary: boundary.as_ref() };
        let lines = timed("card", || crate::explain::explain_held(&held, &target));
        prop_assert!(lines.iter().any(|l| l.code == "download"));
        let policies = crate::evaluate::Policies {
            identity: vec![crate::evaluate::NamedPolicy::new("p", doc.clone())],
            boundary: boundary.clone().map(|b| crate::evaluate::NamedPolicy::new("boundary", b)),
            resource: None,
        };
        let mut context = crate::evaluate::Context::new();
        context.set("aws:CurrentTime", "2026-12-07T12:00:00Z").set("aws:SourceIp", "203.0.113.9").set("aws:SecureTransport", "true");
        let request = crate::evaluate::Request { principal: "arn:aws:iam::123456789012:user/v".into(), action: "s3:GetObject".into(), resource: "arn:aws:s3:::b/in/x".into(), resource_account: "123456789012".into(), context };
        if let Err(e) = timed("evaluate", || crate::evaluate::evaluate(&request, &policies)) {
            plain(&e);
        }
    }

    #[test]
    fn the_loopback_takes_a_code_only_with_its_state(head in prop_oneof![
        tokens(),
        ("[a-z0-9%+]{0,12}", "[a-zA-Z0-9%+]{0,12}", any::<bool>()).prop_map(|(code, state, ok)| format!("GET /oauth/callback?code={code}&state={} HTTP/1.1\r\nHost: x\r\n\r\n", if ok { "s-1".to_string() } else { state })),
    ]) {
        match timed("loopback", || crate::signin::loopback::read_callback(&head, "s-1")) {
            crate::signin::loopback::Callback::Outcome(Ok(_)) => prop_assert!(head.contains("state=s-1"), "{head:?}"),
            crate::signin::loopback::Callback::Outcome(Err(e)) => plain(&e),
            _ => {}
        }
    }

    #[test]
    fn pasted_sign_in_codes_read_any_text(text in tokens()) {
        if let Err(e) = timed("pasted code", || crate::signin::console::parse_pasted_code(&text)) {
            plain(&e);
        }
    }

    #[test]
    fn journals_read_any_text(text in tokens()) {
        if let Err(e) = timed("journal", || crate::journal::parse(Path::new("j.jsonl"), &text)) {
            plain(&e);
        }
    }

    #[test]
    fn dates_and_addresses_read_any_text(text in tokens()) {
        let now = std::time::SystemTime::now();
        for r in [crate::limits::parse_ends(&text, now), crate::limits::parse_ends_in(&text, now), crate::limits::parse_source_ip(&text)] {
            if let Err(e) = r {
                plain(&e);
            }
        }
    }
}
