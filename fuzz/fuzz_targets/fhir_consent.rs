//! The FHIR Consent reader and mapping (`import fhir-consent`, docs/fhir.md): for any bytes,
//! reading never panics, and whatever it reads maps to a context that serializes and loads
//! back through the strict queue loader (so no input can make the import write a broken
//! or injected context). Seeds: `tests/fixtures/fhir/`.

#![no_main]

use libfuzzer_sys::fuzz_target;
use p2review::import::PseudonymKey;
use p2review::import::fhir::{Input, Options, build_context, read_bytes};

const CONTEXT: &str = include_str!("../../tests/fixtures/fhir/part2/context.yaml");

fuzz_target!(|data: &[u8]| {
    let mut input = Input::default();
    if read_bytes(data, "f.json", &mut input).is_err() {
        return;
    }
    let context = p2review::queue::load_bytes(CONTEXT.as_bytes(), "context.yaml")
        .expect("the fixture context loads");
    let key = PseudonymKey::from_bytes([7; 32]);
    for statements_on_form in [false, true] {
        let (queue, report, _) =
            build_context(&context, &input, &key, &Options { statements_on_form });
        let yaml = p2review::import::to_yaml(&queue).expect("the context serializes");
        if let Err(e) = p2review::queue::load_bytes(yaml.as_bytes(), "out.yaml") {
            panic!("the imported context does not load: {e}");
        }
        for line in &report {
            let text = line.to_string();
            assert!(
                !text.chars().any(|c| c.is_control() && c != '\t'),
                "a report line carries a control character"
            );
        }
    }
});
