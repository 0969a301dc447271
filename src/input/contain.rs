//! Containing a panic of a third-party reader. A Parquet reader may index
//! past the end of a damaged file instead of returning an error; a
//! damaged input must end in a message and exit code 1, never a panic.
//! (Polars' streaming scans run on their own threads: the thread that runs
//! one catches its panics itself, see `engine::Batches`.)
//! [`catch_quietly`] runs a read with the panic message silenced (on this
//! thread only) and hands the message back as an error. (It relies on
//! unwinding, Rust's default: no profile in Cargo.toml sets `panic = "abort"`.)

use std::cell::Cell;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

thread_local! {
    /// Whether a panic on this thread is being caught by [`catch_quietly`].
    static QUIET: Cell<bool> = const { Cell::new(false) };
}

static INSTALL_HOOK: Once = Once::new();

/// Runs `read`; a panic inside it becomes `Err(its message)`, and is not
/// printed. Panics elsewhere (other threads, other code) print as before.
pub fn catch_quietly<T>(read: impl FnOnce() -> T) -> Result<T, String> {
    INSTALL_HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !QUIET.with(Cell::get) {
                previous(info);
            }
        }));
    });
    let was_quiet = QUIET.with(|q| q.replace(true));
    // The reader's state is dropped whole after a panic: nothing half-made is used.
    let outcome = panic::catch_unwind(AssertUnwindSafe(read));
    QUIET.with(|q| q.set(was_quiet));
    outcome.map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "the reader stopped".to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_its_message() {
        assert_eq!(catch_quietly(|| 5), Ok(5));
        let v: Vec<u8> = Vec::new();
        let index = v.len() + 3;
        let err = catch_quietly(|| v[index]).unwrap_err();
        assert!(err.contains("index out of bounds"), "{err}");
        assert_eq!(catch_quietly(|| -> u8 { panic!("{}", "custom") }), Err("custom".to_string()));
        // Not quiet any more once it returns.
        assert!(!QUIET.with(Cell::get));
    }
}
