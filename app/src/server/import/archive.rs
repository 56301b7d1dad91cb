//! Zip files of downloads: brokers often get a month of downloads as one
//! zip. Its files are read one at a time, each at most
//! `imports::MAX_FILE_BYTES`; an entry that can't be read (too large,
//! encrypted, damaged, another compression) is refused on its own and the
//! others go on. Folders, hidden files and macOS resource forks are skipped.
//!
//! Against zip bombs: the number of entries is read from the zip's own
//! directory before anything is parsed, entries that share compressed data
//! are refused, an entry's declared size is checked before it is unpacked,
//! and an [`Allowance`] bounds the entries and bytes unpacked over a whole
//! upload, however many zips it holds.

use std::io::{Cursor, Read};

/// Most entries over one upload.
pub const MAX_ENTRIES: usize = 10_000;

/// Most bytes unpacked over one upload.
pub const MAX_UNPACKED: u64 = 2 * 1024 * 1024 * 1024;

/// Whether `bytes` are a zip file (its local file header signature).
pub fn is_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

/// What one upload may still unpack.
#[derive(Debug, Clone)]
pub struct Allowance {
    entries: usize,
    bytes: u64,
}

impl Default for Allowance {
    fn default() -> Self {
        Self {
            entries: MAX_ENTRIES,
            bytes: MAX_UNPACKED,
        }
    }
}

/// The number of entries the zip's end-of-central-directory record
/// declares, `None` when there is none (not a zip, or damaged). Read
/// before the directory itself is parsed, so a zip of millions of tiny
/// entries is refused without building them.
fn declared_entries(bytes: &[u8]) -> Option<u64> {
    const EOCD: &[u8] = b"PK\x05\x06";
    // The record is 22 bytes plus a comment of at most 65,535.
    let from = bytes.len().saturating_sub(22 + 65_535);
    let tail = &bytes[from..];
    let at = (0..tail.len().saturating_sub(21))
        .rev()
        .find(|&i| tail[i..].starts_with(EOCD))?;
    let count = u16::from_le_bytes([tail[at + 10], tail[at + 11]]);
    Some(u64::from(count))
}

/// The files of an opened zip, one at a time.
pub struct ZipFiles<'a> {
    archive: zip::ZipArchive<Cursor<&'a [u8]>>,
    next: usize,
    limit: usize,
}

/// One entry of a zip.
pub enum Entry {
    /// A file's name (its path inside the zip) and contents.
    File(String, Vec<u8>),
    /// A file that can't be imported, and why (for the broker).
    Refused(String, String),
    /// The upload's allowance is spent: the rest of the zip is not read.
    Stop(String),
}

impl<'a> ZipFiles<'a> {
    /// Opens `bytes`; the reason when they are not a readable zip or hold
    /// more entries than `allowance` has left.
    pub fn open(
        bytes: &'a [u8],
        per_file_limit: usize,
        allowance: &Allowance,
    ) -> Result<Self, String> {
        let declared = declared_entries(bytes)
            .ok_or_else(|| "the zip file is damaged or not a zip".to_string())?;
        if declared > allowance.entries as u64 || declared == u64::from(u16::MAX) {
            return Err(format!(
                "the zip holds more than {} files; split it",
                allowance.entries.min(MAX_ENTRIES)
            ));
        }
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
            .map_err(|_| "the zip file is damaged or not a zip".to_string())?;
        if archive.len() > allowance.entries {
            return Err(format!(
                "the zip holds more than {MAX_ENTRIES} files; split it"
            ));
        }
        // Entries pointing at the same compressed data are how a small zip
        // unpacks to gigabytes; no real archive does it.
        if archive.has_overlapping_entries().unwrap_or(true) {
            return Err("the zip file is damaged (its entries overlap)".into());
        }
        Ok(Self {
            archive,
            next: 0,
            limit: per_file_limit,
        })
    }

    /// The next entry, skipping folders and hidden files, counted against
    /// `allowance`.
    pub fn next_entry(&mut self, allowance: &mut Allowance) -> Option<Entry> {
        while self.next < self.archive.len() {
            let index = self.next;
            self.next += 1;
            let listed = self
                .archive
                .name_for_index(index)
                .and_then(Result::ok)
                .map(|n| n.into_owned())
                .unwrap_or_else(|| format!("entry {}", index + 1));
            let mut file = match self.archive.by_index(index) {
                Ok(f) => f,
                Err(_) => {
                    return Some(Entry::Refused(
                        listed,
                        "it can't be unpacked (damaged, encrypted or another compression)".into(),
                    ));
                }
            };
            if file.is_dir() {
                continue;
            }
            let name = file
                .name()
                .map(|n| n.into_owned())
                .unwrap_or_else(|_| format!("entry {}", index + 1));
            let base = name.rsplit('/').next().unwrap_or(&name);
            if base.starts_with('.') || name.starts_with("__MACOSX/") || base.is_empty() {
                continue;
            }
            if allowance.entries == 0 {
                return Some(Entry::Stop(format!(
                    "the upload holds more than {MAX_ENTRIES} files; the rest of this zip was not read"
                )));
            }
            allowance.entries -= 1;
            if file.size() > self.limit as u64 {
                return Some(Entry::Refused(
                    name,
                    format!(
                        "larger than {}; split it",
                        crate::components::upload::human_size(self.limit as u64)
                    ),
                ));
            }
            if file.size() > allowance.bytes {
                return Some(Entry::Stop(format!(
                    "the upload unpacks to more than {} GB; the rest of this zip was not read",
                    MAX_UNPACKED / (1024 * 1024 * 1024)
                )));
            }
            // The declared size can lie; never read past the limit.
            let mut bytes = Vec::new();
            let read = (&mut file)
                .take(self.limit as u64 + 1)
                .read_to_end(&mut bytes);
            allowance.bytes = allowance.bytes.saturating_sub(bytes.len() as u64);
            if read.is_err() {
                return Some(Entry::Refused(
                    name,
                    "it can't be unpacked (damaged or another compression)".into(),
                ));
            }
            if bytes.len() > self.limit {
                return Some(Entry::Refused(
                    name,
                    format!(
                        "larger than {}; split it",
                        crate::components::upload::human_size(self.limit as u64)
                    ),
                ));
            }
            return Some(Entry::File(name, bytes));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn zip_of(files: &[(&str, &[u8])]) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        {
            let mut w = zip::ZipWriter::new(&mut out);
            let options = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated);
            for (name, bytes) in files {
                if name.ends_with('/') {
                    w.add_directory(*name, options).unwrap();
                } else {
                    w.start_file(*name, options).unwrap();
                    w.write_all(bytes).unwrap();
                }
            }
            w.finish().unwrap();
        }
        out.into_inner()
    }

    fn read_all(z: &[u8], limit: usize, allowance: &mut Allowance) -> Vec<String> {
        let mut files = ZipFiles::open(z, limit, allowance).unwrap();
        let mut seen = Vec::new();
        while let Some(e) = files.next_entry(allowance) {
            seen.push(match e {
                Entry::File(name, bytes) => format!("{name}: {} bytes", bytes.len()),
                Entry::Refused(name, why) => format!("{name}: refused, {why}"),
                Entry::Stop(why) => format!("stop: {why}"),
            });
        }
        seen
    }

    #[test]
    fn files_come_out_one_at_a_time_and_a_large_one_alone_is_refused() {
        let z = zip_of(&[
            ("november/", b""),
            ("november/a.xml", b"<a/>"),
            ("november/.DS_Store", b"x"),
            ("__MACOSX/november/._a.xml", b"x"),
            ("big.xml", &[b'b'; 100]),
            ("c.xml", b"<c/>"),
        ]);
        assert!(is_zip(&z));
        assert_eq!(declared_entries(&z), Some(6));
        let seen = read_all(&z, 10, &mut Allowance::default());
        assert_eq!(
            seen,
            [
                "november/a.xml: 4 bytes",
                "big.xml: refused, larger than 1 KB; split it",
                "c.xml: 4 bytes",
            ]
        );
    }

    #[test]
    fn the_allowance_spans_every_zip_of_an_upload() {
        let z = zip_of(&[("a.xml", b"<a/>"), ("b.xml", b"<b/>")]);
        let mut allowance = Allowance {
            entries: 3,
            bytes: MAX_UNPACKED,
        };
        assert_eq!(read_all(&z, 10, &mut allowance).len(), 2);
        // One entry left: a zip declaring two is refused before parsing.
        assert!(ZipFiles::open(&z, 10, &allowance).is_err());
    }

    #[test]
    fn damaged_zips_say_so() {
        assert!(ZipFiles::open(b"PK\x03\x04garbage", 10, &Allowance::default()).is_err());
    }
}
