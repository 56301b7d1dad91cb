//! Zip files of downloads: brokers often get a month of downloads as one
//! zip. Its files are read one at a time, each at most
//! `imports::MAX_FILE_BYTES` (one byte more is read so the import refuses
//! it), with a cap on the entries and on everything unpacked, so a zip bomb
//! stops early. Folders, hidden files and macOS resource forks are skipped.

use std::io::{Cursor, Read};

/// Most entries read from one zip.
pub const MAX_ENTRIES: usize = 10_000;

/// Most bytes unpacked from one zip.
pub const MAX_UNPACKED: u64 = 2 * 1024 * 1024 * 1024;

/// Whether `bytes` are a zip file (its local file header signature).
pub fn is_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

/// The files of an opened zip, one at a time.
pub struct ZipFiles<'a> {
    archive: zip::ZipArchive<Cursor<&'a [u8]>>,
    next: usize,
    unpacked: u64,
    limit: usize,
}

/// One file of a zip, or why the rest can't be read.
pub enum Entry {
    /// A file's name (its path inside the zip) and contents (cut one byte
    /// past the per-file limit).
    File(String, Vec<u8>),
    /// The zip can't be read further; the reason is for the broker.
    Stop(String),
}

impl<'a> ZipFiles<'a> {
    /// Opens `bytes`; the reason when they are not a readable zip.
    pub fn open(bytes: &'a [u8], per_file_limit: usize) -> Result<Self, String> {
        let archive = zip::ZipArchive::new(Cursor::new(bytes))
            .map_err(|_| "the zip file is damaged or not a zip".to_string())?;
        if archive.len() > MAX_ENTRIES {
            return Err(format!(
                "the zip holds more than {MAX_ENTRIES} files; split it"
            ));
        }
        Ok(Self {
            archive,
            next: 0,
            unpacked: 0,
            limit: per_file_limit,
        })
    }

    /// The next file, skipping folders and hidden files.
    pub fn next_file(&mut self) -> Option<Entry> {
        while self.next < self.archive.len() {
            let index = self.next;
            self.next += 1;
            let mut file = match self.archive.by_index(index) {
                Ok(f) => f,
                Err(_) => {
                    return Some(Entry::Stop(format!(
                        "entry {} of the zip can't be read (damaged, encrypted or an unsupported compression)",
                        index + 1
                    )))
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
            let mut bytes = Vec::new();
            let read = (&mut file)
                .take(self.limit as u64 + 1)
                .read_to_end(&mut bytes);
            if read.is_err() {
                return Some(Entry::Stop(format!(
                    "{name} in the zip can't be unpacked (damaged or unsupported)"
                )));
            }
            self.unpacked += bytes.len() as u64;
            if self.unpacked > MAX_UNPACKED {
                return Some(Entry::Stop(format!(
                    "the zip unpacks to more than {} GB; split it",
                    MAX_UNPACKED / (1024 * 1024 * 1024)
                )));
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

    #[test]
    fn files_come_out_one_at_a_time_and_hidden_ones_are_skipped() {
        let z = zip_of(&[
            ("november/", b""),
            ("november/a.xml", b"<a/>"),
            ("november/.DS_Store", b"x"),
            ("__MACOSX/november/._a.xml", b"x"),
            ("b.xml", &[b'b'; 100]),
        ]);
        assert!(is_zip(&z));
        let mut files = ZipFiles::open(&z, 10).unwrap();
        let mut seen = Vec::new();
        while let Some(e) = files.next_file() {
            match e {
                Entry::File(name, bytes) => seen.push((name, bytes.len())),
                Entry::Stop(why) => panic!("{why}"),
            }
        }
        // The large one is cut one byte past the limit.
        assert_eq!(
            seen,
            [("november/a.xml".to_string(), 4), ("b.xml".to_string(), 11)]
        );
    }

    #[test]
    fn damaged_zips_say_so() {
        assert!(ZipFiles::open(b"PK\x03\x04garbage", 10).is_err());
    }
}
