//! The PostgreSQL team backend (docs/team.md#postgresql): for a team on several hosts,
//! on a server the organisation already runs.
//!
//! Claims are rows with leases on the server's clock (`now()`); "next unclaimed undecided
//! item" is `SELECT … FOR UPDATE SKIP LOCKED`. Each reviewer's log stays the data dir's
//! `decisions.jsonl`: after the appender's `fdatasync` the new line is inserted byte for
//! byte into `entries` (unique on log id + seq) in the same transaction that ends the
//! claim as `decided <entry>`; a line the server did not take waits in the data dir's
//! `outbox/` ([`mirror`]) and goes on the next start or append. Readers get the mirrored
//! lines as files ([`TeamStore::logs`]) and verify them with the same verifier as any log.
//!
//! The client is the synchronous `postgres` crate: the TUI and the CLI are not async,
//! and one blocking connection per process is all a reviewer needs.

pub mod mirror;
pub mod schema;
pub mod url;

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use postgres::fallible_iterator::FallibleIterator;
use postgres::{Client, NoTls};

use super::claims::{Claim, ClaimInfo, ClaimState};
use super::{ItemKey, Settings, TeamError, TeamStore};
use crate::log::trust::{Trust, parse_allowed_signers};
use crate::paths::DataDir;
use mirror::{Line, Outbox};
pub use url::Spec;

/// Where a fault-injection test may cut the connection while a line is mirrored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// The line is fsynced in the local log; nothing was sent yet.
    BeforeInsert,
    /// The lines were inserted in the open transaction; it is not committed yet.
    BeforeCommit,
}

/// Called at each [`Stage`] (tests cut their TCP proxy there).
pub type FaultHook = Arc<dyn Fn(Stage) + Send + Sync>;

/// The reviewer this process records for (set by [`TeamStore::reviewer_log`]).
struct Local {
    principal: String,
    log: PathBuf,
    outbox: Outbox,
    /// Byte offset in the local log up to which every line is on the server or in the outbox.
    sent_to: u64,
    synced: bool,
}

/// A mirrored row: seq and the line's bytes.
type SeqLine = (i64, Vec<u8>);

/// Mirrored logs as local files for the readers.
#[derive(Default)]
struct Mirror {
    logs: HashMap<String, MirrorLog>,
}

struct MirrorLog {
    file: std::fs::File,
    path: PathBuf,
    /// The last seq written.
    last: i64,
}

/// A team store in a PostgreSQL schema.
pub struct PgStore {
    spec: Spec,
    settings: Settings,
    client: Mutex<Option<Client>>,
    local: Mutex<Option<Local>>,
    mirror: Mutex<Mirror>,
    hook: Mutex<Option<FaultHook>>,
    items_known: Mutex<HashSet<String>>,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore")
            .field("store", &self.spec.shown)
            .field("settings", &self.settings)
            .finish()
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The server's own message for a database error; the cause for a connection error.
pub fn error_text(e: &postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        return format!("{} {}: {}", db.severity(), db.code().code(), db.message());
    }
    match std::error::Error::source(e) {
        Some(s) => format!("{e}: {s}"),
        None => e.to_string(),
    }
}

fn unreachable(spec: &Spec, e: &postgres::Error) -> TeamError {
    let what = if e.as_db_error().is_some() {
        "refused the request"
    } else {
        "is unreachable"
    };
    TeamError::Store(format!(
        "team store {} {what} ({}); nothing new was recorded — check the server, the network and your role's GRANTs (docs/team.md), then try again",
        spec.shown,
        crate::text::escape(&error_text(e))
    ))
}

fn connect(spec: &Spec) -> Result<Client, TeamError> {
    let mut cfg: postgres::Config = spec.conn.parse().map_err(|e: postgres::Error| {
        TeamError::Store(format!(
            "{}: not a PostgreSQL URL ({}); write postgres://USER@HOST:PORT/DATABASE",
            spec.shown,
            crate::text::escape(&error_text(&e))
        ))
    })?;
    if cfg.get_connect_timeout().is_none() {
        cfg.connect_timeout(Duration::from_secs(5));
    }
    cfg.application_name("p2review");
    let mut c = cfg.connect(NoTls).map_err(|e| unreachable(spec, &e))?;
    c.batch_execute(&format!("SET search_path TO {}", spec.schema))
        .map_err(|e| unreachable(spec, &e))?;
    Ok(c)
}

fn read_settings(c: &mut Client) -> Result<Option<Settings>, postgres::Error> {
    Ok(c.query_opt(
        "SELECT p2review_team, override_second_reviewer, lease_seconds FROM settings WHERE id = 1",
        &[],
    )?
    .map(|r| Settings {
        p2review_team: r.get::<_, i32>(0) as u32,
        override_second_reviewer: r.get(1),
        lease_seconds: r.get::<_, i32>(2) as u64,
    }))
}

fn check_item(item: &ItemKey) -> Result<(), TeamError> {
    if !crate::log::entry::is_hex64(&item.queue_sha256)
        || !crate::log::entry::is_id(&item.disclosure)
    {
        return Err(TeamError::Store(format!(
            "cannot claim disclosure {}: not a valid disclosure id or queue hash",
            crate::text::escape(&item.disclosure)
        )));
    }
    Ok(())
}

/// What a sync ends besides mirroring lines.
enum Close<'a> {
    Nothing,
    Decided(&'a Claim, &'a str),
    Redecided(&'a ItemKey, &'a str, &'a str),
}

const MS: &str = "(extract(epoch from expires_at) * 1000)::int8";

impl PgStore {
    /// Create the team's tables in the URL's schema and store `settings`. Refused when the
    /// schema already holds a team (nothing is changed then).
    pub fn init(spec_text: &str, settings: &Settings) -> Result<PgStore, TeamError> {
        let spec = Spec::parse(spec_text)?;
        let mut c = connect(&spec)?;
        let err = |e: postgres::Error| unreachable(&spec, &e);
        if schema::version(&mut c).map_err(err)? > 0
            && read_settings(&mut c).map_err(err)?.is_some()
        {
            return Err(TeamError::Store(format!(
                "{} already holds a p2review team (nothing was changed); use another schema=NAME for a new team",
                spec.shown
            )));
        }
        schema::migrate(&mut c, &spec.schema).map_err(err)?;
        c.execute(
            "INSERT INTO settings (id, p2review_team, override_second_reviewer, lease_seconds) VALUES (1, $1, $2, $3) ON CONFLICT (id) DO NOTHING",
            &[
                &(settings.p2review_team as i32),
                &settings.override_second_reviewer,
                &(settings.lease_seconds as i32),
            ],
        )
        .map_err(err)?;
        drop(c);
        PgStore::open(spec_text)
    }

    /// Open the team in the URL's schema (migrating it to this version when older).
    pub fn open(spec_text: &str) -> Result<PgStore, TeamError> {
        let spec = Spec::parse(spec_text)?;
        let mut c = connect(&spec)?;
        let err = |e: postgres::Error| unreachable(&spec, &e);
        let v = schema::version(&mut c).map_err(err)?;
        if v == 0 {
            return Err(TeamError::Store(format!(
                "{} holds no p2review team; create one with `p2review team init {}`",
                spec.shown, spec.shown
            )));
        }
        if v > schema::current() {
            return Err(TeamError::Store(format!(
                "{} was made by a newer p2review (schema version {v}, this one knows {}); upgrade p2review",
                spec.shown,
                schema::current()
            )));
        }
        if v < schema::current() {
            schema::migrate(&mut c, &spec.schema).map_err(err)?;
        }
        let settings = read_settings(&mut c).map_err(err)?.ok_or_else(|| {
            TeamError::Store(format!(
                "{} has tables but no settings row; run `p2review team init {}` again",
                spec.shown, spec.shown
            ))
        })?;
        Ok(PgStore {
            spec,
            settings,
            client: Mutex::new(Some(c)),
            local: Mutex::new(None),
            mirror: Mutex::new(Mirror::default()),
            hook: Mutex::new(None),
            items_known: Mutex::new(HashSet::new()),
        })
    }

    /// For fault-injection tests: `hook` runs at each [`Stage`] of mirroring a line.
    pub fn set_fault_hook(&self, hook: Option<FaultHook>) {
        *lock(&self.hook) = hook;
    }

    /// Run `f` on the connection (reconnecting when it was lost). A database error drops
    /// a broken connection and becomes a `Store` error; `f`'s own `TeamError`s pass through.
    fn with<T>(
        &self,
        f: impl FnOnce(&mut Client) -> Result<Result<T, TeamError>, postgres::Error>,
    ) -> Result<T, TeamError> {
        let mut g = lock(&self.client);
        if g.as_ref().is_none_or(|c| c.is_closed()) {
            *g = None;
            *g = Some(connect(&self.spec)?);
        }
        let c = g.as_mut().expect("connected above");
        match f(c) {
            Ok(r) => r,
            Err(e) => {
                if c.is_closed() || e.as_db_error().is_none() {
                    *g = None;
                }
                Err(unreachable(&self.spec, &e))
            }
        }
    }

    /// Append `principal`'s public key to the team's signers (as `DirStore::add_reviewer`).
    pub fn add_reviewer(&self, principal: &str, pubkey_text: &str) -> Result<String, TeamError> {
        let line = super::dir::signer_line(principal, pubkey_text)?;
        let origin = self.signers_origin();
        self.with(|c| {
            let mut tx = c.transaction()?;
            tx.batch_execute("LOCK TABLE signers IN SHARE ROW EXCLUSIVE MODE")?;
            let rows = tx.query("SELECT principal, line FROM signers ORDER BY principal", &[])?;
            if rows.iter().any(|r| r.get::<_, &str>(0) == principal) {
                return Ok(Err(TeamError::Store(format!(
                    "{} is already a reviewer of team {} (nothing was changed); to replace a key, a supervisor edits the signers table and keeps the old line's valid-before",
                    crate::text::escape(principal),
                    self.spec.shown
                ))));
            }
            let mut text: String = rows
                .iter()
                .map(|r| format!("{}\n", r.get::<_, &str>(1)))
                .collect();
            text.push_str(&line);
            text.push('\n');
            if let Err(e) = parse_allowed_signers(&text, Path::new(&origin)) {
                return Ok(Err(TeamError::Store(format!("{e}; nothing was changed"))));
            }
            tx.execute(
                "INSERT INTO signers (principal, line) VALUES ($1, $2)",
                &[&principal, &line],
            )?;
            tx.commit()?;
            Ok(Ok(line.clone()))
        })
    }

    fn signers_origin(&self) -> String {
        format!("{}#signers", self.spec.shown)
    }

    /// Lines waiting in this reviewer's outbox (for `team status`).
    pub fn outbox_len(data: &DataDir) -> usize {
        Outbox::new(data.root()).count()
    }

    /// Send what the local log holds beyond the server (the outbox first, then the lines
    /// appended since the last sync), and end `close` in the same transaction. When the
    /// server cannot take them, the lines go to the outbox and the error is returned.
    fn sync(&self, close: Close<'_>) -> Result<(), TeamError> {
        let mut g = lock(&self.local);
        let Some(l) = g.as_mut() else {
            return Err(TeamError::Store(
                "internal: the team log was not opened (reviewer_log) before recording".into(),
            ));
        };
        let waiting = l.outbox.list().map_err(TeamError::Store)?;
        let (fresh, end) = mirror::read_from(&l.log, l.sent_to).map_err(|e| {
            TeamError::Store(format!("{}: cannot read your log: {e}", l.log.display()))
        })?;
        let hook = lock(&self.hook).clone();
        let fault = |s| {
            if let Some(h) = &hook {
                h(s)
            }
        };
        fault(Stage::BeforeInsert);
        let principal = l.principal.clone();
        let res = self.with(|c| {
            let mut tx = c.transaction()?;
            let mut max: HashMap<&str, i64> = HashMap::new();
            for f in &fresh {
                if !max.contains_key(f.log_id.as_str()) {
                    let m: Option<i64> = tx
                        .query_one("SELECT max(seq) FROM entries WHERE log_id = $1", &[&f.log_id])?
                        .get(0);
                    max.insert(&f.log_id, m.unwrap_or(-1));
                }
            }
            let mut send: Vec<&Line> = waiting.iter().map(|(_, l)| l).collect();
            send.extend(fresh.iter().filter(|f| f.seq > max[f.log_id.as_str()]));
            send.sort_by(|a, b| (&a.log_id, a.seq).cmp(&(&b.log_id, b.seq)));
            send.dedup_by(|a, b| a.log_id == b.log_id && a.seq == b.seq);
            let closing = match close {
                Close::Decided(_, e) | Close::Redecided(_, _, e) => Some(e),
                Close::Nothing => None,
            };
            for line in &send {
                let n = tx.execute(
                    "INSERT INTO entries (log_id, seq, principal, line, entry_sha256) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (log_id, seq) DO NOTHING",
                    &[&line.log_id, &line.seq, &principal, &line.bytes, &line.sha256],
                )?;
                if n == 0 {
                    let have: Vec<u8> = tx
                        .query_one(
                            "SELECT line FROM entries WHERE log_id = $1 AND seq = $2",
                            &[&line.log_id, &line.seq],
                        )?
                        .get(0);
                    if have != line.bytes {
                        return Ok(Err(TeamError::Store(format!(
                            "log {} seq {} on {} differs from your local line: two data dirs write one log; nothing was sent — keep both, move your decisions.jsonl aside and tell the team admin",
                            line.log_id, line.seq, self.spec.shown
                        ))));
                    }
                }
                // A decision sent late (from the outbox) ends the claim it was made under.
                if let Some((q, d)) = &line.item
                    && closing != Some(line.sha256.as_str())
                {
                    tx.execute(
                        "UPDATE claims SET state = 'decided', entry = $1, token = NULL, expires_at = NULL WHERE queue_sha256 = $2 AND disclosure = $3 AND holder = $4 AND state = 'held'",
                        &[&line.sha256, q, d, &principal],
                    )?;
                }
            }
            let mut lost = None;
            match close {
                Close::Nothing => {}
                Close::Decided(claim, entry) => {
                    let n = tx.execute(
                        "UPDATE claims SET state = 'decided', entry = $1, token = NULL, expires_at = NULL WHERE queue_sha256 = $2 AND disclosure = $3 AND holder = $4 AND token = $5 AND state = 'held'",
                        &[&entry, &claim.item.queue_sha256, &claim.item.disclosure, &claim.holder, &claim.token],
                    )?;
                    if n == 0 {
                        lost = Some(claim.item.disclosure.clone());
                    }
                }
                Close::Redecided(item, holder, entry) => {
                    tx.execute(
                        "INSERT INTO items (queue_sha256, disclosure) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                        &[&item.queue_sha256, &item.disclosure],
                    )?;
                    tx.execute(
                        "INSERT INTO claims (queue_sha256, disclosure, holder, state, entry) VALUES ($1, $2, $3, 'decided', $4)
                         ON CONFLICT (queue_sha256, disclosure) DO UPDATE SET holder = EXCLUDED.holder, state = 'decided', entry = EXCLUDED.entry, token = NULL, expires_at = NULL",
                        &[&item.queue_sha256, &item.disclosure, &holder, &entry],
                    )?;
                }
            }
            fault(Stage::BeforeCommit);
            tx.commit()?;
            Ok(Ok(lost))
        });
        match res {
            Ok(lost) => {
                l.outbox
                    .remove(&waiting.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>())
                    .map_err(|e| {
                        TeamError::Store(format!(
                            "{}: sent, but cannot remove from the outbox: {e}",
                            l.outbox.dir.display()
                        ))
                    })?;
                l.sent_to = end;
                l.synced = true;
                match lost {
                    None => Ok(()),
                    Some(d) => Err(TeamError::Lost {
                        disclosure: d,
                        detail: "the lease ended and it was taken over, or a supervisor released it; your entry is recorded and mirrored".into(),
                    }),
                }
            }
            Err(e) => {
                if !matches!(close, Close::Nothing) {
                    // Lines acknowledged locally that the server may not have: keep them.
                    let keep: Vec<&Line> = if l.synced {
                        fresh.iter().collect()
                    } else {
                        fresh
                            .iter()
                            .filter(|f| match close {
                                Close::Decided(_, e) | Close::Redecided(_, _, e) => f.sha256 == e,
                                Close::Nothing => false,
                            })
                            .collect()
                    };
                    for f in keep {
                        l.outbox.put(f).map_err(|io| {
                            TeamError::Store(format!(
                                "{e}; and the line could not be kept in {}: {io} — it is in your log, run `p2review decide --team …` again when the server is back to send it",
                                l.outbox.dir.display()
                            ))
                        })?;
                    }
                    if l.synced {
                        l.sent_to = end;
                    }
                }
                Err(e)
            }
        }
    }

    /// The mirrored logs as files (one per log id, lines in seq order), refreshed with the
    /// rows inserted since the last call. Each file is unlinked as soon as it is created and
    /// read through `/dev/fd/N`: nothing is left on disk whatever way the process ends, and
    /// the files stay readable after the store is dropped.
    fn refresh_mirror(&self) -> Result<Vec<PathBuf>, TeamError> {
        let mut m = lock(&self.mirror);
        let known: HashMap<String, i64> = m.logs.iter().map(|(k, f)| (k.clone(), f.last)).collect();
        let rows = self.with(|c| {
            let heads = c.query(
                "SELECT log_id, max(seq) FROM entries GROUP BY log_id ORDER BY log_id",
                &[],
            )?;
            let mut out: Vec<(String, Vec<SeqLine>)> = Vec::new();
            for h in heads {
                let id: String = h.get(0);
                let max: i64 = h.get(1);
                let last = known.get(&id).copied().unwrap_or(-1);
                let mut lines = Vec::new();
                if max > last {
                    for r in c.query(
                        "SELECT seq, line FROM entries WHERE log_id = $1 AND seq > $2 ORDER BY seq",
                        &[&id, &last],
                    )? {
                        lines.push((r.get(0), r.get(1)));
                    }
                }
                out.push((id, lines));
            }
            Ok(Ok(out))
        })?;
        let mut paths = Vec::new();
        for (id, lines) in rows {
            if !m.logs.contains_key(&id) {
                let (f, path) = anonymous_file()?;
                super::set_log_label(&path, &format!("{}#{id}", self.spec.shown));
                m.logs.insert(
                    id.clone(),
                    MirrorLog {
                        file: f,
                        path,
                        last: -1,
                    },
                );
            }
            let log = m.logs.get_mut(&id).expect("inserted above");
            if !lines.is_empty() {
                let mut buf = Vec::new();
                for (seq, line) in &lines {
                    buf.extend_from_slice(line);
                    buf.push(b'\n');
                    log.last = *seq;
                }
                (&log.file).write_all(&buf).map_err(|e| {
                    TeamError::Store(format!("cannot keep the mirror of log {id}: {e}"))
                })?;
            }
            paths.push(log.path.clone());
        }
        Ok(paths)
    }

    /// A second connection that waits for entries inserted by anyone (`LISTEN/NOTIFY`):
    /// the live view waits on it, then reads [`TeamStore::logs`] and verifies only the new
    /// lines (`team::live::Watcher`).
    pub fn listen(&self) -> Result<PgListener, TeamError> {
        let mut c = connect(&self.spec)?;
        c.batch_execute("LISTEN p2review_entries")
            .map_err(|e| unreachable(&self.spec, &e))?;
        Ok(PgListener {
            client: c,
            schema: self.spec.schema.clone(),
            shown: self.spec.shown.clone(),
        })
    }
}

use std::os::fd::AsRawFd;

/// Files of mirrored logs, kept open for the life of the process (they have no name).
static OPEN_MIRRORS: Mutex<Vec<std::fs::File>> = Mutex::new(Vec::new());

/// A new file with no name on disk, open for appending, and the `/dev/fd/N` path of a
/// descriptor of it that stays open until exit.
fn anonymous_file() -> Result<(std::fs::File, PathBuf), TeamError> {
    use std::os::unix::fs::OpenOptionsExt;
    let err = |p: &Path, e: std::io::Error| {
        TeamError::Store(format!("{}: cannot create a mirror file: {e}", p.display()))
    };
    let mut b = [0u8; 12];
    getrandom::fill(&mut b)
        .map_err(|e| TeamError::Store(format!("cannot get random bytes: {e}")))?;
    let p = std::env::temp_dir().join(format!(
        ".p2review-mirror-{}-{}",
        std::process::id(),
        data_encoding::HEXLOWER.encode(&b)
    ));
    let f = std::fs::OpenOptions::new()
        .read(true)
        .append(true)
        .create_new(true)
        .mode(0o600)
        .open(&p)
        .map_err(|e| err(&p, e))?;
    std::fs::remove_file(&p).map_err(|e| err(&p, e))?;
    let keep = f.try_clone().map_err(|e| err(&p, e))?;
    let path = PathBuf::from(format!("/dev/fd/{}", keep.as_raw_fd()));
    lock(&OPEN_MIRRORS).push(keep);
    Ok((f, path))
}

/// A connection listening for new entries of one team.
pub struct PgListener {
    client: Client,
    schema: String,
    shown: String,
}

impl PgListener {
    /// Wait up to `timeout` for entries of this team; the number notified (0 on timeout).
    pub fn wait(&mut self, timeout: Duration) -> Result<usize, TeamError> {
        let err = |e: postgres::Error| {
            TeamError::Store(format!(
                "team store {}: the live view lost its connection ({}); reopen the view",
                self.shown,
                crate::text::escape(&error_text(&e))
            ))
        };
        let mut n = 0;
        let ours = |p: &str| p.split(' ').next() == Some(self.schema.as_str());
        let mut notes = self.client.notifications();
        match notes.timeout_iter(timeout).next().map_err(err)? {
            None => return Ok(0),
            Some(m) => n += usize::from(ours(m.payload())),
        }
        let mut rest = notes.iter();
        while let Some(m) = rest.next().map_err(err)? {
            n += usize::from(ours(m.payload()));
        }
        Ok(n)
    }
}

/// The live view reads the mirrored logs only after a notification (docs/team.md#live-view).
impl super::live::Signal for PgListener {
    fn changed(&mut self) -> Result<bool, TeamError> {
        // A short wait reads what the server sent meanwhile without holding up the tick.
        Ok(self.wait(Duration::from_millis(1))? > 0)
    }
}

impl TeamStore for PgStore {
    fn describe(&self) -> String {
        self.spec.shown.clone()
    }

    fn settings(&self) -> &Settings {
        &self.settings
    }

    fn trust(&self) -> Result<Trust, TeamError> {
        let text: String = self.with(|c| {
            Ok(Ok(c
                .query("SELECT line FROM signers ORDER BY principal", &[])?
                .iter()
                .map(|r| format!("{}\n", r.get::<_, &str>(0)))
                .collect()))
        })?;
        parse_allowed_signers(&text, Path::new(&self.signers_origin()))
            .map_err(|e| TeamError::Store(e.to_string()))
    }

    /// The number of signers and when the last was added: a reviewer added later changes it.
    /// `None` when the server cannot be asked (the live view reads the signers again then).
    fn trust_stamp(&self) -> Option<(u64, Option<std::time::SystemTime>)> {
        self.with(|c| {
            let r = c.query_one("SELECT count(*)::int8, max(added_at) FROM signers", &[])?;
            Ok(Ok((r.get::<_, i64>(0) as u64, r.get(1))))
        })
        .ok()
    }

    fn signal(&self) -> Result<Option<Box<dyn super::live::Signal>>, TeamError> {
        Ok(Some(Box::new(self.listen()?)))
    }

    /// The data dir's `decisions.jsonl`. Opening it sends what the outbox holds and any
    /// line of the log the server does not have yet (so the start fails while the server
    /// is unreachable: nothing can be claimed then anyway).
    fn reviewer_log(&self, principal: &str, data: &DataDir) -> Result<PathBuf, TeamError> {
        if !crate::log::keys::valid_principal(principal) {
            return Err(TeamError::Store(format!(
                "principal {} cannot name a team log",
                crate::text::escape(principal)
            )));
        }
        let log = data.decisions_log();
        {
            let mut g = lock(&self.local);
            let same = g
                .as_ref()
                .is_some_and(|l| l.principal == principal && l.log == log);
            if !same {
                *g = Some(Local {
                    principal: principal.to_owned(),
                    log: log.clone(),
                    outbox: Outbox::new(data.root()),
                    sent_to: 0,
                    synced: false,
                });
            }
        }
        self.sync(Close::Nothing)?;
        Ok(log)
    }

    fn logs(&self) -> Result<Vec<PathBuf>, TeamError> {
        self.refresh_mirror()
    }

    fn now_ms(&self) -> Result<i64, TeamError> {
        self.with(|c| {
            Ok(Ok(c
                .query_one("SELECT (extract(epoch from now()) * 1000)::int8", &[])?
                .get(0)))
        })
    }

    fn claim(&self, item: &ItemKey, principal: &str, lease: Duration) -> Result<Claim, TeamError> {
        check_item(item)?;
        let lease_ms = i64::try_from(lease.as_millis()).unwrap_or(i64::MAX / 4);
        let mut b = [0u8; 16];
        getrandom::fill(&mut b)
            .map_err(|e| TeamError::Store(format!("cannot get random bytes for a claim: {e}")))?;
        let token = data_encoding::HEXLOWER.encode(&b);
        self.with(|c| {
            let mut tx = c.transaction()?;
            tx.execute(
                "INSERT INTO items (queue_sha256, disclosure) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                &[&item.queue_sha256, &item.disclosure],
            )?;
            let r = take(&mut tx, item, principal, &token, lease_ms)?;
            let out = match r {
                Some((token, expires_ms)) => Ok(Claim {
                    item: item.clone(),
                    holder: principal.to_owned(),
                    token,
                    expires_ms,
                    lease_ms,
                }),
                None => Err(refusal(&mut tx, item)?),
            };
            tx.commit()?;
            Ok(out)
        })
    }

    fn renew(&self, claim: &Claim) -> Result<Claim, TeamError> {
        self.with(|c| {
            let mut tx = c.transaction()?;
            let r = tx.query_opt(
                &format!("UPDATE claims SET expires_at = now() + $1::int8 * interval '1 millisecond' WHERE queue_sha256 = $2 AND disclosure = $3 AND holder = $4 AND token = $5 AND state = 'held' RETURNING {MS}"),
                &[&claim.lease_ms, &claim.item.queue_sha256, &claim.item.disclosure, &claim.holder, &claim.token],
            )?;
            let out = match r {
                Some(r) => Ok(Claim {
                    expires_ms: r.get(0),
                    ..claim.clone()
                }),
                None => Err(lost(&mut tx, claim)?),
            };
            tx.commit()?;
            Ok(out)
        })
    }

    fn still_held(&self, claim: &Claim) -> Result<(), TeamError> {
        self.renew(claim).map(|_| ())
    }

    fn decided(&self, claim: &Claim, entry: &str) -> Result<(), TeamError> {
        self.sync(Close::Decided(claim, entry))
    }

    fn drop_claim(&self, claim: &Claim) -> Result<(), TeamError> {
        self.with(|c| {
            c.execute(
                "UPDATE claims SET state = 'free', token = NULL, expires_at = NULL WHERE queue_sha256 = $1 AND disclosure = $2 AND holder = $3 AND token = $4 AND state = 'held'",
                &[&claim.item.queue_sha256, &claim.item.disclosure, &claim.holder, &claim.token],
            )?;
            Ok(Ok(()))
        })
    }

    fn release(&self, id: &str) -> Result<Vec<ClaimInfo>, TeamError> {
        self.with(|c| {
            let rows = c.query(
                &format!("WITH r AS (SELECT queue_sha256, disclosure, holder, {MS} AS exp FROM claims WHERE disclosure = $1 AND state = 'held' AND expires_at > now() FOR UPDATE)
                 UPDATE claims c SET state = 'free', token = NULL, expires_at = NULL FROM r
                 WHERE c.queue_sha256 = r.queue_sha256 AND c.disclosure = r.disclosure
                 RETURNING r.queue_sha256, r.disclosure, r.holder, r.exp"),
                &[&id],
            )?;
            Ok(Ok(rows
                .iter()
                .map(|r| ClaimInfo {
                    queue: r.get(0),
                    disclosure: r.get(1),
                    holder: r.get(2),
                    state: ClaimState::Held {
                        expires_ms: r.get(3),
                    },
                })
                .collect()))
        })
    }

    fn claims(&self) -> Result<Vec<ClaimInfo>, TeamError> {
        self.with(|c| {
            let rows = c.query(
                &format!("SELECT queue_sha256, disclosure, holder, state, {MS}, entry, expires_at > now() FROM claims WHERE state <> 'free' ORDER BY queue_sha256, disclosure"),
                &[],
            )?;
            Ok(Ok(rows
                .iter()
                .map(|r| {
                    let state = if r.get::<_, &str>(3) == "decided" {
                        ClaimState::Decided {
                            entry: r.get::<_, Option<String>>(5).unwrap_or_default(),
                        }
                    } else if r.get::<_, Option<bool>>(6) == Some(true) {
                        ClaimState::Held {
                            expires_ms: r.get::<_, Option<i64>>(4).unwrap_or(0),
                        }
                    } else {
                        ClaimState::Expired {
                            expires_ms: r.get::<_, Option<i64>>(4).unwrap_or(0),
                        }
                    };
                    ClaimInfo {
                        queue: r.get(0),
                        disclosure: r.get(1),
                        holder: r.get(2),
                        state,
                    }
                })
                .collect()))
        })
    }

    fn decided_entry(&self, item: &ItemKey) -> Result<Option<(String, String)>, TeamError> {
        self.with(|c| {
            Ok(Ok(c
                .query_opt(
                    "SELECT holder, entry FROM claims WHERE queue_sha256 = $1 AND disclosure = $2 AND state = 'decided'",
                    &[&item.queue_sha256, &item.disclosure],
                )?
                .map(|r| (r.get(0), r.get::<_, Option<String>>(1).unwrap_or_default()))))
        })
    }

    fn redecided(&self, item: &ItemKey, holder: &str, entry: &str) -> Result<(), TeamError> {
        self.sync(Close::Redecided(item, holder, entry))
    }

    /// `SELECT … FOR UPDATE SKIP LOCKED` over the queue's items (inserted on first use):
    /// concurrent reviewers each get a different item without waiting for each other.
    fn next_unclaimed(
        &self,
        items: &[ItemKey],
        principal: &str,
        lease: Duration,
    ) -> Result<Option<Claim>, TeamError> {
        for it in items {
            check_item(it)?;
        }
        let lease_ms = i64::try_from(lease.as_millis()).unwrap_or(i64::MAX / 4);
        let qs: Vec<&str> = items.iter().map(|i| i.queue_sha256.as_str()).collect();
        let ds: Vec<&str> = items.iter().map(|i| i.disclosure.as_str()).collect();
        let mut queues: Vec<&str> = qs.clone();
        queues.sort_unstable();
        queues.dedup();
        let fresh = {
            let known = lock(&self.items_known);
            queues.iter().any(|q| !known.contains(*q))
        };
        let mut b = [0u8; 16];
        getrandom::fill(&mut b)
            .map_err(|e| TeamError::Store(format!("cannot get random bytes for a claim: {e}")))?;
        let token = data_encoding::HEXLOWER.encode(&b);
        let got = self.with(|c| {
            if fresh {
                c.execute(
                    "INSERT INTO items (queue_sha256, disclosure) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING",
                    &[&qs, &ds],
                )?;
            }
            let mut skip: Vec<String> = Vec::new();
            loop {
                let mut tx = c.transaction()?;
                let row = tx.query_opt(
                    "SELECT i.queue_sha256, i.disclosure FROM items i
                     JOIN unnest($1::text[], $2::text[]) WITH ORDINALITY AS w(q, d, n)
                       ON i.queue_sha256 = w.q AND i.disclosure = w.d
                     LEFT JOIN claims c ON c.queue_sha256 = i.queue_sha256 AND c.disclosure = i.disclosure
                     WHERE (c.holder IS NULL OR c.state = 'free'
                            OR (c.state = 'held' AND (c.expires_at <= now() OR c.holder = $3)))
                       AND NOT (i.disclosure = ANY($4::text[]))
                     ORDER BY w.n LIMIT 1
                     FOR UPDATE OF i SKIP LOCKED",
                    &[&qs, &ds, &principal, &skip],
                )?;
                let Some(row) = row else {
                    tx.commit()?;
                    return Ok(Ok(None));
                };
                let item = ItemKey {
                    queue_sha256: row.get(0),
                    disclosure: row.get(1),
                };
                match take(&mut tx, &item, principal, &token, lease_ms)? {
                    Some((token, expires_ms)) => {
                        tx.commit()?;
                        return Ok(Ok(Some(Claim {
                            item,
                            holder: principal.to_owned(),
                            token,
                            expires_ms,
                            lease_ms,
                        })));
                    }
                    // Claimed or decided between our snapshot and the lock: the next one.
                    None => {
                        tx.commit()?;
                        skip.push(item.disclosure);
                    }
                }
            }
        })?;
        if fresh {
            lock(&self.items_known).extend(queues.iter().map(|q| q.to_string()));
        }
        Ok(got)
    }
}

/// Take or renew the claim row of `item` for `holder` when it is free, expired or already
/// theirs: `(token, expires_ms)`, or `None` when another holds it or it was decided.
fn take(
    tx: &mut postgres::Transaction<'_>,
    item: &ItemKey,
    holder: &str,
    token: &str,
    lease_ms: i64,
) -> Result<Option<(String, i64)>, postgres::Error> {
    Ok(tx
        .query_opt(
            &format!("INSERT INTO claims (queue_sha256, disclosure, holder, state, token, expires_at)
             VALUES ($1, $2, $3, 'held', $4, now() + $5::int8 * interval '1 millisecond')
             ON CONFLICT (queue_sha256, disclosure) DO UPDATE SET
               token = CASE WHEN claims.state = 'held' AND claims.holder = EXCLUDED.holder AND claims.expires_at > now()
                            THEN claims.token ELSE EXCLUDED.token END,
               holder = EXCLUDED.holder, state = 'held', expires_at = EXCLUDED.expires_at, entry = NULL
             WHERE claims.state = 'free'
                OR (claims.state = 'held' AND (claims.expires_at <= now() OR claims.holder = EXCLUDED.holder))
             RETURNING token, {MS}"),
            &[&item.queue_sha256, &item.disclosure, &holder, &token, &lease_ms],
        )?
        .map(|r| (r.get(0), r.get(1))))
}

/// Why `item` cannot be claimed (read in the same transaction).
fn refusal(
    tx: &mut postgres::Transaction<'_>,
    item: &ItemKey,
) -> Result<TeamError, postgres::Error> {
    let r = tx.query_one(
        "SELECT holder, state, entry, ceil(extract(epoch from (expires_at - now())))::int8 FROM claims WHERE queue_sha256 = $1 AND disclosure = $2",
        &[&item.queue_sha256, &item.disclosure],
    )?;
    Ok(if r.get::<_, &str>(1) == "decided" {
        TeamError::Decided {
            disclosure: item.disclosure.clone(),
            holder: r.get(0),
            entry: r.get::<_, Option<String>>(2).unwrap_or_default(),
        }
    } else {
        TeamError::Held {
            disclosure: item.disclosure.clone(),
            holder: r.get(0),
            expires_in_s: r.get::<_, Option<i64>>(3).unwrap_or(0).max(0),
        }
    })
}

/// Why a claim we held is no longer ours.
fn lost(tx: &mut postgres::Transaction<'_>, claim: &Claim) -> Result<TeamError, postgres::Error> {
    let r = tx.query_opt(
        "SELECT holder, state FROM claims WHERE queue_sha256 = $1 AND disclosure = $2",
        &[&claim.item.queue_sha256, &claim.item.disclosure],
    )?;
    let detail = match r {
        None => "it was released".to_owned(),
        Some(r) if r.get::<_, &str>(1) == "decided" => "the item was decided".to_owned(),
        Some(r) if r.get::<_, &str>(1) == "free" => "it was released".to_owned(),
        Some(r) => format!(
            "{} took it over after the lease ended, or a supervisor released it",
            crate::text::escape(r.get::<_, &str>(0))
        ),
    };
    Ok(TeamError::Lost {
        disclosure: claim.item.disclosure.clone(),
        detail,
    })
}
