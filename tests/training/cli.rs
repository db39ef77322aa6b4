//! `p2review train` refuses clearly before any screen opens: unknown pack, no key, a
//! production log given as the training log, no terminal.

use crate::log_support;

use log_support::*;

#[test]
fn train_refuses_before_the_screen_opens() {
    let env = Env::new();
    let o = env.run(&["train", "nope"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err(&o).contains("not a bundled pack (bundled: basics"),
        "{}",
        err(&o)
    );

    let o = env.run(&["train", "basics"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("p2review key init"), "{}", err(&o));

    let env = Env::with_key("trainee@clinic.example");
    // A production log is never a training log (practice never reaches a decision log).
    let q = env.write_queue(1);
    let d = env.run_p(&["decide", "--id", "D-0001", "--decision", "defer"], &[&q]);
    assert_eq!(d.status.code(), Some(0), "{}", err(&d));
    let before = std::fs::read(env.log()).unwrap();
    let o = env.run_p(&["train", "basics", "--log"], &[&env.log()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("production log"), "{}", err(&o));
    assert_eq!(std::fs::read(env.log()).unwrap(), before);

    // A plain pack file that is not a pack.
    let o = env.run_p(&["train"], &[&q]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("not a training pack"), "{}", err(&o));

    // Everything fine but no terminal.
    let o = env.run(&["train"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err(&o).contains("needs an interactive terminal"),
        "{}",
        err(&o)
    );
    assert!(!env.data().join("training.jsonl").exists());
}

#[test]
fn status_of_an_empty_data_dir_and_a_missing_log() {
    let env = Env::new();
    let o = env.run(&["train", "status", "--due"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert!(out(&o).contains("nobody is due"), "{}", out(&o));
    let o = env.run_p(&["train", "status"], &[&env.path("missing.jsonl")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("missing.jsonl"), "{}", err(&o));
    let o = env.run(&["train", "status", "--roster", "/nonexistent/roster"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("roster"), "{}", err(&o));
}
