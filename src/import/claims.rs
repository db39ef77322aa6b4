//! 837P / 837I claim extraction: walks the segments of a file and collects, per CLM, what
//! the queue needs (ids, amount, codes, dates, providers, payer, patient key).
//!
//! The hierarchy is followed by HL level code in file order (20 billing provider, 22
//! subscriber, 23 patient): 837 HLs are always written depth-first, and real files get
//! HL parent numbers wrong often enough (one of the public fixtures does) that trusting
//! them would lose claims. Segments the import does not need are skipped unread.

use std::collections::HashSet;

use chrono::NaiveDate;

use super::valueset::{CodeSystem, normalize};
use super::x12::{Position, Reader, Segment, SyntaxError, component};
use crate::queue::{Amount, DateRange};

/// How a claim's patient is identified. Never written anywhere: it is only hashed or
/// looked up in the context's `member_ids`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PatientKey {
    /// The patient's own member id (subscriber NM1*IL, or NM1*QC NM109 where sent).
    MemberId(String),
    /// A dependent without an id of their own (5010 loop 2010CA): the subscriber's id plus
    /// the patient's name and birth date, so that a parent and child never share a ref.
    Dependent {
        subscriber: String,
        last: String,
        first: String,
        birth: String,
    },
}

impl PatientKey {
    /// The bytes fed to the pseudonym HMAC.
    pub fn hmac_input(&self) -> Vec<u8> {
        match self {
            PatientKey::MemberId(id) => id.as_bytes().to_vec(),
            PatientKey::Dependent {
                subscriber,
                last,
                first,
                birth,
            } => [subscriber.as_str(), last, first, birth]
                .join("\u{1f}")
                .into_bytes(),
        }
    }

    pub fn member_id(&self) -> Option<&str> {
        match self {
            PatientKey::MemberId(id) => Some(id),
            PatientKey::Dependent { .. } => None,
        }
    }
}

/// One claim as read from the file, before matching against the context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawClaim {
    pub pos: Position,
    pub clm01: String,
    pub amount: Amount,
    pub requested_on: NaiveDate,
    pub patient: PatientKey,
    pub payer_id: String,
    pub payer_name: String,
    pub billing_npi: Option<String>,
    pub billing_taxonomies: Vec<String>,
    pub rendering_npis: Vec<String>,
    pub rendering_taxonomies: Vec<String>,
    /// Diagnoses, printed form, with their code system.
    pub dx: Vec<(CodeSystem, String)>,
    /// Service-line procedures (HCPCS/CPT) and 837I ICD procedures, printed form.
    pub procedures: Vec<(CodeSystem, String)>,
    pub modifiers: Vec<String>,
    pub drg: Option<String>,
    pub service_dates: Option<DateRange>,
}

#[derive(Default)]
struct Hier {
    billing_npi: Option<String>,
    billing_taxonomies: Unique<String>,
    subscriber_id: Option<String>,
    payer: Option<(String, String)>,
    /// Loop 2010CA: (own id, last, first, birth date).
    patient: Option<(Option<String>, String, String, String)>,
    /// The last NM1 outside a claim was NM1*QC (so DMG is the patient's).
    after_qc: bool,
    seen_hl: bool,
}

struct Building {
    pos: Position,
    clm01: Vec<u8>,
    amount: Vec<u8>,
    rendering_npis: Unique<String>,
    rendering_taxonomies: Unique<String>,
    dx: Unique<(CodeSystem, String)>,
    procedures: Unique<(CodeSystem, String)>,
    modifiers: Unique<String>,
    drg: Option<String>,
    service: Option<DateRange>,
    statement: Option<DateRange>,
}

/// Reads every claim of one file. Errors carry the segment position.
pub fn read_claims(input: &[u8]) -> Result<Vec<RawClaim>, SyntaxError> {
    let unwrapped = super::x12::unwrap_lines(input);
    let mut reader = match &unwrapped {
        Some(flat) => Reader::new(flat)?.without_line_numbers(),
        None => Reader::new(input)?,
    };
    let mut buf = Vec::with_capacity(32);
    let mut out = Vec::new();
    let mut hier = Hier::default();
    let mut claim: Option<Building> = None;
    let mut bht04: Option<NaiveDate> = None;
    let mut gs: Option<Position> = None;
    let mut st: Option<Position> = None;

    while let Some(seg) = reader.next_segment(&mut buf)? {
        let err = |m: String| reader.error_at(seg.pos, seg.id(), m);
        match seg.id() {
            b"ISA" | b"IEA" => {
                if let Some(g) = gs.filter(|_| seg.id() == b"IEA") {
                    return Err(err(format!(
                        "the functional group opened by the GS at segment {} has no GE: the file is truncated or damaged",
                        g.segment
                    )));
                }
            }
            b"GS" => gs = Some(seg.pos),
            b"GE" => {
                if let Some(s) = st {
                    return Err(err(format!(
                        "the transaction set opened by the ST at segment {} has no SE: the file is truncated or damaged",
                        s.segment
                    )));
                }
                gs = None;
            }
            b"ST" => {
                if gs.is_none() {
                    return Err(err("ST outside a functional group (no GS before it)".into()));
                }
                let kind = seg.el(1);
                if kind != b"837" {
                    return Err(err(format!(
                        "transaction set {} is not a health care claim: import x12 reads 837P/837I claim files (ST01 = 837)",
                        crate::text::escape(&String::from_utf8_lossy(&kind[..kind.len().min(6)]))
                    )));
                }
                st = Some(seg.pos);
                bht04 = None;
                hier = Hier::default();
            }
            b"SE" => {
                if st.is_none() {
                    return Err(err("SE without an ST".into()));
                }
                finish(&mut claim, &hier, bht04, &reader, &mut out)?;
                st = None;
            }
            _ if st.is_none() => {
                return Err(err(
                    "segment outside a transaction set (before ST or after SE)".into(),
                ));
            }
            b"BHT" => {
                bht04 = Some(parse_date(seg.el(4)).ok_or_else(|| {
                    err("BHT04 (transaction date) is not a date in CCYYMMDD form".into())
                })?);
            }
            b"HL" => {
                finish(&mut claim, &hier, bht04, &reader, &mut out)?;
                hier.seen_hl = true;
                hier.after_qc = false;
                match seg.el(3) {
                    b"20" => {
                        hier = Hier {
                            seen_hl: true,
                            ..Hier::default()
                        }
                    }
                    b"22" => {
                        hier.subscriber_id = None;
                        hier.payer = None;
                        hier.patient = None;
                    }
                    b"23" => hier.patient = None,
                    _ => {}
                }
            }
            b"CLM" => {
                finish(&mut claim, &hier, bht04, &reader, &mut out)?;
                if !hier.seen_hl {
                    return Err(err(
                        "CLM outside the HL hierarchy (no billing provider / subscriber HL before it)"
                            .into(),
                    ));
                }
                claim = Some(Building {
                    pos: seg.pos,
                    clm01: seg.el(1).to_vec(),
                    amount: seg.el(2).to_vec(),
                    rendering_npis: Unique::default(),
                    rendering_taxonomies: Unique::default(),
                    dx: Unique::default(),
                    procedures: Unique::default(),
                    modifiers: Unique::default(),
                    drg: None,
                    service: None,
                    statement: None,
                });
            }
            b"NM1" => {
                let entity = seg.el(1);
                let npi = (seg.el(8) == b"XX" && !seg.el(9).is_empty()).then(|| text(seg.el(9)));
                if let Some(c) = claim.as_mut() {
                    // 2310/2420 providers: rendering (82) and, on 837I, attending (71) and
                    // operating (72) physicians. Other payer / subscriber loops are ignored.
                    if matches!(entity, b"82" | b"71" | b"72") {
                        c.rendering_npis.push(npi);
                    }
                } else {
                    hier.after_qc = false;
                    match entity {
                        b"85" => hier.billing_npi = npi,
                        b"IL" => {
                            let id = seg.el(9);
                            hier.subscriber_id = (!id.is_empty()).then(|| text(id));
                        }
                        b"PR" if hier.payer.is_none() => {
                            hier.payer = Some((text(seg.el(9)), text(seg.el(3))));
                        }
                        b"QC" => {
                            let id = seg.el(9);
                            hier.patient = Some((
                                (!id.is_empty()).then(|| text(id)),
                                text(seg.el(3)),
                                text(seg.el(4)),
                                String::new(),
                            ));
                            hier.after_qc = true;
                        }
                        _ => {}
                    }
                }
            }
            b"DMG" if claim.is_none() && hier.after_qc => {
                if let Some(p) = hier.patient.as_mut() {
                    p.3 = text(seg.el(2));
                }
            }
            b"PRV" => {
                let taxonomy = (!seg.el(3).is_empty()).then(|| text(seg.el(3)));
                match (seg.el(1), claim.as_mut()) {
                    (b"BI", None) => hier.billing_taxonomies.push(taxonomy),
                    (b"PE" | b"AT" | b"OP", Some(c)) => c.rendering_taxonomies.push(taxonomy),
                    _ => {}
                }
            }
            b"HI" => {
                if let Some(c) = claim.as_mut() {
                    read_hi(&seg, c);
                }
            }
            b"SV1" | b"SV2" => {
                if let Some(c) = claim.as_mut() {
                    let composite = if seg.id() == b"SV1" { 1 } else { 2 };
                    let el = seg.el(composite);
                    let sep = seg.seps.component;
                    let qualifier = component(el, sep, 1);
                    let code = component(el, sep, 2);
                    if !code.is_empty() && qualifier != b"N4" {
                        let code = normalize(CodeSystem::Hcpcs, &text(code));
                        c.procedures.push_code(CodeSystem::Hcpcs, code);
                        for m in el.split(|&b| b == sep).skip(2).take(4) {
                            if !m.is_empty() {
                                let m = text(m).to_ascii_uppercase();
                                c.modifiers.push(Some(m));
                            }
                        }
                    }
                }
            }
            b"DTP" => {
                if let Some(c) = claim.as_mut() {
                    let slot = match seg.el(1) {
                        b"472" => &mut c.service,
                        b"434" => &mut c.statement,
                        _ => continue,
                    };
                    if !matches!(seg.el(2), b"D8" | b"RD8") {
                        return Err(err(format!(
                            "DTP02 date format {:?} is not D8 (CCYYMMDD) or RD8 (CCYYMMDD-CCYYMMDD)",
                            crate::text::escape(&String::from_utf8_lossy(
                                &seg.el(2)[..seg.el(2).len().min(4)]
                            ))
                        )));
                    }
                    let range = parse_period(seg.el(2), seg.el(3)).ok_or_else(|| {
                        err("DTP03 is not a valid date for its format (D8 = CCYYMMDD, RD8 = CCYYMMDD-CCYYMMDD with from ≤ to)".into())
                    })?;
                    *slot = Some(match *slot {
                        Some(r) => DateRange {
                            from: r.from.min(range.from),
                            to: r.to.max(range.to),
                        },
                        None => range,
                    });
                }
            }
            _ => {}
        }
    }
    Ok(out)
}

/// Closes the open claim (if any): validates what the queue requires and appends it.
fn finish(
    claim: &mut Option<Building>,
    hier: &Hier,
    bht04: Option<NaiveDate>,
    reader: &Reader<'_>,
    out: &mut Vec<RawClaim>,
) -> Result<(), SyntaxError> {
    let Some(c) = claim.take() else {
        return Ok(());
    };
    let err = |m: &str| reader.error_at(c.pos, b"CLM", m.to_owned());
    if c.clm01.is_empty() {
        return Err(err("CLM01 (the claim id, patient control number) is empty"));
    }
    let amount = parse_amount(&c.amount).ok_or_else(|| {
        err("CLM02 (total claim charge) is not an amount ≥ 0 with at most 2 decimals")
    })?;
    let max = crate::queue::limits::MAX_ITEM_LIST;
    for (what, n) in [
        ("diagnoses", c.dx.items.len()),
        ("procedures", c.procedures.items.len()),
        ("modifiers", c.modifiers.items.len()),
    ] {
        if n > max {
            return Err(err(&format!(
                "the claim has {n} distinct {what}: a queue disclosure holds at most {max}; split the claim"
            )));
        }
    }
    let requested_on =
        bht04.ok_or_else(|| err("no BHT segment with a date (BHT04) before this claim"))?;
    let patient = match (&hier.patient, &hier.subscriber_id) {
        (Some((Some(own), ..)), _) => PatientKey::MemberId(own.clone()),
        (Some((None, last, first, birth)), Some(sub)) => PatientKey::Dependent {
            subscriber: sub.clone(),
            last: last.clone(),
            first: first.clone(),
            birth: birth.clone(),
        },
        (None, Some(sub)) => PatientKey::MemberId(sub.clone()),
        (_, None) => {
            return Err(err(
                "no subscriber member id (NM1*IL, NM109) in the subscriber loop of this claim",
            ));
        }
    };
    let Some((payer_id, payer_name)) = hier.payer.clone() else {
        return Err(err(
            "no payer (NM1*PR) in the subscriber loop of this claim: the recipient is unknown",
        ));
    };
    out.push(RawClaim {
        pos: c.pos,
        clm01: text(&c.clm01),
        amount,
        requested_on,
        patient,
        payer_id,
        payer_name,
        billing_npi: hier.billing_npi.clone(),
        billing_taxonomies: hier.billing_taxonomies.items.clone(),
        rendering_npis: c.rendering_npis.items,
        rendering_taxonomies: c.rendering_taxonomies.items,
        dx: c.dx.items,
        procedures: c.procedures.items,
        modifiers: c.modifiers.items,
        drg: c.drg,
        service_dates: c.service.or(c.statement),
    });
    Ok(())
}

/// HI: each element is `qualifier:code[:...]`. Some senders (one public fixture) write
/// `HI*BK*8901*BF*87200`: a bare qualifier followed by a bare code is read as one pair, so a
/// diagnosis is never missed for a formatting slip.
fn read_hi(seg: &Segment<'_, '_>, c: &mut Building) {
    let sep = seg.seps.component;
    let mut n = 1;
    while n < seg.elements.len() {
        let el = seg.el(n);
        n += 1;
        let (qualifier, code) = if el.contains(&sep) {
            (component(el, sep, 1), component(el, sep, 2))
        } else if hi_system(el).is_some() && n < seg.elements.len() {
            let next = seg.el(n);
            if next.contains(&sep) || hi_system(next).is_some() {
                continue;
            }
            n += 1;
            (el, next)
        } else {
            continue;
        };
        if code.is_empty() {
            continue;
        }
        let Some((system, is_dx)) = hi_system(qualifier) else {
            continue;
        };
        let code = normalize(system, &text(code));
        if system == CodeSystem::Drg {
            c.drg = Some(code);
        } else {
            let list = if is_dx { &mut c.dx } else { &mut c.procedures };
            list.push_code(system, code);
        }
    }
}

/// HI qualifier → (code system, is a diagnosis).
fn hi_system(q: &[u8]) -> Option<(CodeSystem, bool)> {
    Some(match q {
        b"ABK" | b"ABF" | b"ABJ" | b"APR" | b"ABN" => (CodeSystem::Icd10Cm, true),
        b"BK" | b"BF" | b"BJ" | b"PR" | b"BN" => (CodeSystem::Icd9Cm, true),
        b"BBR" | b"BBQ" => (CodeSystem::Icd10Pcs, false),
        b"BR" | b"BQ" => (CodeSystem::Icd9Pcs, false),
        b"DR" => (CodeSystem::Drg, false),
        _ => return None,
    })
}

/// A list keeping the first occurrence of each code, in file order. The set makes it
/// linear: a claim may carry tens of thousands of service lines.
#[derive(Debug)]
struct Unique<T> {
    items: Vec<T>,
    seen: HashSet<String>,
}

impl<T> Default for Unique<T> {
    fn default() -> Self {
        Unique {
            items: Vec::new(),
            seen: HashSet::new(),
        }
    }
}

impl<T> Unique<T> {
    fn first_time(&mut self, code: &str) -> bool {
        !self.seen.contains(code) && self.seen.insert(code.to_owned())
    }
}

impl Unique<String> {
    fn push(&mut self, item: Option<String>) {
        if let Some(i) = item
            && self.first_time(&i)
        {
            self.items.push(i);
        }
    }
}

impl Unique<(CodeSystem, String)> {
    /// Codes are unique by their printed form, whatever the system.
    fn push_code(&mut self, system: CodeSystem, code: String) {
        if self.first_time(&code) {
            self.items.push((system, code));
        }
    }
}

/// Element text: trimmed, invalid UTF-8 replaced (X12 is ASCII; stray Latin-1 bytes in
/// names must not fail a file).
fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).trim().to_owned()
}

fn parse_date(b: &[u8]) -> Option<NaiveDate> {
    if b.len() != 8 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let n = |r: std::ops::Range<usize>| {
        b[r].iter()
            .fold(0u32, |acc, &d| acc * 10 + u32::from(d - b'0'))
    };
    NaiveDate::from_ymd_opt(n(0..4) as i32, n(4..6), n(6..8))
}

fn parse_period(format: &[u8], value: &[u8]) -> Option<DateRange> {
    match format {
        b"D8" => parse_date(value).map(|d| DateRange { from: d, to: d }),
        b"RD8" => {
            let dash = value.iter().position(|&b| b == b'-')?;
            let from = parse_date(&value[..dash])?;
            let to = parse_date(&value[dash + 1..])?;
            (from <= to).then_some(DateRange { from, to })
        }
        _ => None,
    }
}

/// CLM02: X12 decimal (`500`, `12.25`, `.5`, `12.500`) → exact cents.
fn parse_amount(b: &[u8]) -> Option<Amount> {
    let s = std::str::from_utf8(b).ok()?.trim();
    // Byte offsets below are character offsets only in ASCII; an amount is ASCII anyway.
    if !s.is_ascii() {
        return None;
    }
    let s = if s.starts_with('.') {
        format!("0{s}")
    } else {
        s.to_owned()
    };
    let s = match s.split_once('.') {
        Some((i, f)) if f.len() > 2 && f[2..].bytes().all(|d| d == b'0') => {
            format!("{i}.{}", &f[..2])
        }
        _ => s,
    };
    Amount::parse(&s).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts() {
        assert_eq!(parse_amount(b"500"), Some(Amount(50000)));
        assert_eq!(parse_amount(b"12.25"), Some(Amount(1225)));
        assert_eq!(parse_amount(b".5"), Some(Amount(50)));
        assert_eq!(parse_amount(b"12.500"), Some(Amount(1250)));
        assert_eq!(parse_amount(b"12.505"), None);
        assert_eq!(parse_amount(b"-1"), None);
        assert_eq!(parse_amount(b""), None);
    }

    #[test]
    fn non_ascii_amounts_are_refused_without_panicking() {
        // A multi-byte character where the fraction's third digit would be sliced.
        assert_eq!(parse_amount("12.5\u{e9}0".as_bytes()), None);
        assert_eq!(parse_amount("1.00\u{e9}".as_bytes()), None);
        assert_eq!(parse_amount("\u{663}.00".as_bytes()), None);
        assert_eq!(parse_amount(b"12.\xff"), None);
    }

    #[test]
    fn unique_keeps_first_occurrences_in_order() {
        let mut u = Unique::<String>::default();
        for m in ["HF", "GT", "HF", "U1", "GT"] {
            u.push(Some(m.to_owned()));
        }
        u.push(None);
        assert_eq!(u.items, ["HF", "GT", "U1"]);
        let mut c = Unique::default();
        c.push_code(CodeSystem::Hcpcs, "H0020".to_owned());
        c.push_code(CodeSystem::Icd10Pcs, "H0020".to_owned());
        c.push_code(CodeSystem::Hcpcs, "99213".to_owned());
        assert_eq!(
            c.items,
            [
                (CodeSystem::Hcpcs, "H0020".to_owned()),
                (CodeSystem::Hcpcs, "99213".to_owned())
            ]
        );
    }

    #[test]
    fn periods() {
        let d = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(
            parse_period(b"RD8", b"20050314-20050325"),
            Some(DateRange {
                from: d("2005-03-14"),
                to: d("2005-03-25")
            })
        );
        assert_eq!(parse_period(b"RD8", b"20050325-20050314"), None);
        assert_eq!(parse_period(b"D8", b"20050230"), None);
        assert_eq!(parse_period(b"DT", b"200503141200"), None);
    }
}
