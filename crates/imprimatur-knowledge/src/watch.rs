//! The folder watch: files added to, changed in or deleted from `knowledge/` update the
//! index on their own.
//!
//! The operating system's file events (inotify, FSEvents, ReadDirectoryChangesW through
//! `notify`) are debounced, so an editor's save (write, rename, chmod) is one change.
//! Every change then runs an incremental [`Ingestion::run`] pass on a worker thread
//! rather than acting on the event's paths: renames, folder moves and events the
//! platform merged or dropped all come out right, and unchanged files cost one `stat`.
//! Passes never overlap; changes that arrive during a pass cause one more pass.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime};

use notify::event::{AccessKind, AccessMode, MetadataKind, ModifyKind};
use notify::{EventKind, RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{new_debouncer, DebounceEventResult, Debouncer, RecommendedCache};

use crate::pipeline::{
    is_ignored, IngestError, IngestOptions, IngestReport, Ingestion, PassageEmbedder, Progress,
    SourceIndex,
};

/// What the watch reports to its owner (the app shows a progress bar and the sources).
#[derive(Debug, Clone)]
pub enum WatchEvent {
    Progress(Progress),
    /// A pass finished (possibly cancelled).
    Ingested(IngestReport),
    /// A pass failed as a whole (index or manifest unusable, embedder broken).
    Failed {
        code: &'static str,
        message: String,
    },
}

/// How the watch runs.
#[derive(Clone)]
pub struct WatchSettings {
    /// Quiet time after the last event of a burst before a pass starts.
    pub debounce: Duration,
    pub ingest: IngestOptions,
    /// The clock for `ingested_at` (the core takes time as an argument).
    pub clock: Arc<dyn Fn() -> SystemTime + Send + Sync>,
}

impl Default for WatchSettings {
    fn default() -> Self {
        WatchSettings {
            debounce: Duration::from_millis(500),
            ingest: IngestOptions::default(),
            clock: Arc::new(SystemTime::now),
        }
    }
}

enum Signal {
    Changed,
    Stop,
}

/// A running watch; dropping it (or [`KnowledgeWatch::stop`]) ends it.
pub struct KnowledgeWatch {
    debouncer: Option<Debouncer<RecommendedWatcher, RecommendedCache>>,
    worker: Option<JoinHandle<()>>,
    signals: Sender<Signal>,
    cancel: Arc<AtomicBool>,
    stopping: Arc<AtomicBool>,
}

impl KnowledgeWatch {
    /// Watches `knowledge_dir` (created when missing) and keeps `kb` (the embedded index
    /// or a server's collection) in step with it, starting with one pass that catches up
    /// with changes made while nobody watched.
    pub fn start(
        knowledge_dir: PathBuf,
        kb: Arc<Mutex<dyn SourceIndex>>,
        embedder: Option<Arc<dyn PassageEmbedder>>,
        settings: WatchSettings,
        mut on_event: impl FnMut(WatchEvent) + Send + 'static,
    ) -> Result<KnowledgeWatch, IngestError> {
        std::fs::create_dir_all(&knowledge_dir).map_err(|source| IngestError::Folder {
            path: knowledge_dir.clone(),
            source,
        })?;
        let (signals, rx) = channel();
        let events = signals.clone();
        let root = knowledge_dir.clone();
        let mut debouncer = new_debouncer(
            settings.debounce,
            None,
            move |result: DebounceEventResult| {
                let relevant = match result {
                    Ok(events) => events.iter().any(|e| matters(&e.kind, &e.paths, &root)),
                    // Lost events (queue overflow): a pass finds out what changed.
                    Err(_) => true,
                };
                if relevant {
                    let _ = events.send(Signal::Changed);
                }
            },
        )
        .map_err(|source| IngestError::Watch {
            path: knowledge_dir.clone(),
            source,
        })?;
        debouncer
            .watch(&knowledge_dir, RecursiveMode::Recursive)
            .map_err(|source| IngestError::Watch {
                path: knowledge_dir.clone(),
                source,
            })?;
        let cancel = Arc::new(AtomicBool::new(false));
        let stopping = Arc::new(AtomicBool::new(false));
        let (worker_cancel, worker_stopping) = (cancel.clone(), stopping.clone());
        let worker = std::thread::Builder::new()
            .name("knowledge-watch".into())
            .spawn(move || {
                let embedder = embedder.as_deref();
                let ingestion = Ingestion {
                    knowledge_dir,
                    embedder,
                    options: settings.ingest,
                };
                let flags = (&*worker_cancel, &*worker_stopping);
                worker_loop(&ingestion, &kb, &rx, flags, &settings, &mut on_event);
            })
            .map_err(|source| IngestError::Folder {
                path: PathBuf::from("knowledge-watch thread"),
                source,
            })?;
        Ok(KnowledgeWatch {
            debouncer: Some(debouncer),
            worker: Some(worker),
            signals,
            cancel,
            stopping,
        })
    }

    /// Runs a pass now, as if the folder had changed.
    pub fn rescan(&self) {
        let _ = self.signals.send(Signal::Changed);
    }

    /// Stops the running pass at its next file or batch; the index stays consistent and
    /// the next change resumes where it stopped.
    pub fn cancel_pass(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    /// Ends the watch: cancels a running pass and waits for the worker.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        if let Some(d) = self.debouncer.take() {
            d.stop();
        }
        // Stopping before cancelling: a worker that clears `cancel` for a new pass
        // checks `stopping` afterwards, so it cannot miss both.
        self.stopping.store(true, Ordering::SeqCst);
        self.cancel.store(true, Ordering::SeqCst);
        let _ = self.signals.send(Signal::Stop);
        if let Some(w) = self.worker.take() {
            let _ = w.join();
        }
    }
}

impl Drop for KnowledgeWatch {
    fn drop(&mut self) {
        self.shutdown();
    }
}

fn worker_loop(
    ingestion: &Ingestion<'_>,
    kb: &Mutex<dyn SourceIndex>,
    rx: &Receiver<Signal>,
    (cancel, stopping): (&AtomicBool, &AtomicBool),
    settings: &WatchSettings,
    on_event: &mut dyn FnMut(WatchEvent),
) {
    loop {
        cancel.store(false, Ordering::SeqCst);
        if stopping.load(Ordering::SeqCst) {
            return;
        }
        let result = ingestion.run(kb, (settings.clock)(), cancel, &mut |p| {
            on_event(WatchEvent::Progress(p.clone()))
        });
        on_event(match result {
            Ok(report) => WatchEvent::Ingested(report),
            Err(e) => WatchEvent::Failed {
                code: e.code(),
                message: e.to_string(),
            },
        });
        // Wait for the next change; a burst of signals is one pass.
        match rx.recv() {
            Ok(Signal::Changed) => {}
            Ok(Signal::Stop) | Err(_) => return,
        }
        while let Ok(signal) = rx.try_recv() {
            if let Signal::Stop = signal {
                return;
            }
        }
    }
}

/// Whether an event can change what the index should hold. Reads (our own passes open
/// every changed file) and access-time updates cannot; hidden and temporary files are
/// not sources.
fn matters(kind: &EventKind, paths: &[PathBuf], root: &std::path::Path) -> bool {
    let content = match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        EventKind::Modify(ModifyKind::Metadata(MetadataKind::AccessTime)) => false,
        _ => true,
    };
    content
        && paths.iter().any(|p| {
            // Only the part inside knowledge/: the workspace itself may sit in a hidden folder.
            let inside = p.strip_prefix(root).unwrap_or(p);
            !inside
                .components()
                .any(|c| is_ignored(&c.as_os_str().to_string_lossy()))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_temporary_files_do_not_matter() {
        let root = PathBuf::from("/home/u/.ws/knowledge");
        let file = vec![root.join("faq.md")];
        assert!(matters(&EventKind::Modify(ModifyKind::Any), &file, &root));
        assert!(matters(
            &EventKind::Access(AccessKind::Close(AccessMode::Write)),
            &file,
            &root
        ));
        assert!(!matters(
            &EventKind::Access(AccessKind::Open(AccessMode::Any)),
            &file,
            &root
        ));
        assert!(!matters(
            &EventKind::Modify(ModifyKind::Any),
            &[root.join("sub/.faq.md.swp")],
            &root
        ));
    }
}
