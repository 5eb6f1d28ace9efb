//! `kb …`: the knowledge base of a workspace (`kb eval` needs none).

use std::path::Path;

use imprimatur_embed::Embedder;
use imprimatur_knowledge::chosen::{self, Embedding, Index, NoEmbedding};
use imprimatur_knowledge::eval::{self, EvalOptions};
use imprimatur_knowledge::settings::{embedder_setting, index_location, EmbedderSetting};
use imprimatur_knowledge::{Filters, KnowledgeError, SearchMode, SearchQuery};
use imprimatur_model::Keychain;
use imprimatur_workspace::ipc::IpcError;
use imprimatur_workspace::Workspace;
use serde_json::json;

use crate::{print_json, KbCommand, KbModeArg, Outcome};

fn knowledge_error(e: KnowledgeError) -> IpcError {
    IpcError {
        code: e.code().to_string(),
        message: e.to_string(),
    }
}

/// The local embedder, or why it is missing (then BM25 stands in).
fn embedder() -> Result<Embedder, imprimatur_embed::EmbedError> {
    Embedder::load(&imprimatur_embed::default_model_dir())
}

/// What to do when the embedder is missing, after the reason.
const INSTALL_HINT: &str = "run `imprimatur models install-embedder` for dense and hybrid search";

pub(crate) fn run(cmd: &KbCommand, workspace: &Path, json: bool) -> Result<Outcome, IpcError> {
    match cmd {
        KbCommand::Ingest => crate::kb_ingest::ingest(workspace, json),
        KbCommand::Status => crate::kb_ingest::status(workspace, json),
        KbCommand::Search {
            query,
            mode,
            limit,
            lang,
            path,
            metadata,
            valid_at,
        } => {
            let ws = Workspace::open(workspace).map_err(IpcError::from)?;
            let mode = match mode {
                KbModeArg::Bm25 => SearchMode::Bm25,
                KbModeArg::Dense => SearchMode::Dense,
                KbModeArg::Hybrid => SearchMode::Hybrid,
            };
            // The same path as the app: the settings choose embedder and index.
            let section = ws.settings().knowledge.as_ref();
            let location = index_location(section).map_err(knowledge_error)?;
            let setting = embedder_setting(section).map_err(knowledge_error)?;
            let embedding = if mode == SearchMode::Bm25 {
                Err(NoEmbedding::Bm25Asked)
            } else {
                Embedding::load(
                    &setting,
                    &imprimatur_embed::default_model_dir(),
                    &Keychain::default(),
                )
                .map_err(|source| match setting {
                    EmbedderSetting::Local => NoEmbedding::NotInstalled {
                        source,
                        hint: INSTALL_HINT,
                    },
                    EmbedderSetting::Remote(_) => NoEmbedding::Unavailable(Box::new(source)),
                })
            };
            let index = Index::open(
                ws.root(),
                &location,
                embedding.as_ref().ok().map(|e| e.dimension()),
            )
            .map_err(knowledge_error)?;
            let search = SearchQuery {
                text: query.clone(),
                mode,
                filters: Filters {
                    lang: None,
                    path_prefix: path.clone(),
                    metadata: metadata.iter().cloned().collect(),
                    valid_at: valid_at.clone(),
                },
                lang: lang.clone(),
                limit: *limit,
            };
            let results =
                chosen::search(&index, embedding.as_ref(), search).map_err(knowledge_error)?;
            let indexed = index.chunk_count().map_err(knowledge_error)?;
            let (mode, note, hits) = (results.mode, results.note, results.hits);
            if json {
                print_json(&json!({ "mode": mode, "note": note, "hits": hits }));
            } else {
                if let Some(note) = note {
                    eprintln!("note: BM25 only: {note}");
                }
                if hits.is_empty() {
                    println!("no hits ({indexed} chunks indexed)");
                }
                for h in hits {
                    let heading = if h.heading_path.is_empty() {
                        String::new()
                    } else {
                        format!(" › {}", h.heading_path.join(" › "))
                    };
                    let flag = if h.injection {
                        " [contains instructions]"
                    } else {
                        ""
                    };
                    println!(
                        "{:.4}  {}:{}..{}{heading}{flag}",
                        h.score, h.path, h.start, h.end
                    );
                    let snippet: String = h.text.chars().take(160).collect();
                    println!("        {}", snippet.replace('\n', " "));
                }
            }
            Ok(Outcome::Done)
        }
        KbCommand::Eval {
            folder,
            lang,
            bm25_only,
            no_cache,
            min_ndcg_bm25,
            min_ndcg_dense,
            min_ndcg_hybrid,
        } => {
            let embedder = if *bm25_only {
                None
            } else {
                Some(embedder().map_err(|e| IpcError {
                    code: e.code().into(),
                    message: format!("{e}; {INSTALL_HINT}"),
                })?)
            };
            let options = EvalOptions {
                lang: lang.clone(),
                ..EvalOptions::default()
            };
            let model_dir = imprimatur_embed::default_model_dir();
            let cache = eval::default_vector_cache();
            let eval_embedder = embedder.as_ref().map(|embedder| eval::EvalEmbedder {
                embedder,
                model_dir: &model_dir,
                cache: (!no_cache).then_some(cache.as_path()),
            });
            let report = eval::evaluate(folder, eval_embedder.as_ref(), &options)
                .map_err(knowledge_error)?;
            if json {
                print_json(&report);
            } else {
                print!("{}", eval::format_report(&report));
            }
            let mut failed = false;
            for (mode, floor) in [
                (SearchMode::Bm25, min_ndcg_bm25),
                (SearchMode::Dense, min_ndcg_dense),
                (SearchMode::Hybrid, min_ndcg_hybrid),
            ] {
                let (Some(floor), Some(scores)) = (floor, report.mode(mode)) else {
                    continue;
                };
                if scores.ndcg_at_10 < *floor {
                    eprintln!(
                        "{mode:?} nDCG@10 {:.3} is below the floor {floor:.3}",
                        scores.ndcg_at_10
                    );
                    failed = true;
                }
            }
            Ok(if failed {
                Outcome::Failed
            } else {
                Outcome::Done
            })
        }
    }
}
