//! Hints to the processor's cache, for lookups into tables of ten million
//! rows where most of the time is spent waiting for memory.

/// How many rows ahead of the one being stored its table slot is
/// prefetched: far enough for the load to arrive, near enough to stay cached.
pub const ROWS_AHEAD: usize = 8;

/// Asks the processor to start loading `values[index]` into its cache.
/// Only a hint: it never faults and changes no result.
#[inline(always)]
pub fn prefetch<T>(values: &[T], index: usize) {
    #[cfg(target_arch = "x86_64")]
    if let Some(value) = values.get(index) {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        // SAFETY: a prefetch does not access memory architecturally, and
        // the pointer comes from a live reference anyway.
        unsafe { _mm_prefetch::<_MM_HINT_T0>((value as *const T).cast::<i8>()) }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (values, index);
}
