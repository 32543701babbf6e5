//! A counting gate that bounds how many instances run at once, so the
//! pooling allocator's slots are never over-committed: callers past the
//! bound wait (back-pressure) instead of failing to instantiate.

use std::sync::{Condvar, Mutex, PoisonError};

#[derive(Debug)]
pub(super) struct Gate {
    free: Mutex<usize>,
    freed: Condvar,
}

#[derive(Debug)]
pub(super) struct Pass<'g>(&'g Gate);

impl Gate {
    pub fn new(permits: usize) -> Self {
        Self { free: Mutex::new(permits), freed: Condvar::new() }
    }

    pub fn enter(&self) -> Pass<'_> {
        let mut free = self.free.lock().unwrap_or_else(PoisonError::into_inner);
        while *free == 0 {
            free = self.freed.wait(free).unwrap_or_else(PoisonError::into_inner);
        }
        *free -= 1;
        Pass(self)
    }
}

impl Drop for Pass<'_> {
    fn drop(&mut self) {
        *self.0.free.lock().unwrap_or_else(PoisonError::into_inner) += 1;
        self.0.freed.notify_one();
    }
}
