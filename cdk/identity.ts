/**
 * Staff sign-in: a Cognito user pool shaped the way lambdas/auth.ts reads its tokens — one group
 * per role (`cognito:groups`), and the teams a user may see in the `custom:teams` attribute
 * (comma-separated; ID tokens carry it). Users are created by administrators, never by sign-up,
 * and no app client may write `custom:teams`: a user must not be able to widen their own access.
 */
import { Duration, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { INTEGRATION_SCOPE, roles } from '../lambdas/auth.js';

export const TEAMS_ATTRIBUTE = 'teams';
/** The organisation a referrer works for (an ODS code): `custom:organisation`, read by lambdas/auth.ts. */
export const ORGANISATION_ATTRIBUTE = 'organisation';

export interface IdentityProps {
  /** The Cognito hosted sign-in domain prefix. */
  domainPrefix: string;
  /** The dashboard's origin (`https://…`): where sign-in returns to and sign-out lands. */
  dashboardOrigin: string;
  /** prod: deletion protection, and the pool (with its users) outlives the stack. */
  retain: boolean;
}

export class Identity extends Construct {
  readonly userPool: cognito.UserPool;
  /** The dashboard's public client (authorization code + PKCE through the hosted UI). */
  readonly dashboardClient: cognito.UserPoolClient;
  /** For integration engines posting ADT and referrals: the OAuth client-credentials grant, with a secret. */
  readonly integrationClient: cognito.UserPoolClient;
  readonly domain: cognito.UserPoolDomain;
  /** Host name of the hosted sign-in, e.g. `carepath-prod-….auth.eu-west-2.amazoncognito.com`. */
  readonly domainName: string;

  constructor(scope: Construct, id: string, props: IdentityProps) {
    super(scope, id);
    this.userPool = new cognito.UserPool(this, 'UserPool', {
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      autoVerify: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      customAttributes: {
        [TEAMS_ATTRIBUTE]: new cognito.StringAttribute({ minLen: 0, maxLen: 2048, mutable: true }),
        // Added after the pool was first deployed: Cognito lets a pool gain an attribute, never change one.
        [ORGANISATION_ATTRIBUTE]: new cognito.StringAttribute({ minLen: 0, maxLen: 10, mutable: true }),
      },
      // Every person signs in with a second factor (TOTP: an authenticator app; never SMS). Integration
      // engines are app clients with the client-credentials grant, not users, so nothing needs it off.
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      featurePlan: cognito.FeaturePlan.PLUS,
      standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
      deletionProtection: props.retain,
      removalPolicy: props.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });

    // Precedence follows lambdas/auth.ts: when a user is in two groups, the first role listed wins there too.
    roles.forEach((role, precedence) => {
      // Integration engines are app clients, never users in a group (lambdas/auth.ts).
      if (role === 'integration') return;
      new cognito.CfnUserPoolGroup(this, `Group-${role}`, {
        userPoolId: this.userPool.userPoolId,
        groupName: role,
        precedence,
        description: `carepath role: ${role}`,
      });
    });

    const readAttributes = new cognito.ClientAttributes()
      .withStandardAttributes({ email: true, emailVerified: true, fullname: true })
      .withCustomAttributes(TEAMS_ATTRIBUTE, ORGANISATION_ATTRIBUTE);
    const writeAttributes = new cognito.ClientAttributes().withStandardAttributes({ fullname: true });
    const tokenLifetimes = {
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
    };

    this.dashboardClient = this.userPool.addClient('DashboardClient', {
      generateSecret: false,
      authFlows: { userSrp: true },
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
        callbackUrls: [`${props.dashboardOrigin}/`],
        logoutUrls: [`${props.dashboardOrigin}/`],
      },
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
      readAttributes,
      writeAttributes,
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      ...tokenLifetimes,
    });
    // Integration engines: no user, no password. Each is an app client with a secret, which trades
    // it for an hour's access token holding the `carepath/integration` scope (lambdas/auth.ts).
    const integrationScope = new cognito.ResourceServerScope({
      scopeName: INTEGRATION_SCOPE.split('/')[1]!,
      scopeDescription: 'Post HL7 v2 ADT messages and referrals',
    });
    const resourceServer = this.userPool.addResourceServer('Api', {
      identifier: INTEGRATION_SCOPE.split('/')[0]!,
      scopes: [integrationScope],
    });
    this.integrationClient = this.userPool.addClient('IntegrationClient', {
      generateSecret: true,
      // No sign-in flow of a user's: the client-credentials grant only.
      authFlows: {},
      oAuth: {
        flows: { clientCredentials: true },
        scopes: [cognito.OAuthScope.resourceServer(resourceServer, integrationScope)],
      },
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: tokenLifetimes.accessTokenValidity,
    });

    this.domain = this.userPool.addDomain('Domain', { cognitoDomain: { domainPrefix: props.domainPrefix } });
    this.domainName = Fn.join('', [this.domain.domainName, `.auth.${Stack.of(this).region}.amazoncognito.com`]);
  }

  /** What a JWT authorizer and the API's COGNITO_CLIENT_ID accept. */
  get clientIds(): string[] {
    return [this.dashboardClient.userPoolClientId, this.integrationClient.userPoolClientId];
  }
}
