"""How EKS Hybrid Nodes get IAM credentials: SSM hybrid activations or IAM Roles Anywhere, and the node role.

- :class:`HybridCredentials` picks the provider; :class:`SsmActivationOptions` and :class:`IamRolesAnywhereOptions`
  hold its settings, validated when built.
- :func:`node_role`, :func:`trust_anchor` and :func:`roles_anywhere_profile` create the AWS side in the
  ``HybridNodes`` construct, as in AWS's reference templates (``aws/eks-hybrid`` ``example/``).

See: https://docs.aws.amazon.com/eks/latest/userguide/hybrid-nodes-creds.html
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_rolesanywhere as rolesanywhere
from constructs import Construct

from eks_platform._internal import hybrid as h
from eks_platform._internal import validation as v
from eks_platform._internal import values
from eks_platform._internal.hybrid import CredentialProvider
from eks_platform._internal.tree import account_of, created, partition_of, region_of
from eks_platform.checks.acknowledgments import (
    acknowledge_each,
    managed_policy_rule_id,
)
from eks_platform.constructs.keywords import check_fields, checked_value
from eks_platform.errors import ConfigError, raise_if_problems

__all__ = [
    "SESSION_NAME_FROM_CN",
    "CredentialProvider",
    "HybridCredentials",
    "IamRolesAnywhereOptions",
    "SsmActivationOptions",
    "node_role",
    "roles_anywhere_profile",
    "trust_anchor",
]

#: IAM Roles Anywhere binds the role session name to the certificate's CN (AWS reference template ``hybrid-ira-cfn``).
SESSION_NAME_FROM_CN = "${aws:PrincipalTag/x509Subject/CN}"

_TAG_KEY = re.compile(r"[\w.:/=+\-@ ]{1,128}")


@checked_value("InvalidHybridCredentials")
@dataclass(frozen=True, kw_only=True, slots=True)
class SsmActivationOptions:
    """SSM hybrid activations (the default credential provider).

    CloudFormation has no SSM activation resource, so the activation is created after ``cdk deploy`` with the
    ``aws ssm create-activation`` command this construct prints (stack output ``...SsmActivationCommand``); its ID
    and code are secrets and never enter the template.

    Args:
        deregister_tag_key: resource tag the role's ``ssm:DeregisterManagedInstance`` permission is scoped by (its
            value is the cluster ARN; the printed command tags the activation with it). Default: - ``EKSClusterARN``
            as in AWS's reference template.
        registration_limit: how many nodes one activation may register, used in the printed command (1 to 1000).
            Default: - 10.

    See: https://docs.aws.amazon.com/eks/latest/userguide/hybrid-nodes-creds.html
    """

    deregister_tag_key: str = "EKSClusterARN"
    registration_limit: int = 10

    def __post_init__(self) -> None:
        check_fields(self, "InvalidHybridCredentials")
        problems: list[str] = []
        if not isinstance(self.deregister_tag_key, str) or not _TAG_KEY.fullmatch(self.deregister_tag_key) or (
            self.deregister_tag_key.lower().startswith("aws:")
        ):
            problems.append(
                f"ssm deregister_tag_key {self.deregister_tag_key!r} is not a usable tag key (1-128 letters, digits, "
                "spaces and _.:/=+-@, not starting with aws:)"
            )
        limit = self.registration_limit
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 1000:
            problems.append(f"ssm registration_limit {limit!r} must be a whole number from 1 to 1000")
        raise_if_problems("InvalidHybridCredentials", problems)


@checked_value("InvalidHybridCredentials")
@dataclass(frozen=True, kw_only=True, slots=True)
class IamRolesAnywhereOptions:
    """IAM Roles Anywhere: nodes authenticate with X.509 certificates issued by your CA.

    Give exactly one of ``ca_bundle_pem`` (a trust anchor is created from it) and ``trust_anchor_arn`` (an existing
    anchor; its role trust is bound to that ARN).

    Args:
        ca_bundle_pem: PEM text of the CA certificate(s) that issue node certificates (not a private CA you cannot
            keep private: public CAs cannot be trust anchors). Checked structurally: PEM ``CERTIFICATE`` blocks whose
            base64 decodes to a DER X.509 certificate, at most 8000 characters. Default: - none.
        trust_anchor_arn: an existing trust anchor. Default: - none.
        session_duration_seconds: lifetime of the credentials nodes get (900 to 43200). Default: - 3600.
        node_name: the node name written into the generated NodeConfig (``nodeName``; at most 64 characters, a
            DNS-1123 subdomain, equal to the certificate CN). Default: - a ``${NODE_NAME}`` placeholder, filled per
            node.
        certificate_path: node certificate path in the NodeConfig. Default: - nodeadm's ``/etc/iam/pki/server.pem``.
        private_key_path: node private key path in the NodeConfig. Default: - nodeadm's ``/etc/iam/pki/server.key``.

    See: https://docs.aws.amazon.com/eks/latest/userguide/hybrid-nodes-creds.html
    """

    ca_bundle_pem: str | None = None
    trust_anchor_arn: str | None = None
    session_duration_seconds: int = 3600
    node_name: str | None = None
    certificate_path: str | None = None
    private_key_path: str | None = None

    def __post_init__(self) -> None:
        check_fields(self, "InvalidHybridCredentials")
        problems = h.roles_anywhere_source_problems(
            "iam_roles_anywhere", self.ca_bundle_pem, self.trust_anchor_arn, self.node_name,
            prefix="iam_roles_anywhere.", pem_key="ca_bundle_pem", anchor_key="trust_anchor_arn",
            node_name_key="node_name",
        )
        seconds = self.session_duration_seconds
        if isinstance(seconds, bool) or not isinstance(seconds, int) or not 900 <= seconds <= 43200:
            problems.append(
                f"iam_roles_anywhere.session_duration_seconds {seconds!r} must be a whole number from 900 to 43200 "
                "(15 minutes to 12 hours)"
            )
        for name in ("certificate_path", "private_key_path"):
            path = getattr(self, name)
            if path is not None and (not isinstance(path, str) or not path.startswith("/")):
                problems.append(f"iam_roles_anywhere.{name} {path!r} must be an absolute path on the node")
        raise_if_problems("InvalidHybridCredentials", problems)


@checked_value("InvalidHybridCredentials")
@dataclass(frozen=True, kw_only=True, slots=True)
class HybridCredentials:
    """Which credential provider hybrid nodes use: exactly one of ``ssm`` and ``iam_roles_anywhere``.

    Build with :meth:`ssm_activations` or :meth:`roles_anywhere`. Changing the provider replaces the node role's
    trust and the NodeConfig; nodes must be re-registered.
    """

    ssm: SsmActivationOptions | None = None
    iam_roles_anywhere: IamRolesAnywhereOptions | None = None

    def __post_init__(self) -> None:
        check_fields(self, "InvalidHybridCredentials")
        if self.ssm is not None and self.iam_roles_anywhere is not None:
            raise ConfigError(
                "InvalidHybridCredentials",
                "credentials has both ssm and iam_roles_anywhere; hybrid nodes use exactly one credential provider "
                "(nodeadm accepts only one of hybrid.ssm and hybrid.iamRolesAnywhere); keep one",
            )
        if self.ssm is None and self.iam_roles_anywhere is None:
            raise ConfigError(
                "InvalidHybridCredentials",
                "credentials has neither ssm nor iam_roles_anywhere; choose one, e.g. "
                "HybridCredentials.ssm_activations() (the default when credentials is not given)",
            )

    @classmethod
    def ssm_activations(
        cls, *, deregister_tag_key: str = "EKSClusterARN", registration_limit: int = 10
    ) -> HybridCredentials:
        """SSM hybrid activations (the arguments are those of :class:`SsmActivationOptions`)."""
        return cls(
            ssm=SsmActivationOptions(deregister_tag_key=deregister_tag_key, registration_limit=registration_limit)
        )

    @classmethod
    def roles_anywhere(
        cls,
        *,
        ca_bundle_pem: str | None = None,
        trust_anchor_arn: str | None = None,
        session_duration_seconds: int = 3600,
        node_name: str | None = None,
        certificate_path: str | None = None,
        private_key_path: str | None = None,
    ) -> HybridCredentials:
        """IAM Roles Anywhere (the arguments are those of :class:`IamRolesAnywhereOptions`)."""
        return cls(
            iam_roles_anywhere=IamRolesAnywhereOptions(
                ca_bundle_pem=ca_bundle_pem,
                trust_anchor_arn=trust_anchor_arn,
                session_duration_seconds=session_duration_seconds,
                node_name=node_name,
                certificate_path=certificate_path,
                private_key_path=private_key_path,
            )
        )

    @property
    def provider(self) -> CredentialProvider:
        return CredentialProvider.SSM if self.ssm is not None else CredentialProvider.IAM_ROLES_ANYWHERE


# -- the AWS side ----------------------------------------------------------------------------------------------------
def node_role(
    scope: Construct,
    *,
    credentials: HybridCredentials,
    cluster_arn: str,
    trust_anchor_arn: str | None,
    pod_identity_agent: bool,
) -> iam.Role:
    """The hybrid nodes IAM role (construct id ``Role`` in ``scope``) with its cdk-nag acknowledgements."""
    node_policy = iam.PolicyDocument(
        statements=[
            iam.PolicyStatement(
                sid="DescribeClusterAndCheckAccessEntry",
                actions=["eks:DescribeCluster", "eks:ListAccessEntries"],
                resources=[cluster_arn],
            )
        ]
    )
    managed = [values.aws_managed_policy("AmazonEC2ContainerRegistryPullOnly")]
    if pod_identity_agent:
        # eks-auth:AssumeRoleForPodIdentity for the agent on the node (AWS's current reference templates).
        managed.append(values.aws_managed_policy("AmazonEKSWorkerNodeMinimalPolicy"))
    inline = {"EKSHybridNodes": node_policy}
    if credentials.ssm is not None:
        options = credentials.ssm
        account, partition, region = account_of(scope), partition_of(scope), region_of(scope)
        principal: iam.IPrincipal = values.service_principal("ssm.amazonaws.com").with_conditions(
            {
                "StringEquals": {"aws:SourceAccount": account},
                "ArnEquals": {"aws:SourceArn": f"arn:{partition}:ssm:{region}:{account}:*"},
            }
        )
        inline["EKSHybridSSM"] = iam.PolicyDocument(
            statements=[
                iam.PolicyStatement(
                    sid="DescribeInstanceInformation", actions=["ssm:DescribeInstanceInformation"], resources=["*"]
                ),
                iam.PolicyStatement(
                    sid="DeregisterOwnManagedInstances",
                    actions=["ssm:DeregisterManagedInstance"],
                    resources=[f"arn:{partition}:ssm:{region}:{account}:managed-instance/*"],
                    conditions={
                        "StringEquals": {f"ssm:resourceTag/{options.deregister_tag_key}": cluster_arn}
                    },
                ),
            ]
        )
        managed.append(values.aws_managed_policy("AmazonSSMManagedInstanceCore"))
        description = "EKS Hybrid Nodes role (SSM hybrid activations)"
        max_session = None
    else:
        ira = credentials.iam_roles_anywhere
        assert ira is not None
        # AWS's reference trust: AssumeRole only when the session name equals the certificate CN, and only
        # through this trust anchor; TagSession/SetSourceIdentity (added by roles_anywhere_profile) through the
        # same anchor.
        principal = values.service_principal("rolesanywhere.amazonaws.com").with_conditions(
            {
                "StringEquals": {"sts:RoleSessionName": SESSION_NAME_FROM_CN},
                "ArnEquals": {"aws:SourceArn": trust_anchor_arn},
            }
        )
        description = "EKS Hybrid Nodes role (IAM Roles Anywhere)"
        max_session = cdk.Duration.seconds(max(3600, ira.session_duration_seconds))
    role = iam.Role(
        scope,
        "Role",
        assumed_by=principal,
        description=description,
        inline_policies=inline,
        managed_policies=managed,
        max_session_duration=max_session,
    )
    created(role, scope, "Role")
    _nag_acknowledgements(role, ssm=credentials.ssm is not None)
    return role


def trust_anchor(
    scope: Construct, options: IamRolesAnywhereOptions
) -> tuple[rolesanywhere.CfnTrustAnchor | None, str | None]:
    """The trust anchor (construct id ``TrustAnchor``) made from ``ca_bundle_pem``, or none for an existing one.

    Returns the anchor (None when ``trust_anchor_arn`` is given) and the ARN the role trust is bound to.
    """
    if options.ca_bundle_pem is None:
        return None, options.trust_anchor_arn
    anchor = rolesanywhere.CfnTrustAnchor(
        scope,
        "TrustAnchor",
        name=_rolesanywhere_name(scope),
        enabled=True,
        source=rolesanywhere.CfnTrustAnchor.SourceProperty(
            source_type="CERTIFICATE_BUNDLE",
            source_data=rolesanywhere.CfnTrustAnchor.SourceDataProperty(
                x509_certificate_data=options.ca_bundle_pem.strip() + "\n"
            ),
        ),
    )
    return anchor, anchor.attr_trust_anchor_arn


def roles_anywhere_profile(
    scope: Construct, role: iam.Role, options: IamRolesAnywhereOptions, trust_anchor_arn: str | None
) -> rolesanywhere.CfnProfile:
    """The IAM Roles Anywhere profile (construct id ``Profile``) for ``role``, and the role's session-tag trust."""
    assert role.assume_role_policy is not None
    role.assume_role_policy.add_statements(
        iam.PolicyStatement(
            actions=["sts:TagSession", "sts:SetSourceIdentity"],
            principals=[values.service_principal("rolesanywhere.amazonaws.com")],
            conditions={"ArnEquals": {"aws:SourceArn": trust_anchor_arn}},
        )
    )
    return rolesanywhere.CfnProfile(
        scope,
        "Profile",
        name=_rolesanywhere_name(scope),
        enabled=True,
        role_arns=[role.role_arn],
        accept_role_session_name=True,
        duration_seconds=options.session_duration_seconds,
    )


def _rolesanywhere_name(scope: Construct) -> str:
    """A deterministic name (pattern ``^[ a-zA-Z0-9-_]*$``, at most 255) from the construct path."""
    return cdk.Names.unique_id(scope)[-200:]


def _nag_acknowledgements(role: iam.Role, *, ssm: bool) -> None:
    """Acknowledge the cdk-nag findings that AWS's reference templates imply (rule IDs as the audit prints them)."""
    managed = ["AmazonEC2ContainerRegistryPullOnly", "AmazonEKSWorkerNodeMinimalPolicy"]
    if ssm:
        managed.append("AmazonSSMManagedInstanceCore")
    managed_reason = (
        "AWS managed policies exactly as in AWS's EKS Hybrid Nodes reference templates (aws/eks-hybrid example/)"
    )
    acknowledged = [(managed_policy_rule_id(name), managed_reason) for name in managed]
    if ssm:
        region = region_of(role) if not v.is_unresolved(region_of(role)) else "<AWS::Region>"
        account = account_of(role) if not v.is_unresolved(account_of(role)) else "<AWS::AccountId>"
        partition = partition_of(role) if not v.is_unresolved(partition_of(role)) else "<AWS::Partition>"
        acknowledged += [
            ("AwsSolutions-IAM5[Resource::*]",
             "ssm:DescribeInstanceInformation has no resource-level permissions (AWS reference template)"),
            (f"AwsSolutions-IAM5[Resource::arn:{partition}:ssm:{region}:{account}:managed-instance/*]",
             "ssm:DeregisterManagedInstance is limited by condition to managed instances tagged with this "
             "cluster's ARN (AWS reference template)"),
        ]
    acknowledge_each(role, acknowledged)  # one call into CDK for all of them
