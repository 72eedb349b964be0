#!/usr/bin/env python3
"""The payments team's platform: `cdk synth` / `cdk deploy` run this with the context from cdk.json."""

import aws_cdk as cdk
from team_app import build

app = cdk.App()
build(app)
app.synth()
