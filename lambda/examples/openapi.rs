//! Prints the API's OpenAPI document, as `GET /v1/openapi.json` answers it, without a server:
//! the portal's typed API client is generated from it (`scripts/build-portal.sh`).

fn main() {
    println!("{}", saps_lambda::api::openapi::document_json());
}
