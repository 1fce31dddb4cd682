//! Completion report and deliverables (SPEC §8).
//!
//! [`CompletionReportForm::parse`] checks the report on its own (what a browser form can check);
//! [`check_against_voucher`] adds the guards that need the voucher, the partner's consultants and
//! the uploaded files.

use crate::calendar::serde_date;
use crate::catalog::Program;
use crate::eligibility::{QualificationFacts, exams_held, required_exams};
use crate::error::{FieldPath, ProblemKind, Problems, Rejection};
use crate::form;
use crate::value::Named as _;
use crate::value::{self, Sha256};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Largest deliverable accepted: 5 MiB (the blob store stops reading an upload past it).
pub const MAX_DELIVERABLE_BYTES: u64 = 5 * 1024 * 1024;

/// Most deliverables per report.
pub const MAX_DELIVERABLES: usize = 20;

/// The accepted deliverable formats (SPEC §8).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, strum::IntoStaticStr)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum MediaType {
    /// `application/pdf`
    #[serde(rename = "application/pdf")]
    #[strum(serialize = "application/pdf")]
    Pdf,
    /// Word document.
    #[serde(rename = "application/vnd.openxmlformats-officedocument.wordprocessingml.document")]
    #[strum(serialize = "application/vnd.openxmlformats-officedocument.wordprocessingml.document")]
    Docx,
    /// PowerPoint presentation.
    #[serde(rename = "application/vnd.openxmlformats-officedocument.presentationml.presentation")]
    #[strum(
        serialize = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
    )]
    Pptx,
    /// Excel workbook.
    #[serde(rename = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")]
    #[strum(serialize = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")]
    Xlsx,
    /// `application/zip`
    #[serde(rename = "application/zip")]
    #[strum(serialize = "application/zip")]
    Zip,
}

impl MediaType {
    /// Every accepted type.
    pub const ALL: [MediaType; 5] = [
        MediaType::Pdf,
        MediaType::Docx,
        MediaType::Pptx,
        MediaType::Xlsx,
        MediaType::Zip,
    ];

    /// The MIME type: the name `by_name!` reads and writes it by.
    pub fn mime(self) -> &'static str {
        self.name()
    }

    /// Reads a `Content-Type` value (parameters and case ignored).
    pub fn parse(raw: &str) -> Result<MediaType, ProblemKind> {
        let essence = raw.split(';').next().unwrap_or_default().trim();
        MediaType::ALL
            .into_iter()
            .find(|m| m.mime().eq_ignore_ascii_case(essence))
            .ok_or_else(|| ProblemKind::UnsupportedMediaType {
                value: raw.to_owned(),
            })
    }
}

/// Checks a deliverable file name: 1–200 characters, no path separator, no control character,
/// not `.` or `..`, no leading or trailing space.
pub fn parse_file_name(raw: &str) -> Result<String, ProblemKind> {
    let length = raw.chars().count();
    let ok = (1..=200).contains(&length)
        && raw.trim() == raw
        && raw != "."
        && raw != ".."
        && !raw.chars().any(|c| c == '/' || c == '\\' || c.is_control());
    if ok {
        Ok(raw.to_owned())
    } else {
        Err(ProblemKind::InvalidFileName)
    }
}

/// One deliverable as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeliverableForm {
    /// File name.
    #[serde(default)]
    pub file_name: Option<String>,
    /// MIME type.
    #[serde(default)]
    pub media_type: Option<String>,
    /// Size in bytes.
    #[serde(default)]
    pub size: Option<u64>,
    /// SHA-256 of the bytes.
    #[serde(default)]
    pub sha256: Option<String>,
}

/// A checked deliverable: an uploaded file the report refers to.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Deliverable {
    /// File name.
    pub file_name: String,
    /// Format.
    pub media_type: MediaType,
    /// Size in bytes, 1 to 5 MiB.
    pub size: u64,
    /// SHA-256 of the bytes.
    pub sha256: Sha256,
}

/// A completion report as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CompletionReportForm {
    /// First delivered day.
    #[serde(default)]
    pub delivered_start: Option<String>,
    /// Last delivered day.
    #[serde(default)]
    pub delivered_end: Option<String>,
    /// Days of work delivered.
    #[serde(default)]
    pub days_delivered: Option<u64>,
    /// The lead consultant.
    #[serde(default)]
    pub lead_consultant_id: Option<String>,
    /// What was delivered, 20–4000 characters.
    #[serde(default)]
    pub summary: Option<String>,
    /// 1–20 uploaded deliverables.
    #[serde(default)]
    pub deliverables: Option<Vec<DeliverableForm>>,
}

/// A checked completion report (SPEC §8).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "wasm", derive(tsify::Tsify))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CompletionReport {
    /// First delivered day.
    #[serde(with = "serde_date")]
    #[cfg_attr(feature = "wasm", tsify(type = "string"))]
    pub delivered_start: NaiveDate,
    /// Last delivered day.
    #[serde(with = "serde_date")]
    #[cfg_attr(feature = "wasm", tsify(type = "string"))]
    pub delivered_end: NaiveDate,
    /// Days of work delivered.
    pub days_delivered: u32,
    /// The lead consultant.
    pub lead_consultant_id: String,
    /// What was delivered.
    pub summary: String,
    /// The deliverables.
    pub deliverables: Vec<Deliverable>,
}

impl CompletionReportForm {
    /// Checks the report on its own: formats, lengths, counts, `deliveredStart <= deliveredEnd`
    /// and `daysDelivered >= 1`; every problem at once.
    pub fn parse(&self) -> Result<CompletionReport, Rejection> {
        let mut problems = Problems::new();
        let start = form::date(
            &mut problems,
            "deliveredStart",
            self.delivered_start.as_deref(),
        );
        let end = form::date(&mut problems, "deliveredEnd", self.delivered_end.as_deref());
        if let (Some(start), Some(end)) = (start, end) {
            problems.check(
                end >= start,
                "deliveredEnd",
                ProblemKind::EndBeforeStart { start },
            );
        }
        let days_delivered = form::number(
            &mut problems,
            "daysDelivered",
            self.days_delivered,
            1,
            u64::from(u32::MAX),
        );
        let lead = form::parsed(
            &mut problems,
            "leadConsultantId",
            self.lead_consultant_id.as_deref(),
            |raw| value::text(raw, 1, 64, false),
        );
        let summary = form::parsed(&mut problems, "summary", self.summary.as_deref(), |raw| {
            value::text(raw, 20, 4000, true)
        });
        let deliverables = self.parse_deliverables(&mut problems);
        problems.finish_with(|| {
            Some(CompletionReport {
                delivered_start: start?,
                delivered_end: end?,
                days_delivered: days_delivered?,
                lead_consultant_id: lead?,
                summary: summary?,
                deliverables,
            })
        })
    }

    fn parse_deliverables(&self, problems: &mut Problems) -> Vec<Deliverable> {
        let base = FieldPath::new("deliverables");
        let raw = self.deliverables.as_deref().unwrap_or_default();
        form::list_len(problems, &base, raw.len(), MAX_DELIVERABLES);
        let mut names = form::Seen::new();
        let mut parsed = Vec::with_capacity(raw.len());
        for (i, d) in raw.iter().enumerate() {
            let at = base.index(i);
            let file_name = form::parsed(
                problems,
                at.key("fileName"),
                d.file_name.as_deref(),
                parse_file_name,
            );
            if let Some(name) = &file_name
                && !names.insert(name.clone())
            {
                problems.push(
                    at.key("fileName"),
                    ProblemKind::Duplicate {
                        value: name.clone(),
                    },
                );
            }
            let media_type = form::parsed(
                problems,
                at.key("mediaType"),
                d.media_type.as_deref(),
                MediaType::parse,
            );
            let size = form::number(problems, at.key("size"), d.size, 1, MAX_DELIVERABLE_BYTES)
                .map(u64::from);
            let sha256 = form::parsed(
                problems,
                at.key("sha256"),
                d.sha256.as_deref(),
                Sha256::parse,
            );
            if let (Some(file_name), Some(media_type), Some(size), Some(sha256)) =
                (file_name, media_type, size, sha256)
            {
                parsed.push(Deliverable {
                    file_name,
                    media_type,
                    size,
                    sha256,
                });
            }
        }
        parsed
    }
}

/// What the completion guards need to know about the voucher.
#[derive(Clone, Copy, Debug)]
pub struct ReservedVoucher {
    /// The day it was reserved.
    pub reserved_on: NaiveDate,
    /// Its expiry.
    pub expires_on: NaiveDate,
    /// Its size in days.
    pub days: u32,
}

/// The guards of SPEC §8 that need the voucher, the consultants and the uploads:
/// `reservedOn <= deliveredStart`, `deliveredEnd <= today`, `deliveredEnd < expiresOn`,
/// `daysDelivered <= days`, the lead consultant holds the program's exams on `deliveredEnd`,
/// and every deliverable was uploaded (same file name and SHA-256).
pub fn check_against_voucher(
    report: &CompletionReport,
    voucher: ReservedVoucher,
    program: &Program,
    facts: &QualificationFacts,
    uploaded: &[Deliverable],
    today: NaiveDate,
    problems: &mut Problems,
) {
    problems.check(
        report.delivered_start >= voucher.reserved_on,
        "deliveredStart",
        ProblemKind::DeliveredBeforeReservation {
            reserved_on: voucher.reserved_on,
        },
    );
    problems.check(
        report.delivered_end <= today,
        "deliveredEnd",
        ProblemKind::DeliveredInFuture { today },
    );
    problems.check(
        report.delivered_end < voucher.expires_on,
        "deliveredEnd",
        ProblemKind::DeliveredAfterExpiry {
            expires_on: voucher.expires_on,
        },
    );
    problems.check(
        report.days_delivered <= voucher.days,
        "daysDelivered",
        ProblemKind::DaysExceedVoucher { days: voucher.days },
    );
    match facts.consultant(&report.lead_consultant_id) {
        None => problems.push(
            "leadConsultantId",
            ProblemKind::UnknownConsultant {
                id: report.lead_consultant_id.clone(),
            },
        ),
        Some(consultant) => {
            if let Err(missing) =
                exams_held(consultant, &required_exams(program), report.delivered_end)
            {
                problems.push(
                    "leadConsultantId",
                    ProblemKind::ConsultantNotQualified {
                        missing: missing.join(", "),
                        on: report.delivered_end,
                    },
                );
            }
        }
    }
    let base = FieldPath::new("deliverables");
    for (i, d) in report.deliverables.iter().enumerate() {
        let found = uploaded
            .iter()
            .any(|u| u.file_name == d.file_name && u.sha256 == d.sha256);
        problems.check(
            found,
            base.index(i).key("sha256"),
            ProblemKind::DeliverableNotUploaded {
                file_name: d.file_name.clone(),
            },
        );
    }
}
