//! Waiting for a new access key to work. AWS takes seconds to accept a new key everywhere and offers no
//! waiter, so the key is tried (sts:GetCallerIdentity needs no permission) with backoff, bounded.

use crate::connect::Session;
use crate::error::{Error, Result};
use crate::secret::AccessKey;
use std::future::Future;
use std::time::Duration;

/// How long and how often to try.
#[derive(Clone, Debug)]
pub struct Backoff {
    pub first_delay: Duration,
    pub max_delay: Duration,
    /// Give up once this much waiting has been done.
    pub budget: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff { first_delay: Duration::from_millis(500), max_delay: Duration::from_secs(8), budget: Duration::from_secs(60) }
    }
}

/// The outcome of waiting.
#[derive(Clone, Debug, PartialEq)]
pub struct Waited {
    pub attempts: u32,
    pub waited: Duration,
}

/// Try `attempt` until it succeeds, sleeping with `sleep` between tries (doubling up to `max_delay`), until
/// the budget is spent. Errors other than "not accepted yet" end the wait at once.
pub async fn retry_until_ok<A, AF, S, SF>(backoff: &Backoff, mut attempt: A, mut sleep: S, mut on_wait: impl FnMut(u32, Duration)) -> Result<Waited>
where
    A: FnMut() -> AF,
    AF: Future<Output = Result<()>>,
    S: FnMut(Duration) -> SF,
    SF: Future<Output = ()>,
{
    let mut waited = Duration::ZERO;
    let mut delay = backoff.first_delay;
    let mut attempts = 0;
    loop {
        attempts += 1;
        match attempt().await {
            Ok(()) => return Ok(Waited { attempts, waited }),
            Err(Error::InvalidCredentials { .. }) | Err(Error::AccessDenied { .. }) if waited < backoff.budget => {
                let d = delay.min(backoff.budget - waited);
                on_wait(attempts, waited);
                sleep(d).await;
                waited += d;
                delay = (delay * 2).min(backoff.max_delay);
            }
            Err(Error::InvalidCredentials { .. }) | Err(Error::AccessDenied { .. }) => {
                return Err(Error::KeyNotAccepted { waited_secs: waited.as_secs() })
            }
            Err(e) => return Err(e),
        }
    }
}

/// Wait until `key` is accepted by AWS, probing sts:GetCallerIdentity with it.
pub async fn wait_until_key_works(session: &Session, key: &AccessKey, backoff: &Backoff, on_wait: impl FnMut(u32, Duration)) -> Result<Waited> {
    let probe = session.with_key(key);
    retry_until_ok(backoff, || async { probe.ask_identity().await.map(|_| ()) }, tokio::time::sleep, on_wait).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    fn not_yet() -> Error {
        Error::InvalidCredentials { detail: "InvalidClientTokenId".into() }
    }

    #[tokio::test]
    async fn backs_off_until_the_key_works() {
        let calls = RefCell::new(0);
        let slept = RefCell::new(Vec::new());
        let waits = RefCell::new(0);
        let result = retry_until_ok(
            &Backoff::default(),
            || {
                *calls.borrow_mut() += 1;
                let n = *calls.borrow();
                async move { if n < 5 { Err(not_yet()) } else { Ok(()) } }
            },
            |d| {
                slept.borrow_mut().push(d);
                async {}
            },
            |_, _| *waits.borrow_mut() += 1,
        )
        .await
        .unwrap();
        assert_eq!(result.attempts, 5);
        let ms: Vec<u128> = slept.borrow().iter().map(|d| d.as_millis()).collect();
        assert_eq!(ms, vec![500, 1000, 2000, 4000]);
        assert_eq!(result.waited, Duration::from_millis(7500));
        assert_eq!(*waits.borrow(), 4);
    }

    #[tokio::test]
    async fn gives_up_after_the_budget() {
        let total = RefCell::new(Duration::ZERO);
        let err = retry_until_ok(
            &Backoff::default(),
            || async { Err(not_yet()) },
            |d| {
                *total.borrow_mut() += d;
                async {}
            },
            |_, _| {},
        )
        .await
        .unwrap_err();
        assert_eq!(*total.borrow(), Duration::from_secs(60), "bounded at about a minute");
        assert!(err.to_string().contains("has not accepted the new key after 60 seconds"), "{err}");
    }

    #[tokio::test]
    async fn other_errors_stop_at_once() {
        let err = retry_until_ok(&Backoff::default(), || async { Err(Error::Timeout { operation: "x".into() }) }, |_| async {}, |_, _| {}).await.unwrap_err();
        assert_eq!(err.code(), "timeout");
    }
}
