"""``EksPlatformChecks``: the EKSP rules as a cdk-nag 3 pack (a CDK ``Validations`` plugin).

Use it like any cdk-nag 3 pack::

    from aws_cdk import Validations
    from cdk_nag import AwsSolutionsChecks
    from eks_platform.checks import EksPlatformChecks

    Validations.of(app).add_plugins(AwsSolutionsChecks(app), EksPlatformChecks(app))

or run it directly on a construct tree (``EksPlatformChecks().validate_scope(app)``), which is what ``make audit``
does. Every rule reads the resource's properties from the **synthesized template**, so values set through L1
setters, ``add_property_override`` or aspects are all seen (cdk-nag's own packs read L1 attributes and miss raw
overrides).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

import jsii
from aws_cdk import CfnResource, IPolicyValidationContext, PolicyValidationPluginReport, Stack, Stage
from cdk_nag import IApplyRule, NagMessageLevel, NagPack, NagRuleCompliance
from constructs import IConstruct

from eks_platform._internal.tree import root_of
from eks_platform.checks._rule import PACK_PREFIX, Finding, Level, Rule, RuleContext
from eks_platform.checks.rules import RULES
from eks_platform.context import synth_date

#: The plugin name shown in CDK's validation report (and the ``<namespace>::`` CDK suggests for acknowledgments).
PLUGIN_NAME = "EksPlatform"

_LEVELS = {Level.ERROR: NagMessageLevel.ERROR, Level.WARN: NagMessageLevel.WARN}


@dataclass(frozen=True, kw_only=True, slots=True)
class RecordedFinding:
    """A finding as the pack saw it, before cdk-nag filtered acknowledged ones out."""

    rule_id: str
    level: Level
    construct_path: str
    logical_id: str
    resource_type: str
    message: str


@jsii.implements(IApplyRule)
class _Applied:
    """One finding handed to ``NagPack.applyRule``: the rule callback returns the precomputed result.

    jsii reads interface members through properties, so these are properties, not attributes.
    """

    def __init__(self, node: CfnResource, rule: Rule, finding: Finding) -> None:
        self._node = node
        self._rule = rule
        self._finding = finding

    @property
    def node(self) -> CfnResource:
        return self._node

    @property
    def rule_suffix_override(self) -> str | None:
        return str(self._rule.number)

    @property
    def info(self) -> str:
        return self._finding.message

    @property
    def explanation(self) -> str:
        return f"{self._rule.explanation} See: {self._rule.see}"

    @property
    def level(self) -> NagMessageLevel:
        return _LEVELS[self._rule.level]

    def rule(self, node: CfnResource) -> Any:
        if self._finding.finding_id is None:
            return NagRuleCompliance.NON_COMPLIANT
        return [self._finding.finding_id]


class EksPlatformChecks(NagPack):
    """EKS best-practice rules ``EKSP-1`` ... ``EKSP-11`` for aws_eks_v2 clusters, Pod Identity, add-ons, manifests
    and IAM policies.

    Acknowledge a finding at the narrowest scope, with a reason, through CDK's native API or
    :func:`eks_platform.checks.acknowledge`::

        Validations.of(role).acknowledge(Acknowledgment(id="EKSP-8", reason="shared by three service accounts"))

    Args:
        scope: the app (only needed for ``write_suppressions_to_cloud_formation``). Default: - none.
        verbose: append each rule's explanation to the report. Default: - false.
        today: the date lifecycle rules (EKSP-4) judge versions on. Default: - the app's
            ``eks-platform:synthDate`` context, else today (UTC).
        rules: the rules to run. Default: - all of :data:`eks_platform.checks.rules.RULES`.

    Attributes:
        findings: every finding of the last run, acknowledged or not (cdk-nag reports only unacknowledged ones).

    See: https://github.com/cdklabs/cdk-nag/blob/main/docs/NagPack.md
    """

    def __init__(
        self,
        scope: IConstruct | None = None,
        *,
        verbose: bool | None = None,
        today: dt.date | None = None,
        rules: Iterable[Rule] | None = None,
    ) -> None:
        super().__init__(scope, verbose=verbose)
        self._pack_name = PACK_PREFIX
        self._today = today
        self._rules = tuple(RULES if rules is None else rules)
        self._rules_by_type: dict[str, tuple[Rule, ...]] = {}
        self._type_by_class: dict[type, str] = {}
        self._plugin_templates: dict[str, str] | None = None
        self._templates: dict[int, dict[str, Any] | None] = {}
        self._contexts: dict[int, RuleContext] = {}
        self.findings: list[RecordedFinding] = []

    @property
    def name(self) -> str:
        return PLUGIN_NAME

    # -- entry points -----------------------------------------------------------------------------------------------
    def validate(self, context: IPolicyValidationContext) -> PolicyValidationPluginReport:
        """Called by CDK at synth when registered with ``Validations.of(app).add_plugins``: the templates are already
        written, so rules read them from ``context.stack_templates``."""
        self._plugin_templates = {
            os.path.basename(entry.template_path): entry.template_path for entry in context.stack_templates
        }
        try:
            return super().validate(context)
        finally:
            self._plugin_templates = None

    def validate_scope(self, scope: IConstruct) -> PolicyValidationPluginReport:
        """Check a construct tree directly (synthesizes it first if needed)."""
        self.findings = []
        self._templates = {}
        self._contexts = {}
        return super().validate_scope(scope)

    # -- NagPack hook -----------------------------------------------------------------------------------------------
    def _check_resource(self, node: CfnResource) -> None:
        resource_type = self._resource_type(node)
        rules = self._rules_by_type.get(resource_type)
        if rules is None:
            rules = tuple(rule for rule in self._rules if rule.applies_to(resource_type))
            self._rules_by_type[resource_type] = rules
        if not rules:
            return
        stack = Stack.of(node)
        logical_id = str(stack.resolve(node.logical_id))
        properties = self._properties(stack, node, logical_id)
        context = self._context(stack)
        path: str | None = None
        for rule in rules:
            for finding in rule.evaluate(resource_type, properties, context):
                path = path or node.node.path
                self.findings.append(
                    RecordedFinding(
                        rule_id=rule.full_id(finding),
                        level=rule.level,
                        construct_path=path,
                        logical_id=logical_id,
                        resource_type=resource_type,
                        message=finding.message,
                    )
                )
                self._apply_rule(cast(IApplyRule, _Applied(node, rule, finding)))

    # -- helpers ----------------------------------------------------------------------------------------------------
    def _resource_type(self, node: CfnResource) -> str:
        cls = type(node)
        if cls in self._type_by_class:
            return self._type_by_class[cls]
        resource_type = node.cfn_resource_type
        # Generated L1 classes have one type each; generic CfnResource (custom resources) must be asked every time.
        if cls is not CfnResource and getattr(cls, "CFN_RESOURCE_TYPE_NAME", None) == resource_type:
            self._type_by_class[cls] = resource_type
        return resource_type

    def _context(self, stack: Stack) -> RuleContext:
        key = id(stack)
        if key not in self._contexts:
            today = self._today
            if today is None:
                today = synth_date(root_of(stack))
            self._contexts[key] = RuleContext(today=today)
        return self._contexts[key]

    def _properties(self, stack: Stack, node: CfnResource, logical_id: str) -> dict[str, Any]:
        template = self._template(stack)
        if template is not None:
            resource = template.get("Resources", {}).get(logical_id)
            if isinstance(resource, dict):
                properties = resource.get("Properties") or {}
                return properties if isinstance(properties, dict) else {}
        # No template (for example a nested stack seen during validation): L1 properties, without raw overrides.
        resolved = stack.resolve(node._cfn_properties)
        return resolved if isinstance(resolved, dict) else {}

    def _template(self, stack: Stack) -> dict[str, Any] | None:
        key = id(stack)
        if key not in self._templates:
            self._templates[key] = self._load_template(stack)
        return self._templates[key]

    def _load_template(self, stack: Stack) -> dict[str, Any] | None:
        file_name = stack.template_file
        if self._plugin_templates is not None:
            path = self._plugin_templates.get(file_name)
            if path is None and self._plugin_templates:  # nested stacks sit next to their parent's template
                path = os.path.join(os.path.dirname(next(iter(self._plugin_templates.values()))), file_name)
            if path is None or not os.path.exists(path):
                return None
        else:
            stage = Stage.of(stack)
            if stage is None:
                return None
            path = os.path.join(stage.synth().directory, file_name)
            if not os.path.exists(path):
                return None
        with open(path, encoding="utf-8") as handle:
            loaded: dict[str, Any] = json.load(handle)
        return loaded
