//! The store conformance suite on tables made from the AWS SAM template's definition
//! (deploy/template.yaml, exported by deploy/check_table.py into the JSON file
//! `SAPS_TEMPLATE_TABLE` names), not from the store's own `create_table`: the stack's table is
//! one the store works on (issue 20, item 4). `scripts/test-all.sh` writes the file and starts
//! DynamoDB Local.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod conformance;
#[path = "support/dynamodb_local.rs"]
mod dynamodb_local;

use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType, TimeToLiveSpecification,
};
use saps_lambda::store::Store;
use saps_lambda::store::dynamo::{self, DynamoStore};
use serde_json::Value;
use std::sync::Arc;

fn definition() -> Value {
    let path = std::env::var("SAPS_TEMPLATE_TABLE").expect(
        "SAPS_TEMPLATE_TABLE must name the template's table definition (bash scripts/test-all.sh \
         writes it with deploy/check_table.py)",
    );
    serde_json::from_str(&std::fs::read_to_string(&path).expect("the definition file"))
        .expect("the definition is JSON")
}

fn key_schema(keys: &Value) -> Vec<KeySchemaElement> {
    keys.as_array()
        .unwrap()
        .iter()
        .map(|k| {
            KeySchemaElement::builder()
                .attribute_name(k["AttributeName"].as_str().unwrap())
                .key_type(KeyType::from(k["KeyType"].as_str().unwrap()))
                .build()
                .unwrap()
        })
        .collect()
}

/// A fresh table made exactly as the template defines it.
async fn fresh_store() -> Arc<dyn Store> {
    let table = definition();
    let client = dynamo::local_client(&dynamodb_local::endpoint());
    let name = dynamodb_local::table_name();
    let attributes = table["AttributeDefinitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            AttributeDefinition::builder()
                .attribute_name(a["AttributeName"].as_str().unwrap())
                .attribute_type(ScalarAttributeType::from(
                    a["AttributeType"].as_str().unwrap(),
                ))
                .build()
                .unwrap()
        })
        .collect();
    let indexes = table["GlobalSecondaryIndexes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            GlobalSecondaryIndex::builder()
                .index_name(g["IndexName"].as_str().unwrap())
                .set_key_schema(Some(key_schema(&g["KeySchema"])))
                .projection(
                    Projection::builder()
                        .projection_type(ProjectionType::from(
                            g["Projection"]["ProjectionType"].as_str().unwrap(),
                        ))
                        .build(),
                )
                .build()
                .unwrap()
        })
        .collect();
    client
        .create_table()
        .table_name(&name)
        .billing_mode(BillingMode::from(table["BillingMode"].as_str().unwrap()))
        .set_attribute_definitions(Some(attributes))
        .set_key_schema(Some(key_schema(&table["KeySchema"])))
        .set_global_secondary_indexes(Some(indexes))
        .send()
        .await
        .expect("the template's table is created");
    if let Some(ttl) = table["TimeToLiveAttribute"].as_str() {
        client
            .update_time_to_live()
            .table_name(&name)
            .time_to_live_specification(
                TimeToLiveSpecification::builder()
                    .attribute_name(ttl)
                    .enabled(true)
                    .build()
                    .unwrap(),
            )
            .send()
            .await
            .expect("TTL on");
    }
    Arc::new(DynamoStore::new(client, name))
}

conformance_suite!(fresh_store());
