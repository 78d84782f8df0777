//! Links for a whole folder, as CSV, signed while the listing streams in.

use super::signer::Signer;
use crate::connect::Session;
use crate::error::{from_sdk, Result};
use crate::export::{spreadsheet_safe, CsvWriter};
use std::path::Path;
use std::time::Duration;

/// The CSV row of one link: the object key (made safe for spreadsheets: keys are chosen by whoever
/// uploaded them, and `=HYPERLINK(...)` in a cell could send the other links anywhere), its URL, its end.
pub fn links_csv_row(key: &str, url: &str, expires_at: &str) -> [String; 3] {
    [spreadsheet_safe(key), url.to_string(), expires_at.to_string()]
}

/// Download links for every object under `prefix`, written as CSV rows (`key,url,expires_at`) to `out` as
/// the listing streams in: each page is signed while the next one is being fetched. Returns the count.
pub async fn presign_prefix_csv(
    session: &Session,
    bucket: &str,
    prefix: &str,
    expires_in: Duration,
    out: &mut (dyn std::io::Write + Send),
    mut progress: impl FnMut(usize),
) -> Result<usize> {
    let signer = Signer::new(session, bucket, expires_in).await?;
    let expires = crate::record::format_time(signer.expires_at());
    let mut csv = CsvWriter::with_lf(out);
    csv.row(["key", "url", "expires_at"])?;
    let mut pages = signer.s3.list_objects_v2().bucket(bucket).prefix(prefix).into_paginator().send();
    let mut count = 0;
    let mut next = pages.next().await;
    while let Some(page) = next {
        let page = page.map_err(|e| from_sdk(&session.ctx, "ListObjectsV2", e))?;
        let keys: Vec<String> = page.contents().iter().filter_map(|o| o.key().map(str::to_string)).collect();
        // Fetch the next page while this one is signed.
        let (following, signed) = futures::join!(pages.next(), signer.download_urls(&keys));
        for (k, url) in keys.iter().zip(signed?) {
            csv.row(links_csv_row(k, &url, &expires))?;
            count += 1;
        }
        progress(count);
        next = following;
    }
    csv.finish()?;
    Ok(count)
}

/// Links already signed, as the same CSV (`key,url,expires_at`), into a file readable by its owner only.
pub fn write_links_csv(path: &Path, links: &[super::Link], force: bool) -> Result<()> {
    let mut buf = Vec::new();
    let mut csv = CsvWriter::with_lf(&mut buf);
    csv.row(["key", "url", "expires_at"])?;
    for l in links {
        csv.row(links_csv_row(&l.key, &l.url, &crate::record::format_time(l.expires_at)))?;
    }
    csv.finish()?;
    crate::export::write_private_bytes(path, &buf, force)
}

/// [`presign_prefix_csv`] into a file readable by its owner only (the links grant access while they
/// live). Refuses to replace a file unless `force`. Used by the CLI and the app alike.
pub async fn write_prefix_csv(session: &Session, bucket: &str, prefix: &str, expires_in: Duration, path: &Path, force: bool, progress: impl FnMut(usize)) -> Result<usize> {
    if path.exists() && !force {
        return Err(crate::Error::FileExists { path: path.to_path_buf() });
    }
    let mut buf = Vec::new();
    let count = presign_prefix_csv(session, bucket, prefix, expires_in, &mut buf, progress).await?;
    crate::export::write_private_bytes(path, &buf, force)?;
    Ok(count)
}
