/**
 * The VPC the API Lambda and the worker run in. Both reach Temporal (Cloud) over the internet
 * through NAT; DynamoDB and S3 traffic stays on AWS's network through free gateway endpoints.
 * Nothing in it accepts inbound connections, and every flow is logged.
 */
import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

export interface NetworkProps {
  /** One NAT gateway per AZ survives the loss of an AZ; one in total is cheaper. */
  natGateways: number;
  encryptionKey: kms.IKey;
  logRetentionDays: number;
  retainLogs: boolean;
}

export class Network extends Construct {
  readonly vpc: ec2.Vpc;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const flowLogs = new logs.LogGroup(this, 'FlowLogs', {
      encryptionKey: props.encryptionKey,
      retention: props.logRetentionDays as logs.RetentionDays,
      removalPolicy: props.retainLogs ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: props.natGateways,
      subnetConfiguration: [
        // Only the NAT gateways live here; nothing launched in them gets a public address.
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24, mapPublicIpOnLaunch: false },
        { name: 'private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 22 },
      ],
      restrictDefaultSecurityGroup: true,
      flowLogs: {
        all: {
          destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs),
          trafficType: ec2.FlowLogTrafficType.ALL,
        },
      },
      gatewayEndpoints: {
        DynamoDb: { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB },
        S3: { service: ec2.GatewayVpcEndpointAwsService.S3 },
      },
    });
    for (const subnet of this.vpc.publicSubnets) {
      Validations.of(subnet).acknowledge({
        id: 'HIPAA.Security-VPCNoUnrestrictedRouteToIGW',
        reason:
          'Only the NAT gateways live in the public subnets, which need a default route to the internet gateway to reach Temporal Cloud.',
      });
    }
    const flowLogRole = this.vpc.node.findChild('all').node.findChild('IAMRole');
    Validations.of(flowLogRole).acknowledge({
      id: 'HIPAA.Security-IAMNoInlinePolicy',
      reason:
        "The inline policy only lets VPC Flow Logs write to this VPC's flow log group and cannot be attached to any other principal.",
    });
  }
}
