//! Test support for the PostgreSQL team backend: the server URL from
//! `P2REVIEW_TEST_PG_URL` (a test FAILS without it), a schema per test dropped at the
//! end, and a thread-based TCP proxy between client and server that a test cuts and
//! restores to simulate an outage (the server itself is never stopped).

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// `P2REVIEW_TEST_PG_URL` (`postgres://USER[:PW]@HOST:PORT/DB`), or a failing test.
pub fn base_url() -> String {
    std::env::var("P2REVIEW_TEST_PG_URL").unwrap_or_else(|_| {
        panic!(
            "P2REVIEW_TEST_PG_URL is not set: the PostgreSQL tests need a server (e.g. postgres://postgres@127.0.0.1:5432/test; `.ci/run` and `./scripts/test` set it)"
        )
    })
}

/// `HOST:PORT` of a `postgres://USER@HOST:PORT/DB` URL.
pub fn host_port(url: &str) -> String {
    let rest = url.split_once("://").unwrap().1;
    let auth = rest.split('/').next().unwrap();
    let hp = auth.rsplit_once('@').map_or(auth, |(_, h)| h);
    if hp.contains(':') {
        hp.to_owned()
    } else {
        format!("{hp}:5432")
    }
}

/// `url` with its host:port replaced by `hp`.
pub fn with_host_port(url: &str, hp: &str) -> String {
    url.replacen(&host_port(url), hp, 1)
}

/// A schema of its own for one test, dropped (with everything in it) when this is dropped.
pub struct Schema {
    pub name: String,
    /// The team URL: the base URL with `schema=<name>`.
    pub url: String,
}

impl Schema {
    pub fn new(test: &str) -> Schema {
        let name = format!("p2r_{}_{}", test, std::process::id());
        let base = base_url();
        let mut c = client();
        c.batch_execute(&format!("DROP SCHEMA IF EXISTS {name} CASCADE"))
            .unwrap();
        let sep = if base.contains('?') { '&' } else { '?' };
        Schema {
            url: format!("{base}{sep}schema={name}"),
            name,
        }
    }
}

impl Drop for Schema {
    fn drop(&mut self) {
        if let Ok(mut c) = postgres::Client::connect(&base_url(), postgres::NoTls) {
            let _ = c.batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.name));
        }
    }
}

/// A direct connection (not through any proxy) to inspect the tables.
pub fn client() -> postgres::Client {
    postgres::Client::connect(&base_url(), postgres::NoTls)
        .unwrap_or_else(|e| panic!("cannot connect to P2REVIEW_TEST_PG_URL: {e}"))
}

/// A TCP proxy on 127.0.0.1 in front of the server. `cut` closes every connection and
/// refuses new ones until `restore`.
pub struct Proxy {
    pub addr: String,
    cut: Arc<AtomicBool>,
    live: Arc<Mutex<Vec<TcpStream>>>,
}

fn pump(mut from: TcpStream, mut to: TcpStream) {
    let mut buf = [0u8; 16 * 1024];
    loop {
        match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                if to.write_all(&buf[..n]).is_err() {
                    break;
                }
            }
        }
    }
    let _ = from.shutdown(Shutdown::Both);
    let _ = to.shutdown(Shutdown::Both);
}

impl Proxy {
    pub fn start(upstream: &str) -> Proxy {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = l.local_addr().unwrap().to_string();
        let cut = Arc::new(AtomicBool::new(false));
        let live: Arc<Mutex<Vec<TcpStream>>> = Arc::default();
        let (c2, l2, up) = (Arc::clone(&cut), Arc::clone(&live), upstream.to_owned());
        std::thread::spawn(move || {
            for s in l.incoming() {
                let Ok(s) = s else { continue };
                if c2.load(Ordering::SeqCst) {
                    let _ = s.shutdown(Shutdown::Both);
                    continue;
                }
                let Ok(u) = TcpStream::connect(&up) else {
                    let _ = s.shutdown(Shutdown::Both);
                    continue;
                };
                {
                    let mut g = l2.lock().unwrap();
                    g.push(s.try_clone().unwrap());
                    g.push(u.try_clone().unwrap());
                }
                let (s2, u2) = (s.try_clone().unwrap(), u.try_clone().unwrap());
                std::thread::spawn(move || pump(s, u));
                std::thread::spawn(move || pump(u2, s2));
            }
        });
        Proxy { addr, cut, live }
    }

    pub fn cut(&self) {
        self.cut.store(true, Ordering::SeqCst);
        for s in self.live.lock().unwrap().drain(..) {
            let _ = s.shutdown(Shutdown::Both);
        }
    }

    pub fn restore(&self) {
        self.cut.store(false, Ordering::SeqCst);
    }
}
