//! The judgement: queue loading, disclosure hashes, policies, the engine (properties, scenarios), `evaluate`.
//!
//! One test binary per area (each binary links the whole crate): the files are modules.

mod queue_load;
mod disclosure_hashes;
mod policy_load;
mod engine_props;
mod round2_engine;
mod scenarios;
mod evaluate_cli;
