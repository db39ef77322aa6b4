//! A training pack: a queue file with `pack:` whose every disclosure carries `expect:`.

use std::path::Path;

use crate::incident::scenario::IncidentKey;
use crate::queue::{LoadedQueue, Pack, load_path};

#[derive(Debug, Clone)]
pub struct TrainingPack {
    pub loaded: LoadedQueue,
    pub pack: Pack,
    /// Per disclosure: the computed key of an incident scenario, `None` for a disclosure one.
    pub incident_keys: Vec<Option<IncidentKey>>,
}

impl TrainingPack {
    pub fn len(&self) -> usize {
        self.loaded.queue.disclosures.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn title(&self) -> &str {
        self.pack.title.as_deref().unwrap_or(&self.pack.id)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackError(pub String);

impl std::fmt::Display for PackError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PackError {}

/// Load a pack and check it is one: a `pack:` block, at least one scenario, and an answer
/// key on every disclosure: `expect:` with `part2`, `notice` and `hipaa`, or for an incident
/// scenario (`expect.incident`) `outcome`, `first_notice` and `due` agreeing with the
/// computed key (docs/incidents.md#training).
pub fn load_pack(path: &Path) -> Result<TrainingPack, PackError> {
    let loaded = load_path(path).map_err(|e| PackError(e.to_string()))?;
    from_loaded(loaded)
}

pub fn from_loaded(loaded: LoadedQueue) -> Result<TrainingPack, PackError> {
    let origin = loaded.path.display().to_string();
    let Some(pack) = loaded.queue.pack.clone() else {
        return Err(PackError(format!(
            "{origin}: not a training pack (no `pack:` block with id and version); \
             to evaluate an ordinary queue use `p2review evaluate`"
        )));
    };
    if loaded.queue.disclosures.is_empty() {
        return Err(PackError(format!(
            "{origin}: pack {} has no scenarios (disclosures)",
            pack.id
        )));
    }
    let mut incident_keys = Vec::with_capacity(loaded.queue.disclosures.len());
    for (i, d) in loaded.queue.disclosures.iter().enumerate() {
        if let Some(x) = d.expect.as_ref().filter(|x| x.incident.is_some()) {
            // An incident scenario: its key is computed, and the written one must agree.
            let problems = crate::incident::scenario::check(&loaded.queue, d, x);
            if !problems.is_empty() {
                return Err(PackError(format!(
                    "{origin}: disclosures[{i}] ({}): incident scenario: {}",
                    crate::text::escape(&d.id),
                    problems.join("; ")
                )));
            }
            let s = x.incident.as_ref().expect("filtered on incident");
            let k = crate::incident::scenario::key(&loaded.queue, d, s)
                .map_err(|e| PackError(format!("{origin}: disclosures[{i}]: {e}")))?;
            incident_keys.push(Some(k));
            continue;
        }
        incident_keys.push(None);
        let missing = match &d.expect {
            None => Some("expect"),
            Some(e) if e.part2.is_none() => Some("expect.part2"),
            Some(e) if e.notice.is_none() => Some("expect.notice"),
            Some(e) if e.hipaa.is_none() => Some("expect.hipaa"),
            Some(_) => None,
        };
        if let Some(key) = missing {
            return Err(PackError(format!(
                "{origin}: disclosures[{i}] ({}): missing `{key}`; every scenario of a pack needs \
                 an answer key with part2, notice and hipaa",
                crate::text::escape(&d.id)
            )));
        }
    }
    Ok(TrainingPack {
        loaded,
        pack,
        incident_keys,
    })
}
