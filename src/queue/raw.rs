//! The queue file as read, before validation: the model's shape with strict scalar types.
//! In YAML the strict types read a scalar's text (`yaml::text` and the fast reader answer
//! `deserialize_bool` and the `RAW_TEXT` newtype with it); JSON keeps its own types.
//!
//! Why a mirror of `model`: the model keeps plain `NaiveDate`, `bool` and `Amount`, whose
//! serde impls are lenient (chrono takes `2026-1-5`, YAML takes `True`, a YAML float loses
//! `412.505`). Here dates must be `YYYY-MM-DD`, booleans exactly `true`/`false`, and a YAML
//! amount is read from its raw scalar text. `into_model` is exhaustive, so a field added to
//! the model without a mirror here fails to compile.

use std::fmt;

use chrono::NaiveDate;
use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};

use super::amount::Amount;
use super::limits::MAX_ITEM_LIST;
use super::model::{
    self, ConsentKind, ConsentRecipient, CourtOrder, HolderBasis, InquiryAbout, MissingElement,
    Organization, Pack, Payer, Proceeding, Purpose, RecipientKind, Records, RestrictionKind, Role,
};

/// A date written exactly `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Date(pub NaiveDate);

pub(crate) fn parse_date(s: &str) -> Result<NaiveDate, String> {
    let b = s.as_bytes();
    let shape = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    let bad = || format!("invalid date {s:?}: write YYYY-MM-DD, e.g. 2026-11-28");
    if !shape {
        return Err(bad());
    }
    let n = |r: std::ops::Range<usize>| s[r].parse::<u32>().map_err(|_| bad());
    let y = i32::try_from(n(0..4)?).map_err(|_| bad())?;
    NaiveDate::from_ymd_opt(y, n(5..7)?, n(8..10)?)
        .ok_or_else(|| format!("invalid date {s:?}: no such day (write YYYY-MM-DD)"))
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Date;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a date YYYY-MM-DD")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Date, E> {
                parse_date(v).map(Date).map_err(E::custom)
            }
        }
        d.deserialize_str(V)
    }
}

/// A boolean written exactly `true` or `false` (YAML `yes`, `on`, `True` are errors).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Flag(pub bool);

impl<'de> Deserialize<'de> for Flag {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Flag, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Flag;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("true or false")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Flag, E> {
                Ok(Flag(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Flag, E> {
                match v {
                    "true" => Ok(Flag(true)),
                    "false" => Ok(Flag(false)),
                    _ => Err(E::custom(format!(
                        "invalid boolean {v:?}: write true or false"
                    ))),
                }
            }
        }
        // JSON answers with a boolean; YAML (both readers) with the scalar's text.
        d.deserialize_bool(V)
    }
}

/// `claim.amount`: in YAML from the scalar's text (so `412.505` is rejected exactly, not
/// rounded through a float); in JSON a number or a string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RawAmount(pub Amount);

impl<'de> Deserialize<'de> for RawAmount {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<RawAmount, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawAmount;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a decimal amount ≥ 0 with at most 2 fraction digits, e.g. \"412.50\"")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawAmount, E> {
                Amount::parse(v).map(RawAmount).map_err(E::custom)
            }
            fn visit_newtype_struct<D: Deserializer<'de>>(
                self,
                d: D,
            ) -> Result<RawAmount, D::Error> {
                Amount::deserialize(d).map(RawAmount)
            }
        }
        // YAML (both readers) answers with the scalar's text; JSON with the value, a
        // number or a string.
        d.deserialize_newtype_struct(super::yaml::RAW_TEXT, V)
    }
}

/// A list inside an item, refused as soon as it passes `MAX_ITEM_LIST` entries (before
/// the rest is read).
fn capped<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    struct V<T>(std::marker::PhantomData<T>);
    impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
        type Value = Vec<T>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a sequence")
        }
        fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
            let mut v = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(MAX_ITEM_LIST));
            while let Some(x) = seq.next_element()? {
                if v.len() == MAX_ITEM_LIST {
                    return Err(de::Error::custom(format!(
                        "this list has more than {MAX_ITEM_LIST} entries: a list inside one item holds at most {MAX_ITEM_LIST}; split the item or trim the list"
                    )));
                }
                v.push(x);
            }
            Ok(v)
        }
    }
    d.deserialize_seq(V(std::marker::PhantomData))
}

fn yes() -> Flag {
    Flag(true)
}

fn general_records() -> Vec<Records> {
    vec![Records::General]
}

fn tpo_purposes() -> Vec<Purpose> {
    vec![
        Purpose::Treatment,
        Purpose::Payment,
        Purpose::HealthCareOperations,
    ]
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawQueue {
    pub schema: String,
    #[serde(default)]
    pub as_of: Option<Date>,
    #[serde(default)]
    pub pack: Option<Pack>,
    pub organization: Organization,
    #[serde(default)]
    pub programs: Vec<RawProgram>,
    #[serde(default)]
    pub payers: Vec<Payer>,
    #[serde(default, deserialize_with = "capped")]
    pub fhir_identifier_systems: Vec<String>,
    #[serde(default)]
    pub patients: ModelVec<RawPatient>,
    #[serde(default)]
    pub consents: ModelVec<RawConsent>,
    #[serde(default)]
    pub restrictions: ModelVec<RawRestriction>,
    #[serde(default)]
    pub disclosures: ModelVec<RawDisclosure>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawProgram {
    pub id: String,
    pub name: String,
    pub part2: Flag,
    #[serde(default = "yes")]
    pub covered_entity: Flag,
    #[serde(default)]
    pub va: Flag,
    #[serde(default, deserialize_with = "capped")]
    pub npis: Vec<String>,
    #[serde(default, deserialize_with = "capped")]
    pub taxonomies: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPatient {
    #[serde(rename = "ref")]
    pub reference: String,
    #[serde(default)]
    pub display: Option<String>,
    #[serde(default)]
    pub deceased: Flag,
    #[serde(default)]
    pub minor: Flag,
    #[serde(default, deserialize_with = "capped")]
    pub member_ids: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawConsent {
    pub id: String,
    pub patient: String,
    pub program: String,
    pub kind: ConsentKind,
    #[serde(deserialize_with = "capped")]
    pub recipients: Vec<ConsentRecipient>,
    #[serde(deserialize_with = "capped")]
    pub purposes: Vec<Purpose>,
    #[serde(default = "general_records", deserialize_with = "capped")]
    pub records: Vec<Records>,
    #[serde(default)]
    pub information: Option<String>,
    pub signed_on: Date,
    #[serde(default)]
    pub expires_on: Option<Date>,
    #[serde(default)]
    pub expires_event: Option<String>,
    #[serde(default)]
    pub event_occurred_on: Option<Date>,
    #[serde(default)]
    pub revoked_on: Option<Date>,
    #[serde(default, deserialize_with = "capped")]
    pub missing_elements: Vec<MissingElement>,
    #[serde(default)]
    pub known_false: Flag,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRestriction {
    pub patient: String,
    pub kind: RestrictionKind,
    #[serde(deserialize_with = "capped")]
    pub recipients: Vec<String>,
    #[serde(default = "tpo_purposes", deserialize_with = "capped")]
    pub purposes: Vec<Purpose>,
    #[serde(default)]
    pub services: Option<String>,
    #[serde(default)]
    pub service_dates: Option<RawDateRange>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawDateRange {
    pub from: Date,
    pub to: Date,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRecipient {
    pub name: String,
    pub kind: RecipientKind,
    #[serde(default)]
    pub covered_entity: Option<Flag>,
    #[serde(default)]
    pub qsoa_with_program: Flag,
    #[serde(default)]
    pub subcontractor: Flag,
    #[serde(default)]
    pub audit_agreement: Flag,
    #[serde(default)]
    pub on_behalf_of: Option<RawOnBehalfOf>,
    #[serde(default)]
    pub treats_patient: Flag,
    #[serde(default)]
    pub involved_in_care: Flag,
    #[serde(default)]
    pub address: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawOnBehalfOf {
    pub name: String,
    pub kind: RecipientKind,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawClaim {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub amount: Option<RawAmount>,
    #[serde(default, deserialize_with = "capped")]
    pub dx: Vec<String>,
    #[serde(default, deserialize_with = "capped")]
    pub procedures: Vec<String>,
    #[serde(default, deserialize_with = "capped")]
    pub modifiers: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawDisclosure {
    pub id: String,
    pub requested_on: Date,
    pub patient: String,
    pub program: String,
    #[serde(default)]
    pub actor: Option<Role>,
    #[serde(default)]
    pub holder_basis: Option<HolderBasis>,
    #[serde(default)]
    pub research_documented: Flag,
    pub recipient: RawRecipient,
    pub purpose: Purpose,
    #[serde(default)]
    pub records: Records,
    #[serde(default)]
    pub against_patient: Flag,
    #[serde(default)]
    pub proceeding: Option<Proceeding>,
    #[serde(default)]
    pub inquiry_about: Option<InquiryAbout>,
    #[serde(default)]
    pub court_order: Option<CourtOrder>,
    #[serde(default)]
    pub subpoena: Flag,
    #[serde(default)]
    pub emergency: Flag,
    #[serde(default)]
    pub consent: Option<String>,
    #[serde(default)]
    pub service_dates: Option<RawDateRange>,
    #[serde(default)]
    pub claim: Option<RawClaim>,
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub information: Option<String>,
    #[serde(default)]
    pub expect: Option<RawExpect>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawExpect {
    #[serde(default)]
    pub part2: Option<String>,
    #[serde(default)]
    pub notice: Option<Flag>,
    #[serde(default)]
    pub hipaa: Option<String>,
    #[serde(default)]
    pub consent: Option<String>,
    #[serde(default)]
    pub redisclosure: Option<String>,
    #[serde(default, deserialize_with = "capped")]
    pub cites: Vec<String>,
    #[serde(default)]
    pub teach: Option<String>,
    #[serde(default)]
    pub incident: Option<RawIncidentScenario>,
    #[serde(default)]
    pub outcome: Option<String>,
    #[serde(default)]
    pub first_notice: Option<String>,
    #[serde(default)]
    pub due: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawIncidentScenario {
    pub kind: String,
    pub discovered_on: Date,
    #[serde(default)]
    pub individuals: Option<u64>,
    #[serde(default)]
    pub residents: std::collections::BTreeMap<String, u64>,
    #[serde(default)]
    pub secured: Flag,
    #[serde(default)]
    pub reported_by_ba_on: Option<Date>,
    #[serde(default)]
    pub ba_is_agent: Flag,
    #[serde(default)]
    pub breach_notice_days: Option<u64>,
    #[serde(default)]
    pub exception: Option<String>,
    #[serde(default)]
    pub nature: Option<String>,
    #[serde(default)]
    pub recipient: Option<String>,
    #[serde(default)]
    pub acquired: Option<String>,
    #[serde(default)]
    pub mitigation: Option<String>,
    #[serde(default)]
    pub delay: Option<RawScenarioDelay>,
    #[serde(default)]
    pub due_for: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawScenarioDelay {
    pub form: String,
    pub date: Date,
}

impl RawIncidentScenario {
    fn into_model(self) -> model::IncidentScenario {
        model::IncidentScenario {
            kind: self.kind,
            discovered_on: self.discovered_on.0,
            individuals: self.individuals,
            residents: self.residents,
            secured: self.secured.0,
            reported_by_ba_on: self.reported_by_ba_on.map(|d| d.0),
            ba_is_agent: self.ba_is_agent.0,
            breach_notice_days: self.breach_notice_days,
            exception: self.exception,
            nature: self.nature,
            recipient: self.recipient,
            acquired: self.acquired,
            mitigation: self.mitigation,
            delay: self.delay.map(|d| model::ScenarioDelay {
                form: d.form,
                date: d.date.0,
            }),
            due_for: self.due_for,
        }
    }
}

fn range(r: RawDateRange) -> model::DateRange {
    model::DateRange {
        from: r.from.0,
        to: r.to.0,
    }
}

impl RawProgram {
    pub(crate) fn into_model(self) -> model::Program {
        model::Program {
            id: self.id,
            name: self.name,
            part2: self.part2.0,
            covered_entity: self.covered_entity.0,
            va: self.va.0,
            npis: self.npis,
            taxonomies: self.taxonomies,
        }
    }
}

impl RawPatient {
    pub(crate) fn into_model(self) -> model::Patient {
        model::Patient {
            reference: self.reference,
            display: self.display,
            deceased: self.deceased.0,
            minor: self.minor.0,
            member_ids: self.member_ids,
        }
    }
}

impl RawConsent {
    pub(crate) fn into_model(self) -> model::Consent {
        model::Consent {
            id: self.id,
            patient: self.patient,
            program: self.program,
            kind: self.kind,
            recipients: self.recipients,
            purposes: self.purposes,
            records: self.records,
            information: self.information,
            signed_on: self.signed_on.0,
            expires_on: self.expires_on.map(|d| d.0),
            expires_event: self.expires_event,
            event_occurred_on: self.event_occurred_on.map(|d| d.0),
            revoked_on: self.revoked_on.map(|d| d.0),
            missing_elements: self.missing_elements,
            known_false: self.known_false.0,
        }
    }
}

impl RawRestriction {
    pub(crate) fn into_model(self) -> model::Restriction {
        model::Restriction {
            patient: self.patient,
            kind: self.kind,
            recipients: self.recipients,
            purposes: self.purposes,
            services: self.services,
            service_dates: self.service_dates.map(range),
        }
    }
}

impl RawDisclosure {
    pub(crate) fn into_model(self) -> model::Disclosure {
        let r = self.recipient;
        model::Disclosure {
            id: self.id,
            requested_on: self.requested_on.0,
            patient: self.patient,
            program: self.program,
            actor: self.actor,
            holder_basis: self.holder_basis,
            research_documented: self.research_documented.0,
            recipient: model::Recipient {
                name: r.name,
                kind: r.kind,
                covered_entity: r.covered_entity.map(|f| f.0),
                qsoa_with_program: r.qsoa_with_program.0,
                subcontractor: r.subcontractor.0,
                audit_agreement: r.audit_agreement.0,
                on_behalf_of: r.on_behalf_of.map(|o| model::OnBehalfOf {
                    name: o.name,
                    kind: o.kind,
                }),
                treats_patient: r.treats_patient.0,
                involved_in_care: r.involved_in_care.0,
                address: r.address,
            },
            purpose: self.purpose,
            records: self.records,
            against_patient: self.against_patient.0,
            proceeding: self.proceeding,
            inquiry_about: self.inquiry_about,
            court_order: self.court_order,
            subpoena: self.subpoena.0,
            emergency: self.emergency.0,
            consent: self.consent,
            service_dates: self.service_dates.map(range),
            claim: self.claim.map(|c| model::Claim {
                id: c.id,
                amount: c.amount.map(|a| a.0),
                dx: c.dx,
                procedures: c.procedures,
                modifiers: c.modifiers,
            }),
            note: self.note,
            information: self.information,
            expect: self.expect.map(|e| model::Expect {
                part2: e.part2,
                notice: e.notice.map(|f| f.0),
                hipaa: e.hipaa,
                consent: e.consent,
                redisclosure: e.redisclosure,
                cites: e.cites,
                teach: e.teach,
                incident: e.incident.map(RawIncidentScenario::into_model),
                outcome: e.outcome,
                first_notice: e.first_notice,
                due: e.due,
            }),
        }
    }
}

impl RawQueue {
    pub(crate) fn into_model(self) -> model::Queue {
        model::Queue {
            schema: self.schema,
            as_of: self.as_of.map(|d| d.0),
            pack: self.pack,
            organization: self.organization,
            programs: self
                .programs
                .into_iter()
                .map(RawProgram::into_model)
                .collect(),
            payers: self.payers,
            fhir_identifier_systems: self.fhir_identifier_systems,
            patients: self.patients.0,
            consents: self.consents.0,
            restrictions: self.restrictions.0,
            disclosures: self.disclosures.0,
        }
    }
}

/// A raw list item that becomes a model item.
pub(crate) trait IntoModel {
    type Model;
    fn into_model(self) -> Self::Model;
}

macro_rules! into_model {
    ($($raw:ty => $model:ty),*) => {$(
        impl IntoModel for $raw {
            type Model = $model;
            fn into_model(self) -> $model {
                <$raw>::into_model(self)
            }
        }
    )*};
}

into_model!(
    RawPatient => model::Patient,
    RawConsent => model::Consent,
    RawRestriction => model::Restriction,
    RawDisclosure => model::Disclosure
);

/// A list read item by item straight into model values: no second list, and the exact
/// capacity when the reader knows the length.
pub(crate) struct ModelVec<R: IntoModel>(pub Vec<R::Model>);

impl<R: IntoModel> Default for ModelVec<R> {
    fn default() -> Self {
        ModelVec(Vec::new())
    }
}

impl<R: IntoModel> fmt::Debug for ModelVec<R> {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "ModelVec(len {})", self.0.len())
    }
}

impl<'de, R: Deserialize<'de> + IntoModel> Deserialize<'de> for ModelVec<R> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<R>(std::marker::PhantomData<R>);
        impl<'de, R: Deserialize<'de> + IntoModel> Visitor<'de> for V<R> {
            type Value = ModelVec<R>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a sequence")
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<ModelVec<R>, A::Error> {
                let mut v = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1 << 20));
                while let Some(r) = seq.next_element::<R>()? {
                    v.push(r.into_model());
                }
                Ok(ModelVec(v))
            }
        }
        d.deserialize_seq(V(std::marker::PhantomData))
    }
}
