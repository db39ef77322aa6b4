//! The judgement: queue loading, disclosure hashes, policies, the engine (properties, scenarios), `evaluate`.
//!
//! One test binary per area (each binary links the whole crate): the files are modules.

mod disclosure_hashes;
mod engine_props;
mod evaluate_cli;
mod policy_load;
mod queue_load;
mod round2_engine;
mod scenarios;
