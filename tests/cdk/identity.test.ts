/**
 * The Cognito user pool as lambdas/auth.ts reads its tokens: a group per role, the `teams`
 * attribute that no user can write for themselves, administrators-only sign-up, MFA available,
 * Plus-tier threat protection, and an app client for the dashboard (code flow back to its origin).
 */
import { describe, expect, it } from 'vitest';
import { ORGANISATION_ATTRIBUTE, TEAMS_ATTRIBUTE } from '../../cdk/identity.js';
import { INTEGRATION_SCOPE, roles } from '../../lambdas/auth.js';
import { logicalId, synthCarepath } from './synth.js';

const { stack, template } = synthCarepath({ env: 'dev' });
const pool = () =>
  Object.values(template.findResources('AWS::Cognito::UserPool'))[0]!.Properties as Record<string, unknown>;
const clients = () => template.findResources('AWS::Cognito::UserPoolClient');

describe('the user pool', () => {
  it('has one group per role a person holds (integration engines are app clients), with the precedence lambdas/auth.ts applies', () => {
    const groups = Object.values(template.findResources('AWS::Cognito::UserPoolGroup')).map(
      (g) => g.Properties as { GroupName: string; Precedence: number; UserPoolId: unknown },
    );
    expect(groups.map((g) => g.GroupName).sort()).toEqual(roles.filter((r) => r !== 'integration').sort());
    expect(roles).toEqual(
      [
        'referrer',
        'coordinator',
        'team-lead',
        'service-manager',
        'discharge-team',
        'integration',
        'ops',
        'ig-lead',
        'admin',
      ].filter((r) => roles.includes(r as never)),
    );
    expect(roles).toHaveLength(9);
    for (const g of groups) {
      expect(g.Precedence).toBe(roles.indexOf(g.GroupName as never));
      expect(g.UserPoolId).toEqual({ Ref: logicalId(stack, stack.identity.userPool) });
    }
  });

  it('carries teams and a referrer’s organisation in custom attributes, the `custom:teams` and `custom:organisation` claims auth.ts reads', () => {
    expect(TEAMS_ATTRIBUTE).toBe('teams');
    expect(ORGANISATION_ATTRIBUTE).toBe('organisation');
    expect(pool().Schema).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Name: 'teams', AttributeDataType: 'String', Mutable: true }),
        expect.objectContaining({ Name: 'organisation', AttributeDataType: 'String', Mutable: true }),
      ]),
    );
  });

  it('requires TOTP MFA of every person, admin-created users only, a strong password policy and Plus-tier threat protection', () => {
    const p = pool();
    expect(p.MfaConfiguration).toBe('ON');
    expect(p.EnabledMfas).toEqual(['SOFTWARE_TOKEN_MFA']);
    expect(p.AdminCreateUserConfig).toMatchObject({ AllowAdminCreateUserOnly: true });
    expect(p.Policies).toMatchObject({
      PasswordPolicy: {
        MinimumLength: 12,
        RequireLowercase: true,
        RequireUppercase: true,
        RequireNumbers: true,
        RequireSymbols: true,
      },
    });
    expect(p.UserPoolTier).toBe('PLUS');
    expect(p.UserPoolAddOns).toEqual({ AdvancedSecurityMode: 'ENFORCED' });
  });

  it('lets no app client write custom:teams or custom:organisation; the dashboard reads both, and holds no secret', () => {
    expect(Object.keys(clients())).toHaveLength(2);
    for (const client of Object.values(clients())) {
      for (const claim of ['custom:teams', 'custom:organisation'])
        expect(client.Properties.WriteAttributes ?? []).not.toContain(claim);
      expect(client.Properties.PreventUserExistenceErrors).toBe('ENABLED');
      expect(client.Properties.EnableTokenRevocation).toBe(true);
    }
    const dashboard = clients()[logicalId(stack, stack.identity.dashboardClient)]!.Properties;
    for (const claim of ['custom:teams', 'custom:organisation']) expect(dashboard.ReadAttributes).toContain(claim);
    expect(dashboard.GenerateSecret).not.toBe(true);
  });

  it('gives integration engines the client-credentials grant with the integration scope, and no user sign-in flow', () => {
    const integration = clients()[logicalId(stack, stack.identity.integrationClient)]!.Properties;
    expect(integration.GenerateSecret).toBe(true);
    expect(integration.AllowedOAuthFlows).toEqual(['client_credentials']);
    expect(integration.AllowedOAuthFlowsUserPoolClient).toBe(true);
    expect(JSON.stringify(integration.AllowedOAuthScopes)).toContain(INTEGRATION_SCOPE.split('/')[1]);
    for (const flow of integration.ExplicitAuthFlows ?? []) expect(flow).toBe('ALLOW_REFRESH_TOKEN_AUTH');
    const servers = Object.values(template.findResources('AWS::Cognito::UserPoolResourceServer'));
    expect(servers.map((r) => r.Properties.Identifier)).toEqual(['carepath']);
    expect(servers[0]!.Properties.Scopes.map((sc: { ScopeName: string }) => sc.ScopeName)).toEqual(['integration']);
  });

  it('signs the dashboard in with the authorization-code flow, returning to the CloudFront origin only', () => {
    const dashboard = clients()[logicalId(stack, stack.identity.dashboardClient)]!.Properties;
    const origin = {
      'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [logicalId(stack, stack.site.distribution), 'DomainName'] }, '/']],
    };
    expect(dashboard.AllowedOAuthFlows).toEqual(['code']);
    expect(dashboard.CallbackURLs).toEqual([origin]);
    expect(dashboard.LogoutURLs).toEqual([origin]);
  });

  it('has a hosted sign-in domain unique to the account by default', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolDomain', {
      Domain: { 'Fn::Join': ['-', ['carepath-dev', { Ref: 'AWS::AccountId' }]] },
    });
  });
});
