import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

export interface NetworkProps {
  /** @default 2 */
  readonly maxAzs?: number;
  /**
   * At least one: the WebSocket management API (@connections) and ClickHouse Cloud are public
   * endpoints, and a private-DNS execute-api endpoint would hide every public API from the VPC.
   * @default 1
   */
  readonly natGateways?: number;
  /**
   * An existing VPC, described without a lookup so synth stays offline.
   * @default a new VPC with public and private subnets
   */
  readonly existingVpc?: ec2.VpcAttributes;
  readonly logRetentionDays: number;
  /**
   * Interface endpoints for the AWS APIs the parts call (each costs per AZ-hour); without
   * them that traffic leaves through the NAT gateway. The S3 gateway endpoint is always made.
   * @default true
   */
  readonly interfaceEndpoints?: boolean;
}

/** Ports the parts of Spate talk on; every rule between security groups names one. */
export const PORTS = {
  kafkaIam: 9098,
  redis: 6379,
  clickhouseHttps: 8443,
  clickhouseHttp: 8123,
  https: 443,
  nlpMetrics: 9464,
} as const;

/**
 * The VPC and one security group per part. Groups start with no rules; each part's
 * construct opens exactly the port it serves to exactly the groups that call it.
 */
export class Network extends Construct {
  readonly vpc: ec2.IVpc;
  readonly functions: ec2.SecurityGroup;
  readonly kafka: ec2.SecurityGroup;
  readonly cache: ec2.SecurityGroup;
  readonly warehouse: ec2.SecurityGroup;
  readonly nlp: ec2.SecurityGroup;
  readonly endpoints: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    if (props.existingVpc) {
      this.vpc = ec2.Vpc.fromVpcAttributes(this, 'Vpc', props.existingVpc);
    } else {
      const natGateways = props.natGateways ?? 1;
      const vpc = new ec2.Vpc(this, 'Vpc', {
        maxAzs: props.maxAzs ?? 2,
        natGateways,
        subnetConfiguration: [
          // Only the NAT gateways live here, on Elastic IPs: nothing launched here gets a public IP.
          { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24, mapPublicIpOnLaunch: false },
          {
            name: 'private',
            subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS,
            cidrMask: 20,
          },
        ],
        flowLogs: {
          rejected: {
            trafficType: ec2.FlowLogTrafficType.REJECT,
            destination: ec2.FlowLogDestination.toCloudWatchLogs(
              new logs.LogGroup(this, 'FlowLogs', {
                retention: props.logRetentionDays as logs.RetentionDays,
              }),
            ),
          },
        },
      });
      this.vpc = vpc;
    }
    const group = (name: string, description: string) =>
      new ec2.SecurityGroup(this, name, { vpc: this.vpc, description, allowAllOutbound: false });
    this.functions = group('Functions', 'Spate Lambda functions');
    this.kafka = group('Kafka', 'Spate MSK brokers');
    this.cache = group('Cache', 'Spate ElastiCache');
    this.warehouse = group('Warehouse', 'Spate ClickHouse');
    this.nlp = group('Nlp', 'Spate NLP GPU workers');
    this.endpoints = group('Endpoints', 'Spate VPC interface endpoints');

    for (const client of [this.functions, this.nlp, this.warehouse]) {
      this.endpoints.connections.allowFrom(client, ec2.Port.tcp(PORTS.https), 'AWS APIs via endpoints');
    }
    this.allowKafkaFrom(this.functions);
    this.allowKafkaFrom(this.nlp);
    // MSK event source mappings poll from ENIs that carry the cluster's own security group:
    // they reach the brokers through it and call the Lambda and STS APIs over HTTPS.
    this.kafka.addIngressRule(this.kafka, ec2.Port.tcp(PORTS.kafkaIam), 'Event source mapping pollers');
    this.kafka.addEgressRule(this.kafka, ec2.Port.tcp(PORTS.kafkaIam), 'Event source mapping pollers');
    this.kafka.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(PORTS.https), 'Pollers call Lambda and STS');

    this.vpc.addGatewayEndpoint('S3', { service: ec2.GatewayVpcEndpointAwsService.S3 });
    const interfaces = {
      SecretsManager: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
      Logs: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
      Monitoring: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_MONITORING,
      Sts: ec2.InterfaceVpcEndpointAwsService.STS,
      Kafka: ec2.InterfaceVpcEndpointAwsService.KAFKA,
      Ecr: ec2.InterfaceVpcEndpointAwsService.ECR,
      EcrDocker: ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER,
      Ecs: ec2.InterfaceVpcEndpointAwsService.ECS,
      EcsAgent: ec2.InterfaceVpcEndpointAwsService.ECS_AGENT,
      EcsTelemetry: ec2.InterfaceVpcEndpointAwsService.ECS_TELEMETRY,
      Ssm: ec2.InterfaceVpcEndpointAwsService.SSM,
      XRay: ec2.InterfaceVpcEndpointAwsService.XRAY,
    };
    const wanted = (props.interfaceEndpoints ?? true) ? Object.entries(interfaces) : [];
    for (const [name, service] of wanted) {
      this.vpc.addInterfaceEndpoint(name, {
        service,
        securityGroups: [this.endpoints],
        open: false,
        privateDnsEnabled: true,
      });
    }
    // S3 is reached through the gateway endpoint at S3's public addresses; its prefix list id
    // differs per region and cannot be resolved offline, so HTTPS egress is open by address.
    for (const client of [this.functions, this.nlp, this.warehouse]) {
      client.addEgressRule(
        ec2.Peer.anyIpv4(),
        ec2.Port.tcp(PORTS.https),
        'S3 via gateway endpoint, AWS APIs',
      );
    }
  }

  /** Kafka over IAM auth (9098) from a client group to the brokers. */
  allowKafkaFrom(client: ec2.SecurityGroup): void {
    this.kafka.addIngressRule(client, ec2.Port.tcp(PORTS.kafkaIam), 'Kafka IAM auth');
    client.addEgressRule(this.kafka, ec2.Port.tcp(PORTS.kafkaIam), 'Kafka IAM auth');
  }

  /** Subnets where every part runs: private, never public. */
  get privateSubnets(): ec2.SubnetSelection {
    return {
      subnets: this.vpc.privateSubnets.length > 0 ? this.vpc.privateSubnets : this.vpc.isolatedSubnets,
    };
  }
}
