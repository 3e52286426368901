/**
 * What the dashboard learns at load time from `/config.json`: where the API is, how people sign
 * in, and where the Temporal Web UI is. `npm start` serves it; in AWS the CDK app writes it.
 */
export interface DashboardConfig {
  /** Where the API is; empty when it is the dashboard's own origin. */
  apiBaseUrl: string;
  auth:
    | { kind: 'dev' }
    | {
        kind: 'cognito';
        region: string;
        userPoolId: string;
        clientId: string;
        /** Hosted UI domain, e.g. carepath.auth.eu-west-2.amazoncognito.com */ domain: string;
      };
  temporalUi?: { url: string; namespace: string };
}
