//! `import x12`: X12 837P/837I claim files → a review queue of flagged disclosures
//! (docs/x12-mapping.md); `import fhir-consent`: FHIR Consent resources → a context file
//! (`fhir`, docs/fhir.md).
//!
//! `x12` tokenizes (separators from each ISA), `claims` extracts claims, `valueset` holds
//! the bundled SUD codes, `flag` says why a claim carries Part 2 information, `pseudonym`
//! makes opaque patient refs, `build` assembles the queue and `yaml_out` writes it. Every
//! file is read and checked before anything is written: one bad file, nothing written.
//!
//! Known limits: 837D (dental) is not read; revenue codes (837I SV201) are not flagged on
//! their own (the bundled CMS list has none); a dependent without an id of their own is
//! never matched to context `member_ids` (they get a keyed pseudonym from the subscriber's
//! id, name and birth date instead).

pub(crate) mod build;
pub mod claims;
pub(crate) mod context_skeleton;
pub mod fhir;
pub(crate) mod flag;
pub(crate) mod pseudonym;
pub(crate) mod valueset;
pub mod x12;
pub mod yaml_out;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

pub use build::{Summary, UNMATCHED, build_queue};
pub use claims::{RawClaim, read_claims};
pub use context_skeleton::{context_skeleton, npis_seen};
pub use pseudonym::{PseudonymKey, PseudonymKeyError};
pub use valueset::ValueSet;

use crate::queue::Queue;

/// A file that could not be imported: the file, then the segment position and what is
/// wrong (never element values).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportError {
    pub file: PathBuf,
    pub detail: x12::SyntaxError,
}

impl std::fmt::Display for ImportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: {}",
            crate::text::escape(&self.file.display().to_string()),
            self.detail
        )
    }
}

impl std::error::Error for ImportError {}

/// Reads and extracts the claims of one file.
pub fn read_file(path: &Path) -> Result<Vec<RawClaim>, ImportError> {
    let wrap = |detail| ImportError {
        file: path.to_owned(),
        detail,
    };
    let bytes = fs::read(path).map_err(|e| {
        wrap(x12::SyntaxError {
            segment: None,
            line: None,
            segment_id: None,
            message: format!("cannot read: {e}"),
        })
    })?;
    read_claims(&bytes).map_err(wrap)
}

/// Reads every file (all must succeed) and builds the queue.
pub fn import_files(
    files: &[PathBuf],
    context: &Queue,
    key: &PseudonymKey,
    all: bool,
) -> Result<(Queue, Summary), ImportError> {
    let mut claims = Vec::new();
    for f in files {
        claims.extend(read_file(f)?);
    }
    Ok(build_queue(context, &claims, key, ValueSet::bundled(), all))
}

/// The queue as YAML (block style, readable by `crate::queue::load_path`); see `yaml_out`
/// for why this is not `serde_yaml::to_string`. Large queues are written in parallel
/// chunks: disclosures are a top-level sequence item list at column 0, so the chunks'
/// texts concatenate to exactly the single-threaded document (a test compares them).
pub fn to_yaml(queue: &Queue) -> Result<String, yaml_out::Error> {
    const PARALLEL_FROM: usize = 8_192;
    let n = queue.disclosures.len();
    let threads = std::thread::available_parallelism().map_or(1, |p| p.get().min(4));
    if n < PARALLEL_FROM || threads < 2 {
        return yaml_out::to_string(queue);
    }
    // Everything but the disclosures (cloning the whole queue would copy them all).
    let head = Queue {
        schema: queue.schema.clone(),
        as_of: queue.as_of,
        pack: queue.pack.clone(),
        organization: queue.organization.clone(),
        programs: queue.programs.clone(),
        payers: queue.payers.clone(),
        fhir_identifier_systems: queue.fhir_identifier_systems.clone(),
        patients: queue.patients.clone(),
        consents: queue.consents.clone(),
        restrictions: queue.restrictions.clone(),
        disclosures: Vec::new(),
    };
    let mut text = yaml_out::to_string(&head)?;
    let empty = "disclosures: []\n";
    if !text.ends_with(empty) {
        return yaml_out::to_string(queue);
    }
    text.truncate(text.len() - empty.len());
    text.push_str("disclosures:\n");
    let parts: Vec<Result<String, yaml_out::Error>> = std::thread::scope(|s| {
        let handles: Vec<_> = queue
            .disclosures
            .chunks(n.div_ceil(threads))
            .map(|chunk| s.spawn(move || yaml_out::to_string(chunk)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    });
    for p in parts {
        text.push_str(&p?);
    }
    Ok(text)
}

/// Writes `text` to `path` atomically: a temp file in the same directory, synced, then
/// renamed over the target. On failure the temp file is removed and `path` is untouched.
pub fn write_atomic(path: &Path, text: &[u8]) -> std::io::Result<()> {
    let tmp = pseudonym::temp_name(path);
    let result = (|| {
        let mut f = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        f.write_all(text)?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}
