//! Which patient restriction applies to a disclosure (SPEC §3.3; 2.26, 164.522).

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
}

fn recipient_matches(r: &Restriction, d: &Disclosure) -> bool {
    r.recipients
        .iter()
        .any(|t| match RecipientClass::from_token(t) {
            Some(class) => class.covers(d.recipient.kind),
            None => names_match(t, &d.recipient.name),
        })
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
        if !recipient_matches(r, d) || !r.purposes.contains(&d.purpose) {
            continue;
        }
        if r.kind == RestrictionKind::SelfPay
            && !(d.recipient.kind == RecipientKind::HealthPlan
                && matches!(d.purpose, Purpose::Payment | Purpose::HealthCareOperations))
        {
            continue;
        }
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
        let this = match r.kind {
            RestrictionKind::SelfPay => Applies::SelfPay,
            RestrictionKind::Agreed => Applies::Agreed,
        };
        let stronger = this == Applies::SelfPay && best != Applies::SelfPay;
        if best == Applies::None || stronger {
            best = this;
            unknown = dates_unknown;
        } else if this == best {
            // Another of the same kind that applies on known dates settles the question.
            unknown &= dates_unknown;
        }
    }
    (best, unknown)
}
