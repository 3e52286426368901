/**
 * The failure converter every journey worker and its workflow bundle use (temporal/dataConverter.ts):
 * Temporal's default, with a failure's message and stack trace moved into an encoded payload, so the
 * payload codec seals them like any other payload. An error raised while handling a journey can quote
 * what was entered; with this, history shows "Encoded failure" and nothing else.
 *
 * CommonJS and plain JavaScript because the SDK `require`s it by path, in the worker and in the
 * bundler alike, and in the container next to the esbuild-built worker (scripts/buildWorker.ts).
 */
'use strict';
const { DefaultFailureConverter } = require('@temporalio/common');

exports.failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
