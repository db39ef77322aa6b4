//! Command dispatch. Each command lives in its own file and returns the exit code it
//! chose (0, 1 or 3); any `Err` is an operational error: printed plainly, exit 2 (docs/cli.md#exit-codes).

/// `println!` for a command's output, returning the write's `io::Error` instead of
/// panicking: a closed pipe (`p2review … | head -1`) then reaches `main`, which exits 0
/// ([`is_broken_pipe`]). Every command writes its standard output through this, [`out!`]
/// or a `Write` whose errors it returns.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout().lock(), $($arg)*)
    }};
}

/// `print!` as [`outln!`] is `println!`.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        write!(std::io::stdout().lock(), $($arg)*)
    }};
}

pub mod args;
mod decide;
mod evaluate;
mod import;
mod incident;
pub mod incident_args;
mod incident_follow;
mod incident_list;
mod key;
pub(crate) mod log;
mod policy;
mod review;
pub(crate) mod team;
mod train;

use color_eyre::eyre::{self, WrapErr};

use crate::paths::DataDir;
use args::{Cli, Command, GlobalArgs};

/// What every command gets: resolved global flags.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub global: GlobalArgs,
    pub data: DataDir,
    /// Colour allowed: not `--no-color` and `NO_COLOR` unset or empty.
    pub color: bool,
    /// Plain ASCII on screen: `--ascii`, or a locale or terminal that cannot show UTF-8.
    pub ascii: bool,
}

impl Ctx {
    pub fn new(global: GlobalArgs) -> eyre::Result<Ctx> {
        let data = DataDir::resolve(global.data_dir.as_deref())?;
        let no_color_env = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let color = !global.no_color && !no_color_env;
        let var = |k: &str| std::env::var(k).ok();
        let ascii = global.ascii
            || ascii_only(
                [var("LC_ALL"), var("LC_CTYPE"), var("LANG")],
                var("TERM").as_deref(),
            );
        Ok(Ctx {
            global,
            data,
            color,
            ascii,
        })
    }

    /// What the TUI shell enables: mouse capture unless `--no-mouse`.
    #[cfg(feature = "tui")]
    pub fn shell(&self) -> crate::tui::shell::Options {
        crate::tui::shell::Options {
            mouse: !self.global.no_mouse,
        }
    }
}

/// The screen cannot be trusted with UTF-8: the locale that decides the character set
/// (`LC_ALL`, then `LC_CTYPE`, then `LANG`; the first one set and not empty) names another
/// one (`C`, `POSIX`, `en_US.ISO-8859-1`), or the terminal is a console or hardware
/// terminal without those glyphs (`vt100`, `vt220`, `linux`, `dumb`). With no locale set at
/// all, nothing is known and UTF-8 is kept.
pub fn ascii_only(locale: [Option<String>; 3], term: Option<&str>) -> bool {
    let narrow_term = term.is_some_and(|t| {
        matches!(t, "linux" | "dumb" | "vt52") || t.starts_with("vt1") || t.starts_with("vt2")
    });
    let narrow_locale = locale
        .into_iter()
        .flatten()
        .find(|v| !v.is_empty())
        .is_some_and(|v| {
            let v = v.to_ascii_lowercase();
            !(v.contains("utf-8") || v.contains("utf8"))
        });
    narrow_term || narrow_locale
}

#[cfg(test)]
mod locale_tests {
    use super::ascii_only;

    fn s(v: &str) -> Option<String> {
        Some(v.to_owned())
    }

    #[test]
    fn non_utf8_locales_and_old_terminals_fall_back_to_ascii() {
        let utf8 = [None, None, s("en_US.UTF-8")];
        assert!(!ascii_only(utf8.clone(), Some("xterm-256color")));
        assert!(!ascii_only([None, None, s("C.utf8")], Some("screen")));
        assert!(
            !ascii_only([None, None, None], Some("xterm")),
            "unknown: keep UTF-8"
        );
        assert!(ascii_only([None, None, s("C")], Some("xterm")));
        assert!(ascii_only([None, None, s("POSIX")], None));
        assert!(ascii_only(
            [None, None, s("en_US.ISO-8859-1")],
            Some("xterm")
        ));
        // LC_ALL wins over LANG, an empty value is skipped.
        assert!(ascii_only([s("C"), None, s("en_US.UTF-8")], Some("xterm")));
        assert!(!ascii_only(
            [s(""), s("de_DE.UTF-8"), s("C")],
            Some("xterm")
        ));
        for t in ["vt100", "vt220", "linux", "dumb"] {
            assert!(ascii_only(utf8.clone(), Some(t)), "{t}");
        }
    }
}

/// Exit codes (docs/cli.md#exit-codes).
pub mod exit {
    pub const OK: u8 = 0;
    /// The command worked and found a problem.
    pub const PROBLEM: u8 = 1;
    /// Usage, input or I/O error.
    pub const ERROR: u8 = 2;
    /// `log verify`/`log show`: valid, with warnings.
    pub const WARNINGS: u8 = 3;
}

/// Runs one command. Errors keep their causes (an `std::io::Error` stays in the chain) so
/// `main` can tell a closed pipe from a failure; [`error_line`] renders the rest.
pub fn run(cli: Cli) -> eyre::Result<u8> {
    Ctx::new(cli.global.clone()).and_then(|ctx| dispatch(&ctx, cli.command))
}

/// The one-line, escaped message for a failed command: "reading x: line 3 column 5: ...".
pub fn error_line(e: eyre::Report) -> String {
    crate::text::escape(&format!("{:#}", strip_outer(e))).into_owned()
}

/// The reader went away (`p2review log show … | head -1`): nothing is wrong with the run.
pub fn is_broken_pipe(e: &eyre::Report) -> bool {
    let broken = |io: &std::io::Error| io.kind() == std::io::ErrorKind::BrokenPipe;
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>().is_some_and(broken)
            // csv keeps the I/O error inside its kind, not as a source.
            || c.downcast_ref::<csv::Error>()
                .is_some_and(|e| matches!(e.kind(), csv::ErrorKind::Io(io) if broken(io)))
    })
}

fn dispatch(ctx: &Ctx, command: Command) -> eyre::Result<u8> {
    match command {
        Command::Review(a) => review::run(ctx, &a),
        Command::Evaluate(a) => evaluate::run(ctx, &a),
        Command::Decide(a) => decide::run(ctx, &a),
        Command::Log(c) => log::run(ctx, c),
        Command::Train(a) => train::run(ctx, a),
        Command::Policy(c) => policy::run(ctx, c),
        Command::Import(c) => import::run(ctx, c),
        Command::Key(c) => key::run(ctx, c),
        Command::Team(c) => team::run(ctx, c),
        Command::Incident(c) => incident::run(ctx, c),
    }
    .wrap_err_with(|| "command failed".to_owned())
}

/// Drop the generic outer context added above so messages start with what matters.
fn strip_outer(e: eyre::Report) -> eyre::Report {
    // The report chain is [our wrapper, cause...]; keep the cause when there is one.
    match e.chain().nth(1) {
        Some(_) => {
            let mut it = e.chain().skip(1);
            let first = it.next().map(|c| c.to_string()).unwrap_or_default();
            let rest: Vec<String> = it.map(|c| c.to_string()).collect();
            if rest.is_empty() {
                eyre::Report::msg(first)
            } else {
                eyre::Report::msg(format!("{first}: {}", rest.join(": ")))
            }
        }
        None => e,
    }
}
