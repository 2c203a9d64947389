// Entry point for running the CLI straight from the TypeScript sources (tests, development).
import { main } from './main.ts';

process.exitCode = await main(process.argv.slice(2));
