//! `p2review incident record` and the dispatch of the other `incident` commands
//! (docs/cli.md#incident, docs/incidents.md).

use std::path::{Path, PathBuf};

use crate::log::verify::VerifyOptions;

use color_eyre::eyre::{self, bail, eyre};

use super::Ctx;
use super::incident_args::{IncidentCommand, IncidentRecordArgs};
use crate::incident::deadline::{Due, notices};
use crate::log::entry::incident::{Concerns, IncidentBody, IncidentFields};
use crate::log::entry::{Body, is_hex64};
use crate::log::{LogKind, Receipt, Recorder, Signer};
use crate::queue::Role;
use crate::supervise::incidents::{IncidentView, clock_facts, load_incidents, read_entries};
use crate::text::escape;

pub fn run(ctx: &Ctx, c: IncidentCommand) -> eyre::Result<u8> {
    match c {
        IncidentCommand::Record(a) => record(ctx, &a),
        IncidentCommand::Assess(a) => super::incident_follow::assess(ctx, &a),
        IncidentCommand::Delay(a) => super::incident_follow::delay(ctx, &a),
        IncidentCommand::Notified(a) => super::incident_follow::notified(ctx, &a),
        IncidentCommand::List(a) => super::incident_list::run(ctx, &a),
    }
}

/// The log an incident command writes to.
pub(super) fn log_path(ctx: &Ctx, log: &Option<PathBuf>) -> PathBuf {
    log.clone().unwrap_or_else(|| ctx.data.decisions_log())
}

/// Where an incident command writes and what it reads: with `--team` (docs/team.md) the
/// reviewer's team log, reading every team log under the team's signers (an incident one
/// member recorded may be assessed or notified by another); otherwise `--log` or the
/// production log for both.
pub(super) struct Target {
    pub write: PathBuf,
    pub read: Vec<PathBuf>,
    pub opts: VerifyOptions,
}

pub(super) fn target(
    ctx: &Ctx,
    team: &Option<String>,
    log: &Option<PathBuf>,
) -> eyre::Result<Target> {
    let Some(spec) = super::team::spec(team) else {
        let write = log_path(ctx, log);
        let (opts, _) = super::log::verify_options(ctx, None, &[])?;
        return Ok(Target {
            read: vec![write.clone()],
            write,
            opts,
        });
    };
    if log.is_some() {
        bail!(
            "--log cannot be combined with --team (or P2REVIEW_TEAM): in a team your log is the team's logs/<principal>.jsonl; drop one of them"
        );
    }
    let store = super::team::open(spec)?;
    let signer = Signer::load(&ctx.data.signing_key())?;
    let write = crate::team::record::team_log(&*store, &signer, &ctx.data).map_err(|e| eyre!(e))?;
    let (mut read, opts, _) = super::log::sources(ctx, Some(spec), &[], None, &[])?;
    if !read.contains(&write) && write.exists() {
        read.push(write.clone());
    }
    Ok(Target { write, read, opts })
}

/// Screen a note as decision notes are (docs/cli.md#note-screening); `flag` names the option.
pub(super) fn screen(flag: &str, note: &Option<String>, labels: &[&str]) -> eyre::Result<()> {
    if let Some(n) = note {
        crate::note_screen::screen(n, labels).map_err(|r| {
            eyre!("{flag} refused, nothing was recorded: {r}; rephrase it and run again")
        })?;
        if n.chars().count() > crate::decision::NOTE_MAX_CHARS {
            bail!(
                "{flag} has {} characters; at most {} are allowed",
                n.chars().count(),
                crate::decision::NOTE_MAX_CHARS
            );
        }
    }
    Ok(())
}

/// Sign and append one incident entry to `log`.
pub(super) fn append(ctx: &Ctx, log: &Path, body: IncidentBody) -> eyre::Result<Receipt> {
    let signer = Signer::load(&ctx.data.signing_key())?;
    let rec = Recorder::open(&ctx.data, log, LogKind::Production, signer)
        .with_lock_timeout(super::log::lock_timeout(ctx));
    let receipt = rec.record_incident(body)?;
    if let Some(w) = &receipt.head_warning {
        eprintln!(
            "p2review: warning: the entry IS recorded, but the head file was not updated: {w}"
        );
    }
    Ok(receipt)
}

/// The incident `hash` names in the logs `t` reads (verified), or a message saying what to do.
pub(super) fn find_incident(t: &Target, hash: &str) -> eyre::Result<IncidentView> {
    if !is_hex64(hash) {
        bail!(
            "{:?} is not an incident hash: give the 64-character lowercase hex of `ACK incident=…` (see `p2review incident list`)",
            escape(hash)
        );
    }
    let loaded = load_incidents(&t.read, &t.opts, super::log::verify_threads());
    if let Some((p, Err(e))) = loaded.logs.iter().find(|(_, r)| r.is_err()) {
        bail!("{}: {}", p.display(), escape(e));
    }
    if let Some(v) = loaded
        .incidents
        .into_iter()
        .find(|v| v.entry_sha256 == hash)
    {
        return Ok(v);
    }
    let shown: Vec<String> = t.read.iter().map(|p| p.display().to_string()).collect();
    bail!(
        "{}: no verified incident entry {hash}; `p2review incident list` (with the same --log or --team) shows the incidents they hold",
        shown.join(", ")
    )
}

fn record(ctx: &Ctx, a: &IncidentRecordArgs) -> eyre::Result<u8> {
    let t = target(ctx, &a.team, &a.log)?;
    let loaded = match &a.queue {
        Some(q) => Some(crate::queue::load_path(q)?),
        None => None,
    };
    let mut concerns = Concerns::default();
    let mut role: Option<Role> = None;
    let mut program_ce = true;
    let mut days = a.breach_notice_days;
    let mut labels: Vec<&str> = Vec::new();
    if let Some(l) = &loaded {
        role = Some(l.queue.organization.role);
        days = days.or(l.queue.organization.breach_notice_days);
        labels = l
            .queue
            .patients
            .iter()
            .filter_map(|p| p.display.as_deref())
            .collect();
        if let Some(id) = &a.id {
            let d = l
                .queue
                .disclosures
                .iter()
                .find(|d| &d.id == id)
                .ok_or_else(|| {
                    eyre!(
                        "{}: no disclosure with id {:?}",
                        l.path.display(),
                        escape(id)
                    )
                })?;
            role = Some(d.actor_or(l.queue.organization.role));
            program_ce = l
                .queue
                .programs
                .iter()
                .find(|p| p.id == d.program)
                .is_none_or(|p| p.covered_entity);
            let as_of = a
                .as_of
                .or(l.queue.as_of)
                .unwrap_or_else(|| chrono::Local::now().date_naive());
            let engine = crate::engine::Engine::load(ctx.global.policy.as_deref())?;
            let ev = engine.for_date(as_of)?.evaluate(&l.queue, &l.index, d);
            concerns = Concerns {
                subject: Some(d.patient.clone()),
                disclosure: Some(d.id.clone()),
                disclosure_sha256: Some(crate::queue::canonical::disclosure_sha256(d)),
                queue: Some(l.sha256.clone()),
                recipient: Some((d.recipient.kind.as_str().into(), d.recipient.name.clone())),
                records: Some(d.records.as_str().into()),
                part2: Some(ev.part2.status.as_str().into()),
                hipaa: Some(ev.hipaa.status.as_str().into()),
                override_: None,
                from_entry: None,
            };
        }
    }
    if let Some(h) = &a.from_entry {
        from_entry(&t, h, &mut concerns)?;
    }
    if a.actor.is_some() {
        role = a.actor;
    }
    if a.program_not_covered_entity {
        program_ce = false;
    }
    let role = role.ok_or_else(|| {
        eyre!("who is reporting? give a QUEUE (its organization.role says it) or --actor qso|part2_program|covered_entity|lawful_holder")
    })?;
    let today = chrono::Local::now().date_naive();
    if a.discovered_on > today {
        bail!(
            "--discovered-on {} is in the future; give the day it was discovered",
            a.discovered_on
        );
    }
    if let Some(t) = a.reported_by_ba_on
        && t < a.discovered_on
    {
        bail!(
            "--reported-by-ba-on {t} is before --discovered-on {}: the BA cannot report before it discovered it",
            a.discovered_on
        );
    }
    let mut residents = std::collections::BTreeMap::new();
    for (st, n) in &a.residents {
        if residents.insert(st.clone(), *n).is_some() {
            bail!("--residents names {st} twice; give one count per State");
        }
    }
    if residents.values().sum::<u64>() > a.individuals {
        bail!(
            "--residents add up to more than --individuals {}; correct either",
            a.individuals
        );
    }
    screen("--note", &a.note, &labels)?;
    let fields = IncidentFields {
        kind: a.kind,
        discovered_on: a.discovered_on.to_string(),
        individuals: a.individuals,
        residents,
        secured: a.secured,
        actor: role_str(role).into(),
        program_covered_entity: program_ce,
        breach_notice_days: days,
        reported_by_ba_on: a.reported_by_ba_on.map(|d| d.to_string()),
        ba_is_agent: a.ba_is_agent,
        concerns,
        note: a.note.clone().filter(|n| !n.is_empty()),
    };
    let facts = clock_facts(&fields);
    let receipt = append(ctx, &t.write, IncidentBody::Incident(Box::new(fields)))?;
    outln!(
        "ACK incident={} seq={} log={}",
        receipt.entry_sha256,
        receipt.seq,
        receipt.log_id
    )?;
    outln!("actor: {}", facts.actor.as_str())?;
    for n in notices(&facts, None, None) {
        let to = n.to.map_or("-", |t| t.as_str());
        let due = match n.due {
            Due::Date(d) => format!("by {d}"),
            Due::Contractual => "contractual: set breach_notice_days".into(),
            Due::NotApplicable => "not_applicable".into(),
        };
        outln!("notice: {to} {due} ({}): {}", n.cite, n.why)?;
    }
    Ok(0)
}

fn role_str(r: Role) -> &'static str {
    match r {
        Role::Qso => "qso",
        Role::Part2Program => "part2_program",
        Role::CoveredEntity => "covered_entity",
        Role::LawfulHolder => "lawful_holder",
    }
}

/// Fill `c` from the decision entry `hash` in the logs `t` reads (it must verify, and be
/// about the same disclosure as a queue item given).
fn from_entry(t: &Target, hash: &str, c: &mut Concerns) -> eyre::Result<()> {
    if !is_hex64(hash) {
        bail!(
            "--from-entry must be the 64-character lowercase hex SHA-256 of a decision entry (the `entry=` of its receipt)"
        );
    }
    let mut found = None;
    for log in &t.read {
        if !log.exists() {
            continue;
        }
        let (entries, _) = read_entries(log, &t.opts, super::log::verify_threads(), &|t| {
            t == "decision"
        })
        .map_err(|e| eyre!("{}", escape(&e.0)))?;
        if let Some(r) = entries.into_iter().find(|r| r.entry_sha256 == hash) {
            found = Some((log.clone(), r));
            break;
        }
    }
    let shown: Vec<String> = t.read.iter().map(|p| p.display().to_string()).collect();
    let (log, r) = found.ok_or_else(|| {
        eyre!(
            "{}: no decision entry {hash}; `p2review log show` lists them with their hashes",
            shown.join(", ")
        )
    })?;
    if !r.verified {
        bail!(
            "{}: decision entry {hash} (line {}) failed verification; run `p2review log verify`",
            log.display(),
            r.line
        );
    }
    let Body::Decision(d) = r.entry.body else {
        unreachable!("only decision entries were read")
    };
    if let Some(id) = &c.disclosure
        && *id != d.disclosure
    {
        bail!(
            "--from-entry names a decision on {:?}, not on --id {:?}; give one or the other",
            escape(&d.disclosure),
            escape(id)
        );
    }
    c.subject = Some(d.subject.clone());
    c.disclosure = Some(d.disclosure.clone());
    c.disclosure_sha256 = Some(d.disclosure_sha256.clone());
    c.queue = Some(d.queue.clone());
    c.recipient = Some((d.recipient_kind.clone(), d.recipient_name.clone()));
    c.part2 = Some(d.part2.as_str().into());
    c.hipaa = Some(d.hipaa.as_str().into());
    c.override_ = Some(d.override_);
    c.from_entry = Some(hash.to_owned());
    Ok(())
}
