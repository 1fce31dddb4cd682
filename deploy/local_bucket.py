"""The template's deliverables bucket in moto's S3 (issue 20, item 4).

Creates bucket NAME at ENDPOINT and applies what deploy/template.yaml's `Bucket` resource sets:
default encryption, versioning, the public access block, object ownership and the lifecycle
rules, then the `BucketPolicy` statements (with the bucket's ARN in place of the template's
references). moto serves plain HTTP, which the policy's TLS-only statement refuses: the script
checks that it does (a put over HTTP is denied), then lifts the policy so that
lambda/tests/blobs.rs can run the blob-store checks on the bucket (`SAPS_TEMPLATE_BUCKET=NAME`).

    python3 deploy/local_bucket.py ENDPOINT NAME
"""

import json
import os
import sys

import boto3
from cfnlint.decode import cfn_yaml

HERE = os.path.dirname(os.path.abspath(__file__))


def plain(node):
    """A template node as plain JSON values."""
    return json.loads(json.dumps(node))


def resolve(node, arn):
    """The policy with the bucket's own references (`!GetAtt Bucket.Arn`, `!Sub ${Bucket.Arn}…`)
    replaced by its ARN."""
    if isinstance(node, dict):
        if node.keys() == {"Fn::GetAtt"}:
            return arn
        if node.keys() == {"Fn::Sub"}:
            return node["Fn::Sub"].replace("${Bucket.Arn}", arn)
        return {k: resolve(v, arn) for k, v in node.items()}
    if isinstance(node, list):
        return [resolve(v, arn) for v in node]
    return node


def main():
    endpoint, name = sys.argv[1], sys.argv[2]
    template = cfn_yaml.load(os.path.join(HERE, "template.yaml"))
    props = plain(template["Resources"]["Bucket"]["Properties"])
    policy = plain(template["Resources"]["BucketPolicy"]["Properties"]["PolicyDocument"])
    s3 = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    s3.create_bucket(Bucket=name)
    s3.put_bucket_encryption(
        Bucket=name,
        ServerSideEncryptionConfiguration={
            "Rules": [
                {"ApplyServerSideEncryptionByDefault": rule["ServerSideEncryptionByDefault"]}
                for rule in props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
            ]
        },
    )
    s3.put_bucket_versioning(
        Bucket=name, VersioningConfiguration={"Status": props["VersioningConfiguration"]["Status"]}
    )
    s3.put_public_access_block(
        Bucket=name, PublicAccessBlockConfiguration=props["PublicAccessBlockConfiguration"]
    )
    s3.put_bucket_ownership_controls(Bucket=name, OwnershipControls=props["OwnershipControls"])
    s3.put_bucket_lifecycle_configuration(
        Bucket=name,
        LifecycleConfiguration={
            "Rules": [
                {
                    "ID": rule["Id"],
                    "Status": rule["Status"],
                    "Filter": {"Prefix": ""},
                    "NoncurrentVersionExpiration": rule["NoncurrentVersionExpiration"],
                }
                for rule in props["LifecycleConfiguration"]["Rules"]
            ]
        },
    )
    s3.put_bucket_policy(
        Bucket=name, Policy=json.dumps(resolve(policy, f"arn:aws:s3:::{name}"))
    )
    try:
        s3.put_object(Bucket=name, Key="deliverables/over-plain-http", Body=b"x")
        sys.exit("the template's bucket policy let a put over plain HTTP through")
    except s3.exceptions.ClientError as error:
        if error.response["Error"]["Code"] not in ("AccessDenied", "403"):
            raise
    s3.delete_bucket_policy(Bucket=name)
    versioning = s3.get_bucket_versioning(Bucket=name).get("Status")
    encryption = s3.get_bucket_encryption(Bucket=name)["ServerSideEncryptionConfiguration"]
    print(f"bucket {name} as the template makes it: versioning {versioning}, "
          f"encryption {encryption['Rules'][0]['ApplyServerSideEncryptionByDefault']['SSEAlgorithm']}, "
          "plain HTTP refused by its policy (lifted for the local tests)")


if __name__ == "__main__":
    main()
