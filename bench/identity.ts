// Costs of identity on the request path: one scrypt hash (login), and GET /v1/state served to
// an anonymous client vs with a bearer token (one indexed lookup of the token's SHA-256).
// Usage: node --import tsx bench/identity.ts [seconds per run, default 5]
// @ts-expect-error autocannon ships no type declarations
import autocannon from 'autocannon';
import { hashPassword, verifyPassword } from '../src/auth/password.ts';
import { startTestHub } from '../test/helpers/hub.ts';

const seconds = Number(process.argv[2] ?? 5);

const hashes: number[] = [];
let encoded = '';
for (let i = 0; i < 10; i++) {
  const start = performance.now();
  encoded = await hashPassword('correct horse battery staple');
  hashes.push(performance.now() - start);
}
const verifyStart = performance.now();
await verifyPassword('correct horse battery staple', encoded);
hashes.sort((a, b) => a - b);
console.log(
  `scrypt N=2^15 r=8 p=1: hash median ${hashes[5]?.toFixed(1)} ms (min ${hashes[0]?.toFixed(1)}), verify ${(performance.now() - verifyStart).toFixed(1)} ms`,
);

const hub = await startTestHub();
try {
  for (const [label, headers] of [
    ['anonymous', {}],
    ['bearer token', hub.headers],
  ] as const) {
    const result: {
      requests: { average: number };
      latency: { p50: number; p99: number };
      non2xx: number;
    } = await autocannon({ url: `${hub.url}/v1/state`, connections: 20, duration: seconds, headers });
    console.log(
      `GET /v1/state ${label}: ${Math.round(result.requests.average)} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, non-2xx ${result.non2xx}`,
    );
  }
} finally {
  await hub.stop();
}
