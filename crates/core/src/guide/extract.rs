//! Finding the JSON in a vendor's guide: every `{...}` or `[...]` block that parses once the usual
//! copy-and-paste damage is undone (smart quotes, trailing commas, placeholders for the bucket), with the
//! line it starts on, and the plain-text values a guide gives around it (account ID, external ID, role
//! ARN, managed policy names).

use regex::Regex;
use serde_json::Value;
use std::sync::OnceLock;

/// One JSON block found in the guide.
#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    /// 1-based line of the guide where the block starts.
    pub line: usize,
    /// The block's text as the guide has it (before repairs).
    pub text: String,
    pub value: Value,
}

/// Everything read out of a guide.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Extracted {
    pub blocks: Vec<Block>,
    /// A 12-digit AWS account ID the text names (outside the JSON), e.g. "our account ID: 210987654321".
    pub account_id: Option<String>,
    pub external_id: Option<String>,
    /// AWS managed policies the guide names, with their line.
    pub managed_policies: Vec<(String, usize)>,
    /// Placeholders replaced by the bucket, as they were written.
    pub placeholders: Vec<String>,
}

/// AWS managed policies a guide may name instead of JSON, with what they allow (for the findings).
pub const MANAGED_POLICIES: &[(&str, &str)] = &[
    ("AmazonS3ReadOnlyAccess", "read every bucket in the account"),
    ("AmazonS3FullAccess", "read, change and delete every bucket in the account, and their settings"),
    ("AmazonS3ObjectLambdaExecutionRolePolicy", "more than a bucket: it is for S3 Object Lambda functions"),
    ("AdministratorAccess", "everything in the account"),
    ("PowerUserAccess", "everything in the account except IAM"),
];

fn placeholder_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        // {your-bucket-name} <bucket> <YOUR_BUCKET> [bucket-name] ${BucketName} {{bucket}} YOUR-BUCKET-NAME
        // BUCKET_NAME YOUR_S3_BUCKET my-bucket-name example-bucket
        Regex::new(r"(?x)
            \$?\{\{?\s*[A-Za-z _-]*[Bb][Uu][Cc][Kk][Ee][Tt][A-Za-z _-]*\}\}?
          | <\s*[A-Za-z _-]*[Bb][Uu][Cc][Kk][Ee][Tt][A-Za-z _-]*>
          | \[\s*[A-Za-z _-]*[Bb][Uu][Cc][Kk][Ee][Tt][A-Za-z _-]*\]
          | \b(?:YOUR[-_])?(?:S3[-_])?BUCKET(?:[-_]NAME)?\b
          | \b(?:your|my|example)-(?:s3-)?bucket(?:-name)?\b
        ").expect("placeholder pattern")
    })
}

/// Replace the guide's bucket placeholders with `bucket`; returns the text and what was replaced.
pub fn fill_placeholders(text: &str, bucket: &str) -> (String, Vec<String>) {
    let mut found = Vec::new();
    let out = placeholder_re()
        .replace_all(text, |c: &regex::Captures| {
            let m = c[0].to_string();
            if !found.contains(&m) {
                found.push(m);
            }
            bucket.to_string()
        })
        .into_owned();
    (out, found)
}

/// Undo what word processors and chat tools do to JSON: curly quotes, non-breaking spaces, trailing
/// commas before `}` or `]`.
pub fn repair(text: &str) -> String {
    let straight: String = text
        .chars()
        .map(|c| match c {
            '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{00AB}' | '\u{00BB}' => '"',
            '\u{2018}' | '\u{2019}' => '\'',
            '\u{00A0}' | '\u{2007}' | '\u{202F}' => ' ',
            c => c,
        })
        .collect();
    static TRAILING: OnceLock<Regex> = OnceLock::new();
    let re = TRAILING.get_or_init(|| Regex::new(r",(\s*[}\]])").expect("trailing comma pattern"));
    re.replace_all(&straight, "$1").into_owned()
}

/// The end (exclusive byte index) of the bracketed block starting at `start`, minding strings.
fn block_end(s: &str, start: usize) -> Option<usize> {
    let bytes = s.as_bytes();
    let mut depth = 0i32;
    let mut in_str = false;
    let mut escaped = false;
    for (i, &b) in bytes.iter().enumerate().skip(start) {
        if in_str {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_str = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_str = true,
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i + 1);
                }
                if depth < 0 {
                    return None;
                }
            }
            _ => {}
        }
    }
    None
}

/// Read a guide: its JSON blocks (outermost only; a block that does not parse is skipped), and the
/// values it gives in plain text.
pub fn extract(guide: &str, bucket: &str) -> Extracted {
    let (filled, placeholders) = fill_placeholders(guide, bucket);
    let text = repair(&filled);
    let mut out = Extracted { placeholders, ..Default::default() };
    let mut i = 0;
    while i < text.len() {
        let Some(rel) = text[i..].find(['{', '[']) else { break };
        let start = i + rel;
        match block_end(&text, start) {
            Some(end) => match serde_json::from_str::<Value>(&text[start..end]) {
                Ok(value) if value.is_object() || value.as_array().is_some_and(|a| a.iter().any(Value::is_object)) => {
                    out.blocks.push(Block { line: text[..start].matches('\n').count() + 1, text: text[start..end].to_string(), value });
                    i = end;
                }
                _ => i = start + 1,
            },
            None => i = start + 1,
        }
    }
    let outside: String = {
        let mut t = text.clone();
        for b in &out.blocks {
            t = t.replacen(&b.text, "", 1);
        }
        t
    };
    static ACCOUNT: OnceLock<Regex> = OnceLock::new();
    let account = ACCOUNT.get_or_init(|| Regex::new(r"(?i)account(?:\s+id|\s+number)?\s*(?:is|:|=)?\s*`?(\d{4}-?\d{4}-?\d{4})\b").expect("account pattern"));
    out.account_id = account.captures(&outside).map(|c| c[1].replace('-', ""));
    static EXTERNAL: OnceLock<Regex> = OnceLock::new();
    let external = EXTERNAL.get_or_init(|| Regex::new(r"(?i)external[\s_-]?id\s*(?:is|:|=)?\s*`?([A-Za-z0-9+=,.@:/-]{2,1224})`?").expect("external id pattern"));
    out.external_id = external.captures(&outside).map(|c| c[1].trim_end_matches(['.', ',']).to_string());
    for (name, _) in MANAGED_POLICIES {
        if let Some(pos) = guide.find(name) {
            out.managed_policies.push((name.to_string(), guide[..pos].matches('\n').count() + 1));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_in_the_forms_guides_use() {
        for p in ["{your-bucket-name}", "YOUR-BUCKET-NAME", "BUCKET_NAME", "<bucket>", "<YOUR_BUCKET>", "${BucketName}", "[bucket-name]", "{{bucket}}", "your-bucket", "example-bucket", "YOUR_S3_BUCKET"] {
            let (t, found) = fill_placeholders(&format!("arn:aws:s3:::{p}/*"), "acme-data");
            assert_eq!(t, "arn:aws:s3:::acme-data/*", "{p}");
            assert_eq!(found, vec![p.to_string()]);
        }
        let (t, _) = fill_placeholders("arn:aws:s3:::real-bucket-2/*", "acme-data");
        assert_eq!(t, "arn:aws:s3:::real-bucket-2/*", "a real name stays");
    }

    #[test]
    fn json_blocks_survive_word_processors() {
        let guide = "Step 3. Paste this policy:\n\n{\n  \u{201C}Version\u{201D}: \u{201C}2012-10-17\u{201D},\n  \u{201C}Statement\u{201D}: [\n    {\u{201C}Effect\u{201D}: \u{201C}Allow\u{201D}, \u{201C}Action\u{201D}: [\u{201C}s3:GetObject\u{201D},], \u{201C}Resource\u{201D}: \u{201C}arn:aws:s3:::<bucket>/*\u{201D}},\n  ]\n}\n\nThen click Save. Our account ID: 2109-8765-4321 and External ID: `acme-7f3a9`.\nAttach AmazonS3ReadOnlyAccess if unsure.";
        let x = extract(guide, "acme-data");
        assert_eq!(x.blocks.len(), 1);
        assert_eq!(x.blocks[0].line, 3);
        assert_eq!(x.blocks[0].value["Statement"][0]["Resource"], "arn:aws:s3:::acme-data/*");
        assert_eq!(x.account_id.as_deref(), Some("210987654321"));
        assert_eq!(x.external_id.as_deref(), Some("acme-7f3a9"));
        assert_eq!(x.managed_policies, vec![("AmazonS3ReadOnlyAccess".to_string(), 11)]);
        assert_eq!(x.placeholders, vec!["<bucket>".to_string()]);
    }

    #[test]
    fn text_in_braces_is_not_json() {
        let x = extract("Use {curly} words and [brackets] freely. {\"a\": [1, 2]}", "b");
        assert_eq!(x.blocks.len(), 1);
        assert_eq!(x.blocks[0].value["a"][1], 2);
    }
}
