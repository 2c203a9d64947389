// The floor for any Node HTTP server: node:http answering every request with the same bytes,
// nothing else (no routing, no headers beyond the length and type). bench/api.ts runs it beside
// nginx so GET /v1/state can be read against both. Usage: node bench/node-static.ts PORT FILE
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

const [port, file] = process.argv.slice(2);
const body = readFileSync(file as string);
createServer((_request, response) => {
  response.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
  response.end(body);
}).listen(Number(port), '127.0.0.1');
