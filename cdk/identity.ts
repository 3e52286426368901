/**
 * Staff sign-in: a Cognito user pool shaped the way lambdas/auth.ts reads its tokens — one group
 * per role (`cognito:groups`), and the teams a user may see in the `custom:teams` attribute
 * (comma-separated; ID tokens carry it). Users are created by administrators, never by sign-up,
 * and no app client may write `custom:teams`: a user must not be able to widen their own access.
 */
import { Duration, Fn, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { roles } from '../lambdas/auth.js';

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
  /** For integration engines posting ADT: username and password over TLS, no browser involved. */
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
      // Optional, so an integration engine's service user can sign in unattended; staff enrol TOTP.
      mfa: cognito.Mfa.OPTIONAL,
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

    Validations.of(this.userPool).acknowledge({
      id: 'AwsSolutions-COG2',
      reason:
        'MFA (TOTP) is available to every user but optional, because integration engines sign in unattended as service users; Plus-tier threat protection blocks risky staff sign-ins.',
    });

    // Precedence follows lambdas/auth.ts: when a user is in two groups, the first role listed wins there too.
    roles.forEach((role, precedence) => {
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
    this.integrationClient = this.userPool.addClient('IntegrationClient', {
      generateSecret: false,
      authFlows: { userPassword: true },
      // aws-cdk-lib would otherwise enable the implicit and code OAuth flows with a placeholder callback.
      disableOAuth: true,
      readAttributes,
      writeAttributes,
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      ...tokenLifetimes,
    });

    this.domain = this.userPool.addDomain('Domain', { cognitoDomain: { domainPrefix: props.domainPrefix } });
    this.domainName = Fn.join('', [this.domain.domainName, `.auth.${Stack.of(this).region}.amazoncognito.com`]);
  }

  /** What a JWT authorizer and the API's COGNITO_CLIENT_ID accept. */
  get clientIds(): string[] {
    return [this.dashboardClient.userPoolClientId, this.integrationClient.userPoolClientId];
  }
}
