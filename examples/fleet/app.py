#!/usr/bin/env python3
"""A fleet of the reference platform: one stage per environment of ``platform.environments`` in cdk.json, delivered
by the pipeline of ``platform.pipeline`` (``python3 app.py`` under ``cdk synth``; see README.md next to this file)."""

import sys

from eks_platform.stacks.app import main

if __name__ == "__main__":
    sys.exit(main())
