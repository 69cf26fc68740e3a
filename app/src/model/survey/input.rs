//! The survey form: what is typed, and the survey that passed validation (the same checks in the
//! browser as on the server).

use super::{
    Audience, AudienceKind, Question, QuestionKind, SurveyKind, MAX_OPTIONS, MAX_QUESTIONS,
};
use crate::error::{AppError, Checks};
use crate::model::validate::{optional_text, required_text};
use serde::{Deserialize, Serialize};

/// An extra question as typed into the survey form: options one per line.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuestionInput {
    pub prompt: String,
    pub kind: String,
    #[serde(default)]
    pub options: String,
}

/// The survey form as sent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SurveyInput {
    pub name: String,
    pub kind: String,
    /// Blank means the kind's standard question.
    #[serde(default)]
    pub question: String,
    #[serde(default)]
    pub questions: Vec<QuestionInput>,
    pub audience: String,
    #[serde(default)]
    pub segment: String,
    #[serde(default)]
    pub ids: Vec<String>,
    /// Months between invitations to the same contact; blank = one-off.
    #[serde(default)]
    pub recurrence_months: String,
}

/// A survey that passed validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidSurvey {
    pub name: String,
    pub kind: SurveyKind,
    pub question: String,
    pub questions: Vec<Question>,
    pub audience: Audience,
    pub recurrence_months: Option<i64>,
}

impl SurveyInput {
    pub fn validate(&self) -> Result<ValidSurvey, AppError> {
        let mut c = Checks::new();
        let name = required_text(&self.name, 120).unwrap_or_else(|m| {
            c.fail("name", m);
            String::new()
        });
        let kind = SurveyKind::parse(self.kind.trim());
        c.check(kind.is_some(), "kind", format!("choose one of {}", SurveyKind::choices()));
        let kind = kind.unwrap_or(SurveyKind::Nps);
        let question = match optional_text(&self.question, 300) {
            Ok(Some(q)) => q,
            Ok(None) => kind.default_question().to_string(),
            Err(m) => {
                c.fail("question", m);
                String::new()
            }
        };
        if self.questions.len() > MAX_QUESTIONS {
            c.fail("questions", format!("at most {MAX_QUESTIONS} extra questions"));
        }
        let mut questions = Vec::new();
        for (i, q) in self.questions.iter().enumerate().take(MAX_QUESTIONS) {
            let field = format!("questions.{i}");
            let prompt = match required_text(&q.prompt, 300) {
                Ok(p) => p,
                Err(m) => {
                    c.fail(&field, format!("question {}: the question {m}", i + 1));
                    continue;
                }
            };
            let Some(qk) = QuestionKind::parse(q.kind.trim()) else {
                c.fail(&field, format!("question {}: choose free text or single choice", i + 1));
                continue;
            };
            let options: Vec<String> = q
                .options
                .lines()
                .flat_map(|l| l.split(','))
                .map(|o| o.trim().to_string())
                .filter(|o| !o.is_empty())
                .collect();
            if qk == QuestionKind::Choice {
                if options.len() < 2 || options.len() > MAX_OPTIONS {
                    c.fail(
                        &field,
                        format!(
                            "question {}: a single-choice question needs 2 to {MAX_OPTIONS} options",
                            i + 1
                        ),
                    );
                    continue;
                }
                if options.iter().any(|o| o.chars().count() > 80) {
                    c.fail(
                        &field,
                        format!("question {}: options must be at most 80 characters", i + 1),
                    );
                    continue;
                }
            }
            questions.push(Question {
                id: format!("q{}", i + 1),
                prompt,
                kind: qk,
                options: if qk == QuestionKind::Choice { options } else { Vec::new() },
            });
        }
        let audience_kind = AudienceKind::parse(self.audience.trim());
        c.check(audience_kind.is_some(), "audience", "choose a segment, accounts or contacts");
        let mut audience = Audience {
            kind: audience_kind.unwrap_or(AudienceKind::Segment),
            segment: None,
            ids: Vec::new(),
        };
        match audience_kind {
            Some(AudienceKind::Segment) => {
                let s = self.segment.trim();
                c.check(!s.is_empty(), "segment", "choose a saved segment");
                audience.segment = Some(s.to_string());
            }
            Some(k) => {
                let mut ids: Vec<String> = self
                    .ids
                    .iter()
                    .map(|i| i.trim().to_string())
                    .filter(|i| !i.is_empty())
                    .collect();
                ids.sort();
                ids.dedup();
                let what = if k == AudienceKind::Accounts { "account" } else { "contact" };
                c.check(!ids.is_empty(), "ids", format!("choose at least one {what}"));
                c.check(
                    ids.len() <= 5000,
                    "ids",
                    format!("at most 5 000 {what}s; use a segment for more"),
                );
                audience.ids = ids;
            }
            None => {}
        }
        let recurrence_months = match self.recurrence_months.trim() {
            "" | "0" => None,
            s => match s.parse::<i64>() {
                Ok(n) if (1..=24).contains(&n) => Some(n),
                _ => {
                    c.fail(
                        "recurrence_months",
                        "repeat every 1 to 24 months, or leave blank for a one-off survey",
                    );
                    None
                }
            },
        };
        c.finish()?;
        Ok(ValidSurvey { name, kind, question, questions, audience, recurrence_months })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> SurveyInput {
        SurveyInput {
            name: "Q4 NPS".into(),
            kind: "nps".into(),
            audience: "segment".into(),
            segment: "seg1".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_valid_survey_gets_the_standard_question() {
        let v = input().validate().unwrap();
        assert_eq!(v.question, SurveyKind::Nps.default_question());
        assert_eq!(v.audience.segment.as_deref(), Some("seg1"));
        assert_eq!(v.recurrence_months, None);
    }

    #[test]
    fn every_bad_field_is_named() {
        let bad = SurveyInput {
            name: " ".into(),
            kind: "rating".into(),
            question: "x".repeat(301),
            questions: vec![
                QuestionInput {
                    prompt: "Which plan?".into(),
                    kind: "choice".into(),
                    options: "Only one".into(),
                },
                QuestionInput { prompt: "".into(), kind: "text".into(), options: "".into() },
            ],
            audience: "accounts".into(),
            segment: "".into(),
            ids: vec![],
            recurrence_months: "36".into(),
        };
        let e = bad.validate().unwrap_err();
        for f in
            ["name", "kind", "question", "questions.0", "questions.1", "ids", "recurrence_months"]
        {
            assert!(e.for_field(f).is_some(), "{f} should be named: {e}");
        }
    }

    #[test]
    fn choice_options_split_on_lines_and_commas() {
        let mut i = input();
        i.questions = vec![QuestionInput {
            prompt: "Which team?".into(),
            kind: "choice".into(),
            options: "Sales, Support\nProduct\n\n".into(),
        }];
        let v = i.validate().unwrap();
        assert_eq!(v.questions[0].options, vec!["Sales", "Support", "Product"]);
        assert_eq!(v.questions[0].id, "q1");
    }
}
