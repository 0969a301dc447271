//! Hints to the processor's cache and to the kernel, for lookups into
//! tables of ten million rows where most of the time is spent waiting for
//! memory.

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

/// Asks the kernel to back `values`' allocation with 2 MiB pages (Linux
/// transparent huge pages, where the system allows them with `madvise`).
/// A table of hundreds of megabytes read at random then costs far fewer
/// address-translation misses. Only a hint: it changes no value. Call it
/// before the memory is first written, or it has no effect until the
/// kernel gets round to merging pages.
pub fn use_huge_pages<T>(values: &Vec<T>) {
    #[cfg(target_os = "linux")]
    {
        const HUGE_PAGE: usize = 2 << 20;
        let bytes = values.capacity() * std::mem::size_of::<T>();
        let start = values.as_ptr() as usize;
        let (first, end) = (start.next_multiple_of(HUGE_PAGE), (start + bytes) / HUGE_PAGE * HUGE_PAGE);
        if bytes >= 4 * HUGE_PAGE && end > first {
            // SAFETY: the range lies inside `values`' own allocation, and
            // MADV_HUGEPAGE only changes how the kernel backs it, never
            // its contents; a refusal is harmless, so the result is ignored.
            unsafe { libc::madvise(first as *mut libc::c_void, end - first, libc::MADV_HUGEPAGE) };
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = values;
}
