//! SLA clocks and escalation timing: pure functions of a case's event log, a business calendar
//! and `now`, with no I/O, so the server's timer, the case page and the reports agree to the
//! second and a replay always gives the same answer (shared/reviews/sla-and-revenue-anchors.md,
//! A2/A3: other tools drift because they store running clocks and patch them).

pub mod calendar;
pub mod clock;
pub mod ical;
pub mod level;

pub use calendar::{BusinessTime, CalendarSpec, DayMinute, FieldProblem, Span, WeekHours};
pub use clock::{clocks, next_deadline, ClockEvent, ClockKind, ClockState, ClockStatus, Clocks};
pub use clock::{Cycle, EventKind, Moment, Targets};
pub use ical::{parse_holidays, Holiday};
pub use level::{level_state, LevelState, LevelTiming};

#[cfg(test)]
mod calendar_tests;
#[cfg(test)]
mod clock_tests;
#[cfg(test)]
mod ical_tests;
#[cfg(test)]
mod level_tests;
