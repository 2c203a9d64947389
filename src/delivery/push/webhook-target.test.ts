import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  createTargetGuard,
  parseAllowCidrs,
  type Resolve,
  refusedRange,
  TargetRefused,
} from './webhook-target.ts';

const policy = { allowPrivateTargets: false, allowCidrs: [] as string[] };
const resolveTo =
  (...addresses: string[]): Resolve =>
  async () =>
    addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

async function refusal(promise: Promise<unknown>): Promise<TargetRefused> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof TargetRefused, String(error));
    return error;
  }
  assert.fail('expected a refusal');
}

test('refused ranges: every class the issue names, IPv4 embedded in IPv6 judged as IPv4, public addresses pass', () => {
  const cases: [string, RegExp | undefined][] = [
    ['127.0.0.1', /loopback/],
    ['127.255.255.254', /loopback/],
    ['::1', /loopback/],
    ['10.0.0.1', /private/],
    ['172.16.0.1', /private/],
    ['172.31.255.255', /private/],
    ['192.168.0.1', /private/],
    ['fd12:3456::1', /private/],
    ['fc00::1', /private/],
    ['169.254.1.1', /link-local/],
    ['fe80::1', /link-local/],
    ['169.254.169.254', /metadata/],
    ['fd00:ec2::254', /metadata/],
    ['100.64.0.1', /CGNAT/],
    ['100.127.255.255', /CGNAT/],
    ['224.0.0.1', /multicast/],
    ['ff02::1', /multicast/],
    ['0.0.0.0', /unspecified/],
    ['::', /unspecified/],
    ['255.255.255.255', /reserved/],
    ['::ffff:127.0.0.1', /loopback/],
    ['::ffff:a9fe:a9fe', /metadata/],
    ['64:ff9b::a00:1', /private/],
    ['2002:7f00:1::', /loopback/],
    ['8.8.8.8', undefined],
    ['172.32.0.1', undefined],
    ['100.128.0.1', undefined],
    ['2a00:1450:4001::200e', undefined],
    ['::ffff:8.8.8.8', undefined],
  ];
  for (const [address, expected] of cases) {
    const why = refusedRange(address);
    if (expected === undefined) assert.equal(why, undefined, address);
    else assert.match(why ?? '', expected, address);
  }
});

test('URLs: literals, names resolving to loopback (injected resolver), mixed answers, schemes, credentials', async () => {
  const guard = createTargetGuard(policy, resolveTo('127.0.0.1'));
  for (const url of [
    'http://127.0.0.1:8080/',
    'http://10.0.0.1/',
    'http://169.254.169.254/latest/meta-data/',
    'http://[::1]/',
    'http://0x7f.1/',
  ]) {
    assert.equal((await refusal(guard.check(url))).reason, 'forbidden_address', url);
  }
  const named = await refusal(guard.check('https://hooks.example.org/x'));
  assert.equal(named.reason, 'forbidden_address');
  assert.match(named.message, /hooks\.example\.org resolves to 127\.0\.0\.1, which is loopback/);
  // One private address among public ones refuses the name: the client could pick either.
  const mixed = createTargetGuard(policy, resolveTo('93.184.216.34', '10.1.2.3'));
  assert.equal((await refusal(mixed.check('https://mixed.example.org/'))).reason, 'forbidden_address');
  const publicGuard = createTargetGuard(policy, resolveTo('93.184.216.34'));
  const ok = await publicGuard.check('https://hooks.example.org:8443/in?x=1');
  assert.equal(ok.address, '93.184.216.34');
  assert.equal(ok.url.port, '8443');
  assert.equal((await refusal(publicGuard.check('ftp://hooks.example.org/'))).reason, 'scheme');
  assert.equal((await refusal(publicGuard.check('file:///etc/passwd'))).reason, 'scheme');
  assert.equal((await refusal(publicGuard.check('https://u:p@hooks.example.org/'))).reason, 'credentials');
  assert.equal((await refusal(publicGuard.check('/relative'))).reason, 'malformed');
  assert.equal(
    (await refusal(publicGuard.check(`https://a.example.org/${'x'.repeat(3000)}`))).reason,
    'malformed',
  );
  const failing = createTargetGuard(policy, async () => {
    throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
  });
  const unresolvable = await refusal(failing.check('https://nowhere.example.org/'));
  assert.equal(unresolvable.reason, 'unresolvable');
  assert.match(unresolvable.message, /ENOTFOUND/);
  assert.equal(
    (await refusal(createTargetGuard(policy, resolveTo()).check('https://empty.example.org/'))).reason,
    'unresolvable',
  );
});

test('configuration: allowPrivateTargets allows all; an allow-list allows exactly its ranges', async () => {
  const open = createTargetGuard({ allowPrivateTargets: true, allowCidrs: [] }, resolveTo('127.0.0.1'));
  assert.equal((await open.check('http://localhost:9/')).address, '127.0.0.1');
  const listed = createTargetGuard({
    allowPrivateTargets: false,
    allowCidrs: parseAllowCidrs('10.20.0.0/16, fd12::/64'),
  });
  assert.equal((await listed.check('http://10.20.3.4/')).address, '10.20.3.4');
  assert.equal((await listed.check('http://[fd12::5]/')).address, 'fd12::5');
  assert.equal((await refusal(listed.check('http://10.21.0.1/'))).reason, 'forbidden_address');
  assert.equal((await refusal(listed.check('http://169.254.169.254/'))).reason, 'forbidden_address');
  assert.throws(() => parseAllowCidrs('10.0.0.0/33'), /not a CIDR/);
  assert.throws(() => parseAllowCidrs('nonsense'), /not a CIDR/);
  assert.deepEqual(parseAllowCidrs(''), []);
});
