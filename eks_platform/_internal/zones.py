"""Availability zones EKS refuses for a cluster's control-plane subnets, and the rule built on them.

EKS user guide, "VPC and subnet requirements": cluster subnets can't reside in ``use1-az3`` (us-east-1),
``usw1-az2`` (us-west-1) or ``cac1-az3`` (ca-central-1). These are AZ *IDs*; which AZ *name* (``us-east-1a``...) maps
to them differs from account to account, so the first three names of ``Fn::GetAZs`` can land on one of them and the
cluster create fails (``UnsupportedAvailabilityZoneException``). Synth cannot look the mapping up (no AWS call), so in
those regions the zones must be chosen explicitly: by ID (the same in every account) or by names the user checked.

See: https://docs.aws.amazon.com/eks/latest/userguide/network-reqs.html
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from eks_platform._internal import validation as v

#: Region -> AZ IDs EKS refuses for cluster subnets.
EKS_DISALLOWED_AZ_IDS: dict[str, tuple[str, ...]] = {
    "us-east-1": ("use1-az3",),
    "us-west-1": ("usw1-az2",),
    "ca-central-1": ("cac1-az3",),
}
#: ``use1-az1``: an AZ ID (region code, ``-az``, number).
AZ_ID = re.compile(r"[a-z]{2,4}\d-az\d{1,2}", re.ASCII)
_AZ_ID_PREFIX = {"us-east-1": "use1", "us-west-1": "usw1", "ca-central-1": "cac1"}
#: Documented-safe AZ IDs to suggest, per restricted region.
SUGGESTED_AZ_IDS: dict[str, tuple[str, ...]] = {
    "us-east-1": ("use1-az1", "use1-az2", "use1-az4"),
    "us-west-1": ("usw1-az1", "usw1-az3"),
    "ca-central-1": ("cac1-az1", "cac1-az2", "cac1-az4"),
}


def is_az_id(zone: str) -> bool:
    return bool(AZ_ID.fullmatch(zone))


def zone_problems(setting: str, region: object, zones: Sequence[str] | None) -> list[str]:
    """Problems with the AZs of a new cluster VPC in ``region`` (``zones`` None: the first three of ``Fn::GetAZs``)."""
    if not isinstance(region, str) or v.is_unresolved(region) or region not in EKS_DISALLOWED_AZ_IDS:
        return []
    refused = EKS_DISALLOWED_AZ_IDS[region]
    suggestion = ", ".join(SUGGESTED_AZ_IDS[region])
    if zones is None:
        return [
            f"{setting} is not set, and in {region} EKS refuses control-plane subnets in {', '.join(refused)}; the "
            f"first three AZ names of the region may map to {'it' if len(refused) == 1 else 'them'} in your account. "
            f"Set {setting} to AZ IDs (the same in every account), e.g. [{suggestion}], or to AZ names you checked "
            f"with `aws ec2 describe-availability-zones --region {region} --query "
            "'AvailabilityZones[].[ZoneName,ZoneId]'`"
        ]
    problems = []
    for zone in zones:
        if v.is_unresolved(zone):
            continue
        if zone in refused:
            problems.append(
                f"{setting} has {zone}, which EKS refuses for cluster subnets in {region}; use other AZ IDs, e.g. "
                f"[{suggestion}]"
            )
        elif is_az_id(zone) and not zone.startswith(_AZ_ID_PREFIX[region] + "-"):
            problems.append(f"{setting} has AZ ID {zone}, which is not in {region} (its IDs start with "
                            f"{_AZ_ID_PREFIX[region]}-)")
    ids = [zone for zone in zones if is_az_id(zone)]
    if ids and len(ids) != len(zones):
        problems.append(f"{setting} mixes AZ IDs and AZ names ({list(zones)}); give only IDs or only names")
    return problems


#: The CloudFormation types ``ec2.Vpc`` creates (aws-cdk-lib ``aws-ec2/lib/vpc.ts``): a new VPC's network, which
#: follows ``removal_policy``. ``Custom::VpcRestrictDefaultSG`` is the resource of the
#: ``@aws-cdk/aws-ec2:restrictDefaultSecurityGroup`` feature flag.
VPC_RESOURCE_TYPES = (
    "AWS::EC2::VPC",
    "AWS::EC2::VPCCidrBlock",
    "AWS::EC2::Subnet",
    "AWS::EC2::RouteTable",
    "AWS::EC2::SubnetRouteTableAssociation",
    "AWS::EC2::Route",
    "AWS::EC2::EIP",
    "AWS::EC2::NatGateway",
    "AWS::EC2::InternetGateway",
    "AWS::EC2::VPCGatewayAttachment",
    "AWS::EC2::EgressOnlyInternetGateway",
    "AWS::EC2::VPNGateway",
    "AWS::EC2::VPNGatewayRoutePropagation",
    "Custom::VpcRestrictDefaultSG",
)


def subnet_zones(subnet_count: int, zones: Sequence[str], subnet_configurations: int) -> list[str] | None:
    """The zone of each subnet of a new ``ec2.Vpc`` given ``zones``, in the order its subnets are created, or None
    when ``subnet_count`` is not one subnet per configuration and zone (then the layout is not the known one).

    ``ec2.Vpc`` makes, for each subnet configuration in order, one subnet per zone in the order given (aws-cdk-lib
    ``aws-ec2/lib/vpc.ts``, ``createSubnetResources``), so subnet n is in zone n mod len(zones).
    """
    if not zones or subnet_count != subnet_configurations * len(zones):
        return None
    return [zones[index % len(zones)] for index in range(subnet_count)]
