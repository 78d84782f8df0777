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
    /// The text speaks of an external ID (whether or not it gives one).
    pub external_id_mentioned: bool,
    /// The guide holds more than [`MAX_BLOCKS`] blocks; the rest were not read.
    pub more_blocks: bool,
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

/// The most JSON blocks read from one guide; a guide holds a handful (more is said as a finding).
pub const MAX_BLOCKS: usize = 64;

/// Where each line starts, so a byte offset becomes its 1-based line in one binary search.
pub struct Lines(Vec<usize>);

impl Lines {
    pub fn of(text: &str) -> Lines {
        Lines(std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect())
    }

    /// The 1-based line holding byte `offset`.
    pub fn line(&self, offset: usize) -> usize {
        self.0.partition_point(|&start| start <= offset)
    }

    /// The byte range of 1-based line `line` (without its line break).
    pub fn range(&self, line: usize, len: usize) -> std::ops::Range<usize> {
        let start = self.0.get(line.saturating_sub(1)).copied().unwrap_or(len);
        let end = self.0.get(line).map(|next| next - 1).unwrap_or(len);
        start..end.max(start)
    }
}

/// serde_json's nesting limit (its recursion limit of 128 allows 127 levels): a value nested deeper never
/// parses, so it is not tried.
const MAX_NESTING: usize = 127;

/// Every bracket pair of `text` (`{...}` or `[...]`, minding JSON strings), as (start, end exclusive, how
/// many levels deep it nests), in the order they open. One pass with a stack: a quote opens a string only inside a bracket, and a string
/// ends at the end of its line (JSON strings never span one), so prose quotes cannot swallow what follows;
/// a closing bracket of the wrong kind abandons the brackets still open (none of them can be JSON).
fn bracket_pairs(text: &str) -> Vec<(usize, usize, usize)> {
    let mut pairs = Vec::new();
    // (bracket, where it opens, the deepest nesting of what it holds so far)
    let mut open: Vec<(u8, usize, usize)> = Vec::new();
    let (mut in_str, mut escaped) = (false, false);
    for (i, &b) in text.as_bytes().iter().enumerate() {
        if in_str {
            match (escaped, b) {
                (_, b'\n') => in_str = false,
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_str = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' if !open.is_empty() => in_str = true,
            b'{' | b'[' => open.push((b, i, 0)),
            b'}' | b']' => match open.pop() {
                Some((o, start, inner)) if (o == b'{') == (b == b'}') => {
                    pairs.push((start, i + 1, inner + 1));
                    if let Some(parent) = open.last_mut() {
                        parent.2 = parent.2.max(inner + 1);
                    }
                }
                Some(_) => open.clear(),
                None => {}
            },
            _ => {}
        }
    }
    pairs.sort_unstable();
    pairs
}

/// Read a guide: its JSON blocks (outermost only; a block that does not parse is skipped and what it
/// holds is tried instead), and the values it gives in plain text. Linear in the guide's length: the
/// brackets are paired in one pass, each pair is parsed at most once (and not at all when it nests deeper
/// than serde_json would read), and lines come from one offset table.
pub fn extract(guide: &str, bucket: &str) -> Extracted {
    let (filled, placeholders) = fill_placeholders(guide, bucket);
    let text = repair(&filled);
    let lines = Lines::of(&text);
    let mut out = Extracted { placeholders, ..Default::default() };
    let mut taken: Vec<(usize, usize)> = Vec::new();
    let mut cursor = 0;
    for (start, end, levels) in bracket_pairs(&text) {
        if start < cursor || levels > MAX_NESTING {
            continue;
        }
        if out.blocks.len() == MAX_BLOCKS {
            out.more_blocks = true;
            break;
        }
        match serde_json::from_str::<Value>(&text[start..end]) {
            Ok(value) if value.is_object() || value.as_array().is_some_and(|a| a.iter().any(Value::is_object)) => {
                out.blocks.push(Block { line: lines.line(start), text: text[start..end].to_string(), value });
                taken.push((start, end));
                cursor = end;
            }
            _ => {}
        }
    }
    let mut outside = String::with_capacity(text.len());
    let mut from = 0;
    for (start, end) in &taken {
        outside.push_str(&text[from..*start]);
        outside.push('\n');
        from = *end;
    }
    outside.push_str(&text[from..]);
    static ACCOUNT: OnceLock<Regex> = OnceLock::new();
    let account = ACCOUNT.get_or_init(|| Regex::new(r"(?i)account(?:\s+id|\s+number)?\s*(?:is|:|=)?\s*`?(\d{4}-?\d{4}-?\d{4})\b").expect("account pattern"));
    out.account_id = account.captures(&outside).map(|c| c[1].replace('-', ""));
    // Only a quoted or code-formatted value after "external ID" (and on its line): prose such as "the
    // external ID is generated by our dashboard" gives none, and the app asks for it.
    static EXTERNAL: OnceLock<Regex> = OnceLock::new();
    let external = EXTERNAL.get_or_init(|| Regex::new(r#"(?i)external[ _-]?id\b[^`"'\n]{0,40}?(?:`\s*([A-Za-z0-9+=,.@:/_-]{2,1224})\s*`|"([A-Za-z0-9+=,.@:/_-]{2,1224})"|'([A-Za-z0-9+=,.@:/_-]{2,1224})')"#).expect("external id pattern"));
    static MENTION: OnceLock<Regex> = OnceLock::new();
    out.external_id_mentioned = MENTION.get_or_init(|| Regex::new(r"(?i)external[ _-]?id").expect("external id mention")).is_match(&outside);
    out.external_id = external.captures(&outside).and_then(|c| c.iter().skip(1).flatten().next().map(|m| m.as_str().to_string()));
    let guide_lines = Lines::of(guide);
    for (name, _) in MANAGED_POLICIES {
        if let Some(pos) = guide.find(name) {
            out.managed_policies.push((name.to_string(), guide_lines.line(pos)));
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
