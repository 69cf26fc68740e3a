//! What a page does with an action's answer: show its refusal, or go where its success leads.

use crate::error::AppError;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

/// An action's last refusal: `None` before it answers and after a success. Give it
/// `action.value()` of a `ServerAction` or an `Action` that answers `Result<_, AppError>`.
pub fn refusal<T: 'static>(
    value: impl With<Value = Option<Result<T, AppError>>> + Send + Sync + 'static,
) -> Signal<Option<AppError>> {
    Signal::derive(move || value.with(|v| v.as_ref().and_then(|r| r.as_ref().err().cloned())))
}

/// Once the action succeeds, goes to the page `to` names for its answer (the new account, the
/// new survey …).
pub fn go_on_success<T: 'static>(
    value: impl With<Value = Option<Result<T, AppError>>> + Send + Sync + 'static,
    to: impl Fn(&T) -> String + Send + Sync + 'static,
) {
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(path) = value.with(|v| v.as_ref().and_then(|r| r.as_ref().ok()).map(&to)) {
            navigate(&path, Default::default());
        }
    });
}

/// How many times the action has succeeded: the source for re-reading what it changed.
/// (`action.version()` also counts refusals, and re-reading after a refusal re-renders the
/// form with the stored values, wiping what the user is correcting.)
pub fn successes<T: 'static>(
    value: impl With<Value = Option<Result<T, AppError>>> + Send + Sync + 'static,
) -> ReadSignal<u32> {
    let count = RwSignal::new(0u32);
    Effect::new(move |_| {
        if value.with(|v| matches!(v, Some(Ok(_)))) {
            count.update(|n| *n += 1);
        }
    });
    count.read_only()
}
