#!/usr/bin/env python3
"""Reference app: read the `platform` context from cdk.json, build the stacks, synth."""

import sys

from eks_platform.stacks.app import main

if __name__ == "__main__":
    sys.exit(main())
