// The entry point of bin/pod. Ctrl-C or SIGTERM asks the command to stop between steps (a
// change is then put back as it was); twice, it quits at once. A terminal that goes away
// (SIGHUP) or a closed pipe never stops a change.
import { defaultDeps, interruption } from "./cli/deps.js";
import { run } from "./cli/parser.js";

export async function main(argv: string[]): Promise<void> {
  const abort = new AbortController();
  const onSignal = (): void => {
    if (abort.signal.aborted) process.exit(130);
    if (interruption.graceful) process.stderr.write(`\n${interruption.message}\n`, () => undefined);
    abort.abort();
  };
  const ignore = (): void => undefined;
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  process.on("SIGHUP", ignore);
  process.exitCode = await run(argv, defaultDeps(abort.signal));
  process.off("SIGINT", onSignal);
  process.off("SIGTERM", onSignal);
  process.off("SIGHUP", ignore);
}

await main(process.argv.slice(2));
