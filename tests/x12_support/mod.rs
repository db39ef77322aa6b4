//! Synthetic 837 claims for the import tests: written by the project (the public fixtures
//! carry no SUD codes). Names and member ids are made-up canaries.
#![allow(dead_code)]

use std::path::Path;

/// The delimiters of a generated file; `term` may include the CR/LF written after each
/// terminator.
#[derive(Clone, Copy)]
pub struct Seps {
    pub el: char,
    pub comp: char,
    pub rep: char,
    pub term: &'static str,
}

pub const STD: Seps = Seps {
    el: '*',
    comp: ':',
    rep: '^',
    term: "~\n",
};

/// One claim.
#[derive(Clone)]
pub struct C {
    pub clm01: &'static str,
    pub amount: &'static str,
    pub member: &'static str,
    pub last: &'static str,
    pub first: &'static str,
    pub billing_npi: &'static str,
    pub billing_taxonomy: Option<&'static str>,
    pub rendering_npi: Option<&'static str>,
    pub rendering_taxonomy: Option<&'static str>,
    /// HI composites as `(qualifier, code)`.
    pub dx: Vec<(&'static str, &'static str)>,
    /// Service lines: `(procedure, modifiers)`.
    pub lines: Vec<(&'static str, Vec<&'static str>)>,
    pub date: &'static str,
    pub payer: (&'static str, &'static str),
    /// A dependent patient (HL 23): `(last, first, birth date)`.
    pub dependent: Option<(&'static str, &'static str, &'static str)>,
}

impl Default for C {
    fn default() -> C {
        C {
            clm01: "CLM1",
            amount: "100",
            member: "CANARYMBR01",
            last: "CANARYLAST",
            first: "CANARYFIRST",
            billing_npi: "1999999984",
            billing_taxonomy: None,
            rendering_npi: None,
            rendering_taxonomy: None,
            dx: vec![("ABK", "J069")],
            lines: vec![("99213", vec![])],
            date: "20261001",
            payer: ("PINECREST HEALTH PLAN", "PINEC"),
            dependent: None,
        }
    }
}

/// A fixed-length ISA with these separators.
pub fn isa(s: Seps) -> String {
    let t = s.term.chars().next().unwrap();
    format!(
        "ISA*00*          *00*          *ZZ*SUBMITTER      *ZZ*RECEIVER       *261120*1200*{}*00501*000000001*0*P*{}{t}",
        s.rep, s.comp
    )
    .replace('*', &s.el.to_string())
}

/// An 837P interchange holding `claims`, each under its own billing provider.
pub fn p837(claims: &[C], s: Seps) -> String {
    let mut segs: Vec<String> = vec![
        "GS*HC*SUBMITTER*RECEIVER*20261120*1200*1*X*005010X222A1".into(),
        "ST*837*0001*005010X222A1".into(),
        "BHT*0019*00*B1*20261120*1200*CH".into(),
        "NM1*41*2*SUMMIT BILLING*****46*S1".into(),
        "NM1*40*2*RECEIVER*****46*R1".into(),
    ];
    let mut hl = 0;
    for c in claims {
        hl += 1;
        let parent = hl;
        segs.push(format!("HL*{hl}**20*1"));
        if let Some(t) = c.billing_taxonomy {
            segs.push(format!("PRV*BI*PXC*{t}"));
        }
        segs.push(format!(
            "NM1*85*2*BILLING PROVIDER*****XX*{}",
            c.billing_npi
        ));
        hl += 1;
        let sub = hl;
        let child = if c.dependent.is_some() { 1 } else { 0 };
        segs.push(format!("HL*{hl}*{parent}*22*{child}"));
        segs.push("SBR*P*18*******CI".into());
        segs.push(format!(
            "NM1*IL*1*{}*{}****MI*{}",
            c.last, c.first, c.member
        ));
        segs.push("DMG*D8*19800101*F".into());
        segs.push(format!("NM1*PR*2*{}*****PI*{}", c.payer.0, c.payer.1));
        if let Some((last, first, birth)) = c.dependent {
            hl += 1;
            segs.push(format!("HL*{hl}*{sub}*23*0"));
            segs.push("PAT*19".into());
            segs.push(format!("NM1*QC*1*{last}*{first}"));
            segs.push(format!("DMG*D8*{birth}*M"));
        }
        segs.push(format!("CLM*{}*{}***11:B:1*Y*A*Y*Y", c.clm01, c.amount));
        let hi: Vec<String> = c.dx.iter().map(|(q, d)| format!("{q}:{d}")).collect();
        if !hi.is_empty() {
            segs.push(format!("HI*{}", hi.join("*")));
        }
        if let Some(npi) = c.rendering_npi {
            segs.push(format!("NM1*82*1*RENDERING*DOC****XX*{npi}"));
            if let Some(t) = c.rendering_taxonomy {
                segs.push(format!("PRV*PE*PXC*{t}"));
            }
        }
        for (n, (code, mods)) in c.lines.iter().enumerate() {
            segs.push(format!("LX*{}", n + 1));
            let mut comp = vec!["HC".to_string(), code.to_string()];
            comp.extend(mods.iter().map(|m| m.to_string()));
            segs.push(format!("SV1*{}*50*UN*1***1", comp.join(":")));
            segs.push(format!("DTP*472*D8*{}", c.date));
        }
    }
    let count = segs.len() - 1; // ST..SE inclusive, without GS, plus SE
    segs.push(format!("SE*{count}*0001"));
    segs.push("GE*1*1".into());
    segs.push("IEA*1*000000001".into());
    render(&segs, s)
}

/// An 837I interchange with one claim: ICD-10-PCS procedure, statement dates, SV2 line.
pub fn i837(s: Seps, pcs: &str, dx: &str, revenue_line: (&str, &str)) -> String {
    let segs: Vec<String> = vec![
        "GS*HC*SUBMITTER*RECEIVER*20261120*1200*1*X*005010X223A2".into(),
        "ST*837*0001*005010X223A2".into(),
        "BHT*0019*00*B1*20261121*1200*CH".into(),
        "HL*1**20*1".into(),
        "PRV*BI*PXC*282N00000X".into(),
        "NM1*85*2*GENERAL HOSPITAL*****XX*1777777777".into(),
        "HL*2*1*22*0".into(),
        "SBR*P*18*******MB".into(),
        "NM1*IL*1*CANARYLAST*CANARYFIRST****MI*CANARYMBR09".into(),
        "NM1*PR*2*MEDICARE A*****PI*00435".into(),
        "CLM*INST1*1200.5***11:A:1**A*Y*Y".into(),
        "DTP*434*RD8*20261001-20261005".into(),
        "CL1*1*7*01".into(),
        format!("HI*ABK:{dx}"),
        format!("HI*BBR:{pcs}:D8:20261002"),
        "HI*BE:A2:::15.31".into(),
        "NM1*71*1*ATTENDING*DOC****XX*1666666666".into(),
        "LX*1".into(),
        format!("SV2*{}*HC:{}*1200.5*UN*1", revenue_line.0, revenue_line.1),
        "SE*19*0001".into(),
        "GE*1*1".into(),
        "IEA*1*000000001".into(),
    ];
    render(&segs, s)
}

fn render(segs: &[String], s: Seps) -> String {
    let mut out = isa(s);
    out.push_str(&s.term[1..]);
    for seg in segs {
        let seg = seg
            .replace(':', &s.comp.to_string())
            .replace('*', &s.el.to_string());
        out.push_str(&seg);
        out.push_str(s.term);
    }
    out
}

/// The context used by the tests: one Part 2 program (by NPI and taxonomy), one general
/// clinic, one known patient, a payer of a non-default kind.
pub const CONTEXT: &str = r#"schema: p2review.queue/1
organization: { name: Summit Billing Services, role: qso }
programs:
  - id: harbor
    name: Harbor Recovery Center
    part2: true
    npis: ["1588800001"]
    taxonomies: ["261QR0405X"]
  - id: clinic
    name: Main Street Clinic
    part2: false
    npis: ["1999999984"]
payers:
  - { id: PINEC, name: Pinecrest Health Plan, kind: health_plan }
  - { id: TPA01, name: Acme Benefits TPA, kind: third_party_payer }
patients:
  - ref: P-0001
    display: "J.D."
    member_ids: ["CANARYMBR01"]
consents:
  - id: C-0001
    patient: P-0001
    program: harbor
    kind: tpo
    recipients: [{ class: health_plans }]
    purposes: [payment]
    signed_on: 2026-01-01
    expires_on: 2027-12-31
"#;

pub fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

/// Counts CLM segments the simple way (split on the terminator read from ISA byte 106),
/// independently of the importer.
pub fn count_clm(bytes: &[u8]) -> usize {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let term = body[105];
    let el = body[3];
    body.split(|&b| b == term)
        .filter(|s| {
            let s: Vec<u8> = s
                .iter()
                .copied()
                .skip_while(|b| b.is_ascii_whitespace())
                .collect();
            s.starts_with(b"CLM") && s.get(3) == Some(&el)
        })
        .count()
}
