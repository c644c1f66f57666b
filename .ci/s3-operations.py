#!/usr/bin/env python3
"""Writes node/runtime/s3api/testdata/s3-operations.tsv: every operation of
the S3 API as botocore's service model defines it (name, HTTP method,
request URI, and the query parameters and headers it requires), which the
compatibility table in README.md is checked against. Run it when botocore
gains operations: python3 .ci/s3-operations.py > node/runtime/s3api/testdata/s3-operations.tsv
"""
import gzip, json, os
import botocore

d = os.path.join(os.path.dirname(botocore.__file__), "data", "s3", "2006-03-01")
path = os.path.join(d, "service-2.json.gz")
model = json.load(gzip.open(path)) if os.path.exists(path) else json.load(open(path[:-3]))
print("# botocore %s: operation, method, request URI, required query parameters, required headers" % botocore.__version__)
for name in sorted(model["operations"]):
    op = model["operations"][name]
    query, headers = [], []
    shape = op.get("input", {}).get("shape")
    if shape:
        s = model["shapes"][shape]
        for m in s.get("required", []):
            member = s["members"][m]
            if member.get("location") == "querystring":
                query.append(member["locationName"])
            elif member.get("location") == "header":
                headers.append(member["locationName"])
    print("\t".join([name, op["http"]["method"], op["http"]["requestUri"], ",".join(query), ",".join(headers)]))
