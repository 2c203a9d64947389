// What every verb of the `tocsin` command line looks like. One file per verb in src/cli/.

/** The streams a command writes to; tests pass their own. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** The whole of standard input, read when a command is given `-`. */
  readStdin: () => Promise<string>;
  env: NodeJS.ProcessEnv;
}

export interface Command {
  /** One line for `tocsin --help`. */
  summary: string;
  /** The full `tocsin VERB --help` text. */
  help: string;
  /** Runs the verb; resolves to the process exit code (0 ok, 1 failure, 2 usage or I/O). */
  run: (args: string[], io: CliIo) => Promise<number>;
}

/** Exit codes shared by every verb. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;
