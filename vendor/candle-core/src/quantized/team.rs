//! A small fork-join team for the quantized matmuls: the calling thread takes a share of the work
//! and the helper threads spin for a moment between jobs before they sleep.
//!
//! A decoding step of a small model is a few hundred back-to-back matmuls of tens of microseconds
//! each. Handing each one to rayon's pool from outside costs two sleeps and two wake-ups (the pool's
//! workers, then the caller), which on two cores took more time than the arithmetic. Here the
//! helpers are still spinning when the next matmul arrives, so the hand-off is a few atomic
//! operations, as in llama.cpp's thread pool. Idle helpers park after `SPIN_BEFORE_PARKING`.

use std::cell::UnsafeCell;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Condvar, LazyLock, Mutex, TryLockError};
use std::time::{Duration, Instant};

/// How long a helper keeps looking for the next job before it parks.
const SPIN_BEFORE_PARKING: Duration = Duration::from_millis(2);

/// One job: `tasks` calls of `f`, each with its own task index.
#[derive(Clone, Copy)]
struct Job {
    f: *const (dyn Fn(usize) + Sync),
    tasks: usize,
}

struct Team {
    helpers: usize,
    /// Held by the thread that runs a job; others run theirs without the team.
    dispatch: Mutex<()>,
    /// Bumped once per job; helpers compare it with the last job they worked on.
    generation: AtomicUsize,
    /// Written only by the dispatcher, before the generation is bumped; read by helpers after.
    job: UnsafeCell<Job>,
    next_task: AtomicUsize,
    /// Helpers finished with the current job (they no longer touch `job`).
    helpers_done: AtomicUsize,
    /// A task of the current job panicked on a helper.
    helper_panicked: AtomicBool,
    sleepers: AtomicUsize,
    park: Mutex<()>,
    wake: Condvar,
}

// SAFETY: `job` is written by the dispatcher only while no helper reads it (before the generation
// is bumped, and after every helper reported `helpers_done` for the previous job).
unsafe impl Sync for Team {}
unsafe impl Send for Team {}

static TEAM: LazyLock<&'static Team> = LazyLock::new(|| {
    // The same thread count as the rayon pool candle uses elsewhere (RAYON_NUM_THREADS applies).
    let helpers = rayon::current_num_threads().saturating_sub(1);
    let team: &'static Team = Box::leak(Box::new(Team {
        helpers,
        dispatch: Mutex::new(()),
        generation: AtomicUsize::new(0),
        job: UnsafeCell::new(Job {
            f: &nothing as &'static (dyn Fn(usize) + Sync),
            tasks: 0,
        }),
        next_task: AtomicUsize::new(0),
        helpers_done: AtomicUsize::new(0),
        helper_panicked: AtomicBool::new(false),
        sleepers: AtomicUsize::new(0),
        park: Mutex::new(()),
        wake: Condvar::new(),
    }));
    for index in 0..helpers {
        std::thread::Builder::new()
            .name(format!("candle-matmul-{index}"))
            .spawn(move || team.help())
            .expect("failed to start a matmul helper thread");
    }
    team
});

fn nothing(_: usize) {}

/// Runs `f(0) .. f(tasks - 1)` on the calling thread and the team's helpers; returns when all
/// calls have returned. If another thread is using the team, runs on rayon's pool instead.
pub fn run(tasks: usize, f: &(dyn Fn(usize) + Sync)) {
    use rayon::prelude::*;
    let team: &Team = &TEAM;
    if team.helpers == 0 || tasks <= 1 {
        (0..tasks).for_each(f);
        return;
    }
    let _turn = match team.dispatch.try_lock() {
        Ok(guard) => guard,
        Err(TryLockError::Poisoned(poisoned)) => poisoned.into_inner(),
        Err(TryLockError::WouldBlock) => {
            (0..tasks).into_par_iter().for_each(f);
            return;
        }
    };
    // SAFETY: every helper finished the previous job (we waited for it), and none reads `job`
    // before the generation changes below. The erased lifetime of `f` ends when this function
    // returns, after every helper reported that it is done with this job.
    unsafe {
        let f: *const (dyn Fn(usize) + Sync + '_) = f;
        *team.job.get() = Job {
            f: std::mem::transmute::<
                *const (dyn Fn(usize) + Sync + '_),
                *const (dyn Fn(usize) + Sync + 'static),
            >(f),
            tasks,
        };
    }
    team.next_task.store(0, Ordering::SeqCst);
    team.helpers_done.store(0, Ordering::SeqCst);
    team.helper_panicked.store(false, Ordering::SeqCst);
    team.generation.fetch_add(1, Ordering::SeqCst);
    if team.sleepers.load(Ordering::SeqCst) > 0 {
        let _park = team.park.lock().unwrap_or_else(|p| p.into_inner());
        team.wake.notify_all();
    }
    // A panicking task must not leave helpers holding a dangling job: wait for them either way.
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| team.work(f, tasks)));
    let mut spins = 0u32;
    while team.helpers_done.load(Ordering::Acquire) < team.helpers {
        spins += 1;
        if spins < 1 << 12 {
            std::hint::spin_loop()
        } else {
            std::thread::yield_now()
        }
    }
    if let Err(panic) = result {
        std::panic::resume_unwind(panic)
    }
    if team.helper_panicked.load(Ordering::SeqCst) {
        panic!("a quantized matmul task panicked on a helper thread")
    }
}

impl Team {
    fn work(&self, f: &(dyn Fn(usize) + Sync), tasks: usize) {
        loop {
            let task = self.next_task.fetch_add(1, Ordering::Relaxed);
            if task >= tasks {
                return;
            }
            f(task)
        }
    }

    fn help(&self) {
        // Helpers start before the first job: generation 0 is "no job yet", even if the first
        // dispatcher bumps it before this thread gets to run.
        let mut seen = 0;
        loop {
            self.wait_for_job(seen);
            seen = self.generation.load(Ordering::SeqCst);
            // SAFETY: the dispatcher wrote the job before bumping the generation and keeps it
            // (and what it points to) alive until this helper reports `helpers_done`.
            let job = unsafe { *self.job.get() };
            let f = unsafe { &*job.f };
            // A helper survives a panicking task (the team's count must stay right) and the
            // dispatcher reports it.
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                self.work(f, job.tasks)
            }));
            if outcome.is_err() {
                self.helper_panicked.store(true, Ordering::SeqCst);
            }
            self.helpers_done.fetch_add(1, Ordering::Release);
        }
    }

    fn wait_for_job(&self, seen: usize) {
        let start = Instant::now();
        let mut spins = 0u32;
        while self.generation.load(Ordering::SeqCst) == seen {
            spins += 1;
            if spins % 1024 == 0 && start.elapsed() > SPIN_BEFORE_PARKING {
                let mut park = self.park.lock().unwrap_or_else(|p| p.into_inner());
                self.sleepers.fetch_add(1, Ordering::SeqCst);
                while self.generation.load(Ordering::SeqCst) == seen {
                    park = self.wake.wait(park).unwrap_or_else(|p| p.into_inner());
                }
                self.sleepers.fetch_sub(1, Ordering::SeqCst);
                return;
            }
            std::hint::spin_loop();
        }
    }
}
