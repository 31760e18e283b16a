import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';

/**
 * What the stack needs to know of the EC2 instance types Spate runs on: vCPUs (the G-instance
 * quotas are counted in vCPUs) and memory (each task's hard limit leaves the ECS agent and the
 * OS room). Synth is offline, so this is a table, not a DescribeInstanceTypes call; a type not
 * in it fails the config check by name.
 */
export interface InstanceSpec {
  readonly vcpus: number;
  readonly memoryGiB: number;
}

export const INSTANCE_SPECS: Readonly<Record<string, InstanceSpec>> = {
  // NLP GPU hosts: one NVIDIA A10G (g5) or L4 (g6) per xlarge..8xlarge size.
  'g5.xlarge': { vcpus: 4, memoryGiB: 16 },
  'g5.2xlarge': { vcpus: 8, memoryGiB: 32 },
  'g5.4xlarge': { vcpus: 16, memoryGiB: 64 },
  'g5.8xlarge': { vcpus: 32, memoryGiB: 128 },
  'g6.xlarge': { vcpus: 4, memoryGiB: 16 },
  'g6.2xlarge': { vcpus: 8, memoryGiB: 32 },
  'g6.4xlarge': { vcpus: 16, memoryGiB: 64 },
  'g6.8xlarge': { vcpus: 32, memoryGiB: 128 },
  // ClickHouse hosts (Graviton).
  't4g.medium': { vcpus: 2, memoryGiB: 4 },
  't4g.large': { vcpus: 2, memoryGiB: 8 },
  't4g.xlarge': { vcpus: 4, memoryGiB: 16 },
  'm7g.large': { vcpus: 2, memoryGiB: 8 },
  'm7g.xlarge': { vcpus: 4, memoryGiB: 16 },
  'm7g.2xlarge': { vcpus: 8, memoryGiB: 32 },
  'r7g.large': { vcpus: 2, memoryGiB: 16 },
  'r7g.xlarge': { vcpus: 4, memoryGiB: 32 },
  'r7g.2xlarge': { vcpus: 8, memoryGiB: 64 },
  'r7g.4xlarge': { vcpus: 16, memoryGiB: 128 },
};

export function instanceSpec(type: string): InstanceSpec {
  const spec = INSTANCE_SPECS[type];
  if (!spec)
    throw new Error(`no instance spec for ${type}; known: ${Object.keys(INSTANCE_SPECS).join(', ')}`);
  return spec;
}

/**
 * The hard memory limit of the one task an instance runs: the instance's memory less what the
 * ECS agent, the OS and (on GPU hosts) the NVIDIA driver keep, so an overgrown task is killed
 * and restarted instead of taking the host down with it.
 */
export function taskMemoryLimitMiB(type: string): number {
  const total = instanceSpec(type).memoryGiB * 1024;
  return total - Math.max(768, Math.round(total * 0.125));
}

/**
 * The image platform for an instance type's architecture: an image asset is built for the hosts
 * it runs on, not for the machine that runs `cdk deploy` (an amd64 ClickHouse image on Graviton,
 * or an arm64 NLP image from an Apple Silicon laptop, fails with "exec format error").
 */
export function platformOf(instanceType: string): Platform {
  return new ec2.InstanceType(instanceType).architecture === ec2.InstanceArchitecture.ARM_64
    ? Platform.LINUX_ARM64
    : Platform.LINUX_AMD64;
}
