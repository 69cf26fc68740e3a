use super::*;
use crate::model::alert::RulesConfig;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn now() -> Timestamp {
    d("2026-11-24").and_hms_opt(15, 0, 0).unwrap().and_utc()
}

fn rule(kind: RuleKind) -> RuleConfig {
    RulesConfig::default().rule(kind)
}

fn usage(weeks: u32, before: (u64, u32, u64), recent: (u64, u32, u64)) -> UsageComparison {
    let w = |(logins, active_users, events): (u64, u32, u64)| UsageWindow {
        logins,
        active_users,
        events,
        features: vec![],
    };
    UsageComparison {
        weeks,
        windows: Windows::weeks_to(now().date_naive(), weeks),
        before: w(before),
        recent: w(recent),
    }
}

fn trips(kind: RuleKind, f: &AlertFacts) -> Option<Evidence> {
    evaluate(&rule(kind), f, now())
}

#[test]
fn declining_engagement_trips_at_its_threshold_not_just_below() {
    // Default: down 40 % over 2 weeks.
    let at = AlertFacts { usage: vec![usage(2, (100, 10, 0), (60, 10, 0))], ..Default::default() };
    let e = trips(RuleKind::DecliningEngagement, &at).expect("−40 % trips");
    assert!(e.summary().starts_with("logins 100 → 60 (−40 %)"), "{}", e.summary());
    let below =
        AlertFacts { usage: vec![usage(2, (100, 10, 0), (61, 10, 0))], ..Default::default() };
    assert_eq!(trips(RuleKind::DecliningEngagement, &below), None);
    let above =
        AlertFacts { usage: vec![usage(2, (212, 10, 0), (97, 10, 0))], ..Default::default() };
    assert!(trips(RuleKind::DecliningEngagement, &above).is_some());
}

#[test]
fn declining_engagement_reports_the_steeper_fall_and_ignores_tiny_bases() {
    let f = AlertFacts { usage: vec![usage(2, (100, 10, 0), (55, 3, 0))], ..Default::default() };
    match trips(RuleKind::DecliningEngagement, &f).unwrap() {
        Evidence::Decline { metric, change_pct, .. } => {
            assert_eq!(metric, "active users");
            assert!((change_pct + 70.0).abs() < 1e-9);
        }
        other => panic!("{other:?}"),
    }
    // 9 logins and 2 users before: too little to call a decline.
    let tiny = AlertFacts { usage: vec![usage(2, (9, 2, 0), (0, 0, 0))], ..Default::default() };
    assert_eq!(trips(RuleKind::DecliningEngagement, &tiny), None);
    // A window length the rule does not use is not read.
    let other = AlertFacts { usage: vec![usage(3, (100, 10, 0), (0, 0, 0))], ..Default::default() };
    assert_eq!(trips(RuleKind::DecliningEngagement, &other), None);
}

#[test]
fn reduced_usage_watches_events_and_key_feature_adoption() {
    let mut f = AlertFacts { usage: vec![usage(4, (0, 0, 100), (0, 0, 60))], ..Default::default() };
    assert!(trips(RuleKind::ReducedUsage, &f).is_some());
    f.usage[0].recent.events = 61;
    assert_eq!(trips(RuleKind::ReducedUsage, &f), None);
    f.key_features = vec!["a".into(), "b".into(), "c".into(), "d".into(), "e".into()];
    f.usage[0].before.features = vec!["a".into(), "b".into(), "c".into(), "d".into(), "e".into()];
    f.usage[0].recent.features = vec!["a".into(), "b".into(), "c".into(), "zzz".into()];
    // 100 % → 60 %: exactly −40 %.
    let e = trips(RuleKind::ReducedUsage, &f).expect("adoption fell 40 %");
    assert!(
        e.summary().starts_with("key-feature adoption 100 % → 60 % (−40 %)"),
        "{}",
        e.summary()
    );
    f.usage[0].recent.features.push("d".into());
    assert_eq!(trips(RuleKind::ReducedUsage, &f), None);
}

#[test]
fn a_milestone_trips_once_it_is_a_day_late_and_names_the_worst() {
    let m = |title: &str, due: &str| LateMilestone {
        plan_id: "p".into(),
        plan_title: "Onboarding".into(),
        title: title.into(),
        due: d(due),
    };
    let due_today =
        AlertFacts { late_milestones: vec![m("Kickoff", "2026-11-24")], ..Default::default() };
    assert_eq!(trips(RuleKind::MissedMilestone, &due_today), None);
    let f = AlertFacts {
        late_milestones: vec![m("Training", "2026-11-23"), m("Kickoff", "2026-11-10")],
        ..Default::default()
    };
    match trips(RuleKind::MissedMilestone, &f).unwrap() {
        Evidence::MissedMilestone { milestone, days_late, also_late, .. } => {
            assert_eq!((milestone.as_str(), days_late, also_late), ("Kickoff", 14, 1));
        }
        other => panic!("{other:?}"),
    }
    // With a threshold of 7 days, the one-day-late milestone does not count.
    let mut r = rule(RuleKind::MissedMilestone);
    r.threshold = 7;
    match evaluate(&r, &f, now()).unwrap() {
        Evidence::MissedMilestone { also_late, .. } => assert_eq!(also_late, 0),
        other => panic!("{other:?}"),
    }
    r.threshold = 15;
    assert_eq!(evaluate(&r, &f, now()), None);
}

#[test]
fn a_message_awaiting_a_reply_trips_after_the_window() {
    let since = |days: i64| now() - chrono::Duration::days(days);
    let f = |days| AlertFacts {
        replies: ReplyFacts { awaiting: Some(("t1".into(), since(days))), ..Default::default() },
        ..Default::default()
    };
    // Default window: 5 days.
    assert_eq!(trips(RuleKind::DelayedResponse, &f(4)), None);
    let e = trips(RuleKind::DelayedResponse, &f(5)).expect("5 days trips");
    assert_eq!(e, Evidence::AwaitingReply { thread_id: "t1".into(), since: since(5), days: 5 });
    assert!(trips(RuleKind::DelayedResponse, &f(6)).is_some());
}

#[test]
fn slower_replies_trip_against_the_customers_own_baseline() {
    let f = |recent: Vec<f64>| AlertFacts {
        replies: ReplyFacts {
            awaiting: None,
            recent_hours: recent,
            baseline_hours: vec![10.0, 20.0, 30.0, 40.0],
        },
        ..Default::default()
    };
    assert_eq!(median(&[10.0, 20.0, 30.0, 40.0]), Some(25.0));
    assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
    // Baseline median 25 h; +50 % is 37.5 h.
    let e = trips(RuleKind::DelayedResponse, &f(vec![30.0, 37.5, 90.0])).expect("+50 % trips");
    assert!(matches!(e, Evidence::SlowerReplies { replies: 3, .. }));
    assert_eq!(trips(RuleKind::DelayedResponse, &f(vec![30.0, 37.4, 90.0])), None);
    // Two replies are too few to compare.
    assert_eq!(trips(RuleKind::DelayedResponse, &f(vec![90.0, 90.0])), None);
}

#[test]
fn low_scores_are_detractors_and_ones_and_twos_within_the_window() {
    let a = |kind, score, days_ago: i64| Answer {
        kind,
        score,
        at: now() - chrono::Duration::days(days_ago),
        contact: Some("Ann".into()),
        comment: None,
    };
    let f = |answers| AlertFacts { answers, ..Default::default() };
    assert!(trips(RuleKind::LowSurveyScore, &f(vec![a(SurveyKind::Nps, 6, 1)])).is_some());
    assert_eq!(trips(RuleKind::LowSurveyScore, &f(vec![a(SurveyKind::Nps, 7, 1)])), None);
    assert!(trips(RuleKind::LowSurveyScore, &f(vec![a(SurveyKind::Csat, 2, 1)])).is_some());
    assert_eq!(trips(RuleKind::LowSurveyScore, &f(vec![a(SurveyKind::Csat, 3, 1)])), None);
    assert!(trips(RuleKind::LowSurveyScore, &f(vec![a(SurveyKind::Ces, 2, 1)])).is_some());
    // 30 days is the default window: day 30 is in, day 31 out.
    assert!(trips(RuleKind::LowSurveyScore, &f(vec![a(SurveyKind::Nps, 0, 30)])).is_some());
    assert_eq!(trips(RuleKind::LowSurveyScore, &f(vec![a(SurveyKind::Nps, 0, 31)])), None);
}

#[test]
fn health_drops_by_band_or_by_points() {
    let f = |from: (u8, Band), to: (u8, Band)| AlertFacts {
        health: Some(to),
        past: vec![PastScore { days: 7, day: d("2026-11-17"), score: from.0, band: from.1 }],
        ..Default::default()
    };
    // Default: 15 points in 7 days.
    assert!(trips(RuleKind::HealthDrop, &f((80, Band::Green), (65, Band::Green))).is_some());
    assert_eq!(trips(RuleKind::HealthDrop, &f((80, Band::Green), (66, Band::Green))), None);
    assert!(trips(RuleKind::HealthDrop, &f((71, Band::Green), (69, Band::Yellow))).is_some());
    assert_eq!(trips(RuleKind::HealthDrop, &f((60, Band::Yellow), (75, Band::Green))), None);
    // No score a week ago (a new account): nothing to compare.
    let none = AlertFacts { health: Some((20, Band::Red)), ..Default::default() };
    assert_eq!(trips(RuleKind::HealthDrop, &none), None);
}

#[test]
fn renewals_within_the_window_trip_while_red_or_yellow() {
    let f = |renews: &str, band| AlertFacts {
        health: Some((40, band)),
        renewal: Some(d(renews)),
        ..Default::default()
    };
    // Default: 90 days; 24 Nov + 90 = 22 Feb.
    assert!(trips(RuleKind::RenewalAtRisk, &f("2027-02-22", Band::Red)).is_some());
    assert_eq!(trips(RuleKind::RenewalAtRisk, &f("2027-02-23", Band::Red)), None);
    assert!(trips(RuleKind::RenewalAtRisk, &f("2026-12-01", Band::Yellow)).is_some());
    assert_eq!(trips(RuleKind::RenewalAtRisk, &f("2026-12-01", Band::Green)), None);
    // A renewal already past is the commercial team's, not an early warning.
    assert_eq!(trips(RuleKind::RenewalAtRisk, &f("2026-11-23", Band::Red)), None);
    let mut churned = f("2026-12-01", Band::Red);
    churned.churned = true;
    assert_eq!(trips(RuleKind::RenewalAtRisk, &churned), None);
}

#[test]
fn a_disabled_rule_never_trips() {
    let f = AlertFacts { usage: vec![usage(2, (100, 10, 0), (0, 0, 0))], ..Default::default() };
    let mut r = rule(RuleKind::DecliningEngagement);
    r.enabled = false;
    assert_eq!(evaluate(&r, &f, now()), None);
}

fn escalation(open: bool, opened_days_ago: i64, breaches: &[(&str, i64)]) -> EscalationFacts {
    EscalationFacts {
        id: format!("e{opened_days_ago}"),
        title: "Exports fail".into(),
        severity: "P1".into(),
        open,
        opened_at: now() - chrono::Duration::days(opened_days_ago),
        breaches: breaches
            .iter()
            .map(|(c, days)| (c.to_string(), now() - chrono::Duration::days(*days)))
            .collect(),
    }
}

#[test]
fn sla_breach_names_the_latest_breach_within_its_window() {
    let none = AlertFacts { escalations: vec![escalation(true, 3, &[])], ..Default::default() };
    assert_eq!(trips(RuleKind::SlaBreach, &none), None);
    let f = AlertFacts {
        escalations: vec![
            escalation(false, 40, &[("resolution", 31)]), // outside the 30-day window
            escalation(true, 5, &[("first_response", 4), ("update", 1)]),
        ],
        ..Default::default()
    };
    let Some(Evidence::SlaBreach { clock, others, .. }) = trips(RuleKind::SlaBreach, &f) else {
        panic!("expected an SLA breach");
    };
    assert_eq!((clock.as_str(), others), ("update", 1));
    let e = trips(RuleKind::SlaBreach, &f).unwrap();
    assert!(
        e.summary().contains("update cadence target of “Exports fail” (P1)"),
        "{}",
        e.summary()
    );
    // A month under the uptime target trips it too, when no clock breached.
    let uptime = AlertFacts {
        uptime: Some(UptimeShortfall {
            month: d("2026-10-01"),
            availability: 0.9984,
            target: 0.999,
            down_minutes: 70,
        }),
        ..Default::default()
    };
    let e = trips(RuleKind::SlaBreach, &uptime).unwrap();
    assert!(e.summary().contains("October 2026 was 99.840 %"), "{}", e.summary());
}

#[test]
fn escalation_open_long_trips_at_its_threshold_and_only_while_open() {
    let at =
        |days| AlertFacts { escalations: vec![escalation(true, days, &[])], ..Default::default() };
    assert!(trips(RuleKind::EscalationOpenLong, &at(14)).is_some());
    assert_eq!(trips(RuleKind::EscalationOpenLong, &at(13)), None);
    let closed = AlertFacts { escalations: vec![escalation(false, 30, &[])], ..Default::default() };
    assert_eq!(trips(RuleKind::EscalationOpenLong, &closed), None);
}
