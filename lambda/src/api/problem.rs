//! Every failure of the API in the wire shape of SPEC §11, with the status of §12.
//!
//! Handlers and extractors return [`ApiError`]; its response carries the error itself, and the
//! [`localize`] middleware, which knows the request's `Accept-Language`, renders the body. So an
//! extractor's rejection speaks the caller's language just as a handler's does.

use crate::blob::BlobError;
use crate::store::{ConflictItem, StoreError};
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use saps_core::error::{Failure, FieldFailure, Locale, ProblemKind, Rejection};

/// Seconds a client should wait before retrying after a 503.
pub const RETRY_AFTER_SECONDS: u32 = 1;

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// A rule refused: the status follows the problems' category (SPEC §12).
    #[error("{0}")]
    Rejected(Rejection),
    /// The request itself is unacceptable before any rule runs.
    #[error("{0:?}")]
    Http(HttpProblem),
    /// The store failed or a concurrent change won.
    #[error("{0}")]
    Store(#[from] StoreError),
    /// The deliverable store failed or the body is too large.
    #[error("{0}")]
    Blob(#[from] BlobError),
    /// A bug: an answer of the rules or the store did not have the shape the API expects.
    #[error("internal: {0}")]
    Internal(String),
}

impl From<Rejection> for ApiError {
    fn from(rejection: Rejection) -> ApiError {
        ApiError::Rejected(rejection)
    }
}

impl From<HttpProblem> for ApiError {
    fn from(problem: HttpProblem) -> ApiError {
        ApiError::Http(problem)
    }
}

impl ApiError {
    /// A rejection with one problem.
    pub fn one(field: &str, kind: ProblemKind) -> ApiError {
        ApiError::Rejected(Rejection::one(field, kind))
    }
}

/// Problems of the HTTP exchange rather than of the domain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HttpProblem {
    /// The body is longer than `limit` bytes (413).
    TooLarge {
        /// The limit in bytes.
        limit: u64,
    },
    /// The `Content-Type` is not one the route takes (415).
    UnsupportedMediaType {
        /// What the route takes.
        expected: String,
    },
    /// `Idempotency-Key` is required here and missing (400).
    IdempotencyKeyRequired,
    /// `Idempotency-Key` is not 1–255 visible ASCII characters (400).
    InvalidIdempotencyKey,
    /// The key was used before with a different request (422).
    IdempotencyKeyReused,
    /// No route has this path (404).
    RouteNotFound,
    /// The route does not take this method (405).
    MethodNotAllowed,
    /// A path segment is not UTF-8 text once percent-decoded (400).
    InvalidPath,
    /// The request's target (path and query) is longer than `limit` bytes (414).
    UriTooLong {
        /// The limit in bytes.
        limit: usize,
    },
}

impl HttpProblem {
    fn status(&self) -> StatusCode {
        match self {
            HttpProblem::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            HttpProblem::UnsupportedMediaType { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            HttpProblem::IdempotencyKeyRequired | HttpProblem::InvalidIdempotencyKey => {
                StatusCode::BAD_REQUEST
            }
            HttpProblem::IdempotencyKeyReused => StatusCode::UNPROCESSABLE_ENTITY,
            HttpProblem::RouteNotFound => StatusCode::NOT_FOUND,
            HttpProblem::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            HttpProblem::InvalidPath => StatusCode::BAD_REQUEST,
            HttpProblem::UriTooLong { .. } => StatusCode::URI_TOO_LONG,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            HttpProblem::TooLarge { .. } => "request.tooLarge",
            HttpProblem::UnsupportedMediaType { .. } => "request.unsupportedMediaType",
            HttpProblem::IdempotencyKeyRequired => "request.idempotencyKeyRequired",
            HttpProblem::InvalidIdempotencyKey => "request.invalidIdempotencyKey",
            HttpProblem::IdempotencyKeyReused => "request.idempotencyKeyReused",
            HttpProblem::RouteNotFound => "request.routeNotFound",
            HttpProblem::MethodNotAllowed => "request.methodNotAllowed",
            HttpProblem::InvalidPath => "request.invalidPath",
            HttpProblem::UriTooLong { .. } => "request.uriTooLong",
        }
    }

    fn field(&self) -> &'static str {
        match self {
            HttpProblem::TooLarge { .. } => "",
            HttpProblem::UnsupportedMediaType { .. } => "Content-Type",
            HttpProblem::IdempotencyKeyRequired
            | HttpProblem::InvalidIdempotencyKey
            | HttpProblem::IdempotencyKeyReused => "Idempotency-Key",
            HttpProblem::RouteNotFound
            | HttpProblem::MethodNotAllowed
            | HttpProblem::InvalidPath
            | HttpProblem::UriTooLong { .. } => "",
        }
    }

    fn message(&self, locale: Locale) -> String {
        match (self, locale) {
            (HttpProblem::TooLarge { limit }, Locale::En) => {
                format!("the body is larger than {limit} bytes")
            }
            (HttpProblem::TooLarge { limit }, Locale::ZhCn) => {
                format!("请求正文超过 {limit} 字节")
            }
            (HttpProblem::UnsupportedMediaType { expected }, Locale::En) => {
                format!("must be {expected}")
            }
            (HttpProblem::UnsupportedMediaType { expected }, Locale::ZhCn) => {
                format!("须为 {expected}")
            }
            (HttpProblem::IdempotencyKeyRequired, Locale::En) => {
                "this request needs an `Idempotency-Key` header".into()
            }
            (HttpProblem::IdempotencyKeyRequired, Locale::ZhCn) => {
                "此请求需要 `Idempotency-Key` 请求头".into()
            }
            (HttpProblem::InvalidIdempotencyKey, Locale::En) => {
                "must be 1 to 255 visible ASCII characters".into()
            }
            (HttpProblem::InvalidIdempotencyKey, Locale::ZhCn) => {
                "须为 1 到 255 个可见 ASCII 字符".into()
            }
            (HttpProblem::IdempotencyKeyReused, Locale::En) => {
                "was already used for a different request".into()
            }
            (HttpProblem::IdempotencyKeyReused, Locale::ZhCn) => "已用于另一个不同的请求".into(),
            (HttpProblem::RouteNotFound, Locale::En) => "there is no such resource".into(),
            (HttpProblem::RouteNotFound, Locale::ZhCn) => "没有此资源".into(),
            (HttpProblem::MethodNotAllowed, Locale::En) => {
                "this resource does not take this method".into()
            }
            (HttpProblem::MethodNotAllowed, Locale::ZhCn) => "此资源不支持该请求方法".into(),
            (HttpProblem::InvalidPath, Locale::En) => {
                "the path is not valid: each part must be UTF-8 text".into()
            }
            (HttpProblem::InvalidPath, Locale::ZhCn) => "路径无效：每一段都须为 UTF-8 文本".into(),
            (HttpProblem::UriTooLong { limit }, Locale::En) => {
                format!("the address is longer than {limit} bytes")
            }
            (HttpProblem::UriTooLong { limit }, Locale::ZhCn) => {
                format!("请求地址超过 {limit} 字节")
            }
        }
    }
}

/// One problem that is not a domain rule's: its status, code, field and messages.
#[derive(Clone, Debug)]
struct Plain {
    status: StatusCode,
    code: &'static str,
    field: &'static str,
    en: String,
    zh: String,
}

impl Plain {
    fn failure(&self, locale: Locale) -> Failure {
        let message = match locale {
            Locale::En => self.en.clone(),
            Locale::ZhCn => self.zh.clone(),
        };
        let whole = if self.field.is_empty() {
            message.clone()
        } else {
            format!("`{}` {message}", self.field)
        };
        Failure {
            code: self.code.to_owned(),
            message: whole,
            fields: vec![FieldFailure {
                field: self.field.to_owned(),
                code: self.code.to_owned(),
                message,
            }],
        }
    }
}

fn conflict_field(item: &ConflictItem) -> &'static str {
    match item {
        ConflictItem::Partner(_) => "partnerId",
        ConflictItem::Voucher(_) | ConflictItem::Engagements(_) => "voucherNumber",
        ConflictItem::Claim(_) => "claimId",
        ConflictItem::Program(_) => "programId",
        ConflictItem::Customer(_) => "customerId",
        ConflictItem::IdempotencyKey(_) => "Idempotency-Key",
        ConflictItem::Unknown => "",
    }
}

/// What a failure says, in any language: a rule's rejection or a plain problem. Status and
/// body both derive from it, so they cannot disagree.
#[derive(Clone, Debug)]
pub struct PendingFailure(Described);

#[derive(Clone, Debug)]
enum Described {
    Rule(Rejection),
    Plain(Plain),
}

impl PendingFailure {
    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match &self.0 {
            Described::Rule(rejection) => StatusCode::from_u16(rejection.category().http_status())
                .unwrap_or(StatusCode::UNPROCESSABLE_ENTITY),
            Described::Plain(plain) => plain.status,
        }
    }

    /// The body in `locale`.
    pub fn failure(&self, locale: Locale) -> Failure {
        match &self.0 {
            Described::Rule(rejection) => rejection.to_failure(locale),
            Described::Plain(plain) => plain.failure(locale),
        }
    }

    /// The error code (for the request log).
    pub fn code(&self) -> &str {
        match &self.0 {
            Described::Rule(rejection) => rejection.code(),
            Described::Plain(plain) => plain.code,
        }
    }
}

impl ApiError {
    /// Status, code and messages of this failure.
    pub fn describe(&self) -> PendingFailure {
        let plain = |status, code, field, en: &str, zh: &str| {
            Described::Plain(Plain {
                status,
                code,
                field,
                en: en.to_owned(),
                zh: zh.to_owned(),
            })
        };
        let too_large = |limit: u64| {
            let problem = HttpProblem::TooLarge { limit };
            plain(
                problem.status(),
                problem.code(),
                problem.field(),
                &problem.message(Locale::En),
                &problem.message(Locale::ZhCn),
            )
        };
        PendingFailure(match self {
            ApiError::Rejected(rejection) => Described::Rule(rejection.clone()),
            ApiError::Store(StoreError::InvalidCursor) => {
                Described::Rule(Rejection::one("cursor", ProblemKind::InvalidCursor))
            }
            ApiError::Http(problem) => plain(
                problem.status(),
                problem.code(),
                problem.field(),
                &problem.message(Locale::En),
                &problem.message(Locale::ZhCn),
            ),
            ApiError::Blob(BlobError::TooLarge { limit }) => too_large(*limit),
            ApiError::Blob(BlobError::Empty) => Described::Rule(Rejection::one(
                "size",
                ProblemKind::OutOfRange {
                    min: 1,
                    max: saps_core::completion::MAX_DELIVERABLE_BYTES,
                },
            )),
            ApiError::Store(StoreError::Conflict { item, .. }) => plain(
                StatusCode::CONFLICT,
                "store.concurrentChange",
                conflict_field(item),
                "was changed by another request at the same time; read it again and retry",
                "已被另一个同时进行的请求更改；请重新读取后重试",
            ),
            ApiError::Store(StoreError::Unavailable(_))
            | ApiError::Blob(BlobError::Unavailable(_)) => plain(
                StatusCode::SERVICE_UNAVAILABLE,
                "store.unavailable",
                "",
                "the service is briefly unavailable; nothing was changed, please retry",
                "服务暂时不可用；未做任何更改，请重试",
            ),
            ApiError::Store(StoreError::TooLarge { .. } | StoreError::Corrupt { .. })
            | ApiError::Internal(_) => plain(
                StatusCode::INTERNAL_SERVER_ERROR,
                "server.internal",
                "",
                "the server failed; nothing was changed",
                "服务器出错；未做任何更改",
            ),
            ApiError::Blob(BlobError::Body(_)) => plain(
                StatusCode::BAD_REQUEST,
                "request.bodyUnreadable",
                "",
                "the body could not be read",
                "无法读取请求正文",
            ),
        })
    }

    /// The HTTP status of this failure.
    pub fn status(&self) -> StatusCode {
        self.describe().status()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let pending = self.describe();
        let status = pending.status();
        let mut response = render(status, &pending.failure(Locale::En));
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECONDS));
        }
        response.extensions_mut().insert(pending);
        response
    }
}

fn render(status: StatusCode, failure: &Failure) -> Response {
    (status, axum::Json(failure)).into_response()
}

/// Re-renders a failure in the language the request asked for (`Accept-Language`).
pub async fn localize(request: Request, next: Next) -> Response {
    let locale = super::extract::locale_of(request.headers());
    let mut response = next.run(request).await;
    if locale == Locale::ZhCn
        && let Some(pending) = response.extensions().get::<PendingFailure>().cloned()
    {
        let (parts, _) = response.into_parts();
        let mut rendered = render(parts.status, &pending.failure(Locale::ZhCn));
        for (name, value) in &parts.headers {
            if name != header::CONTENT_LENGTH && name != header::CONTENT_TYPE {
                rendered.headers_mut().insert(name.clone(), value.clone());
            }
        }
        rendered.extensions_mut().insert(pending);
        response = rendered;
    }
    response
}
