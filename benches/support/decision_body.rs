//! One realistic decision body (an approval with a valid consent), shared by the signed-log
//! bench and examples/append_prof.rs so both measure the same entry.

use p2review::log::entry::{Body, DecisionFields};

/// The decision on disclosure `i`.
pub fn decision(i: u64) -> Body {
    let pref = p2review::engine::PolicyRef {
        id: "part2-core".into(),
        version: "2024.1".into(),
        sha256: p2review::digest::sha256_hex(b"policy").into(),
    };
    Body::Decision(Box::new(DecisionFields {
        queue: p2review::digest::sha256_hex(b"queue"),
        disclosure: format!("D-{i:06}"),
        disclosure_sha256: p2review::digest::sha256_hex(&i.to_le_bytes()),
        subject: format!("P-{:05}", i % 5000),
        recipient_kind: "health_plan".into(),
        recipient_name: "Pinecrest Health Plan".into(),
        purpose: "payment".into(),
        as_of: "2026-11-28".into(),
        consent: Some(format!("C-{:05}", i % 5000)),
        consent_status: p2review::engine::ConsentStatus::Valid,
        part2: p2review::engine::Part2Status::PermittedWithNotice,
        hipaa: p2review::engine::HipaaStatus::PermittedTpo,
        rule: "A12".into(),
        unsettled: false,
        policy: p2review::engine::PolicyRefs {
            part2: pref.clone(),
            hipaa: pref,
        },
        decision: p2review::decision::Decision::Approve,
        reason_code: Some(p2review::decision::ReasonCode::ConsentVerified),
        note: Some("consent on file, checked against the form".into()),
        override_: false,
        supersedes: None,
        second_required: false,
    }))
}
