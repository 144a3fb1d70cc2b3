//! The engine's bounded two-level request queue: interactive work first, then background work.

use std::collections::VecDeque;
use std::sync::Mutex;

use tokio::sync::Notify;

use super::Priority;
use crate::error::{CoreError, Result};

pub(crate) struct PriorityQueue<T> {
    state: Mutex<State<T>>,
    notify: Notify,
    capacity: usize,
}

struct State<T> {
    interactive: VecDeque<T>,
    background: VecDeque<T>,
    closed: bool,
}

impl<T> PriorityQueue<T> {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            state: Mutex::new(State {
                interactive: VecDeque::new(),
                background: VecDeque::new(),
                closed: false,
            }),
            notify: Notify::new(),
            capacity: capacity.max(1),
        }
    }

    /// Adds an item, or refuses with `Busy` when `capacity` items are already waiting.
    pub(crate) fn push(&self, priority: Priority, item: T) -> Result<()> {
        {
            let mut s = self.state.lock().expect("queue lock");
            if s.closed {
                return Err(CoreError::Engine("the engine has shut down".into()));
            }
            if s.interactive.len() + s.background.len() >= self.capacity {
                return Err(CoreError::Busy {
                    capacity: self.capacity,
                });
            }
            match priority {
                Priority::Interactive => s.interactive.push_back(item),
                Priority::Background => s.background.push_back(item),
            }
        }
        self.notify.notify_one();
        Ok(())
    }

    /// The next item, interactive first; `None` once closed and drained.
    pub(crate) async fn pop(&self) -> Option<T> {
        loop {
            {
                let mut s = self.state.lock().expect("queue lock");
                if let Some(item) = s
                    .interactive
                    .pop_front()
                    .or_else(|| s.background.pop_front())
                {
                    return Some(item);
                }
                if s.closed {
                    return None;
                }
            }
            self.notify.notified().await;
        }
    }

    pub(crate) fn close(&self) {
        self.state.lock().expect("queue lock").closed = true;
        self.notify.notify_waiters();
        self.notify.notify_one();
    }

    pub(crate) fn len(&self) -> usize {
        let s = self.state.lock().expect("queue lock");
        s.interactive.len() + s.background.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn interactive_items_overtake_background_ones() {
        let q = PriorityQueue::new(8);
        q.push(Priority::Background, "b1").unwrap();
        q.push(Priority::Interactive, "i1").unwrap();
        q.push(Priority::Background, "b2").unwrap();
        q.push(Priority::Interactive, "i2").unwrap();
        let mut order = vec![];
        for _ in 0..4 {
            order.push(q.pop().await.unwrap());
        }
        assert_eq!(order, ["i1", "i2", "b1", "b2"]);
    }

    #[tokio::test]
    async fn full_queue_says_busy() {
        let q = PriorityQueue::new(2);
        q.push(Priority::Background, 1).unwrap();
        q.push(Priority::Interactive, 2).unwrap();
        let err = q.push(Priority::Interactive, 3).unwrap_err();
        assert_eq!(err.kind(), "busy");
        assert_eq!(q.len(), 2);
    }

    #[tokio::test]
    async fn pop_waits_for_a_push_and_ends_on_close() {
        let q = std::sync::Arc::new(PriorityQueue::new(2));
        let q2 = q.clone();
        let waiter = tokio::spawn(async move { (q2.pop().await, q2.pop().await) });
        tokio::task::yield_now().await;
        q.push(Priority::Interactive, 7).unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        q.close();
        assert_eq!(waiter.await.unwrap(), (Some(7), None));
        assert_eq!(
            q.push(Priority::Interactive, 8).unwrap_err().kind(),
            "engine"
        );
    }
}
