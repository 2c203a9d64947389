// The `tocsin` command line: finds the verb and hands it the rest of the arguments.
// Each verb lives in its own file and is loaded only when used, so `tocsin validate`
// does not pay for the server's dependencies.
import type { CliIo, Command } from './command.ts';
import { EXIT } from './command.ts';

// Each verb file adds its line here.
const VERBS: Record<string, () => Promise<{ command: Command }>> = {
  validate: () => import('./validate.ts'),
  serve: () => import('./serve.ts'),
  alert: () => import('./alert.ts'),
  config: () => import('./config.ts'),
  keys: () => import('./keys.ts'),
  regions: () => import('./regions.ts'),
  admin: () => import('./admin.ts'),
  token: () => import('./token.ts'),
  audit: () => import('./audit.ts'),
  verify: () => import('./verify.ts'),
  ingest: () => import('./ingest.ts'),
};

function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
    env: process.env,
  };
}

async function loadVerb(name: string): Promise<Command | undefined> {
  const load = VERBS[name];
  if (!load) return undefined;
  try {
    return (await load()).command;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND') return undefined;
    throw error;
  }
}

async function usage(io: CliIo): Promise<string> {
  const lines = [
    'Usage: tocsin <command> [options]   (tocsin <command> --help for details)',
    '',
    'Commands:',
  ];
  for (const name of Object.keys(VERBS)) {
    const command = await loadVerb(name);
    if (command) lines.push(`  ${name.padEnd(10)} ${command.summary}`);
  }
  void io;
  return `${lines.join('\n')}\n`;
}

/** Runs the command line; resolves to the exit code. */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const [verb, ...rest] = argv;
  if (verb === undefined || verb === '--help' || verb === '-h' || verb === 'help') {
    (verb === undefined ? io.stderr : io.stdout)(await usage(io));
    return verb === undefined ? EXIT.usage : EXIT.ok;
  }
  if (verb === '--version') {
    io.stdout('tocsin 0.1.0\n');
    return EXIT.ok;
  }
  const command = await loadVerb(verb);
  if (!command) {
    io.stderr(`tocsin: unknown command '${verb}'\n${await usage(io)}`);
    return EXIT.usage;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(command.help.endsWith('\n') ? command.help : `${command.help}\n`);
    return EXIT.ok;
  }
  return command.run(rest, io);
}
