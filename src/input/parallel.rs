//! Parsing blocks of rows on every core while keeping the file's order:
//! one thread reads blocks, worker threads turn each into a result, and the
//! caller's thread takes the results in block order. Whatever must see the
//! rows in order (duplicate ids, interning, strict-mode errors) happens in
//! `take`; everything else belongs in `work`.

use super::source::{Block, Blocks};
use anyhow::Result;
use std::collections::BTreeMap;
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::{Arc, Mutex};
use std::thread;

/// Runs `work` over every block on all cores and hands each result to
/// `take` in block order. Stops at the first error of `take` or of reading.
pub fn map_blocks<R: Send>(
    blocks: Blocks,
    work: impl Fn(Block) -> R + Sync,
    mut take: impl FnMut(R) -> Result<()>,
) -> Result<()> {
    let workers = thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 8);
    thread::scope(|scope| {
        let (job_tx, job_rx) = sync_channel::<(usize, Block)>(workers);
        let (done_tx, done_rx) = sync_channel::<(usize, R)>(workers);
        let reader = scope.spawn(move || -> Result<()> {
            for (seq, block) in blocks.enumerate() {
                if job_tx.send((seq, block?)).is_err() {
                    break; // the consumer stopped early
                }
            }
            Ok(())
        });
        // Shared by the workers only, so it closes when the last one ends.
        let jobs = Arc::new(Mutex::new(job_rx));
        for _ in 0..workers {
            let (jobs, done_tx, work) = (Arc::clone(&jobs), done_tx.clone(), &work);
            scope.spawn(move || loop {
                let job = jobs.lock().map_err(|_| ()).and_then(|rx| rx.recv().map_err(|_| ()));
                let Ok((seq, block)) = job else { break };
                if done_tx.send((seq, work(block))).is_err() {
                    break;
                }
            });
        }
        drop((jobs, done_tx));
        take_in_order(done_rx, &mut take)?;
        reader.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

/// Feeds results to `take` by sequence number; dropping the receiver on
/// return lets the other threads see that nobody listens any more.
fn take_in_order<R>(results: Receiver<(usize, R)>, take: &mut impl FnMut(R) -> Result<()>) -> Result<()> {
    let mut waiting = BTreeMap::new();
    let mut next = 0;
    for (seq, result) in results {
        waiting.insert(seq, result);
        while let Some(result) = waiting.remove(&next) {
            take(result)?;
            next += 1;
        }
    }
    Ok(())
}

/// Text cells copied out of a block's records on a worker thread, for the
/// thread that stores them.
#[derive(Default)]
pub struct Texts(String);

/// Where one cell's text is in [`Texts`].
#[derive(Clone, Copy, Default)]
pub struct Span {
    start: u32,
    end: u32,
}

impl Texts {
    pub fn keep(&mut self, text: &str) -> Span {
        let start = self.0.len() as u32;
        self.0.push_str(text);
        Span { start, end: self.0.len() as u32 }
    }

    pub fn get(&self, span: Span) -> &str {
        &self.0[span.start as usize..span.end as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::record::Cells;
    use crate::input::source::Source;

    /// A one-column CSV of the numbers below `count`: about 6.9 MB for a
    /// million, so several blocks.
    fn numbers_file(count: u32) -> (tempfile::TempDir, Blocks) {
        let mut text = String::from("n\n");
        for i in 0..count {
            text.push_str(&format!("{i}\n"));
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("n.csv");
        std::fs::write(&path, &text).unwrap();
        let blocks = Source::open(path.to_str().unwrap(), None).unwrap().blocks();
        (dir, blocks)
    }

    #[test]
    fn results_come_back_in_file_order() {
        let (_dir, blocks) = numbers_file(1_000_000);
        let mut seen = Vec::new();
        map_blocks(
            blocks,
            |block| {
                let mut numbers = Vec::new();
                block.for_each_record(|_, _, r| {
                    numbers.push(std::str::from_utf8(r.bytes(0).unwrap()).unwrap().parse::<u32>().unwrap())
                });
                numbers
            },
            |numbers| {
                seen.extend(numbers);
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(seen, (0..1_000_000).collect::<Vec<u32>>());
    }

    #[test]
    fn an_error_in_take_stops_everything() {
        let (_dir, blocks) = numbers_file(1_000_000);
        let mut taken = 0;
        let result = map_blocks(
            blocks,
            |_| (),
            |()| {
                taken += 1;
                anyhow::ensure!(taken < 2, "stop");
                Ok(())
            },
        );
        assert_eq!(result.unwrap_err().to_string(), "stop");
        assert_eq!(taken, 2);
    }
}
