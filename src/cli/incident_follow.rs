//! `p2review incident assess|delay|notified HASH` (docs/cli.md#incident): follow-up entries
//! that name an incident already in the log.

use color_eyre::eyre::{self, bail};

use super::Ctx;
use super::incident::{append, find_incident, screen, target};
use super::incident_args::{IncidentAssessArgs, IncidentDelayArgs, IncidentNotifiedArgs};
use crate::incident::assess::{AssessmentInput, Factor, IncidentFacts, assess as run_assess};
use crate::incident::vocab::{DelayForm, IncidentKind};
use crate::log::entry::incident::{AssessmentFields, DelayFields, IncidentBody, NoticeFields};
use crate::supervise::incidents::clock_facts;

fn factor<V: Copy>(v: Option<V>, note: &Option<String>) -> Option<Factor<V>> {
    v.map(|value| Factor {
        value,
        note: note.clone().unwrap_or_default(),
    })
}

/// The assessment facts an incident entry holds (also used by the training pack keys).
pub(super) fn facts_of(i: &crate::log::entry::incident::IncidentFields) -> IncidentFacts {
    IncidentFacts {
        kind: i.kind,
        secured: i.secured,
        counseling_notes: i.concerns.records.as_deref() == Some("counseling_notes"),
        to_other_organization: i.kind == IncidentKind::Misdirected,
    }
}

pub fn assess(ctx: &Ctx, a: &IncidentAssessArgs) -> eyre::Result<u8> {
    let t = target(ctx, &a.team, &a.log)?;
    for (flag, n) in [
        ("--nature-note", &a.nature_note),
        ("--recipient-note", &a.recipient_note),
        ("--acquired-note", &a.acquired_note),
        ("--mitigation-note", &a.mitigation_note),
        ("--note", &a.note),
    ] {
        if n.as_deref() == Some("") && flag != "--note" {
            bail!("{flag} is empty: say what the factor rests on");
        }
        screen(flag, n, &[])?;
    }
    let v = find_incident(&t, &a.incident)?;
    let mut input = AssessmentInput {
        exception: a.exception,
        nature: factor(a.nature, &a.nature_note),
        recipient: factor(a.recipient, &a.recipient_note),
        acquired: factor(a.acquired, &a.acquired_note),
        mitigation: factor(a.mitigation, &a.mitigation_note),
    };
    // No outcome flags on a terminal: the dialog (docs/incidents.md); with flags, or without
    // a terminal, what the flags say (none: the presumption of breach).
    if input == AssessmentInput::default() {
        match dialog(ctx, &v)? {
            Dialog::Chosen(i) => {
                // The dialog's notes are screened as the flags' are.
                for (flag, n) in [
                    ("the (i) note", i.nature.as_ref().map(|f| f.note.clone())),
                    (
                        "the (ii) note",
                        i.recipient.as_ref().map(|f| f.note.clone()),
                    ),
                    (
                        "the (iii) note",
                        i.acquired.as_ref().map(|f| f.note.clone()),
                    ),
                    (
                        "the (iv) note",
                        i.mitigation.as_ref().map(|f| f.note.clone()),
                    ),
                ] {
                    screen(flag, &n, &[])?;
                }
                input = i
            }
            Dialog::Left => {
                outln!("assessment not recorded (left the dialog); nothing was written")?;
                return Ok(0);
            }
            Dialog::NoTerminal => {}
        }
    }
    let assessed = run_assess(&facts_of(&v.fields), &input)
        .map_err(|e| eyre::eyre!("{e}; nothing was recorded"))?;
    let body = AssessmentFields {
        incident: v.entry_sha256.clone(),
        exception: input.exception,
        nature: input.nature.clone().map(|f| (f.value, f.note)),
        recipient: input.recipient.clone().map(|f| (f.value, f.note)),
        acquired: input.acquired.clone().map(|f| (f.value, f.note)),
        mitigation: input.mitigation.clone().map(|f| (f.value, f.note)),
        outcome: assessed.outcome,
        note: a.note.clone().filter(|n| !n.is_empty()),
    };
    let receipt = append(ctx, &t.write, IncidentBody::Assessment(Box::new(body)))?;
    outln!(
        "ACK incident_assessment={} incident={} outcome={} seq={} log={}",
        receipt.entry_sha256,
        v.entry_sha256,
        assessed.outcome.as_str(),
        receipt.seq,
        receipt.log_id
    )?;
    for r in &assessed.reasons {
        outln!("why: {r}")?;
    }
    let facts = clock_facts(&v.fields);
    for n in crate::incident::notices(&facts, Some(assessed.outcome), v.delay_end()) {
        let to = n.to.map_or("-", |t| t.as_str());
        let due = match n.due {
            crate::incident::Due::Date(d) => format!("by {d}"),
            crate::incident::Due::Contractual => "contractual: set breach_notice_days".into(),
            crate::incident::Due::NotApplicable => "not_applicable".into(),
        };
        outln!("notice: {to} {due} ({})", n.cite)?;
    }
    Ok(0)
}

/// What the dialog gave (without the TUI feature there is never a dialog).
#[cfg_attr(not(feature = "tui"), allow(dead_code))]
enum Dialog {
    Chosen(AssessmentInput),
    Left,
    NoTerminal,
}

/// The assessment dialog on a terminal (feature `tui`).
#[cfg(feature = "tui")]
fn dialog(ctx: &Ctx, v: &crate::supervise::incidents::IncidentView) -> eyre::Result<Dialog> {
    use std::io::IsTerminal;
    if !std::io::stdin().is_terminal() || !std::io::stdout().is_terminal() {
        return Ok(Dialog::NoTerminal);
    }
    let title = format!(
        "incident {} {} discovered {}",
        &v.entry_sha256[..12],
        v.fields.kind.as_str(),
        v.fields.discovered_on
    );
    let app = crate::tui::assess::AssessApp::new(
        facts_of(&v.fields),
        title,
        crate::tui::Look {
            color: ctx.color,
            ascii: ctx.ascii,
        },
        (80, 24),
    );
    Ok(
        match crate::tui::assess::run(app, ctx.shell()).map_err(eyre::Report::msg)? {
            Some(i) => Dialog::Chosen(i),
            None => Dialog::Left,
        },
    )
}

#[cfg(not(feature = "tui"))]
fn dialog(_: &Ctx, _: &crate::supervise::incidents::IncidentView) -> eyre::Result<Dialog> {
    Ok(Dialog::NoTerminal)
}

pub fn delay(ctx: &Ctx, a: &IncidentDelayArgs) -> eyre::Result<u8> {
    let t = target(ctx, &a.team, &a.log)?;
    let date = match a.law_enforcement {
        DelayForm::Written => match (a.until, a.on) {
            (Some(u), None) => u,
            _ => bail!(
                "a written statement needs --until DATE (the end of the delay it states), not --on"
            ),
        },
        DelayForm::Oral => {
            if a.official.as_deref().is_none_or(str::is_empty) {
                bail!(
                    "an oral statement needs --official TEXT: document the official's identity (45 CFR 164.412(b))"
                );
            }
            match (a.on, a.until) {
                (Some(o), None) => o,
                _ => bail!(
                    "an oral statement needs --on DATE (the day it was given); it delays at most 30 days (45 CFR 164.412(b)) — record a written one with --until"
                ),
            }
        }
    };
    screen("--official", &a.official, &[])?;
    screen("--note", &a.note, &[])?;
    let v = find_incident(&t, &a.incident)?;
    if date < clock_facts(&v.fields).discovered_on {
        bail!(
            "{date} is before the incident was discovered ({}); check the date",
            v.fields.discovered_on
        );
    }
    let body = DelayFields {
        incident: v.entry_sha256.clone(),
        form: a.law_enforcement,
        date: date.to_string(),
        official: a.official.clone(),
        note: a.note.clone().filter(|n| !n.is_empty()),
    };
    let receipt = append(ctx, &t.write, IncidentBody::Delay(body.clone()))?;
    let mut view = v;
    view.delays.push(body);
    outln!(
        "ACK incident_delay={} incident={} seq={} log={}",
        receipt.entry_sha256,
        view.entry_sha256,
        receipt.seq,
        receipt.log_id
    )?;
    if let Some(end) = view.delay_end() {
        outln!("notices are delayed until {end} (45 CFR 164.412)")?;
    }
    Ok(0)
}

pub fn notified(ctx: &Ctx, a: &IncidentNotifiedArgs) -> eyre::Result<u8> {
    let t = target(ctx, &a.team, &a.log)?;
    screen("--note", &a.note, &[])?;
    let v = find_incident(&t, &a.incident)?;
    if a.on < clock_facts(&v.fields).discovered_on {
        bail!(
            "--on {} is before the incident was discovered ({}); check the date",
            a.on,
            v.fields.discovered_on
        );
    }
    if a.on > chrono::Local::now().date_naive() {
        bail!(
            "--on {} is in the future: record a notice once it has been given",
            a.on
        );
    }
    let body = NoticeFields {
        incident: v.entry_sha256.clone(),
        to: a.to,
        on: a.on.to_string(),
        method: a.method,
        note: a.note.clone().filter(|n| !n.is_empty()),
    };
    let receipt = append(ctx, &t.write, IncidentBody::Notice(body))?;
    outln!(
        "ACK incident_notice={} incident={} to={} seq={} log={}",
        receipt.entry_sha256,
        v.entry_sha256,
        a.to.as_str(),
        receipt.seq,
        receipt.log_id
    )?;
    Ok(0)
}
