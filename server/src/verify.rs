//! `consentry-server verify`: walks the hash chain and names every row that
//! was altered, removed without an erasure record, or added outside it.

use crate::store::{Db, Result, ZERO_HASH};

const WINDOW: i64 = 5000;

/// Problems found, one line each; empty when the chain is intact.
pub async fn verify(db: &Db) -> Result<(u64, Vec<String>)> {
    let (head_seq, head_hash) = db.head().await?;
    let mut problems = Vec::new();
    let mut prev = ZERO_HASH.to_owned();
    let mut checked = 0u64;
    let mut from = 1;
    while from <= head_seq {
        let to = (from + WINDOW).min(head_seq + 1);
        let events = db.events_between(from, to).await?;
        let erased = db.erasures_between(from, to).await?;
        let (mut ei, mut xi) = (events.iter().peekable(), erased.iter().peekable());
        for seq in from..to {
            let ev = ei.next_if(|e| e.seq == seq);
            let gone = xi.next_if(|x| x.0 == seq);
            match (ev, gone) {
                (Some(e), _) => {
                    checked += 1;
                    if e.chain_hash(&prev) != e.hash {
                        problems.push(format!(
                            "event {seq} ({}): altered, its hash does not match its content",
                            e.event_id
                        ));
                    }
                    prev = e.hash.clone();
                }
                (None, Some((_, hash))) => prev = hash.clone(),
                (None, None) => {
                    problems.push(format!("event {seq}: removed without an erasure record"))
                }
            }
        }
        from = to;
        if problems.len() > 1000 {
            problems.push("… stopping after 1000 problems".into());
            return Ok((checked, problems));
        }
    }
    if prev != head_hash {
        problems.push(format!(
            "chain head: the last event {head_seq} does not carry the recorded head hash"
        ));
    }
    let extra = db.events_between(head_seq + 1, i64::MAX).await?;
    for e in extra.iter().take(100) {
        problems.push(format!(
            "event {} ({}): added outside the ledger's writer",
            e.seq, e.event_id
        ));
    }
    Ok((checked, problems))
}
