//! The OpenAPI document: what the handlers' annotations say, plus the statuses
//! every operation of a kind can return, added in one place so that the document
//! lists every status the server really sends (a schemathesis conformance run
//! checks it: scripts/schemathesis.sh).

use utoipa::{
    openapi::{
        path::Operation,
        security::{Http, HttpAuthScheme, SecurityScheme},
        Content, Ref, ResponseBuilder,
    },
    Modify, OpenApi,
};

#[derive(OpenApi)]
#[openapi(
    info(title = "Confab API", description = "Self-hostable real-time chat. All JSON, snake_case; \
        errors are `{\"error\": {\"code\", \"message\", \"field\"}}`."),
    modifiers(&BearerAuth),
    tags(
        (name = "auth", description = "Accounts, tokens and sessions"),
        (name = "users", description = "Profiles and search"),
        (name = "conversations", description = "Direct and group conversations, members"),
        (name = "messages", description = "History, sending, editing, read markers"),
        (name = "files", description = "Uploads, images and downloads"),
        (name = "friends", description = "Friend requests, friends, blocks"),
        (name = "notifications", description = "Your notifications"),
        (name = "admin", description = "User administration (admin role)"),
        (name = "health", description = "Probes"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                Http::builder()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// Statuses that come from the transport rather than from a handler:
/// - with a path, query or body: 400 (malformed) and 422 (a value refused);
/// - with a path id: 404 (no such thing, or not one the caller may see);
/// - 429 (a rate limit) is documented by the handlers that have one;
/// - with a bearer token: 401 (none, invalid, expired or revoked);
/// - with a request body: 408 (too slow), 413 (too large), 415 (not JSON) and
///   422 (a field refused).
pub fn document_common_statuses(doc: &mut utoipa::openapi::OpenApi) {
    for item in doc.paths.paths.values_mut() {
        let ops = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for op in ops.into_iter().flatten() {
            add_common(op);
        }
    }
}

fn add_common(op: &mut Operation) {
    let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
    let has_body = op.request_body.is_some();
    let params = op.parameters.as_deref().unwrap_or_default();
    let has_input = has_body || !params.is_empty();
    let has_path_id = params
        .iter()
        .any(|p| matches!(p.parameter_in, utoipa::openapi::path::ParameterIn::Path));
    let mut add = |status: &str, description: &str| {
        op.responses
            .responses
            .entry(status.to_owned())
            .or_insert_with(|| {
                ResponseBuilder::new()
                    .description(description)
                    .content(
                        "application/json",
                        Content::new(Some(Ref::from_schema_name("ErrorBody"))),
                    )
                    .build()
                    .into()
            });
    };
    if has_input {
        add("400", "malformed path, query or body");
        add("422", "a field or query value is refused");
    }
    if has_path_id {
        add("404", "no such resource, or not one the caller may see");
    }
    if secured {
        add("401", "no token, or an invalid, expired or revoked one");
    }
    if has_body {
        add("408", "the body did not arrive in time");
        add("413", "the body is too large");
        add("415", "the body is not JSON");
        add("422", "a field is missing or refused");
    }
}

#[cfg(test)]
mod tests {
    /// Every operation documents the statuses its kind can return.
    #[test]
    fn every_operation_lists_the_transport_statuses() {
        let (_, doc) = super::super::api();
        let mut checked = 0;
        for (path, item) in &doc.paths.paths {
            let ops = [&item.get, &item.put, &item.post, &item.delete, &item.patch];
            for op in ops.into_iter().flatten() {
                let has = |s: &str| op.responses.responses.contains_key(s);
                if op.security.as_ref().is_some_and(|s| !s.is_empty()) {
                    assert!(has("401"), "{path}: 401");
                }
                if op.request_body.is_some() {
                    for s in ["400", "413", "415", "422"] {
                        assert!(has(s), "{path}: {s}");
                    }
                }
                checked += 1;
            }
        }
        assert!(checked > 40, "{checked} operations");
    }
}
