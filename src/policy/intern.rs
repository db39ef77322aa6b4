//! Interned policy strings. Rule ids, reasons, citations and explanations are copied into
//! every result; holding them as `&'static str` makes that a pointer copy (BENCHMARKS.md#engine-alone: the
//! engine evaluates ≥ 500,000 disclosures/s with the trace). Each distinct string is kept
//! once for the life of the process, so reloading the same policies adds nothing.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, OnceLock};

/// The one `'static` copy of `s`.
pub fn intern(s: &str) -> &'static str {
    static SET: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
    let set = SET.get_or_init(|| Mutex::new(HashSet::new()));
    let mut set = set.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(k) = set.get(s) {
        return k;
    }
    let k: &'static str = Box::leak(s.to_owned().into_boxed_str());
    set.insert(k);
    k
}

/// The one `'static` copy of a list of interned strings (a rule's citations).
pub fn intern_list(items: &[&str]) -> &'static [Cow<'static, str>] {
    type Lists = HashMap<Vec<&'static str>, &'static [Cow<'static, str>]>;
    static LISTS: OnceLock<Mutex<Lists>> = OnceLock::new();
    let key: Vec<&'static str> = items.iter().map(|s| intern(s)).collect();
    let lists = LISTS.get_or_init(|| Mutex::new(HashMap::new()));
    let mut lists = lists.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(v) = lists.get(&key) {
        return v;
    }
    let v: &'static [Cow<'static, str>] =
        Box::leak(key.iter().map(|s| Cow::Borrowed(*s)).collect::<Box<[_]>>());
    lists.insert(key, v);
    v
}

#[cfg(test)]
mod tests {
    #[test]
    fn same_text_same_pointer() {
        let a = super::intern(&String::from("p2.x"));
        let b = super::intern("p2.x");
        assert!(std::ptr::eq(a, b));
        assert_ne!(super::intern("p2.y"), a);
    }
}
