// `tocsin config sample | check`: the configuration file generated from the schema, and a
// dry run of the loading `tocsin serve` does (file, environment, flags) without starting.
import { formatViolations, loadConfig } from '../config/load.ts';
import { renderSample } from '../config/sample.ts';
import { type Command, EXIT } from './command.ts';
import { parseFlags, stringFlag, UsageError } from './flags.ts';

const help = `Usage: tocsin config sample
       tocsin config check [--config FILE] [--json]

  sample   print a commented configuration file with every setting at its default
  check    load the configuration as 'tocsin serve' would (FILE, then environment
           variables) and report every problem at once; prints the result when valid

Exit codes: 0 valid, 2 invalid configuration or usage error.
`;

export const command: Command = {
  summary: 'print a sample configuration file, or check one',
  help,
  async run(args, io) {
    try {
      const [action, ...rest] = args;
      if (action === 'sample') {
        parseFlags(rest, {}, 0);
        io.stdout(renderSample());
        return EXIT.ok;
      }
      if (action === 'check') {
        const parsed = parseFlags(rest, { config: { type: 'string' }, json: { type: 'boolean' } }, 0);
        const file = stringFlag(parsed, 'config');
        const result = loadConfig({ env: io.env, ...(file !== undefined ? { file } : {}) });
        if (!result.ok) {
          io.stderr(
            parsed.values.json
              ? `${JSON.stringify({ violations: result.violations })}\n`
              : formatViolations(result.violations),
          );
          return EXIT.usage;
        }
        io.stdout(`${JSON.stringify(result.config, null, 2)}\n`);
        return EXIT.ok;
      }
      throw new UsageError(
        action === undefined ? 'missing action: sample or check' : `unknown action '${action}'`,
      );
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      io.stderr(`tocsin config: ${error.message}\n${help}`);
      return EXIT.usage;
    }
  },
};
