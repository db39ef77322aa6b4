//! Which patient restriction applies to a disclosure (docs/queue-format.md#restrictions; 2.26, 164.522).

use crate::queue::{
    Disclosure, PatientIx, Purpose, Queue, RecipientClass, RecipientKind, Restriction,
    RestrictionKind,
};

use super::names::names_match;

/// The applying restriction, as the index of the `restriction` fact value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Applies {
    None = 0,
    SelfPay = 1,
    Agreed = 2,
    /// A self-pay restriction overlaps a conduit whose final recipient is not known.
    SelfPayUnknownConduit = 3,
}

fn matches_one(r: &Restriction, name: &str, kind: RecipientKind) -> bool {
    r.recipients
        .iter()
        .any(|t| match RecipientClass::from_token(t) {
            Some(class) => class.covers(kind),
            None => names_match(t, name),
        })
}

/// A clearinghouse or vendor passing the disclosure on (2.26(a)(6) reaches it when it passes
/// a claim to a health plan).
fn is_conduit(d: &Disclosure) -> bool {
    matches!(
        d.recipient.kind,
        RecipientKind::Clearinghouse | RecipientKind::Vendor
    )
}

fn recipient_matches(r: &Restriction, d: &Disclosure) -> bool {
    matches_one(r, &d.recipient.name, d.recipient.kind)
        || d.recipient
            .on_behalf_of
            .as_ref()
            .is_some_and(|o| is_conduit(d) && matches_one(r, &o.name, o.kind))
}

/// Audit counts as health care operations (2.53(h)), so a restriction of operations binds it.
fn purpose_listed(r: &Restriction, p: Purpose) -> bool {
    r.purposes.contains(&p)
        || (p == Purpose::Audit && r.purposes.contains(&Purpose::HealthCareOperations))
}

/// Self-pay binds payment and operations disclosures to a health plan, directly or through a
/// conduit (2.26(a)(6); 164.522(a)(1)(vi)). `Some(false)`: a conduit whose final recipient
/// is unknown.
fn self_pay_reaches(d: &Disclosure) -> Option<bool> {
    if !matches!(
        d.purpose,
        Purpose::Payment | Purpose::HealthCareOperations | Purpose::Audit
    ) {
        return None;
    }
    if d.recipient.kind == RecipientKind::HealthPlan {
        return Some(true);
    }
    if !is_conduit(d) {
        return None;
    }
    match &d.recipient.on_behalf_of {
        Some(o) if o.kind == RecipientKind::HealthPlan => Some(true),
        Some(_) => None,
        None => Some(false),
    }
}

/// `(applies, dates_unknown)`: which restriction applies (self-pay wins over agreed) and
/// whether it applied only because the disclosure has no service dates to compare. The
/// emergency exception of an agreed restriction (2.26(a)(3)) is a policy rule, not a fact.
pub fn applies(q: &Queue, pix: Option<&PatientIx>, d: &Disclosure) -> (Applies, bool) {
    let mut best = Applies::None;
    let mut unknown = false;
    for r in pix
        .into_iter()
        .flat_map(|p| p.restrictions.iter())
        .filter_map(|&i| q.restrictions.get(i))
    {
        if !purpose_listed(r, d.purpose) {
            continue;
        }
        let this = match r.kind {
            RestrictionKind::SelfPay => match self_pay_reaches(d) {
                None => continue,
                Some(true) if recipient_matches(r, d) => Applies::SelfPay,
                Some(true) => continue,
                Some(false) => Applies::SelfPayUnknownConduit,
            },
            RestrictionKind::Agreed if recipient_matches(r, d) => Applies::Agreed,
            RestrictionKind::Agreed => continue,
        };
        let dates_unknown = match (r.service_dates, d.service_dates) {
            (Some(rd), Some(dd)) => {
                if !rd.overlaps(&dd) {
                    continue;
                }
                false
            }
            (Some(_), None) => true,
            (None, _) => false,
        };
        let stronger = rank(this) > rank(best);
        if stronger {
            best = this;
            unknown = dates_unknown;
        } else if this == best {
            // Another of the same kind that applies on known dates settles the question.
            unknown &= dates_unknown;
        }
    }
    (best, unknown)
}

/// Which applying restriction is reported: a settled self-pay, then an unknown conduit's
/// self-pay, then an agreed one.
fn rank(a: Applies) -> u8 {
    match a {
        Applies::None => 0,
        Applies::Agreed => 1,
        Applies::SelfPayUnknownConduit => 2,
        Applies::SelfPay => 3,
    }
}
