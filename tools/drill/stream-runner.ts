import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord } from 'aws-lambda';
import type { ClientSettings } from '../../lambdas/shared/clients';

/** What a stream consumer answers: the records to retry from (Lambda's ReportBatchItemFailures). */
type Consumer = (records: DynamoDBRecord[]) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }>;

/** A table's stream read in order, as Lambda's event source mapping would hand it to a function. */
export interface LocalStream {
  /**
   * Hands every record written since the last drain to `consumer`, in batches of `batchSize`, retrying a batch
   * from its first failed record up to `retries` times (then the rest of the batch is dropped, as the mapping's
   * on-failure destination would take it). @returns how many records were delivered
   */
  drain(consumer: Consumer, options?: { batchSize?: number; retries?: number }): Promise<number>;
}

/** Opens the stream of `table` (moto or AWS) at its oldest record. */
export async function localStream(settings: ClientSettings, table: string): Promise<LocalStream> {
  const { Table } = await new DynamoDBClient(settings).send(new DescribeTableCommand({ TableName: table }));
  const streamArn = Table?.LatestStreamArn;
  if (!streamArn) throw new Error(`table ${table} has no stream`);
  const streams = new DynamoDBStreamsClient(settings);
  // Where each shard was read up to. A fresh iterator per drain, not the last NextShardIterator: moto replaces a
  // table with a copy when a transaction fails, and iterators opened before keep reading the old copy.
  const readUpTo = new Map<string, string>();
  async function read(shardId: string): Promise<DynamoDBRecord[]> {
    const last = readUpTo.get(shardId);
    const { ShardIterator } = await streams.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: shardId,
        ...(last ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: last } : { ShardIteratorType: 'TRIM_HORIZON' }),
      }),
    );
    const records: DynamoDBRecord[] = [];
    for (let iterator = ShardIterator; iterator; ) {
      const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator }));
      if (!page.Records?.length) break;
      records.push(...(page.Records as unknown as DynamoDBRecord[]));
      iterator = page.NextShardIterator;
    }
    const newest = records.at(-1)?.dynamodb?.SequenceNumber;
    if (newest) readUpTo.set(shardId, newest);
    return records;
  }
  return {
    async drain(consumer, options = {}) {
      const batchSize = options.batchSize ?? 10;
      const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
      let delivered = 0;
      for (const shard of StreamDescription?.Shards ?? []) {
        const records = await read(shard.ShardId!);
        for (let i = 0; i < records.length; i += batchSize) {
          let batch = records.slice(i, i + batchSize);
          for (let attempt = 0; batch.length > 0 && attempt <= (options.retries ?? 2); attempt++) {
            const { batchItemFailures } = await consumer(batch);
            const failed = batchItemFailures[0]?.itemIdentifier;
            batch = failed === undefined ? [] : batch.slice(batch.findIndex((r) => r.dynamodb?.SequenceNumber === failed));
          }
          delivered += Math.min(batchSize, records.length - i);
        }
      }
      return delivered;
    },
  };
}
