/**
 * The DynamoDB client, configured from the environment: `CAREPATH_DYNAMODB_ENDPOINT` points at
 * DynamoDB Local (with throwaway credentials, since it checks none); in AWS the default
 * credential chain and region apply. `CAREPATH_TABLE` names the table.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { DEFAULT_TABLE_NAME, tableDefinition, TTL_ATTRIBUTE } from './table.js';

export interface DataConfig {
  tableName: string;
  endpoint?: string;
  region: string;
}

export function dataConfigFromEnv(env: NodeJS.ProcessEnv = process.env): DataConfig {
  return {
    tableName: env.CAREPATH_TABLE ?? DEFAULT_TABLE_NAME,
    ...(env.CAREPATH_DYNAMODB_ENDPOINT ? { endpoint: env.CAREPATH_DYNAMODB_ENDPOINT } : {}),
    region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'eu-west-2',
  };
}

export function createDocumentClient(config: DataConfig): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    region: config.region,
    ...(config.endpoint
      ? { endpoint: config.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : {}),
    // Fail fast so Temporal's retry policy, not the SDK's, decides how long to keep trying; a call
    // that hangs (an endpoint gone quiet) ends well within an activity's 10 s.
    maxAttempts: 2,
    requestHandler: { connectionTimeout: 1_000, requestTimeout: 4_000 },
  });
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

/** Creates the table if it does not exist (local runs and tests; CDK owns it in AWS). */
export async function ensureTable(doc: DynamoDBDocumentClient, tableName: string): Promise<void> {
  try {
    await doc.send(new DescribeTableCommand({ TableName: tableName }));
    return;
  } catch (error) {
    if ((error as Error).name !== 'ResourceNotFoundException') throw error;
  }
  try {
    await doc.send(new CreateTableCommand(tableDefinition(tableName)));
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  await doc
    .send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
      }),
    )
    .catch(() => undefined); // DynamoDB Local accepts it; nothing depends on expiry locally
}

/**
 * Every item a query finds, page after page (at most `limit`): for reads that need a whole
 * partition or range, not one page of it.
 */
export async function queryAll(
  doc: DynamoDBDocumentClient,
  input: ConstructorParameters<typeof QueryCommand>[0],
  limit = Infinity,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const out = await doc.send(
      new QueryCommand({
        ...input,
        ...(Number.isFinite(limit) ? { Limit: limit - items.length } : {}),
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    items.push(...(out.Items ?? []));
    startKey = out.LastEvaluatedKey;
  } while (startKey && items.length < limit);
  return items;
}

/**
 * The items at `keys` (those that exist), in batches of DynamoDB's 100, asking again for any it
 * left unprocessed under load. For the people beside a page of journeys: one round trip, not 50.
 */
export async function batchGetAll(
  doc: DynamoDBDocumentClient,
  TableName: string,
  keys: Record<string, unknown>[],
  ProjectionExpression?: string,
  ExpressionAttributeNames?: Record<string, string>,
): Promise<Record<string, unknown>[]> {
  const found: Record<string, unknown>[] = [];
  for (let i = 0; i < keys.length; i += 100) {
    let pending: Record<string, unknown>[] | undefined = keys.slice(i, i + 100);
    for (let attempt = 0; pending?.length; attempt += 1) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1_000, 25 * 2 ** attempt)));
      if (attempt > 8) throw new Error(`DynamoDB left ${pending.length} keys unprocessed after 8 retries`);
      const out = await doc.send(
        new BatchGetCommand({
          RequestItems: {
            [TableName]: {
              Keys: pending,
              ...(ProjectionExpression ? { ProjectionExpression } : {}),
              ...(ExpressionAttributeNames ? { ExpressionAttributeNames } : {}),
            },
          },
        }),
      );
      found.push(...(out.Responses?.[TableName] ?? []));
      pending = out.UnprocessedKeys?.[TableName]?.Keys as Record<string, unknown>[] | undefined;
    }
  }
  return found;
}
