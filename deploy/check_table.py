"""The template's table and the code's table cannot drift (issue 20, items 2 and 4).

Creates, in DynamoDB Local, one table from deploy/template.yaml's `Table` resource and one with
the store's own `create_table` (by starting `saps-server --dynamodb-endpoint ... --table ...`,
which creates its table when missing), then compares what DynamoDB describes of each: the key
schema, the attribute definitions, every global secondary index (keys and projection), the
billing mode and the TTL attribute. Exits 1 with both descriptions when they differ.

With OUT, also writes the template's table definition (the CreateTable parameters and the TTL
attribute) as JSON there: lambda/tests/dynamodb_template.rs runs the store conformance suite on
tables made from it (`SAPS_TEMPLATE_TABLE=OUT`).

    python3 deploy/check_table.py ENDPOINT SAPS_SERVER_BINARY [OUT]
"""

import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request

import boto3
from cfnlint.decode import cfn_yaml

HERE = os.path.dirname(os.path.abspath(__file__))


def client(endpoint):
    return boto3.client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )


def definition():
    """The template's table as CreateTable parameters, with its TTL attribute (or None)."""
    template = cfn_yaml.load(os.path.join(HERE, "template.yaml"))
    props = template["Resources"]["Table"]["Properties"]
    ttl = props.get("TimeToLiveSpecification")
    return {
        "BillingMode": props["BillingMode"],
        "AttributeDefinitions": [dict(a) for a in props["AttributeDefinitions"]],
        "KeySchema": [dict(k) for k in props["KeySchema"]],
        "GlobalSecondaryIndexes": [
            {
                "IndexName": g["IndexName"],
                "KeySchema": [dict(k) for k in g["KeySchema"]],
                "Projection": dict(g["Projection"]),
            }
            for g in props["GlobalSecondaryIndexes"]
        ],
        "TimeToLiveAttribute": ttl["AttributeName"] if ttl and ttl.get("Enabled") else None,
    }


def create_from_template(ddb, name):
    """The template's table, created with the properties CreateTable takes."""
    table = definition()
    ttl = table.pop("TimeToLiveAttribute")
    ddb.create_table(TableName=name, **table)
    ddb.get_waiter("table_exists").wait(TableName=name)
    if ttl:
        ddb.update_time_to_live(
            TableName=name,
            TimeToLiveSpecification={"AttributeName": ttl, "Enabled": True},
        )


def create_with_code(endpoint, server, name):
    """The store's table: saps-server creates it at start; stopped once it answers."""
    with tempfile.TemporaryDirectory() as data:
        port = 20000 + os.getpid() % 20000
        process = subprocess.Popen(
            [server, "--addr", f"127.0.0.1:{port}", "--data-dir", data,
             "--dynamodb-endpoint", endpoint, "--table", name, "--jwt-secret", "x" * 32],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            for _ in range(240):
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
                    return
                except OSError:
                    if process.poll() is not None:
                        sys.exit(f"saps-server exited with {process.returncode}")
                    time.sleep(0.25)
            sys.exit("saps-server did not answer within 60 s")
        finally:
            process.terminate()
            process.wait()


def described(ddb, name):
    """What matters of a table, in a comparable order."""
    table = ddb.describe_table(TableName=name)["Table"]
    ttl = ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
    return {
        "KeySchema": table["KeySchema"],
        "AttributeDefinitions": sorted(table["AttributeDefinitions"], key=lambda a: a["AttributeName"]),
        "GlobalSecondaryIndexes": sorted(
            (
                {
                    "IndexName": g["IndexName"],
                    "KeySchema": g["KeySchema"],
                    "Projection": g["Projection"],
                }
                for g in table.get("GlobalSecondaryIndexes", [])
            ),
            key=lambda g: g["IndexName"],
        ),
        "BillingMode": table.get("BillingModeSummary", {}).get("BillingMode"),
        "TimeToLive": {
            "AttributeName": ttl.get("AttributeName"),
            "Enabled": ttl.get("TimeToLiveStatus") in ("ENABLED", "ENABLING"),
        },
    }


def main():
    endpoint, server = sys.argv[1], sys.argv[2]
    ddb = client(endpoint)
    stamp = f"{os.getpid()}-{int(time.time())}"
    create_from_template(ddb, f"template-{stamp}")
    create_with_code(endpoint, server, f"code-{stamp}")
    from_template = described(ddb, f"template-{stamp}")
    from_code = described(ddb, f"code-{stamp}")
    if from_template != from_code:
        print("deploy/template.yaml's table differs from the store's create_table:")
        print("template:", json.dumps(from_template, indent=1, sort_keys=True))
        print("code:    ", json.dumps(from_code, indent=1, sort_keys=True))
        sys.exit(1)
    if len(sys.argv) > 3:
        with open(sys.argv[3], "w", encoding="utf-8") as out:
            json.dump(definition(), out, indent=1)
    indexes = ", ".join(g["IndexName"] for g in from_code["GlobalSecondaryIndexes"])
    print(f"the template's table matches the code's: keys, attributes, indexes ({indexes}), "
          f"billing, TTL on {from_code['TimeToLive']['AttributeName']}")


if __name__ == "__main__":
    main()
