//! The team's tables (docs/team.md#postgresql), created by versioned migrations: each
//! migration runs once, in one transaction, and is recorded in `schema_version`. A
//! database with a newer version than this binary knows is refused (upgrade p2review).

/// Migrations in order; `MIGRATIONS[i]` brings the schema to version `i + 1`.
pub const MIGRATIONS: &[&str] = &[
    // 1: settings, signers, items, claims, entries (+ NOTIFY on insert).
    r#"
CREATE TABLE settings (
    id int PRIMARY KEY CHECK (id = 1),
    p2review_team int NOT NULL,
    override_second_reviewer bool NOT NULL,
    lease_seconds int NOT NULL CHECK (lease_seconds BETWEEN 1 AND 86400)
);
CREATE TABLE signers (
    principal text PRIMARY KEY,
    line text NOT NULL,
    added_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE items (
    queue_sha256 text NOT NULL CHECK (queue_sha256 ~ '^[0-9a-f]{64}$'),
    disclosure text NOT NULL,
    added_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (queue_sha256, disclosure)
);
CREATE TABLE claims (
    queue_sha256 text NOT NULL,
    disclosure text NOT NULL,
    holder text NOT NULL,
    state text NOT NULL CHECK (state IN ('held', 'free', 'decided')),
    token text,
    expires_at timestamptz,
    entry text,
    PRIMARY KEY (queue_sha256, disclosure),
    FOREIGN KEY (queue_sha256, disclosure) REFERENCES items
);
CREATE TABLE entries (
    log_id text NOT NULL CHECK (log_id ~ '^[0-9a-f]{32}$'),
    seq bigint NOT NULL CHECK (seq >= 0),
    principal text NOT NULL,
    line bytea NOT NULL,
    entry_sha256 text NOT NULL,
    inserted_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (log_id, seq)
);
CREATE FUNCTION notify_entry() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('p2review_entries', TG_TABLE_SCHEMA || ' ' || NEW.log_id || ' ' || NEW.seq);
    RETURN NULL;
END $$;
CREATE TRIGGER entries_notify AFTER INSERT ON entries
    FOR EACH ROW EXECUTE FUNCTION notify_entry();
"#,
];

/// The version this binary writes and reads.
pub fn current() -> i32 {
    MIGRATIONS.len() as i32
}

/// Bring `schema` up to [`current`]. Concurrent callers serialise on an advisory lock.
pub fn migrate(c: &mut postgres::Client, schema: &str) -> Result<(), postgres::Error> {
    let mut tx = c.transaction()?;
    tx.batch_execute(&format!(
        "SELECT pg_advisory_xact_lock(hashtext('p2review.' || '{schema}'));
         CREATE SCHEMA IF NOT EXISTS {schema};
         SET LOCAL search_path TO {schema};
         CREATE TABLE IF NOT EXISTS schema_version (
             version int PRIMARY KEY,
             applied_at timestamptz NOT NULL DEFAULT now()
         );"
    ))?;
    let have: i32 = tx
        .query_one("SELECT coalesce(max(version), 0) FROM schema_version", &[])?
        .get(0);
    for (i, m) in MIGRATIONS.iter().enumerate().skip(have.max(0) as usize) {
        tx.batch_execute(m)?;
        tx.execute(
            "INSERT INTO schema_version (version) VALUES ($1)",
            &[&(i as i32 + 1)],
        )?;
    }
    tx.commit()
}

/// The schema's version (0 when there are no tables).
pub fn version(c: &mut postgres::Client) -> Result<i32, postgres::Error> {
    let exists: bool = c
        .query_one("SELECT to_regclass('schema_version') IS NOT NULL", &[])?
        .get(0);
    if !exists {
        return Ok(0);
    }
    Ok(
        c.query_one("SELECT coalesce(max(version), 0) FROM schema_version", &[])?
            .get(0),
    )
}
