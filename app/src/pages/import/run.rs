//! Running a check or an import over the whole file, slice by slice: each slice ends on a
//! record, goes to the server with the file's headers and the mapping, and its rows' results
//! add up to the progress shown, the problems listed and the report offered for download.
//! Only one slice is ever in memory on either side, whatever the file's size.

use super::browser;
use crate::api::csv_import::import_csv_slice;
use crate::model::import::{
    last_record_end, parse_records, record_key, report_lines, ImportKind, RowOutcome, RowResult,
    MAX_SLICE_BYTES, REPORT_HEADER, SLICE_BYTES,
};
use leptos::prelude::*;
use std::collections::HashSet;

/// Problems kept for the table (the report has them all).
pub const SHOWN_PROBLEMS: usize = 200;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Phase {
    #[default]
    Idle,
    Checking,
    Checked,
    Importing,
    Imported,
    /// Stopped by the admin, or by an error, part of the way through.
    Stopped,
}

impl Phase {
    pub fn running(self) -> bool {
        matches!(self, Phase::Checking | Phase::Importing)
    }
}

/// How many rows came to each outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub duplicate: u64,
    pub refused: u64,
}

impl Counts {
    fn add(&mut self, o: RowOutcome) {
        match o {
            RowOutcome::Created => self.created += 1,
            RowOutcome::Updated => self.updated += 1,
            RowOutcome::Unchanged => self.unchanged += 1,
            RowOutcome::Duplicate => self.duplicate += 1,
            RowOutcome::Refused => self.refused += 1,
        }
    }

    pub fn rows(&self) -> u64 {
        self.created + self.updated + self.unchanged + self.duplicate + self.refused
    }
}

/// Where a run stands.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Progress {
    pub phase: Phase,
    /// A check (nothing written) rather than an import.
    pub dry_run: bool,
    pub done_bytes: u64,
    pub total_bytes: u64,
    pub counts: Counts,
    /// The first [`SHOWN_PROBLEMS`] refused rows.
    pub problems: Vec<RowResult>,
    pub error: Option<String>,
}

impl Progress {
    pub fn percent(&self) -> u64 {
        (self.done_bytes * 100).checked_div(self.total_bytes).unwrap_or(100)
    }
}

/// What to run over which file.
#[derive(Debug, Clone)]
pub struct Job {
    pub kind: ImportKind,
    pub headers: Vec<String>,
    pub mapping: Vec<String>,
    /// Where the records start (after the header line).
    pub header_bytes: u64,
    pub size: u64,
    pub dry_run: bool,
}

/// Runs `job` to the end (or until `stop` is set), keeping `progress` and the `report` text
/// current.
pub async fn run(
    job: Job, progress: RwSignal<Progress>, report: StoredValue<String>, stop: StoredValue<bool>,
) {
    stop.set_value(false);
    report.set_value(REPORT_HEADER.to_string());
    progress.set(Progress {
        phase: if job.dry_run { Phase::Checking } else { Phase::Importing },
        dry_run: job.dry_run,
        done_bytes: job.header_bytes,
        total_bytes: job.size,
        ..Default::default()
    });
    let finished = slices(&job, progress, report, stop).await;
    progress.update(|p| {
        p.phase = match (&finished, job.dry_run) {
            (Ok(true), true) => Phase::Checked,
            (Ok(true), false) => Phase::Imported,
            _ => Phase::Stopped,
        };
        p.error = finished.err();
    });
}

async fn slices(
    job: &Job, progress: RwSignal<Progress>, report: StoredValue<String>, stop: StoredValue<bool>,
) -> Result<bool, String> {
    let (mut at, mut first_row) = (job.header_bytes, 2u32);
    let mut seen: HashSet<String> = HashSet::new();
    while at < job.size {
        if stop.get_value() {
            return Ok(false);
        }
        let text = next_slice(job, at, first_row).await?;
        at += text.len() as u64;
        let repeats: Vec<u32> = parse_records(&text)
            .iter()
            .enumerate()
            .filter(|(_, r)| {
                let key = record_key(job.kind, &job.mapping, |c| r.get(c).map(String::as_str));
                !key.is_empty() && seen.contains(&key)
            })
            .map(|(i, _)| i as u32)
            .collect();
        let answer = import_csv_slice(
            job.kind.key().to_string(),
            job.headers.clone(),
            job.mapping.clone(),
            text,
            first_row,
            job.dry_run,
            repeats,
        )
        .await
        .map_err(|e| e.to_string())?;
        first_row += answer.records;
        for r in &answer.rows {
            if !matches!(r.outcome, RowOutcome::Refused | RowOutcome::Duplicate) {
                seen.insert(r.key.clone());
            }
        }
        report.update_value(|t| t.push_str(&report_lines(&answer.rows)));
        progress.update(|p| {
            p.done_bytes = at;
            for r in answer.rows {
                p.counts.add(r.outcome);
                if r.outcome == RowOutcome::Refused && p.problems.len() < SHOWN_PROBLEMS {
                    p.problems.push(r);
                }
            }
        });
    }
    Ok(true)
}

/// The records from `at` on, up to about [`SLICE_BYTES`], ending on a record.
async fn next_slice(job: &Job, at: u64, first_row: u32) -> Result<String, String> {
    let mut end = (at + SLICE_BYTES as u64).min(job.size);
    let mut bytes = browser::read(at, end).await?;
    let cut = loop {
        if end == job.size {
            break bytes.len();
        }
        if let Some(c) = last_record_end(&bytes) {
            break c;
        }
        if bytes.len() >= MAX_SLICE_BYTES {
            return Err(format!(
                "row {first_row} or one soon after is longer than 1 MB: is a quote (\") left open?"
            ));
        }
        let more = (end + SLICE_BYTES as u64).min(job.size);
        bytes.extend(browser::read(end, more).await?);
        end = more;
    };
    bytes.truncate(cut);
    String::from_utf8(bytes).map_err(|_| {
        "the file is not UTF-8 text: save it as “CSV UTF-8” and choose it again".to_string()
    })
}
