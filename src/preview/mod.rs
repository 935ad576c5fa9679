//! `cohort preview`: one report served on this machine and rendered again on every save.
//!
//! Three threads share one [`Shared`] state: the file watcher (`notify`) sends each change
//! to the render thread, which waits for the changes to settle (editors save in several
//! writes), renders, and bumps the generation; the HTTP server (`tiny_http`) serves the
//! last good page with a small bar (the term, the time of the render, the error of the
//! latest render when it failed) and answers each page's long poll when the generation
//! moves on, so the page reloads itself. Unchanged analyses are not run again: the
//! renderer goes through the result cache.

use crate::contract::Term;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// How long the files must be quiet after a change before the page is rendered again.
pub const SETTLE: Duration = Duration::from_millis(50);

/// How long a page's poll waits for a new render before it is answered anyway.
const POLL: Duration = Duration::from_secs(20);

/// Why the preview could not start.
#[derive(Debug, thiserror::Error)]
pub enum PreviewError {
    #[error("cannot serve on {addr}: {message}")]
    Bind { addr: String, message: String },
    #[error("{}: cannot watch for changes: {message}", path.display())]
    Watch { path: PathBuf, message: String },
}

/// A page rendered, with the term it reports on.
pub struct Rendered {
    pub html: String,
    pub term: Term,
}

/// What renders the page for a term (`None`: the default term); an error is the text the
/// terminal would print (file, line and the excerpt with its caret).
pub type Render = dyn Fn(Option<Term>) -> Result<Rendered, String> + Send;

/// What the page shows, and how far renders have got.
#[derive(Debug, Default)]
struct State {
    /// Bumped by every render, good or failed: a page of an older generation reloads.
    generation: u64,
    /// The last page that rendered.
    good: Option<String>,
    /// Why the latest render failed, when it did.
    error: Option<String>,
    /// The term asked for from the page (`None`: the command's `--term` or the latest).
    asked: Option<Term>,
    /// The term the last good render reports on.
    term: Option<Term>,
    /// How long the latest render took, and when it finished.
    seconds: f64,
    at: String,
}

type Shared = Arc<(Mutex<State>, Condvar)>;

/// What the render thread is told.
enum Message {
    /// A watched file changed.
    Changed,
    /// The page asked for another term.
    Term(Term),
}

/// Where to serve and what to watch.
pub struct Options {
    /// The interface: 127.0.0.1 unless the user gives another.
    pub host: String,
    /// The port; 0 picks a free one.
    pub port: u16,
    /// The folders (or files) whose changes re-render the page.
    pub watch: Vec<PathBuf>,
    /// Paths under these are never a change (outputs and caches the render itself writes).
    pub ignore: Vec<PathBuf>,
    /// The terms the page offers.
    pub terms: Vec<Term>,
    /// The term to start on.
    pub term: Option<Term>,
}

/// A preview being served: its address; [`Preview::run`] serves until the process ends.
pub struct Preview {
    server: tiny_http::Server,
    shared: Shared,
    terms: Vec<Term>,
    messages: Sender<Message>,
    _watcher: notify::RecommendedWatcher,
    pub addr: SocketAddr,
}

impl Preview {
    /// Binds the server, starts watching and starts the first render (in the background).
    pub fn start(options: Options, render: Box<Render>) -> Result<Preview, PreviewError> {
        let bind = format!("{}:{}", options.host, options.port);
        let server = tiny_http::Server::http(bind.as_str()).map_err(|e| PreviewError::Bind {
            addr: bind.clone(),
            message: e.to_string(),
        })?;
        let addr = server
            .server_addr()
            .to_ip()
            .ok_or_else(|| PreviewError::Bind {
                addr: bind.clone(),
                message: "not an IP address".into(),
            })?;
        let shared: Shared = Arc::new((
            Mutex::new(State {
                asked: options.term,
                ..State::default()
            }),
            Condvar::new(),
        ));
        let (tx, rx) = channel();
        let watcher = watch(&options.watch, options.ignore.clone(), tx.clone())?;
        {
            let shared = shared.clone();
            std::thread::spawn(move || render_loop(rx, shared, render));
        }
        // The first render.
        let _ = tx.send(Message::Changed);
        Ok(Preview {
            server,
            shared,
            terms: options.terms,
            messages: tx,
            _watcher: watcher,
            addr,
        })
    }

    /// Serves pages until the process ends; each request on its own thread, as a page's
    /// poll waits for the next render.
    pub fn run(self) {
        let Preview {
            server,
            shared,
            terms,
            messages,
            ..
        } = self;
        let terms = Arc::new(terms);
        for request in server.incoming_requests() {
            let shared = shared.clone();
            let terms = terms.clone();
            let messages = messages.clone();
            std::thread::spawn(move || answer(request, &shared, &terms, &messages));
        }
    }
}

/// Watches each of `paths` that exists, recursively, sending a change for every write,
/// creation, removal or rename outside `ignore` (reads are not changes: rendering reads).
fn watch(
    paths: &[PathBuf],
    ignore: Vec<PathBuf>,
    tx: Sender<Message>,
) -> Result<notify::RecommendedWatcher, PreviewError> {
    use notify::{EventKind, RecursiveMode, Watcher};
    let ignore: Vec<PathBuf> = ignore.iter().map(|p| absolute(p)).collect();
    let tx = Mutex::new(tx);
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        let Ok(event) = event else { return };
        // Reads (and the access times they touch) are not changes: rendering reads.
        if !matches!(
            event.kind,
            EventKind::Create(_) | EventKind::Modify(_) | EventKind::Remove(_) | EventKind::Any
        ) || matches!(
            event.kind,
            EventKind::Modify(notify::event::ModifyKind::Metadata(_))
        ) {
            return;
        }
        let counts = |p: &PathBuf| {
            let hidden = p.file_name().is_some_and(|n| {
                let n = n.to_string_lossy();
                n.starts_with('.') || n.ends_with('~') || n.ends_with(".swp")
            });
            !hidden && !ignore.iter().any(|i| p.starts_with(i))
        };
        if event.paths.iter().any(counts)
            && let Ok(tx) = tx.lock()
        {
            let _ = tx.send(Message::Changed);
        }
    })
    .map_err(|e| PreviewError::Watch {
        path: PathBuf::from("."),
        message: e.to_string(),
    })?;
    for p in paths.iter().filter(|p| p.exists()) {
        watcher
            .watch(&absolute(p), RecursiveMode::Recursive)
            .map_err(|e| PreviewError::Watch {
                path: p.clone(),
                message: e.to_string(),
            })?;
    }
    Ok(watcher)
}

/// Renders on each change once the files have been quiet for [`SETTLE`].
fn render_loop(rx: Receiver<Message>, shared: Shared, render: Box<Render>) {
    let (lock, ready) = &*shared;
    while let Ok(first) = rx.recv() {
        let mut term = match first {
            Message::Term(t) => Some(t),
            Message::Changed => None,
        };
        loop {
            match rx.recv_timeout(SETTLE) {
                Ok(Message::Term(t)) => term = Some(t),
                Ok(Message::Changed) => {}
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => return,
            }
        }
        let asked = {
            let Ok(mut s) = lock.lock() else { return };
            if term.is_some() {
                s.asked = term;
            }
            s.asked
        };
        let started = Instant::now();
        let result = render(asked);
        let seconds = started.elapsed().as_secs_f64();
        let Ok(mut s) = lock.lock() else { return };
        match result {
            Ok(page) => {
                s.good = Some(page.html);
                s.term = Some(page.term);
                s.error = None;
            }
            Err(e) => s.error = Some(e),
        }
        s.seconds = seconds;
        s.at = chrono::Local::now().format("%H:%M:%S").to_string();
        s.generation += 1;
        eprintln!(
            "{} in {seconds:.2} s",
            if s.error.is_some() {
                "render failed"
            } else {
                "rendered"
            }
        );
        ready.notify_all();
    }
}

/// Answers one request: the page, a poll, the state, or a term chosen.
fn answer(request: tiny_http::Request, shared: &Shared, terms: &[Term], tx: &Sender<Message>) {
    let url = request.url().to_string();
    let (path, query) = url.split_once('?').unwrap_or((url.as_str(), ""));
    let param = |name: &str| {
        query
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_string())
    };
    let (lock, ready) = &**shared;
    let response = match path {
        "/" => {
            // The page sends a term as text: read once, here, as `--term` is read.
            if let Some(t) = param("term") {
                let t = match t.parse::<Term>() {
                    Ok(t) => t,
                    Err(e) => {
                        let _ = request.respond(text(
                            format!("term: {e}"),
                            "text/plain; charset=utf-8",
                            400,
                        ));
                        return;
                    }
                };
                let _ = tx.send(Message::Term(t));
                let _ = request.respond(with_header(
                    tiny_http::Response::empty(303),
                    "Location",
                    "/",
                ));
                return;
            }
            let page = match lock.lock() {
                Ok(s) => page(&s, terms),
                Err(_) => "the preview stopped".to_string(),
            };
            text(page, "text/html; charset=utf-8", 200)
        }
        "/wait" => {
            let since: u64 = param("since").and_then(|s| s.parse().ok()).unwrap_or(0);
            let generation = match lock.lock() {
                Ok(s) => ready
                    .wait_timeout_while(s, POLL, |s| s.generation == since)
                    .map(|(s, _)| s.generation)
                    .unwrap_or(since),
                Err(_) => since,
            };
            text(generation.to_string(), "text/plain", 200)
        }
        "/state" => {
            let json = match lock.lock() {
                Ok(s) => serde_json::json!({
                    "generation": s.generation,
                    "error": s.error,
                    "term": s.term,
                    "seconds": s.seconds,
                })
                .to_string(),
                Err(_) => "{}".into(),
            };
            text(json, "application/json", 200)
        }
        _ => text("not found".into(), "text/plain", 404),
    };
    let _ = request.respond(response);
}

/// `response` with the header `name: value` (both constant ASCII here).
fn with_header<R: std::io::Read>(
    response: tiny_http::Response<R>,
    name: &str,
    value: &str,
) -> tiny_http::Response<R> {
    match tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()) {
        Ok(h) => response.with_header(h),
        Err(()) => response,
    }
}

fn text(body: String, kind: &str, status: u16) -> tiny_http::Response<std::io::Cursor<Vec<u8>>> {
    let r = tiny_http::Response::from_string(body).with_status_code(status);
    with_header(
        with_header(r, "Content-Type", kind),
        "Cache-Control",
        "no-store",
    )
}

/// The page: the last good render with the preview's bar after its `<body>` (the error of
/// the latest render, when it failed, above it), and the poll that reloads it.
fn page(s: &State, terms: &[Term]) -> String {
    let escape = |t: &str| {
        t.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    let options: String = terms
        .iter()
        .map(|t| {
            let selected = if s.term == Some(*t) { " selected" } else { "" };
            format!(
                "<option value=\"{0}\"{selected}>{0}</option>",
                escape(&t.to_string())
            )
        })
        .collect();
    let status = if s.generation == 0 {
        "rendering…".to_string()
    } else {
        format!("rendered at {} in {:.2} s", s.at, s.seconds)
    };
    let error = match &s.error {
        Some(e) => format!(
            "<div id=\"cohort-preview-error\" role=\"alert\" style=\"background:#fdecea;border-left:6px solid #d4351c;padding:8px 12px;margin:0\"><p style=\"margin:0 0 4px\"><strong>The latest save does not render{}</strong></p><pre style=\"white-space:pre-wrap;margin:0;font:13px/1.4 ui-monospace,monospace\">{}</pre></div>\n",
            if s.good.is_some() {
                "; below is the last page that did"
            } else {
                ""
            },
            escape(e)
        ),
        None => String::new(),
    };
    let bar = format!(
        "<div id=\"cohort-preview\" role=\"region\" aria-label=\"Preview\" style=\"font:14px system-ui,sans-serif;background:#f3f2f1;border-bottom:2px solid #505a5f;padding:6px 12px;display:flex;gap:16px;align-items:center;flex-wrap:wrap\"><strong>cohort preview</strong><form method=\"get\" action=\"/\" style=\"margin:0\"><label>Term <select name=\"term\" onchange=\"this.form.submit()\">{options}</select></label> <noscript><button>Show</button></noscript></form><span id=\"cohort-preview-status\" data-generation=\"{}\">{status}</span></div>\n{error}",
        s.generation
    );
    let script = format!(
        "<script>(function(){{var g={};function poll(){{fetch('/wait?since='+g,{{cache:'no-store'}}).then(function(r){{return r.text()}}).then(function(t){{if(t.trim()!==String(g)){{location.reload()}}else{{poll()}}}}).catch(function(){{setTimeout(poll,1000)}})}}poll()}})();</script>\n",
        s.generation
    );
    let body = s.good.as_deref().unwrap_or(
        "<!DOCTYPE html>\n<html lang=\"en-GB\"><head><meta charset=\"utf-8\"><title>cohort preview</title></head><body>\n</body></html>\n",
    );
    inject(body, &bar, &script)
}

/// `html` with `top` just after its `<body ...>` tag and `bottom` just before `</body>`.
fn inject(html: &str, top: &str, bottom: &str) -> String {
    let after_body = html
        .find("<body")
        .and_then(|i| html[i..].find('>').map(|j| i + j + 1))
        .unwrap_or(0);
    let before_end = html
        .rfind("</body>")
        .filter(|&i| i >= after_body)
        .unwrap_or(html.len());
    format!(
        "{}{top}{}{bottom}{}",
        &html[..after_body],
        &html[after_body..before_end],
        &html[before_end..]
    )
}

/// `p` from the root, as the watcher names the paths of its events.
fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}

/// The folders whose saves re-render a preview of the project: analyses, templates,
/// notebooks and data (each that exists).
pub fn watched(folders: &[&Path]) -> Vec<PathBuf> {
    folders
        .iter()
        .filter(|p| p.exists())
        .map(|p| p.to_path_buf())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bar_goes_after_body_and_the_poll_before_its_end() {
        let html = "<html><body class=\"x\">\n<p>report</p>\n</body></html>";
        assert_eq!(
            inject(html, "[bar]", "[poll]"),
            "<html><body class=\"x\">[bar]\n<p>report</p>\n[poll]</body></html>"
        );
    }

    /// A failed render shows its error, escaped, above the last good page, which stays.
    #[test]
    fn an_error_shows_over_the_last_good_page() {
        let spring: Term = "2024-25-spring".parse().expect("a term");
        let s = State {
            generation: 3,
            good: Some("<html><body><p>good figure 42</p></body></html>".into()),
            error: Some("queries/a/b.sql:4: SQL error in `a/b`: No field named x <y>".into()),
            term: Some(spring),
            ..State::default()
        };
        let autumn = "2024-25-autumn".parse().expect("a term");
        let p = page(&s, &[autumn, spring]);
        assert!(p.contains("good figure 42"));
        assert!(p.contains("No field named x &lt;y&gt;"));
        assert!(p.contains("<option value=\"2024-25-spring\" selected>"));
        assert!(p.find("cohort-preview-error") < p.find("good figure 42"));
    }
}
