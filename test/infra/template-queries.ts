import type { Template } from 'aws-cdk-lib/assertions';

export interface CfnResource {
  readonly Type: string;
  readonly Properties: Record<string, unknown>;
  readonly DependsOn?: string[];
}

export type PolicyStatement = {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Sid?: string;
};

/** Resources of a type whose logical id starts with a prefix (construct path without slashes). */
export function resourcesOf(template: Template, type: string, idPrefix = ''): [string, CfnResource][] {
  return Object.entries(template.findResources(type) as Record<string, CfnResource>).filter(([id]) =>
    id.startsWith(idPrefix),
  );
}

export function onlyResource(template: Template, type: string, idPrefix = ''): [string, CfnResource] {
  const found = resourcesOf(template, type, idPrefix);
  if (found.length !== 1) throw new Error(`expected one ${type} under ${idPrefix}, found ${found.length}`);
  return found[0]!;
}

/** Every statement of the policies attached to a role (by the role's logical id). */
export function statementsOfRole(template: Template, roleId: string): PolicyStatement[] {
  return resourcesOf(template, 'AWS::IAM::Policy')
    .filter(([, p]) => JSON.stringify(p.Properties.Roles).includes(`"${roleId}"`))
    .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: PolicyStatement[] }).Statement);
}

export const actionsOf = (s: PolicyStatement): string[] => (Array.isArray(s.Action) ? s.Action : [s.Action]);

/** Statements granting an action (exact name). */
export function statementsWith(statements: PolicyStatement[], action: string): PolicyStatement[] {
  return statements.filter((s) => actionsOf(s).includes(action));
}

/** The role logical id of a Lambda function resource. */
export function roleOfFunction(fn: CfnResource): string {
  const role = fn.Properties.Role as { 'Fn::GetAtt': [string, string] };
  return role['Fn::GetAtt'][0];
}

export const json = (v: unknown): string => JSON.stringify(v) ?? '';

/** The environment variables of a Lambda function resource. */
export function environmentOf(fn: CfnResource): Record<string, unknown> {
  return (fn.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
}

/**
 * Logical ids of the Lambda functions, every one in the template, whose environment takes a
 * secret's value at deploy time (a CloudFormation dynamic reference): functions read their
 * secrets at run time from the ARN, so this should be none.
 */
export function functionsResolvingSecrets(template: Template): string[] {
  return resourcesOf(template, 'AWS::Lambda::Function')
    .filter(([, f]) => json(f.Properties.Environment ?? {}).includes('{{resolve:secretsmanager:'))
    .map(([id]) => id);
}

/** Variables every Spate function has, whatever its code reads (Powertools, source maps). */
export const COMMON_VARIABLES = [
  'NODE_OPTIONS',
  'POWERTOOLS_LOG_LEVEL',
  'POWERTOOLS_METRICS_NAMESPACE',
  'POWERTOOLS_SERVICE_NAME',
];

/** The variables a function gets beyond the common ones, sorted. */
export function ownVariables(fn: CfnResource): string[] {
  return Object.keys(environmentOf(fn))
    .filter((k) => !COMMON_VARIABLES.includes(k))
    .sort();
}
