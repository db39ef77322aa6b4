//! The fixed vocabularies of incidents (docs/incidents.md#vocabularies). The strings are
//! normative: they are signed into `v: 2` log entries and never change meaning.

/// A closed set of snake_case words with `ALL`, `as_str` and `parse`.
macro_rules! words {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $v:ident = $s:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($(#[$vm])* $v),+ }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$v),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$v => $s),+ }
            }
            pub fn parse(s: &str) -> Option<$name> {
                Self::ALL.iter().copied().find(|w| w.as_str() == s)
            }
            /// The words, comma separated, for error messages.
            pub fn list() -> String {
                Self::ALL.iter().map(|w| w.as_str()).collect::<Vec<_>>().join(", ")
            }
        }
        /// One of the words (what a flag takes); the error lists them.
        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<$name, String> {
                $name::parse(s).ok_or_else(|| format!("use one of: {}", $name::list()))
            }
        }
    };
}

words! {
    /// What happened (`incident record --kind`).
    IncidentKind {
        /// Records sent to the wrong recipient (reference row A62: a misdirected claim file).
        Misdirected = "misdirected",
        /// Someone looked at or used records they were not authorized to.
        UnauthorizedAccess = "unauthorized_access",
        /// A device, file or paper record was lost or stolen.
        LostOrStolen = "lost_or_stolen",
        Other = "other",
    }
}

words! {
    /// The three exceptions of the breach definition, 45 CFR 164.402(1)(i)–(iii).
    Exception {
        /// (i) unintentional acquisition, access or use (not disclosure) by a workforce member or
        /// person acting under the actor's authority, in good faith, within that authority.
        UnintentionalUse = "unintentional_use",
        /// (ii) inadvertent disclosure between persons authorized at the same program, CE/BA or OHCA.
        InadvertentInternal = "inadvertent_internal",
        /// (iii) a good-faith belief that the recipient could not reasonably have retained it.
        CouldNotRetain = "could_not_retain",
    }
}

impl Exception {
    pub fn cite(self) -> &'static str {
        match self {
            Exception::UnintentionalUse => "45 CFR 164.402(1)(i)",
            Exception::InadvertentInternal => "45 CFR 164.402(1)(ii)",
            Exception::CouldNotRetain => "45 CFR 164.402(1)(iii)",
        }
    }
}

/// Which way a documented factor points (docs/incidents.md#the-four-factors).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weight {
    TowardBreach,
    Neutral,
    TowardLow,
}

words! {
    /// Factor (i), 164.402(2)(i): the nature and extent of the information, identifiers and
    /// the likelihood of re-identification.
    Nature {
        /// Identifies a person as a Part 2 patient: program name, its NPI or an SUD taxonomy
        /// (261QR0405X), SUD diagnosis or procedure codes.
        Part2Identifying = "part2_identifying",
        /// Counseling notes (42 CFR 2.11, 2.31(b)).
        CounselingNotes = "counseling_notes",
        /// Other health information about the person.
        OtherPhi = "other_phi",
        /// Few identifiers and nothing that shows treatment.
        LimitedIdentifiers = "limited_identifiers",
    }
}

words! {
    /// Factor (ii), 164.402(2)(ii): the unauthorized person who used it or received it.
    Recipient {
        /// Itself bound to protect it: a HIPAA covered entity or BA, or a Part 2 lawful holder.
        BoundToProtect = "bound_to_protect",
        /// Known, but under no duty to protect it.
        KnownUnbound = "known_unbound",
        /// Not known.
        Unknown = "unknown",
    }
}

words! {
    /// Factor (iii), 164.402(2)(iii): whether it was actually acquired or viewed.
    Acquired {
        /// Shown not to have been opened or viewed (returned unopened, forensic evidence).
        NotAcquired = "not_acquired",
        Viewed = "viewed",
        Unknown = "unknown",
    }
}

words! {
    /// Factor (iv), 164.402(2)(iv): the extent to which the risk has been mitigated.
    Mitigation {
        /// Returned, or destroyed with a satisfactory written assurance from the recipient.
        AssuredDestroyed = "assured_destroyed",
        Partial = "partial",
        None = "none",
    }
}

impl Nature {
    /// What identifies a Part 2 patient, and counseling notes, weigh toward breach; their
    /// absence never by itself supports low probability (docs/incidents.md).
    pub fn weight(self) -> Weight {
        match self {
            Nature::Part2Identifying | Nature::CounselingNotes => Weight::TowardBreach,
            Nature::OtherPhi | Nature::LimitedIdentifiers => Weight::Neutral,
        }
    }
}
impl Recipient {
    pub fn weight(self) -> Weight {
        match self {
            Recipient::BoundToProtect => Weight::TowardLow,
            Recipient::KnownUnbound => Weight::Neutral,
            Recipient::Unknown => Weight::TowardBreach,
        }
    }
}
impl Acquired {
    pub fn weight(self) -> Weight {
        match self {
            Acquired::NotAcquired => Weight::TowardLow,
            Acquired::Viewed | Acquired::Unknown => Weight::TowardBreach,
        }
    }
}
impl Mitigation {
    pub fn weight(self) -> Weight {
        match self {
            Mitigation::AssuredDestroyed => Weight::TowardLow,
            Mitigation::Partial => Weight::Neutral,
            Mitigation::None => Weight::TowardBreach,
        }
    }
}

words! {
    /// The conclusion of an assessment.
    Outcome {
        /// The presumption of 164.402(2): notice is owed.
        Breach = "breach",
        /// A low probability that the information was compromised, all four factors documented.
        LowProbability = "low_probability",
        /// One of the 164.402(1) exceptions.
        Exception = "exception",
        /// Secured (encrypted or destroyed per HHS guidance, 74 FR 19006, key not compromised).
        Secured = "secured",
    }
}

words! {
    /// Who a notice goes to (`incident notified --to`). Ordered: who is told first on a tie.
    NoticeTo {
        /// A QSO/BA's notice to the program (164.410).
        Program = "program",
        /// 164.404.
        Individuals = "individuals",
        /// 164.406.
        Media = "media",
        /// 164.408.
        Hhs = "hhs",
    }
}

words! {
    /// How a notice went out (164.404(d), 164.406, 164.408).
    NoticeMethod {
        Mail = "mail",
        Email = "email",
        Phone = "phone",
        InPerson = "in_person",
        SubstituteWeb = "substitute_web",
        SubstituteMedia = "substitute_media",
        HhsPortal = "hhs_portal",
        Press = "press",
        Other = "other",
    }
}

words! {
    /// A law-enforcement delay statement, 164.412(a) written or (b) oral.
    DelayForm {
        Written = "written",
        Oral = "oral",
    }
}

/// A two-letter State or jurisdiction code for `residents` (164.406: "a State or jurisdiction").
pub fn is_state_code(s: &str) -> bool {
    s.len() == 2 && s.bytes().all(|b| b.is_ascii_uppercase())
}
