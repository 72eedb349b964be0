#!/usr/bin/env python3
"""The orders team's app on the platform team's cluster: `cdk synth` / `cdk deploy` run this with cdk.json's context."""

import aws_cdk as cdk
from orders_app import build

app = cdk.App()
build(app)
app.synth()
