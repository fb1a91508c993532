/**
 * A fault-test client in its own process, so that a test can SIGSTOP / SIGKILL it:
 *   node --import tsx --conditions=@etcdkit/source fault-child.test-helpers.ts '<{"mode":"lock"|"candidate", ...config}>'
 * Prints one JSON FaultEvent per line on stdout.
 */
import { runCandidate, runLockClient, type CandidateConfig, type FaultEvent, type LockClientConfig } from "./fault-clients.test-helpers.js";

const config = JSON.parse(process.argv[2] ?? "{}") as ({ mode: "lock" } & LockClientConfig) | ({ mode: "candidate" } & CandidateConfig);
const emit = (event: FaultEvent): void => {
  process.stdout.write(`${JSON.stringify(event)}\n`);
};
if (config.mode === "lock") {
  await runLockClient(config, emit);
  process.exit(0);
} else {
  await runCandidate(config, emit);
}
