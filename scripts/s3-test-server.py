#!/usr/bin/env python3
"""A local S3 server for the file store's S3 test: moto's server, which
speaks the S3 REST protocol and, once set up, checks every request's SigV4
signature against an IAM access key and its policy.

    s3-test-server.py PORT ENV_FILE

Creates an IAM user allowed s3:* with an access key and the bucket
`courtyard` (the only unauthenticated requests), writes
COURTYARD_TEST_S3_URL / _KEY / _SECRET to ENV_FILE, then serves until killed.
"""
import os
import sys
import time

SETUP_REQUESTS = 4  # create user, put policy, create key, create bucket
os.environ["INITIAL_NO_AUTH_ACTION_COUNT"] = str(SETUP_REQUESTS)

import boto3  # noqa: E402
from moto.server import ThreadedMotoServer  # noqa: E402

port = int(sys.argv[1])
env_file = sys.argv[2]
server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
server.start()
url = f"http://127.0.0.1:{port}"
setup = dict(
    endpoint_url=url,
    region_name="us-east-1",
    aws_access_key_id="setup",
    aws_secret_access_key="setup",
)
iam = boto3.client("iam", **setup)
iam.create_user(UserName="courtyard")
iam.put_user_policy(
    UserName="courtyard",
    PolicyName="files",
    PolicyDocument='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}',
)
key = iam.create_access_key(UserName="courtyard")["AccessKey"]
boto3.client("s3", **setup).create_bucket(Bucket="courtyard")
with open(env_file + ".tmp", "w") as f:
    f.write(f"export COURTYARD_TEST_S3_URL={url}\n")
    f.write(f"export COURTYARD_TEST_S3_KEY={key['AccessKeyId']}\n")
    f.write(f"export COURTYARD_TEST_S3_SECRET={key['SecretAccessKey']}\n")
os.replace(env_file + ".tmp", env_file)
while True:
    time.sleep(3600)
