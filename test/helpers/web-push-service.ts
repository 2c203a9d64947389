// The `web-push-testing` server (npm, MIT) in this process on a loopback port 0: it stands in for a
// browser's push service. It hands out subscriptions (P-256 keys, auth secret, endpoint), checks
// the VAPID JWT and the aes128gcm encryption of each push, keeps the decrypted messages, and
// answers 410 for a subscription we expired.
import { once } from 'node:events';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export interface BrowserSubscription {
  endpoint: string;
  keys: { p256dh: string; auth: string };
  clientHash: string;
}

export interface WebPushService {
  url: string;
  /** Subscribes like `pushManager.subscribe({ userVisibleOnly: true, applicationServerKey })`. */
  subscribe(applicationServerKey: string): Promise<BrowserSubscription>;
  /** The decrypted messages the push service received for a subscription, oldest first. */
  messages(subscription: BrowserSubscription): Promise<string[]>;
  /** The browser unsubscribed: further pushes get 410 Gone. */
  expire(subscription: BrowserSubscription): Promise<void>;
  close(): Promise<void>;
}

interface ServerInstance {
  _server: Server;
  startServer(): void;
}

export async function startWebPushService(): Promise<WebPushService> {
  const WebPushTestingServer = require('web-push-testing/src/server.js') as new (
    model: unknown,
    port: number,
  ) => ServerInstance;
  const { PushApiModel } = require('web-push-testing/src/PushApiModel.js') as {
    PushApiModel: new () => { notifyUrl: string };
  };
  const model = new PushApiModel();
  const instance = new WebPushTestingServer(model, 0);
  const log = console.log;
  console.log = () => undefined; // it announces "Server running on port 0"
  try {
    instance.startServer();
    await once(instance._server, 'listening');
  } finally {
    console.log = log;
  }
  const address = instance._server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const url = `http://127.0.0.1:${port}`;
  model.notifyUrl = `${url}/notify/`;

  const post = async (path: string, body?: unknown): Promise<Response> =>
    fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  return {
    url,
    async subscribe(applicationServerKey) {
      const response = await post('/subscribe', { userVisibleOnly: 'true', applicationServerKey });
      if (response.status !== 200)
        throw new Error(`subscribe failed: ${response.status} ${await response.text()}`);
      return ((await response.json()) as { data: BrowserSubscription }).data;
    },
    async messages(subscription) {
      const response = await post('/get-notifications', { clientHash: subscription.clientHash });
      return ((await response.json()) as { data: { messages: string[] } }).data.messages;
    },
    async expire(subscription) {
      const response = await post(`/expire-subscription/${subscription.clientHash}`);
      if (response.status !== 200) throw new Error(`expire failed: ${response.status}`);
    },
    async close() {
      instance._server.closeAllConnections();
      instance._server.close();
      await once(instance._server, 'close');
    },
  };
}
