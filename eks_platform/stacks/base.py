"""A stack base that never looks anything up at synth."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import aws_cdk as cdk
from constructs import Construct

from eks_platform._internal.tree import created, remember, share_stack


class HermeticStack(cdk.Stack):
    """A ``cdk.Stack`` whose availability zones never need a lookup, even with an explicit account and region.

    ``ec2.Vpc`` asks the stack for its AZs; an environment-specific ``cdk.Stack`` answers with a context lookup, which
    fails without credentials. This stack answers with the zones you give, or with the first three zones of the region
    resolved at deploy time (``Fn::GetAZs``), so the template fits any account and synth needs no AWS call.

    Args:
        availability_zones: AZ names to use. Default: - the first three AZs of the region, resolved at deploy time.
        **kwargs: ``cdk.Stack`` keyword arguments (``env``, ``description``, ...).
    """

    def __init__(
        self,
        scope: Construct | None = None,
        construct_id: str | None = None,
        *,
        availability_zones: Sequence[str] | None = None,
        **kwargs: Any,
    ) -> None:
        self._fixed_zones = tuple(availability_zones or ())
        super().__init__(scope, construct_id, **kwargs)
        # Its path and root follow from the scope's, and Stack.of(stack) is the stack: nothing to read back
        share_stack(self, self)
        if scope is not None and construct_id is not None:
            created(self, scope, construct_id)
            if isinstance(scope, cdk.App) and kwargs.get("stack_name") is None and "/" not in construct_id:
                # A stack right below the app, without stack_name, is named by its id (aws-cdk-lib's
                # Stack.generateStackName: one path component, no stage prefix), so tree.stack_name_of need not
                # read it back. Stack names over 128 characters fail in the constructor above.
                remember(self, "stack_name", lambda: construct_id)
        # A region or account given as a string is what the stack reports (aws-cdk-lib's Stack.parseEnvironment:
        # env.region ?? the stage's ?? AWS::Region), so tree.region_of/account_of need not read it back
        env = kwargs.get("env")
        if isinstance(env, cdk.Environment):
            region, account = env.region, env.account
            if isinstance(region, str):
                remember(self, "region", lambda: region)
            if isinstance(account, str):
                remember(self, "account", lambda: account)

    @property
    def availability_zones(self) -> list[str]:
        if self._fixed_zones:
            return list(self._fixed_zones)
        return [cdk.Fn.select(i, cdk.Fn.get_azs()) for i in range(3)]
