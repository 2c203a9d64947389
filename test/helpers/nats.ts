// A private JetStream stream and subject prefix per test on the machine's NATS (127.0.0.1:4222,
// JetStream on), deleted afterwards, so tests never see each other's events.
import { randomBytes } from 'node:crypto';
import { connect, type NatsConnection } from 'nats';

export const TEST_NATS_URL = process.env.TOCSIN_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

export interface TestStream {
  url: string;
  stream: string;
  subjectPrefix: string;
  /** A plain connection for inspecting or tampering with the stream. */
  connection(): Promise<NatsConnection>;
  /** Deletes the stream (if it was created) and closes the connections handed out. */
  cleanup(): Promise<void>;
}

/** Names a stream `TOCSIN_TEST_<pid>_<random>` with subjects under `tocsin_test.<pid>_<random>`. */
export function createTestStream(): TestStream {
  const tag = `${process.pid}_${randomBytes(4).toString('hex')}`;
  const stream = `TOCSIN_TEST_${tag}`;
  const opened: NatsConnection[] = [];
  return {
    url: TEST_NATS_URL,
    stream,
    subjectPrefix: `tocsin_test.${tag}`,
    async connection() {
      const nc = await connect({ servers: TEST_NATS_URL });
      opened.push(nc);
      return nc;
    },
    async cleanup() {
      const nc = await connect({ servers: TEST_NATS_URL });
      try {
        const jsm = await nc.jetstreamManager();
        await jsm.streams.delete(stream).catch((error: unknown) => {
          if (!/stream not found/i.test(String(error))) throw error;
        });
      } finally {
        await nc.close();
        await Promise.all(opened.map((c) => c.close()));
      }
    },
  };
}
