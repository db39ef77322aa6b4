//! p2review: review disclosures of 42 CFR Part 2 records beside HIPAA and keep a signed,
//! tamper-evident decision log.
//!
//! The domain core (`queue`, `facts`, `policy`, `engine`, `log`, `training`, `import`)
//! has no terminal dependency; `tui` is a thin layer behind the `tui` feature.

pub mod cli;
pub mod decision;
pub mod digest;
pub mod engine;
pub mod facts;
pub mod import;
pub mod incident;
pub mod log;
pub mod note_screen;
pub mod paths;
pub mod policy;
pub mod presence;
pub mod queue;
pub mod supervise;
pub mod team;
pub mod text;
pub mod training;
#[cfg(feature = "tui")]
pub mod tui;
pub mod verdict;

/// Every binary built from the package (the CLI, tests, benches) allocates with mimalloc:
/// the verifier's threads build each line's entry and the feeding thread frees it, which
/// cost glibc's allocator about a tenth of a two-thread `log verify` (BENCHMARKS.md#signed-log).
/// Built without transparent huge pages (`no_thp`), so peak RSS stays what it was with glibc.
/// The fuzz targets build without default features and keep the system allocator.
#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
