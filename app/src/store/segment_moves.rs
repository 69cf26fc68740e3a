//! Segment movement: the membership last recorded per saved segment (`segment_member`, only to
//! notice a change) and the moves themselves (`segment_move`: entered or left, when).

use super::{de, execute, query_all, query_many, transact, Db};
use crate::error::AppError;
use crate::model::{Changes, SegmentMove, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::{HashMap, HashSet};

/// Membership as recorded: segment → accounts.
pub type Membership = HashMap<String, HashSet<String>>;

#[derive(Deserialize)]
struct MemberRow {
    #[serde(deserialize_with = "de::key")]
    segment: String,
    #[serde(deserialize_with = "de::key")]
    account: String,
}

/// The recorded membership of `among` accounts (all accounts for `None`).
pub async fn members(db: &Db, among: Option<&[String]>) -> Result<Membership, AppError> {
    let rows: Vec<MemberRow> = match among {
        // The records are made once, in a LET: `array::map` inside the WHERE is evaluated
        // for every row of the table (the planner cannot use the index), which made each
        // batch of a re-scoring pass scan every membership (BENCHMARKS.md).
        Some(ids) => query_many(
            db,
            "LET $accs = array::map($ids, |$k| type::record('account', $k));
             SELECT segment, account FROM segment_member WHERE account IN $accs;",
            json!({ "ids": ids }),
        )
        .await?
        .take(1)?,
        None => query_all(db, "SELECT segment, account FROM segment_member", json!({})).await?,
    };
    let mut out = Membership::new();
    for r in rows {
        out.entry(r.segment).or_default().insert(r.account);
    }
    Ok(out)
}

#[derive(Serialize)]
struct MoveWrite<'a> {
    seg: &'a str,
    acc: &'a str,
    name: &'a str,
}

/// Records the moves, 1 000 per transaction. Each is written only if the recorded membership
/// still disagrees (another pass may have recorded it meanwhile: a conflict is retried, and the
/// retry finds it done), so a move is recorded once. An account or segment deleted meanwhile
/// gets no move. Returns how many moves were recorded.
pub async fn record(
    db: &Db, changes: &Changes, names: &HashMap<String, String>,
) -> Result<usize, AppError> {
    let rows = |pairs: &'_ [(String, String)]| -> Vec<(String, String, String)> {
        pairs
            .iter()
            .filter_map(|(s, a)| names.get(s).map(|n| (s.clone(), a.clone(), n.clone())))
            .collect()
    };
    let (entered, left) = (rows(&changes.entered), rows(&changes.left));
    let mut recorded = 0;
    for (enter, chunk) in [(true, &entered), (false, &left)] {
        for part in chunk.chunks(1000) {
            let writes: Vec<MoveWrite> =
                part.iter().map(|(s, a, n)| MoveWrite { seg: s, acc: a, name: n }).collect();
            let mut r =
                transact(db, if enter { ENTER } else { LEAVE }, json!({ "moves": writes })).await?;
            recorded += r.before_commit::<usize>()?;
        }
    }
    Ok(recorded)
}

const ENTER: &str = "BEGIN;
    LET $n = array::len(array::filter($moves, |$m|
        !record::exists(type::record('segment_member', [$m.seg, $m.acc]))
        AND record::exists(type::record('segment', $m.seg))
        AND record::exists(type::record('account', $m.acc))));
    FOR $m IN $moves {
        LET $id = type::record('segment_member', [$m.seg, $m.acc]);
        LET $seg = type::record('segment', $m.seg);
        LET $acc = type::record('account', $m.acc);
        IF !record::exists($id) AND record::exists($seg) AND record::exists($acc) {
            CREATE $id SET segment = $seg, account = $acc RETURN NONE;
            CREATE segment_move SET segment = $seg, segment_name = $m.name, account = $acc, entered = true RETURN NONE;
        };
    };
    $n;
    COMMIT;";

const LEAVE: &str = "BEGIN;
    LET $n = array::len(array::filter($moves, |$m|
        record::exists(type::record('segment_member', [$m.seg, $m.acc]))
        AND record::exists(type::record('account', $m.acc))));
    FOR $m IN $moves {
        LET $id = type::record('segment_member', [$m.seg, $m.acc]);
        LET $acc = type::record('account', $m.acc);
        IF record::exists($id) {
            DELETE $id;
            IF record::exists($acc) {
                CREATE segment_move SET segment = type::record('segment', $m.seg), segment_name = $m.name,
                    account = $acc, entered = false RETURN NONE;
            };
        };
    };
    $n;
    COMMIT;";

/// Records a new segment's members as they are, without moves: its accounts did not move, the
/// segment was just drawn around them.
pub async fn baseline(db: &Db, segment: &str, accounts: &[String]) -> Result<(), AppError> {
    for part in accounts.chunks(2000) {
        execute(
            db,
            "INSERT IGNORE INTO segment_member (SELECT type::record('segment_member', [$seg, $this]) AS id,
                 type::record('segment', $seg) AS segment, type::record('account', $this) AS account FROM $accs)
                 RETURN NONE;",
            json!({ "seg": segment, "accs": part }),
        )
        .await?;
    }
    Ok(())
}

#[derive(Deserialize)]
struct MoveRow {
    #[serde(deserialize_with = "de::key")]
    account: String,
    #[serde(default)]
    account_name: Option<String>,
    #[serde(deserialize_with = "de::key")]
    segment: String,
    segment_name: String,
    entered: bool,
    at: Timestamp,
}

impl From<MoveRow> for SegmentMove {
    fn from(r: MoveRow) -> Self {
        SegmentMove {
            account_id: r.account,
            account_name: r.account_name.unwrap_or_default(),
            segment_id: r.segment,
            segment_name: r.segment_name,
            entered: r.entered,
            at: r.at,
        }
    }
}

const MOVE_FIELDS: &str =
    "account, account.name AS account_name, segment, segment_name, entered, at";

/// An account's moves, newest first.
pub async fn for_account(
    db: &Db, account: &str, limit: usize,
) -> Result<Vec<SegmentMove>, AppError> {
    let rows: Vec<MoveRow> = query_all(
        db,
        &format!(
            "SELECT {MOVE_FIELDS} FROM segment_move WHERE account = type::record('account', $a)
             ORDER BY at DESC LIMIT $limit"
        ),
        json!({ "a": account, "limit": limit }),
    )
    .await?;
    Ok(rows.into_iter().map(SegmentMove::from).collect())
}

/// A segment's moves since `since`, newest first (at most `limit`).
pub async fn for_segment(
    db: &Db, segment: &str, since: Timestamp, limit: usize,
) -> Result<Vec<SegmentMove>, AppError> {
    let rows: Vec<MoveRow> = query_all(
        db,
        &format!(
            "SELECT {MOVE_FIELDS} FROM segment_move
             WHERE segment = type::record('segment', $s) AND at >= <datetime>$since
             ORDER BY at DESC LIMIT $limit"
        ),
        json!({ "s": segment, "since": since, "limit": limit }),
    )
    .await?;
    Ok(rows.into_iter().map(SegmentMove::from).collect())
}

/// Entered and left counts per segment since `since`: segment → (entered, left).
pub async fn counts(db: &Db, since: Timestamp) -> Result<HashMap<String, (u64, u64)>, AppError> {
    #[derive(Deserialize)]
    struct Row {
        #[serde(deserialize_with = "de::key")]
        segment: String,
        entered: bool,
        n: u64,
    }
    let rows: Vec<Row> = query_all(
        db,
        "SELECT segment, entered, count() AS n FROM segment_move WHERE at >= <datetime>$since
         GROUP BY segment, entered",
        json!({ "since": since }),
    )
    .await?;
    let mut out: HashMap<String, (u64, u64)> = HashMap::new();
    for r in rows {
        let e = out.entry(r.segment).or_default();
        if r.entered {
            e.0 += r.n;
        } else {
            e.1 += r.n;
        }
    }
    Ok(out)
}
