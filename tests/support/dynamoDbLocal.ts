/** DynamoDB Local for a test file: a fresh in-memory instance on a free port, and a client that counts its commands. */
import { randomUUID } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, inject } from 'vitest';
import { createDocumentClient, ensureTable } from '../../activities/dynamo.js';
import { freePort, PortInUse, startDynamoDbLocal, type Service } from '../../scripts/localServices.js';

export interface LocalTable {
  service: Service;
  endpoint: string;
  tableName: string;
  doc: DynamoDBDocumentClient;
  /** Names of the commands the client has sent, in order. */
  commands: string[];
}

/** A free port can be taken by another test file's service before ours binds it: try another. */
async function startOnAFreePort(): Promise<{ service: Service; port: number }> {
  for (let attempt = 1; ; attempt += 1) {
    const port = await freePort();
    try {
      return { service: await startDynamoDbLocal(inject('toolchain'), { port }), port };
    } catch (error) {
      if (!(error instanceof PortInUse) || attempt >= 3) throw error;
    }
  }
}

export async function startLocalTable(): Promise<LocalTable> {
  const { service, port } = await startOnAFreePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const tableName = `carepath-${randomUUID().slice(0, 8)}`;
  const doc = createDocumentClient({ tableName, endpoint, region: 'eu-west-2' });
  const commands: string[] = [];
  doc.middlewareStack.add(
    (next, context) => async (args) => {
      commands.push(String(context.commandName));
      return next(args);
    },
    { step: 'initialize', name: 'countCommands' },
  );
  await ensureTable(doc, tableName);
  return { service, endpoint, tableName, doc, commands };
}

let current: LocalTable | undefined;

/** Starts DynamoDB Local for the calling test file (once) and stops it after; call at the top of the file. */
export function useDynamoDbLocal(): void {
  beforeAll(async () => {
    current = await startLocalTable();
  });
  afterAll(async () => {
    await current?.service.stop();
    current = undefined;
  });
}

export function currentTable(): LocalTable {
  if (!current) throw new Error('call useDynamoDbLocal() at the top of the test file');
  return current;
}
