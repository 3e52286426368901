/** Connecting to the Java time-skipping test server, which the workflow tests and the replay bench run. */
import type { ConnectionPlugin } from '@temporalio/client';

/**
 * The Java test server (grpc-java's defaults) accepts a keepalive ping at most every five minutes,
 * and none without a call in flight; the client's default is every 30 s. A test file that lives
 * past a few pings (the three-year journey on a busy machine) is sent GOAWAY "too_many_pings",
 * and a call caught in it can leave the time-skipping client waiting for good. Ping as the server
 * permits.
 */
export const javaTestServerKeepalive: ConnectionPlugin = {
  name: 'carepath-java-test-server-keepalive',
  configureConnection: (options) => ({
    ...options,
    channelArgs: {
      ...options.channelArgs,
      'grpc.keepalive_time_ms': 330_000,
      'grpc.keepalive_permit_without_calls': 0,
    },
  }),
};
