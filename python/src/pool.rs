//! The rayon pool the extension's parallel work runs on.
//!
//! Not rayon's global pool: a process forked after using it (Python's
//! `multiprocessing` with the `fork` start method, Spark's Python worker
//! daemon) would inherit a pool whose threads do not exist in the child, and
//! wait for them forever. So the pool is built per process: a call in a
//! child process builds its own. [`pool`] is called with the GIL held,
//! and `os.fork()` is called with the GIL held too, so no other thread can be
//! inside [`pool`] (holding its lock) when the process forks.
//!
//! Its size is rayon's default: `RAYON_NUM_THREADS` if set, else one
//! thread per CPU.

use std::sync::{Arc, Mutex, PoisonError};

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use rayon::ThreadPool;

static POOL: Mutex<Option<(u32, Arc<ThreadPool>)>> = Mutex::new(None);

/// This process's pool (built on first use). Call it with the GIL held.
pub fn pool(_py: Python<'_>) -> PyResult<Arc<ThreadPool>> {
    let pid = std::process::id();
    let mut slot = POOL.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some((owner, pool)) = slot.as_ref()
        && *owner == pid
    {
        return Ok(pool.clone());
    }
    // A pool inherited from the parent process: its threads are not here,
    // so dropping it could wait for them. It is leaked instead.
    if let Some(inherited) = slot.take() {
        std::mem::forget(inherited);
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .thread_name(|i| format!("neardup-{i}"))
        .build()
        .map_err(|e| PyRuntimeError::new_err(format!("cannot start neardup's worker threads: {e}")))?;
    let pool = Arc::new(pool);
    *slot = Some((pid, pool.clone()));
    Ok(pool)
}
