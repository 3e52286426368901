/**
 * Synthesises the carepath stack for the CDK tests, once per test file: the real app (cdk/app.ts)
 * with cdk.json's context plus the test's, and a small dashboard build made in a temporary folder
 * (dashboard/ belongs to its own build). Returns the main stack's template, the edge stack's
 * (the WAF, in us-east-1), and every cdk-nag finding left unacknowledged by either pack.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { App, CfnElement, type PolicyViolation } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll } from 'vitest';
import { addCarepathStacks, carepathNagPacks } from '../../cdk/app.js';
import type { IConstruct } from 'constructs';
import type { CarepathStack } from '../../cdk/carepathStack.js';
import type { CarepathEdgeStack } from '../../cdk/edgeStack.js';

const root = resolve(import.meta.dirname, '..', '..');
const cdkJson = JSON.parse(readFileSync(join(root, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };

/** A temporary directory removed when the test file is done (cloud assemblies hold megabytes of bundles). */
function scratchDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function dashboardFixture(): string {
  const dir = scratchDir('carepath-dashboard-');
  mkdirSync(join(dir, 'assets'));
  writeFileSync(
    join(dir, 'index.html'),
    '<!doctype html><title>carepath</title><script type="module" src="/assets/index-3f2a1c.js"></script>',
  );
  writeFileSync(join(dir, 'assets', 'index-3f2a1c.js'), 'fetch("/config.json")');
  writeFileSync(join(dir, 'assets', 'index-3f2a1c.js.map'), '{"version":3,"sources":[]}');
  return dir;
}

export interface Synthesised {
  app: App;
  stack: CarepathStack;
  template: Template;
  /** The us-east-1 stack holding the WAF. */
  edge: CarepathEdgeStack;
  edgeTemplate: Template;
  /** Unacknowledged findings of AwsSolutions and HIPAA Security. */
  findings: PolicyViolation[];
}

/** `nag: true` also registers the packs as validation plugins, as `cdk synth` does: synthesis then throws on a finding. */
export function synthCarepath(context: Record<string, unknown> = {}, options: { nag?: boolean } = {}): Synthesised {
  const app = new App({ context: { ...cdkJson.context, ...context }, outdir: scratchDir('carepath-cdk-out-') });
  const { stack, edge } = addCarepathStacks(app, { dashboardDistDir: dashboardFixture(), nag: options.nag ?? false });
  const findings = carepathNagPacks().flatMap((pack) => pack.validateScope(app).violations);
  const template = Template.fromStack(stack);
  return { app, stack, template, edge, edgeTemplate: Template.fromStack(edge), findings };
}

/** The logical id CloudFormation knows a construct (or its default child) by. */
export function logicalId(stack: CarepathStack, construct: IConstruct): string {
  const resource = CfnElement.isCfnElement(construct) ? construct : (construct.node.defaultChild as CfnElement);
  return stack.getLogicalId(resource);
}

export interface Statement {
  Effect: string;
  Action: string | string[];
  Resource?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
  Principal?: unknown;
}

/** Every statement of every IAM policy (inline or managed) in the template, with the roles it is attached to. */
export function iamStatements(template: Template): { policy: string; roles: unknown; statement: Statement }[] {
  const policies = {
    ...template.findResources('AWS::IAM::Policy'),
    ...template.findResources('AWS::IAM::ManagedPolicy'),
  };
  return Object.entries(policies).flatMap(([policy, r]) => {
    const props = r.Properties as { PolicyDocument: { Statement: Statement[] }; Roles?: unknown };
    return props.PolicyDocument.Statement.map((statement) => ({ policy, roles: props.Roles, statement }));
  });
}

export const actionsOf = (s: Statement): string[] => [s.Action].flat();

/** The statements of the policies attached to the role with this logical id. */
export function statementsOfRole(template: Template, roleLogicalId: string): Statement[] {
  return iamStatements(template)
    .filter(({ roles }) => JSON.stringify(roles).includes(`"${roleLogicalId}"`))
    .map(({ statement }) => statement);
}

/** The names of the Secrets Manager secrets these statements reach (each `…:secret:<name>-??????`), sorted. */
export function secretsIn(statements: Statement[]): string[] {
  const names = statements.flatMap((s) =>
    [...JSON.stringify(s.Resource ?? null).matchAll(/:secret:([\w/+=.@-]+?)-\?{6}/g)].map((m) => m[1]!),
  );
  return [...new Set(names)].sort();
}
