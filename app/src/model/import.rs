//! CSV import of accounts and contacts (`/accounts/import`, admins): which columns may be
//! mapped to what, how a mapping is guessed and checked, and the pieces the browser needs to
//! send a large file in slices — finding where a record ends (a quoted cell may hold a line
//! break) and writing the report. Shared, so the browser and the server judge a mapping alike.

use crate::error::{AppError, Checks};
use serde::{Deserialize, Serialize};

vocabulary! {
    /// What a file holds.
    ImportKind {
        Accounts => "accounts", "Accounts";
        Contacts => "contacts", "Contacts";
    }
}

vocabulary! {
    /// What became of one row.
    RowOutcome {
        Created => "created", "Created";
        Updated => "updated", "Updated";
        Unchanged => "unchanged", "Unchanged";
        Duplicate => "duplicate", "Duplicate";
        Refused => "refused", "Refused";
    }
}

/// A field a column can be mapped to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportField {
    /// The key the row is checked under (the REST API's field name).
    pub key: &'static str,
    pub label: &'static str,
    pub required: bool,
    /// Other headers that mean this field, lower case (what CRMs call it).
    pub aliases: &'static [&'static str],
}

const fn field(
    key: &'static str, label: &'static str, required: bool, aliases: &'static [&'static str],
) -> ImportField {
    ImportField { key, label, required, aliases }
}

const ACCOUNT_FIELDS: &[ImportField] = &[
    field("external_id", "External id", true, &["crm id", "account id", "id", "record id"]),
    field("name", "Name", true, &["account name", "company", "company name", "account"]),
    field("tier", "Size tier", true, &["segment", "size", "company size"]),
    field("industry", "Industry", true, &["sector", "vertical"]),
    field("stage", "Lifecycle stage", true, &["lifecycle", "journey stage"]),
    field("currency", "Currency", true, &["currency code"]),
    field("contract_start", "Contract start", true, &["start date", "contract start date"]),
    field("renewal", "Renewal date", false, &["renewal date", "contract end", "end date"]),
    field("owner_email", "Owner email", false, &["owner", "csm", "csm email", "account owner"]),
];

const CONTACT_FIELDS: &[ImportField] = &[
    field(
        "account_external_id",
        "Account external id",
        true,
        &["account id", "crm account id", "company id"],
    ),
    field("email", "Email", true, &["email address", "e-mail"]),
    field("name", "Name", true, &["full name", "contact name", "contact"]),
    field("title", "Title", false, &["job title", "role", "position"]),
    field("champion", "Champion", false, &["is champion"]),
];

impl ImportKind {
    pub fn fields(self) -> &'static [ImportField] {
        match self {
            ImportKind::Accounts => ACCOUNT_FIELDS,
            ImportKind::Contacts => CONTACT_FIELDS,
        }
    }

    /// The fields a row is known by: two rows with the same values are the same account (or
    /// the same contact of one account).
    fn key_fields(self) -> &'static [&'static str] {
        match self {
            ImportKind::Accounts => &["external_id"],
            ImportKind::Contacts => &["account_external_id", "email"],
        }
    }
}

/// The key a record is known by (`crm-42`; `crm-42 dana@acme.example` for a contact), from the
/// columns `mapping` gives those fields; `cell(i)` reads column `i`. Empty when a part is
/// missing. The browser and the server compute it alike: the browser tells the server which
/// rows of a slice repeat a key an earlier slice had, so that across slices, as within one,
/// the first row for a key counts.
pub fn record_key<'a>(
    kind: ImportKind, mapping: &[String], cell: impl Fn(usize) -> Option<&'a str>,
) -> String {
    let mut parts = Vec::new();
    for f in kind.key_fields() {
        let value = mapping.iter().position(|m| m == f).and_then(&cell).unwrap_or_default().trim();
        if value.is_empty() {
            return String::new();
        }
        parts.push(if *f == "email" { value.to_lowercase() } else { value.to_string() });
    }
    parts.join(" ")
}

/// The browser sends a file in slices of about this size …
pub const SLICE_BYTES: usize = 256 * 1024;
/// … and the server takes none larger than this (a record may make a slice longer).
pub const MAX_SLICE_BYTES: usize = 1024 * 1024;
/// Most columns a file may have.
pub const MAX_COLUMNS: usize = 100;

/// One row's fate: its spreadsheet row number (the header is row 1), the value it is known
/// by, and what was wrong, column by column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RowResult {
    pub row: u32,
    pub key: String,
    pub outcome: RowOutcome,
    /// (column as headed in the file, message)
    pub problems: Vec<(String, String)>,
}

/// What the server made of one slice.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SliceReport {
    /// Records read (blank lines included), so the next slice's numbering follows on.
    pub records: u32,
    pub rows: Vec<RowResult>,
}

fn simplify(s: &str) -> String {
    s.trim().trim_start_matches('\u{feff}').to_lowercase().replace(['_', '-'], " ")
}

/// A mapping (one field key per column, `""` for a column left out) guessed from the headers:
/// what was chosen last time for a header of that name, else a field whose key, label or
/// usual name the header is. No field is chosen twice.
pub fn guess_mapping(
    kind: ImportKind, headers: &[String], remembered: &[(String, String)],
) -> Vec<String> {
    let fields = kind.fields();
    let mut used: Vec<&str> = Vec::new();
    headers
        .iter()
        .map(|h| {
            let h = simplify(h);
            let from_memory = remembered
                .iter()
                .find(|(header, _)| simplify(header) == h)
                .map(|(_, f)| f.as_str())
                .filter(|f| f.is_empty() || fields.iter().any(|x| x.key == *f));
            let guess = from_memory.or_else(|| {
                fields
                    .iter()
                    .find(|f| {
                        simplify(f.key) == h
                            || simplify(f.label) == h
                            || f.aliases.contains(&h.as_str())
                    })
                    .map(|f| f.key)
            });
            match guess {
                Some(f) if !f.is_empty() && !used.contains(&f) => {
                    used.push(fields.iter().find(|x| x.key == f).map(|x| x.key).unwrap_or(""));
                    f.to_string()
                }
                _ => String::new(),
            }
        })
        .collect()
}

/// Checks a mapping against the file's `headers`: one entry per column, known fields only,
/// none twice, every required field present. Refusals are on the field `mapping`.
pub fn check_mapping(
    kind: ImportKind, headers: &[String], mapping: &[String],
) -> Result<(), AppError> {
    let mut c = Checks::new();
    let fields = kind.fields();
    if headers.is_empty() || headers.len() > MAX_COLUMNS {
        c.fail("mapping", format!("the file must have between 1 and {MAX_COLUMNS} columns"));
        return c.finish();
    }
    if mapping.len() != headers.len() {
        c.fail("mapping", "choose a field (or “leave out”) for every column");
        return c.finish();
    }
    let mut problems = Vec::new();
    for (i, m) in mapping.iter().enumerate().filter(|(_, m)| !m.is_empty()) {
        if !fields.iter().any(|f| f.key == m) {
            problems.push(format!("“{}” is not a field of {}", short(m), kind.key()));
        } else if mapping[..i].contains(m) {
            problems.push(format!("two columns are mapped to {}", label(kind, m)));
        }
    }
    let missing: Vec<&str> = fields
        .iter()
        .filter(|f| f.required && !mapping.iter().any(|m| m == f.key))
        .map(|f| f.label)
        .collect();
    if !missing.is_empty() {
        problems.push(format!("choose a column for {}", missing.join(", ")));
    }
    if !problems.is_empty() {
        c.fail("mapping", problems.join("; "));
    }
    c.finish()
}

fn short(s: &str) -> String {
    s.chars().take(40).collect()
}

/// A field's label.
pub fn label(kind: ImportKind, key: &str) -> &'static str {
    kind.fields().iter().find(|f| f.key == key).map(|f| f.label).unwrap_or("a field")
}

/// Where the first record of `bytes` ends (just after its line break), if it does. A line
/// break inside quotes belongs to the cell. Bytes, not characters: a UTF-8 sequence never
/// holds `"` or a line break, so a slice may be cut anywhere a record ends.
pub fn first_record_end(bytes: &[u8]) -> Option<usize> {
    record_ends(bytes).next()
}

/// Where the last complete record of `bytes` ends.
pub fn last_record_end(bytes: &[u8]) -> Option<usize> {
    record_ends(bytes).last()
}

fn record_ends(bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
    let mut quoted = false;
    bytes.iter().enumerate().filter_map(move |(i, b)| {
        match b {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => return Some(i + 1),
            _ => {}
        }
        None
    })
}

/// The records of a short text (a file's head: its header and first rows), RFC 4180: quoted
/// cells, doubled quotes, CRLF or LF. A last record without a line break counts.
pub fn parse_records(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let (mut record, mut cell) = (Vec::new(), String::new());
    let (mut quoted, mut chars) = (false, text.trim_start_matches('\u{feff}').chars().peekable());
    while let Some(ch) = chars.next() {
        match (quoted, ch) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => cell.push(c),
            (false, '"') => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut cell)),
            (false, '\r') => {}
            (false, '\n') => {
                record.push(std::mem::take(&mut cell));
                records.push(std::mem::take(&mut record));
            }
            (false, c) => cell.push(c),
        }
    }
    if !cell.is_empty() || !record.is_empty() {
        record.push(cell);
        records.push(record);
    }
    records
}

/// The report's header line.
pub const REPORT_HEADER: &str = "row,key,outcome,column,message\n";

/// A slice's rows as report lines: one per problem (or one for a row without any). Cells a
/// spreadsheet would run as a formula are prefixed with `'` (see `csv_export`).
pub fn report_lines(rows: &[RowResult]) -> String {
    let mut out = String::new();
    for r in rows {
        let row = r.row.to_string();
        let line = |out: &mut String, column: &str, message: &str| {
            let cells = [row.as_str(), r.key.as_str(), r.outcome.key(), column, message];
            let cells: Vec<String> = cells.iter().map(|c| cell(c)).collect();
            out.push_str(&cells.join(","));
            out.push('\n');
        };
        if r.problems.is_empty() {
            line(&mut out, "", "");
        }
        for (column, message) in &r.problems {
            line(&mut out, column, message);
        }
    }
    out
}

fn cell(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn mappings_are_guessed_from_headers_and_memory() {
        let headers = strings(&[
            "CRM ID",
            "Company",
            "Tier",
            "industry",
            "Stage",
            "Currency",
            "Start date",
            "Notes",
            "Company",
        ]);
        let m = guess_mapping(ImportKind::Accounts, &headers, &[]);
        assert_eq!(
            m,
            strings(&[
                "external_id",
                "name",
                "tier",
                "industry",
                "stage",
                "currency",
                "contract_start",
                "",
                ""
            ])
        );
        let remembered =
            vec![("Notes".to_string(), "owner_email".to_string()), ("Tier".into(), "".into())];
        let m = guess_mapping(ImportKind::Accounts, &headers, &remembered);
        assert_eq!((m[2].as_str(), m[7].as_str()), ("", "owner_email"));
        assert!(check_mapping(
            ImportKind::Accounts,
            &headers,
            &guess_mapping(ImportKind::Accounts, &headers, &[])
        )
        .is_ok());
    }

    #[test]
    fn mappings_are_checked_by_field() {
        let headers = strings(&["a", "b", "c"]);
        let err =
            check_mapping(ImportKind::Contacts, &headers, &strings(&["email", "email", "nope"]))
                .unwrap_err();
        let m = err.for_field("mapping").unwrap();
        assert!(m.contains("two columns are mapped to Email"), "{m}");
        assert!(m.contains("“nope” is not a field"), "{m}");
        assert!(m.contains("Account external id, Name"), "{m}");
        assert!(check_mapping(ImportKind::Contacts, &headers, &strings(&["email"])).is_err());
        let ok = strings(&["account_external_id", "email", "name"]);
        assert!(check_mapping(ImportKind::Contacts, &headers, &ok).is_ok());
    }

    #[test]
    fn records_end_outside_quotes_only() {
        let text = "id,note\n1,\"two\nlines, \"\"quoted\"\"\"\n2,é\n3,tail";
        let b = text.as_bytes();
        assert_eq!(first_record_end(b), Some(8));
        let last = last_record_end(b).unwrap();
        assert_eq!(&text[last..], "3,tail");
        let records = parse_records(text);
        assert_eq!(records[1], strings(&["1", "two\nlines, \"quoted\""]));
        assert_eq!(records[3], strings(&["3", "tail"]));
        assert_eq!(
            parse_records("\u{feff}a,b\r\n1,2\r\n"),
            vec![strings(&["a", "b"]), strings(&["1", "2"])]
        );
    }

    #[test]
    fn the_report_neutralises_formulas_and_quotes() {
        let rows = vec![
            RowResult {
                row: 2,
                key: "=HYPERLINK(1)".into(),
                outcome: RowOutcome::Created,
                problems: vec![],
            },
            RowResult {
                row: 3,
                key: "b".into(),
                outcome: RowOutcome::Refused,
                problems: vec![("Tier".into(), "must be one of \"smb\", \"enterprise\"".into())],
            },
        ];
        assert_eq!(
            report_lines(&rows),
            "2,'=HYPERLINK(1),created,,\n3,b,refused,Tier,\"must be one of \"\"smb\"\", \"\"enterprise\"\"\"\n"
        );
    }
}
