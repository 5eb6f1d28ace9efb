//! Reading the cost ledger: calendar months in UTC and the monthly report per provider
//! and per document (`imprimatur costs`).

use imprimatur_store::{DocumentCost, ModelCost, Store, Timestamp};
use serde::Serialize;

use crate::error::{ModelError, ModelResult};

const DAY_MS: i64 = 86_400_000;

/// Days since 1970-01-01 → (year, month, day), proleptic Gregorian (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// (year, month, day) → days since 1970-01-01.
pub(crate) fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `YYYY-MM` of a moment, in UTC.
pub fn month_name(t: Timestamp) -> String {
    let (y, m, _) = civil_from_days(t.0.div_euclid(DAY_MS));
    format!("{y:04}-{m:02}")
}

/// The calendar month (UTC) that contains `t`, as `[from, to)`.
pub fn month_of(t: Timestamp) -> (Timestamp, Timestamp) {
    let (y, m, _) = civil_from_days(t.0.div_euclid(DAY_MS));
    month_range(y, m)
}

fn month_range(y: i64, m: u32) -> (Timestamp, Timestamp) {
    let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    (
        Timestamp(days_from_civil(y, m, 1) * DAY_MS),
        Timestamp(days_from_civil(ny, nm, 1) * DAY_MS),
    )
}

/// `2026-11` → that month as `[from, to)`.
pub fn parse_month(s: &str) -> ModelResult<(Timestamp, Timestamp)> {
    let bad = || ModelError::Config(format!("month {s:?} is not YYYY-MM (e.g. 2026-11)"));
    let (y, m) = s.split_once('-').ok_or_else(bad)?;
    if y.len() != 4 || m.len() != 2 {
        return Err(bad());
    }
    let y: i64 = y.parse().map_err(|_| bad())?;
    let m: u32 = m.parse().map_err(|_| bad())?;
    if !(1..=12).contains(&m) {
        return Err(bad());
    }
    Ok(month_range(y, m))
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CostsReport {
    pub month: String,
    pub total_micros: i64,
    pub cloud_micros: i64,
    pub by_model: Vec<ModelCost>,
    pub by_document: Vec<DocumentCost>,
}

pub fn costs_report(store: &Store, month: &str) -> ModelResult<CostsReport> {
    let (from, to) = parse_month(month)?;
    let by_model = store.model_costs(from, to)?;
    let by_document = store.model_document_costs(from, to)?;
    Ok(CostsReport {
        month: month.to_string(),
        total_micros: by_model.iter().map(|c| c.cost_micros).sum(),
        cloud_micros: store.model_cloud_spend(from, to)?,
        by_model,
        by_document,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_in_utc() {
        // 2026-11-24T06:18:25Z
        let t = Timestamp(1_795_501_105_000);
        assert_eq!(month_name(t), "2026-11");
        let (from, to) = month_of(t);
        assert_eq!(month_name(from), "2026-11");
        assert_eq!(month_name(Timestamp(from.0 - 1)), "2026-10");
        assert_eq!(month_name(to), "2026-12");
        assert_eq!(month_name(Timestamp(to.0 - 1)), "2026-11");
        assert_eq!(parse_month("2026-11").unwrap(), (from, to));
        let (d1, d2) = parse_month("2024-12").unwrap();
        assert_eq!(month_name(d1), "2024-12");
        assert_eq!(month_name(d2), "2025-01");
        assert_eq!((d2.0 - d1.0) / DAY_MS, 31);
        let (f1, f2) = parse_month("2024-02").unwrap();
        assert_eq!((f2.0 - f1.0) / DAY_MS, 29);
        assert!(parse_month("2026-13").is_err());
        assert!(parse_month("26-1").is_err());
    }
}
