// A stand-in for Lambda's Node.js runtime in a warm execution environment: imports the bundled
// handler once (from its own folder), then invokes it for each JSON event line on stdin and
// writes each result as one JSON line on stdout.
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";

const { handler } = await import(pathToFileURL(process.argv[2]).href);
for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() === "") continue;
  const result = await handler(JSON.parse(line));
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
process.exit(0);
